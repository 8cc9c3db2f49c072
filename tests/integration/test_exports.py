"""Export review through the services: the researcher's request with context and controls, the
automatic evidence, two blinded reviewers, the committee for data sets, the release package and
who may download it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gamyeong.accounts.models import Organisation
from gamyeong.exports import services
from gamyeong.exports.models import ExportRequest
from gamyeong.governance.models import AuditEvent
from gamyeong.workspace import files
from gamyeong.workspace.models import Workspace
from tests.integration.applications_helpers import World, build_world, provide
from tests.integration.helpers import make_user

pytestmark = pytest.mark.django_db
AGENCY = "한국사회보장정보원 가명정보결합센터"
RESULTS = {
    "version": "0.1.0",
    "results": {
        "by_sido": {
            "uid": "by_sido",
            "status": "fail",
            "type": "table",
            "files": [
                {
                    "name": "by_sido.csv",
                    "sdc": {
                        "summary": {"suppressed": False, "threshold": 2},
                        "cells": {"threshold": [[1, 0], [3, 1]]},
                    },
                }
            ],
            "summary": "fail; threshold: 2 cells may need suppressing",
        }
    },
}


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    settings.GAMYEONG_WORKSPACES_DIR = tmp_path / "workspaces"
    return build_world(settings, tmp_path, synth_dir)


@pytest.fixture
def workspace(world: World) -> Workspace:
    ws = Workspace.objects.get(application=provide(world))
    outputs = files.outputs_dir(ws)
    outputs.mkdir(parents=True)
    (outputs / "by_sido.csv").write_text("sido,1,2\n11,120,130\n", encoding="utf-8-sig")
    (outputs / "model.txt").write_text("coef 0.3\n", encoding="utf-8")
    (outputs / "results.json").write_text(json.dumps(RESULTS), encoding="utf-8")
    (outputs / "_evidence").mkdir()
    (outputs / "_evidence" / "by_sido.evidence.csv").write_text("cell,top1\n", encoding="utf-8")
    return ws


@pytest.fixture
def reviewers(world: World) -> tuple[Any, Any]:
    first = make_user(
        "rev1", ("export_reviewer",), Organisation.Kind.PROVIDER, "한국사회보장정보원"
    )
    second = make_user(
        "rev2", ("export_reviewer",), Organisation.Kind.PROVIDER, "한국사회보장정보원"
    )
    return first.user, second.user


def submitted(world: World, workspace: Workspace, kind: str = "statistics") -> ExportRequest:
    request = services.create(world.researcher, workspace, kind=kind)
    services.update(
        world.researcher,
        request,
        context="시도별 수급자 수 표와 회귀 계수",
        controls="10명 미만 칸 억제, 5 단위 라운딩",
        names=["by_sido.csv", "model.txt"],
    )
    request.refresh_from_db()
    return services.submit(world.researcher, request, version=request.version)


def vote_all(user: Any, request: ExportRequest, vote: str) -> ExportRequest:
    request.refresh_from_db()
    votes = {f.pk: vote for f in request.files.all()}
    return services.review(user, request, version=request.version, votes=votes)


def test_a_statistics_export_is_reviewed_by_two_and_released(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    request = submitted(world, workspace)
    assert request.state == "review"
    checked = {f.name: f.checks for f in request.files.all()}
    assert checked["by_sido.csv"]["status"] == "fail"
    assert checked["by_sido.csv"]["summary"] == {"threshold": 2}
    assert checked["model.txt"]["status"] == "review"  # no evidence: by hand
    first, second = reviewers
    vote_all(first, request, "approve")
    # blinded: the second reviewer does not see the first vote before voting
    assert services.reviews_visible(second, request) == []
    assert [r.reviewer for r in services.reviews_visible(first, request)] == [first]
    with pytest.raises(services.ConflictError):
        vote_all(first, request, "approve")  # one vote per reviewer and round
    request = vote_all(second, request, "approve")
    assert request.state == "approved"
    assert len(services.reviews_visible(second, request)) == 2
    path = services.download(world.researcher, request)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("approval-certificate.pdf").startswith(b"%PDF-")
    assert {"files/by_sido.csv", "files/model.txt", "manifest.json", "checks.json"} <= names
    assert {f["name"] for f in manifest["files"]} == {"by_sido.csv", "model.txt"}
    assert AuditEvent.objects.filter(action="exports.downloaded").count() == 1


def test_comments_are_blinded_until_both_have_voted(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    first, second = reviewers
    request = submitted(world, workspace)
    vote_all(first, request, "reject")
    for visibility in ("reviewers", "researcher"):
        services.comment(first, request, text=f"거절 사유 ({visibility})", visibility=visibility)
    request.refresh_from_db()

    def texts(user: Any) -> list[str]:
        return [c.text for c in services.comments_visible(user, request)]

    # a comment tells how its author voted: nobody else reads it before the second vote
    assert len(texts(first)) == 2
    assert texts(second) == []
    assert texts(world.researcher) == []
    request = vote_all(second, request, "approve")
    assert len(texts(second)) == 2
    assert texts(world.researcher) == ["거절 사유 (researcher)"]


def test_changes_requested_go_back_and_disagreement_is_not_approval(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    first, second = reviewers
    request = submitted(world, workspace)
    vote_all(first, request, "approve")
    request = vote_all(second, request, "reject")
    assert request.state == "changes_requested"
    with pytest.raises(services.ExportError):
        services.download(world.researcher, request)
    services.update(
        world.researcher, request, context="다시", controls="억제 추가", names=["by_sido.csv"]
    )
    request.refresh_from_db()
    request = services.submit(world.researcher, request, version=request.version)
    assert request.round == 2 and request.state == "review"
    vote_all(first, request, "reject")
    request = vote_all(second, request, "reject")
    assert request.state == "rejected"


def test_nobody_reviews_their_own_project_and_evidence_never_leaves(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    insider = make_user(
        "insider",
        ("export_reviewer", "researcher"),
        Organisation.Kind.PROVIDER,
        "한국사회보장정보원",
    ).user
    from gamyeong.applications.models import CoResearcher

    CoResearcher.objects.create(application=workspace.application, user=insider)
    request = submitted(world, workspace)
    for user in (insider, world.researcher, world.keis, world.mohw):
        with pytest.raises(PermissionDenied):
            vote_all(user, request, "approve")
    draft = services.create(world.researcher, workspace, kind="statistics")
    with pytest.raises(services.ExportError):
        services.update(
            world.researcher,
            draft,
            context="x",
            controls="y",
            names=["_evidence/by_sido.evidence.csv"],
        )
    with pytest.raises(services.ExportError):  # context and controls are both required
        services.update(world.researcher, draft, context="x", controls="", names=["model.txt"])
        draft.refresh_from_db()
        services.submit(world.researcher, draft, version=draft.version)


def test_a_data_set_needs_the_committee_with_an_external_majority(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    from gamyeong.applications.models import Application

    # a combined data set: the combination agency's head decides after its committee
    Application.objects.filter(pk=workspace.application_id).update(agency=world.agency.organisation)
    head = world.agency
    request = submitted(world, workspace, kind="dataset")
    for reviewer in reviewers:
        request = vote_all(reviewer, request, "approve")
    assert request.state == "committee"
    members = [
        {"name": "김외부", "affiliation": "대학", "external": True, "vote": "approve"},
        {"name": "이외부", "affiliation": "연구소", "external": True, "vote": "approve"},
        {"name": "박내부", "affiliation": "SSIS", "external": False, "vote": "reject"},
    ]
    with pytest.raises(services.ExportError, match="majority"):
        services.committee(
            head,
            request,
            members=[*members[1:], {**members[0], "external": False}],
            minutes="회의록",
            decision="approve",
            reason="적정",
        )
    with pytest.raises(services.ExportError):
        services.committee(
            head,
            request,
            members=members[:2],
            minutes="회의록",
            decision="approve",
            reason="적정",
        )
    with pytest.raises(PermissionDenied):
        services.committee(
            reviewers[0],
            request,
            members=members,
            minutes="회의록",
            decision="approve",
            reason="적정",
        )
    request = services.committee(
        head,
        request,
        members=members,
        minutes="2026-11-26 회의: 2:1 찬성",
        decision="approve",
        reason="외부 위원 다수 찬성",
    )
    assert request.state == "approved"
    assert services.package_path(request).is_file()


def test_only_the_requesting_researcher_downloads_after_approval(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    request = submitted(world, workspace)
    for who in (world.co_researcher, world.outsider, reviewers[0]):
        with pytest.raises((PermissionDenied, services.ExportError)):
            services.download(who, request)
    with pytest.raises(services.ExportError):
        services.download(world.researcher, request)  # not approved yet
    for reviewer in reviewers:
        request = vote_all(reviewer, request, "approve")
    for who in (world.co_researcher, world.outsider, reviewers[0], world.ssis):
        with pytest.raises(PermissionDenied):
            services.download(who, request)
    assert services.download(world.researcher, request).is_file()
    assert AuditEvent.objects.filter(action="exports.downloaded").count() == 1


def test_the_export_pages_from_request_to_download(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any]
) -> None:
    from django.test import Client

    from tests.integration.helpers import login

    def client(new: Any) -> Client:
        c = Client()
        login(c, new)
        return c

    researcher = client(world.logins["researcher"])
    response = researcher.post("/exports/", {"workspace": workspace.code, "kind": "statistics"})
    request = ExportRequest.objects.get()
    url = f"/exports/{request.reference}/"
    assert response["Location"] == url
    researcher.post(
        url + "save/",
        {
            "context": "표 1",
            "controls": "억제",
            "file": ["by_sido.csv", "_evidence/by_sido.evidence.csv"],
        },
    )
    assert request.files.count() == 0  # the evidence folder is refused: nothing saved
    researcher.post(url + "save/", {"context": "표 1", "controls": "억제", "file": ["by_sido.csv"]})
    page = researcher.get(url).content.decode()
    assert 'data-check="fail"' in page and "최소 빈도 미달 2" in page  # the pre-check
    request.refresh_from_db()
    researcher.post(url + "submit/", {"version": request.version})
    request.refresh_from_db()
    assert request.state == "review"
    assert researcher.get(url + "download/").status_code == 404  # not before approval
    file_id = request.files.get().pk
    first_user, second_user = reviewers
    from gamyeong.accounts.services import reset_credentials

    for reviewer in (first_user, second_user):
        c = client(reset_credentials(reviewer, actor="system:test"))
        assert request.reference in c.get("/exports/").content.decode()  # in the queue
        c.post(url + "review/", {f"vote-{file_id}": "approve", f"comment-{file_id}": "좋음"})
    request.refresh_from_db()
    assert request.state == "approved"
    package = researcher.get(url + "download/")
    assert package.status_code == 200 and package["Content-Disposition"].startswith("attachment")
    outsider = client(world.logins["outsider"])
    assert outsider.get(url).status_code == 404
    assert outsider.get(url + "download/").status_code == 404
    co = client(world.logins["co_researcher"])
    assert co.get(url + "download/").status_code == 404


def test_a_table_recoverable_from_an_earlier_release_is_flagged(
    world: World, workspace: Workspace, reviewers: tuple[Any, Any], settings: Any
) -> None:
    """Differencing: after a table on all persons was released, a table on all but a few of
    them gives those few away by subtraction; the new request's check says so."""
    import polars as pl

    from gamyeong import analysis as ga

    persons = pl.read_parquet(Path(settings.DATA_DIR) / "synth" / "ssis_persons.parquet")
    outputs = files.outputs_dir(workspace)
    for child in outputs.iterdir():  # a clean outputs folder made by the helpers only
        if child.is_file():
            child.unlink()
    session = ga.Session(outputs)
    session.save("whole", ga.crosstab(persons, index="sido_code", columns="sex"))
    session.finalise()
    first = services.create(world.researcher, workspace, kind="statistics")
    services.update(world.researcher, first, context="표 1", controls="없음", names=["whole.csv"])
    first.refresh_from_db()
    first = services.submit(world.researcher, first, version=first.version)
    for reviewer in reviewers:
        first = vote_all(reviewer, first, "approve")
    assert first.state == "approved"
    # the same table without three persons of Seoul
    seoul = persons.filter(pl.col("sido_code") == persons["sido_code"][0])
    fewer = persons.join(seoul.head(3).select("person_id"), on="person_id", how="anti")
    session = ga.Session(outputs)
    session.save("almost", ga.crosstab(fewer, index="sido_code", columns="sex"))
    session.finalise()
    second = services.create(world.researcher, workspace, kind="statistics")
    services.update(world.researcher, second, context="표 2", controls="없음", names=["almost.csv"])
    second.refresh_from_db()
    second = services.submit(world.researcher, second, version=second.version)
    checked = second.files.get().checks
    assert checked["summary"].get("differencing", 0) >= 1, checked
    assert checked["status"] == "fail"
    assert checked["differencing"][0]["earlier"] == "whole"
