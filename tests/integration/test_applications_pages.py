"""Application pages: each role sees only its applications, decides through the pages, gets
clear messages; outsiders get 404; text is escaped; documents are served only to the parties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gamyeong.applications import services
from gamyeong.applications.models import Application, Notification
from gamyeong.governance.models import AuditEvent
from tests.integration.applications_helpers import (
    PDF,
    PERSON_ITEMS,
    World,
    build_world,
    draft_provision,
    items,
    take,
)
from tests.integration.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    return build_world(settings, tmp_path, synth_dir)


def client_for(world: World, who: str) -> Client:
    client = Client()
    login(client, world.logins[who])
    return client


def detail(app: Application) -> str:
    return reverse("applications:detail", args=[app.reference])


def test_a_researcher_applies_through_the_pages(world: World) -> None:
    c = client_for(world, "researcher")
    response = c.post(reverse("applications:new"), {"workflow": "provision", "title": "연구"})
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(app)
    c.post(
        reverse("applications:edit", args=[app.reference]),
        {
            "title": "연구",
            "purpose_category": "statistics",
            "purpose": "통계 작성",
            "period_start": "2026-12-01",
            "period_end": "2027-06-30",
            "pledge": "on",
        },
    )
    chosen = items("ssis_persons", PERSON_ITEMS)
    c.post(
        reverse("applications:items", args=[app.reference]),
        {"item": chosen, f"why-{chosen[0]}": "연구 내 연결"},
    )
    c.post(
        reverse("applications:upload", args=[app.reference]),
        {"kind": "research_plan", "file": SimpleUploadedFile("계획서.pdf", PDF)},
    )
    app.refresh_from_db()
    assert app.pledge_accepted_at is not None and app.items.count() == len(chosen)
    page = c.get(detail(app)).content.decode()
    assert "계획서.pdf" in page and 'data-action="submit"' in page
    response = c.post(
        reverse("applications:act", args=[app.reference, "submit"]), {"version": app.version}
    )
    app.refresh_from_db()
    assert app.state == "ministry_review", response
    page = c.get(detail(app)).content.decode()
    assert 'data-owner="ministry"' in page and 'data-action="withdraw"' in page


def test_bad_input_gets_a_clear_message_and_changes_nothing(world: World) -> None:
    app = draft_provision(world)
    c = client_for(world, "researcher")
    response = c.post(
        reverse("applications:upload", args=[app.reference]),
        {"kind": "research_plan", "file": SimpleUploadedFile("plan.pdf", b"not a pdf")},
        follow=True,
    )
    assert "PDF" in response.content.decode()
    response = c.post(
        reverse("applications:edit", args=[app.reference]),
        {"title": "x", "period_start": "2026-13-40"},
        follow=True,
    )
    assert "2026-13-40" in response.content.decode()
    app.refresh_from_db()
    assert app.title == "수급 가구 연구" and app.documents.count() == 1
    # a stale form (another tab already submitted) is told, not applied twice
    version = app.version
    c.post(reverse("applications:act", args=[app.reference, "submit"]), {"version": version})
    response = c.post(
        reverse("applications:act", args=[app.reference, "withdraw"]),
        {"version": version, "reason": "x"},
        follow=True,
    )
    app.refresh_from_db()
    assert app.state == "ministry_review"
    assert "someone else decided first" in response.content.decode() or "먼저" in (
        response.content.decode()
    )


def test_script_in_text_is_escaped(world: World) -> None:
    app = draft_provision(world)
    services.update(world.researcher, app, purpose="<script>alert('x')</script>")
    services.comment(world.researcher, app, "<img src=x onerror=alert(1)>")
    page = client_for(world, "researcher").get(detail(app)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_each_role_sees_only_its_applications(world: World) -> None:
    draft = draft_provision(world)
    submitted = take(world.researcher, draft_provision(world), "submit")
    expectations = {
        "researcher": {draft.reference, submitted.reference},
        "mohw": {submitted.reference},  # drafts stay with their author
        "ssis": {submitted.reference},
        "keis": set(),  # not a provider of these items
        "outsider": set(),
        "agency": set(),  # single-source: no combination agency
        "kma": set(),
    }
    for who, visible in expectations.items():
        c = client_for(world, who)
        page = c.get(reverse("applications:home")).content.decode()
        for app in (draft, submitted):
            status = c.get(detail(app)).status_code
            assert (status == 200) == (app.reference in visible), (who, app.reference, status)
            assert (app.reference in page) == (app.reference in visible), (who, app.reference)


def test_the_queue_shows_what_waits_for_me_with_its_deadline(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    c = client_for(world, "mohw")
    page = c.get(reverse("applications:home")).content.decode()
    assert app.reference in page and app.due_at is not None
    assert app.due_at.astimezone().strftime("%Y-%m-%d")[:4] in page
    empty = c.get(reverse("applications:home"), {"state": "item_review"}).content.decode()
    assert app.reference not in empty.split("queue-title")[1]


def test_decisions_through_the_page_need_a_reason_and_go_to_the_inbox(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    c = client_for(world, "mohw")
    url = reverse("applications:act", args=[app.reference, "reject"])
    c.post(url, {"version": app.version, "reason": ""})
    app.refresh_from_db()
    assert app.state == "ministry_review"
    c.post(url, {"version": app.version, "reason": "목적이 불명확함"})
    app.refresh_from_db()
    assert app.state == "rejected"
    r = client_for(world, "researcher")
    inbox = r.get(reverse("applications:inbox")).content.decode()
    assert app.reference in inbox
    r.post(reverse("applications:inbox"))
    assert not Notification.objects.filter(recipient=world.researcher, read_at=None).exists()


def test_documents_are_served_only_to_the_parties(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    document = app.documents.get()
    url = reverse("applications:document", args=[app.reference, document.pk])
    clients = {who: client_for(world, who) for who in ("researcher", "mohw", "keis", "outsider")}
    for who, status in (("researcher", 200), ("mohw", 200), ("keis", 404), ("outsider", 404)):
        response = clients[who].get(url)
        assert response.status_code == status, who
        if status == 200:
            assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
            assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="applications.document_downloaded").count() == 2
    # a document of another application cannot be fetched through this one
    other = draft_provision(world)
    foreign = other.documents.get()
    response = clients["researcher"].get(
        reverse("applications:document", args=[app.reference, foreign.pk])
    )
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_log_in(world: World) -> None:
    app = draft_provision(world)
    for url in (reverse("applications:home"), detail(app), reverse("applications:inbox")):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]


POSTS = [
    ("applications:edit", {"purpose": "바꾸기"}),
    ("applications:items", {"item": []}),
    ("applications:co_researchers", {"username": "co"}),
    ("applications:comment", {"text": "의견"}),
    ("applications:register", {}),
    ("applications:upload", {"kind": "other"}),
]


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_every_page_action_keeps_to_the_parties(world: World, name: str, data: Any) -> None:
    """Outsiders get 404 on every application URL; parties acting outside their part change
    nothing."""
    app = take(world.researcher, draft_provision(world), "submit")
    url = reverse(name, args=[app.reference])
    before = (app.state, app.version, app.purpose, app.items.count(), app.comments.count())
    for who in ("keis", "outsider", "agency", "kma"):
        response = client_for(world, who).post(url, data)
        assert response.status_code == 404, (who, name)
    if name == "applications:comment":
        return  # the parties may all comment
    for who in ("ssis", "co_researcher"):
        client_for(world, who).post(url, data)
    app.refresh_from_db()
    after = (app.state, app.version, app.purpose, app.items.count(), app.comments.count())
    assert after == before


def test_every_action_url_refuses_the_wrong_party(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    clients = {who: client_for(world, who) for who in ("researcher", "ssis", "keis", "outsider")}
    for code in ("approve", "return", "reject", "approve_items", "provide", "destroy"):
        url = reverse("applications:act", args=[app.reference, code])
        for who, client in clients.items():
            response = client.post(url, {"version": app.version, "reason": "x", "missing": "y"})
            assert response.status_code in (302, 403, 404), (who, code)
    app.refresh_from_db()
    assert app.state == "ministry_review" and app.version == 1


def test_the_database_keeps_one_move_per_version(world: World) -> None:
    """Even past the version check (two requests that both read the same version), the unique
    (application, version) of a move lets only one through."""
    from gamyeong.applications.services import ConflictError, _move
    from gamyeong.applications.workflows import PROVISION

    app = take(world.researcher, draft_provision(world), "submit")
    first = Application.objects.get(pk=app.pk)
    second = Application.objects.get(pk=app.pk)
    approve = PROVISION.action("ministry_review", "approve")
    reject = PROVISION.action("ministry_review", "reject")
    assert approve is not None and reject is not None
    _move(first, approve, actor=world.mohw, party="ministry", reason="적합")
    with pytest.raises(ConflictError):
        _move(second, reject, actor=world.mohw, party="ministry", reason="x")
    app.refresh_from_db()
    assert app.state == "item_review" and app.transitions.count() == 2


def test_the_provider_starts_its_policy_from_the_approved_items(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    app = take(world.mohw, app, "approve")
    app = take(
        world.ssis, app, "approve_items", approved_items=items("ssis_persons", ("sex", "age"))
    )
    c = client_for(world, "ssis")
    page = c.get(detail(app)).content.decode()
    url = reverse("processing:policy_new", args=["ssis_persons"]) + f"?application={app.reference}"
    assert url.replace("?", "?") in page.replace("&amp;", "&")
    editor = c.get(url).content.decode()
    assert "disability: delete" in editor and app.reference in editor
    # another provider's staff do not see SSIS's processing at all
    other = client_for(world, "keis").get(url)
    assert other.status_code == 404
    assert f"# {app.reference}:" not in other.content.decode()
