"""The JSON API: tokens, the same operations and the same permission checks as the pages, for
every route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gamyeong.accounts.tokens import create_token, revoke_token
from gamyeong.applications.models import Application
from tests.integration.applications_helpers import (
    PDF,
    PERSON_ITEMS,
    World,
    build_world,
    draft_provision,
    items,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    return build_world(settings, tmp_path, synth_dir)


class Api:
    def __init__(self, user: Any) -> None:
        self.token = create_token(user, "test")[1] if user is not None else ""
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api{path}", headers=self._headers())

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        return call(
            f"/api{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=self._headers(),
        )


def test_a_researcher_applies_through_the_api(world: World) -> None:
    api = Api(world.researcher)
    created = api.send("post", "/applications", {"workflow": "provision", "title": "API 연구"})
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    changed = api.send(
        "patch",
        f"/applications/{ref}",
        {
            "purpose_category": "statistics",
            "purpose": "통계",
            "period_start": "2026-12-01",
            "period_end": "2027-05-31",
            "accept_pledge": True,
        },
    )
    assert changed.status_code == 200 and changed.json()["pledge_accepted_at"]
    catalog = api.get("/catalog").json()
    persons = next(d for d in catalog if d["name"] == "ssis_persons")
    chosen = [i["id"] for i in persons["items"] if i["name"] in PERSON_ITEMS]
    assert api.send("put", f"/applications/{ref}/items", {"items": chosen}).status_code == 200
    # the submission check answers with what is missing, in both languages
    version = api.get(f"/applications/{ref}").json()["version"]
    refused = api.send("post", f"/applications/{ref}/actions/submit", {"version": version})
    assert refused.status_code == 422
    assert any("research plan" in p["en"] for p in refused.json()["problems"])
    uploaded = api.client.post(
        f"/api/applications/{ref}/documents",
        {"kind": "research_plan", "file": _file("plan.pdf", PDF)},
        headers=api._headers(),
    )
    assert uploaded.status_code == 201, uploaded.content
    done = api.send("post", f"/applications/{ref}/actions/submit", {"version": version})
    assert done.status_code == 200 and done.json()["state"] == "ministry_review"
    again = api.send("post", f"/applications/{ref}/actions/submit", {"version": version})
    assert again.json()["duplicate"] is True  # a retried request is recorded once
    # the ministry decides through the API too; a stale version is a conflict
    mohw = Api(world.mohw)
    detail = mohw.get(f"/applications/{ref}").json()
    assert [a["code"] for a in detail["actions"]] == ["approve", "return", "reject"]
    unreasoned = mohw.send("post", f"/applications/{ref}/actions/approve", {"version": version + 1})
    assert unreasoned.status_code == 422  # every decision says why
    ok = mohw.send(
        "post",
        f"/applications/{ref}/actions/approve",
        {"version": version + 1, "reason": "목적 적합"},
    )
    assert ok.json()["state"] == "item_review"
    late = mohw.send(
        "post", f"/applications/{ref}/actions/reject", {"version": version + 1, "reason": "x"}
    )
    assert late.status_code == 409
    assert Api(world.researcher).get("/notifications").json()[0]["application"] == ref


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_without_a_valid_token_nothing_is_answered(world: World) -> None:
    app = draft_provision(world)
    for token in ("", "gy_wrong", "Bearer"):
        client = Client()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.get(f"/api/applications/{app.reference}", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
    api = Api(world.researcher)
    assert api.get(f"/applications/{app.reference}").status_code == 200
    from gamyeong.accounts.models import ApiToken

    revoke_token(world.researcher, ApiToken.objects.get(user=world.researcher).pk)
    assert api.get(f"/applications/{app.reference}").status_code == 401


ROUTES = [
    ("get", "/applications/{ref}", None),
    ("patch", "/applications/{ref}", {"purpose": "바꾸기"}),
    ("put", "/applications/{ref}/items", {"items": []}),
    ("post", "/applications/{ref}/co-researchers", {"username": "co"}),
    ("post", "/applications/{ref}/comments", {"text": "의견"}),
    ("post", "/applications/{ref}/actions/approve", {"version": 1}),
    ("post", "/applications/{ref}/actions/withdraw", {"version": 1, "reason": "x"}),
    ("get", "/applications/{ref}/documents/{doc}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_route_keeps_to_the_parties(world: World, method: str, path: str, body: Any) -> None:
    """A submitted single-source application: its author and the ministry and SSIS see it;
    KEIS, an outsider, the agency and the KMA get 404 on every route (existence not
    disclosed); a party acting outside its part gets 403 or 422, never a change."""
    app = take(world.researcher, draft_provision(world), "submit")
    doc = app.documents.get().pk
    url = path.format(ref=app.reference, doc=doc)
    for who in ("keis", "outsider", "agency", "kma"):
        api = Api(world.user(who))
        response = api.get(url) if method == "get" else api.send(method, url, body)
        assert response.status_code == 404, (who, url, response.content)
    app.refresh_from_db()
    before = (app.state, app.version, app.purpose, app.items.count(), app.comments.count())
    if method != "get" and "comments" not in path:
        for who in ("ssis", "co_researcher"):
            api = Api(world.user(who))
            response = api.send(method, url, body)
            assert response.status_code in (403, 404, 409, 422), (who, url, response.content)
    app.refresh_from_db()
    after = (app.state, app.version, app.purpose, app.items.count(), app.comments.count())
    assert after == before


def test_the_list_holds_only_what_the_user_may_see(world: World) -> None:
    draft = draft_provision(world)
    submitted = take(world.researcher, draft_provision(world), "submit")
    seen = {
        who: {a["reference"] for a in Api(world.user(who)).get("/applications").json()}
        for who in ("researcher", "mohw", "ssis", "keis", "outsider", "agency")
    }
    assert seen["researcher"] == {draft.reference, submitted.reference}
    assert seen["mohw"] == seen["ssis"] == {submitted.reference}
    assert seen["keis"] == seen["outsider"] == seen["agency"] == set()


def test_provider_item_decisions_through_the_api(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    app = take(world.mohw, app, "approve")
    api = Api(world.ssis)
    fewer = items("ssis_persons", ("sex", "age"))
    response = api.send(
        "post",
        f"/applications/{app.reference}/actions/approve_items",
        {"version": app.version, "approved_items": fewer, "reason": "필요한 항목만"},
    )
    assert response.status_code == 200 and response.json()["state"] == "pseudonymization"
    approved = {
        i["name"]: i["approved"] for i in api.get(f"/applications/{app.reference}").json()["items"]
    }
    assert approved["sex"] is True and approved["disability"] is False


def test_the_openapi_description_is_served(world: World) -> None:
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/applications/{reference}/actions/{code}" in paths
    assert Client().get("/api/docs").status_code == 200
    assert Application.objects.count() == 0
