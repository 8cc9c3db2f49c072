"""An export review walked in the browser, each party signed in as itself: the researcher picks
outputs from the workspace into an export request (반출신청), sees the automatic pre-check and
submits; an outsider and the researcher's early download get 404; two reviewers vote, the second
without seeing the first's votes (blinded); the researcher downloads the release package (zip
with the files, manifest, checks and approval certificate). Screenshots go to
tests/e2e/screenshots/ (and docs/screenshots/ with GAMYEONG_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from gamyeong import analysis as ga
from gamyeong.accounts.models import Organisation
from gamyeong.catalog.models import SourceSystem
from gamyeong.catalog.reference import load_source_systems
from gamyeong.exports.models import ExportRequest
from gamyeong.governance.models import AuditEvent
from gamyeong.workspace import files
from gamyeong.workspace.models import Workspace
from tests.e2e.test_applications import Party, shot, tick
from tests.e2e.test_processing import IMMEDIATE
from tests.integration.applications_helpers import World, build_world, provide
from tests.integration.helpers import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    load_source_systems(SourceSystem)  # a transactional test's flush removed the migration's rows
    settings.TASKS = IMMEDIATE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GAMYEONG_WORKSPACES_DIR = tmp_path / "workspaces"
    built = build_world(settings, tmp_path, synth_dir)
    # a single-source project's outputs are reviewed by the provider's export reviewers (반출심사)
    for who, username in (("reviewer_a", "exp-a"), ("reviewer_b", "exp-b")):
        built.logins[who] = make_user(
            username, ("export_reviewer",), Organisation.Kind.PROVIDER, "한국사회보장정보원"
        )
    return built


@pytest.fixture
def workspace(world: World) -> Workspace:
    """A provided project whose workspace holds a table made by gamyeong.analysis (with its
    recorded evidence) and a hand-written note."""
    ws = Workspace.objects.get(application=provide(world))
    outputs = files.outputs_dir(ws)
    outputs.mkdir(parents=True, exist_ok=True)
    people = pl.DataFrame(
        {
            "sido": ["11", "26", "27"] * 40,
            "sex": [1, 2] * 60,
            "person": [f"p{i}" for i in range(120)],
        }
    )
    session = ga.Session(outputs)
    session.save("sido_by_sex", ga.crosstab(people, "sido", "sex", unit="person", session=session))
    session.finalise()
    (outputs / "notes.txt").write_text("분석 메모: 시도별 성별 분포\n", encoding="utf-8")
    return ws


@pytest.fixture
def party(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    made: list[Party] = []

    def sign_in_as(who: str) -> Party:
        made.append(Party(browser, live_server.url, world, who))
        return made[-1]

    yield sign_in_as
    for one in made:
        one.context.close()


def state(who: Party) -> str:
    return str(who.page.locator("#status [data-state]").get_attribute("data-state"))


def review(reviewer: Party, reference: str, vote: str, comment: str = "") -> None:
    page = reviewer.page
    page.goto(f"{reviewer.base}/exports/{reference}/")
    form = page.locator("#files form")
    selects = form.locator("select[name^='vote-']")
    for i in range(selects.count()):
        selects.nth(i).select_option(vote)
    if comment:
        form.locator("textarea[name^='comment-']").first.fill(comment)
    reviewer.submit(form.locator("button[type=submit]"))


def test_an_export_is_requested_reviewed_blind_and_released(
    party: Any, world: World, workspace: Workspace, tmp_path: Path
) -> None:
    researcher = party("researcher")
    page = researcher.page
    page.goto(f"{researcher.base}/exports/")
    page.locator("#ex-workspace").select_option(workspace.code)
    page.locator("#ex-kind").select_option("statistics")
    researcher.submit(page.locator("main form button[type=submit]"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert state(researcher) == "draft"

    # the outputs of the workspace are offered; the recorded evidence is not
    offered = page.locator("#edit fieldset").inner_text()
    assert "sido_by_sex.csv" in offered and "notes.txt" in offered
    assert "_evidence" not in offered
    edit = page.locator("#edit form").first
    edit.locator("#ex-context").fill("시도별·성별 수급자 수 표: 지역 격차 분석의 결과")
    edit.locator("#ex-controls").fill("10명 미만 칸 없음 확인, 사람 수 기준")
    for name in ("sido_by_sex.csv", "notes.txt"):
        box = edit.locator(f"input[name=file][value='{name}']")
        tick(edit, str(box.get_attribute("id")))
    researcher.submit(edit.locator("button[type=submit]"))

    # the automatic pre-check, before submitting
    precheck = page.locator("#edit .gy-problems")
    assert precheck.locator("li[data-check='pass']").inner_text().startswith("sido_by_sex.csv")
    assert precheck.locator("li[data-check='review']").inner_text().startswith("notes.txt")
    shot(page, "export-request", "#edit")
    researcher.submit(page.locator("#edit form[action$='/submit/'] button"))
    assert state(researcher) == "review"

    # not before approval, and not for anyone else
    assert page.goto(f"{researcher.base}/exports/{reference}/download/").status == 404
    outsider = party("outsider")
    assert outsider.page.goto(f"{outsider.base}/exports/{reference}/").status == 404

    first = party("reviewer_a")
    first.page.goto(f"{first.base}/exports/")
    assert reference in first.page.locator("#queue-title + ul").inner_text()
    review(first, reference, "approve", comment="첫 심사자 의견: 모든 칸 10명 이상")
    assert state(first) == "review"
    assert "#" in first.page.locator("#reviews ul").inner_text()  # their own vote is shown

    second = party("reviewer_b")
    second.page.goto(f"{second.base}/exports/{reference}/")
    reviews = second.page.locator("#reviews")
    assert reviews.locator(".gy-notice").count() == 1  # the other votes are hidden
    assert reviews.locator("ul li.gy-muted").count() == 1  # nothing of the first review shows
    assert "첫 심사자 의견" not in second.page.inner_text("main")  # nor the first comment
    shot(second.page, "export-review-blind", "#files")
    review(second, reference, "approve")
    assert state(second) == "approved"
    assert second.page.locator("#reviews ul li").count() == 2  # both votes, once both voted
    assert "첫 심사자 의견" in second.page.locator("#comments").inner_text()

    page.goto(f"{researcher.base}/exports/{reference}/")
    assert state(researcher) == "approved"
    shot(page, "export-approved", "#status")
    with page.expect_download() as caught:
        page.locator("#status a[href$='/download/']").click()
    package = tmp_path / "package.zip"
    caught.value.save_as(package)
    export = ExportRequest.objects.get(reference=reference)
    assert hashlib.sha256(package.read_bytes()).hexdigest() == export.package_sha256
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("approval-certificate.pdf").startswith(b"%PDF-")
        listed = {f["name"]: f["sha256"] for f in manifest["files"]}
        assert set(listed) == {"sido_by_sex.csv", "notes.txt"}
        for name, digest in listed.items():
            assert hashlib.sha256(archive.read(f"files/{name}")).hexdigest() == digest
    assert names == {f"files/{n}" for n in listed} | {
        "manifest.json",
        "checks.json",
        "approval-certificate.pdf",
    }
    downloads = AuditEvent.objects.filter(action="exports.downloaded", object_id=str(export.pk))
    assert list(downloads.values_list("actor", flat=True)) == [world.researcher.username]
    # the only failed requests are the two refused on purpose (each also logs a console error)
    early = f"{researcher.base}/exports/{reference}/download/"
    assert urls(researcher.problems) == [early], researcher.problems
    assert urls(outsider.problems) == [f"{outsider.base}/exports/{reference}/"], outsider.problems
    assert first.problems == [] and second.problems == [], (first.problems, second.problems)


def urls(problems: list[str]) -> list[str]:
    refused = "Failed to load resource: the server responded with a status of 404"
    return [p for p in problems if not p.startswith(refused)]
