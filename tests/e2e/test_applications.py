"""The parties walk two applications in the browser, each signed in as itself through the real
two-step login: a single-source provision (the researcher applies, the ministry approves, the
provider approves the items and sends its run to the adequacy review, the reviewer finds it
adequate on the run's page, the provider provides) and a combination (stages 1.1 to 4.5; the
engine's combination steps are driven through the services, the decisions through the pages).
An outsider gets 404. Screenshots are saved in tests/e2e/screenshots/; with
GAMYEONG_UPDATE_SCREENSHOTS=1 they are also copied to docs/screenshots/ for the docs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gamyeong.applications import links
from gamyeong.applications.models import Application
from gamyeong.catalog.models import Dataset, SourceSystem
from gamyeong.catalog.reference import load_source_systems
from gamyeong.combination import services as combination_services
from gamyeong.combination.models import Combination, Step
from gamyeong.processing import services as processing
from gamyeong.processing.models import Run
from tests.e2e.conftest import screenshot
from tests.e2e.test_processing import IMMEDIATE, sign_in, watch_problems
from tests.integration.applications_helpers import (
    KEIS_ITEMS,
    PDF,
    PERSON_ITEMS,
    SSIS_COMBINE_ITEMS,
    World,
    build_world,
    docx,
    items,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
APPLICANT_DOCUMENTS = (
    "application_form",
    "business_registration",
    "purpose_evidence",
    "data_description",
    "internal_management_plan",
)


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    load_source_systems(SourceSystem)  # a transactional test's flush removed the migration's rows
    settings.TASKS = IMMEDIATE
    # ten users are made per test: a fast hasher keeps the test short (the login is still the
    # real two-step one)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world(settings, tmp_path, synth_dir)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One file to upload per document kind: the research plan as PDF, the others as DOCX."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "research_plan.pdf").write_bytes(PDF)
    made = {"research_plan": folder / "research_plan.pdf"}
    for kind in APPLICANT_DOCUMENTS:
        made[kind] = folder / f"{kind}.docx"
        made[kind].write_bytes(docx())
    return made


def shot(page: Any, name: str, focus: str = "") -> None:
    """A screenshot for the test's record; also one for the docs when asked to update them."""
    screenshot(page, f"applications-{name}")
    if os.environ.get("GAMYEONG_UPDATE_SCREENSHOTS") == "1":
        # the docs get the visible part of the page (the 1280×900 window), kept small in git
        DOCS_SCREENSHOTS.mkdir(exist_ok=True)
        if focus:
            page.locator(focus).first.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -200)")  # below the sticky header
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=False)


def tick(scope: Any, id_: str) -> None:
    """Tick a KRDS check box or radio button as a person does: by its label (the styled label
    covers the input itself)."""
    if not scope.locator(f"#{id_}").is_checked():
        scope.locator(f"label[for='{id_}']").click()
    assert scope.locator(f"#{id_}").is_checked(), id_


class Party:
    """One party's browser: its own context, signed in once, with its problems watched."""

    def __init__(self, browser: Any, base: str, world: World, who: str) -> None:
        self.context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base, self.who = base, who
        sign_in(self.page, base, world.logins[who])
        self.problems = watch_problems(self.page)

    def url(self, reference: str, rest: str = "") -> str:
        return f"{self.base}/applications/{reference}/{rest}"

    def open(self, reference: str) -> None:
        self.page.goto(self.url(reference))

    def state(self) -> str:
        return str(self.page.locator("#status [data-state]").get_attribute("data-state"))

    def owner(self) -> str:
        return str(self.page.locator("#status dd[data-owner]").get_attribute("data-owner"))

    def submit(self, button: Any) -> None:
        """Press a form's button, wait for the page it leads to, and fail on an error message."""
        with self.page.expect_navigation():
            button.click()
        errors = self.page.locator(".gy-messages .is-danger, .gy-messages .is-warning")
        assert errors.count() == 0, (self.who, errors.all_inner_texts())

    def act(self, reference: str, code: str, expect: str | None = None) -> None:
        """Take the action ``code`` from "My next step"; ``expect`` is the state it leads to."""
        self.open(reference)
        form = self.page.locator(f"form[data-action='{code}']")
        form.locator(f"#reason-{code}").fill("검토 의견: 목적과 항목이 적합함")
        self.submit(form.locator("button[type=submit]"))
        if expect is not None:
            assert self.state() == expect, (self.who, code, self.state())

    def upload(self, reference: str, kind: str, path: Path) -> None:
        self.open(reference)
        form = self.page.locator("#documents form[enctype='multipart/form-data']")
        form.locator("#doc-kind").select_option(kind)
        form.locator("#doc-file").set_input_files(str(path))
        self.submit(form.locator("button[type=submit]"))
        assert path.name in self.page.locator("#documents table").inner_text()

    def fill_basics(self, purpose: str, start: str, end: str, notes: str = "") -> None:
        basics = self.page.locator("#basics form")
        tick(basics, "pc-scientific_research")
        basics.locator("#purpose").fill(purpose)
        basics.locator("#period_start").fill(start)
        basics.locator("#period_end").fill(end)
        if notes:
            basics.locator("#preconsult_notes").fill(notes)
        if not basics.locator("#pledge").is_disabled():  # once accepted, it stays accepted
            tick(basics, "pledge")
        self.submit(basics.locator("button[type=submit]"))

    def choose_items(self, chosen: list[int]) -> None:
        form = self.page.locator("#items form")
        for pk in chosen:
            tick(form, f"it-{pk}")
        self.submit(form.locator("button[type=submit]"))

    def approve_items(self, reference: str, mine: list[int], expect: str, name: str = "") -> None:
        """Approve every item of the own organisation (all are ticked: the purpose needs them)."""
        self.open(reference)
        form = self.page.locator("form[data-action='approve_items']")
        for pk in mine:
            assert form.locator(f"#ap-{pk}").is_checked(), pk
        if name:
            shot(self.page, name, "form[data-action='approve_items']")
        form.locator("#reason-approve_items").fill("목적에 필요한 항목만 승인")
        self.submit(form.locator("button[type=submit]"))
        assert self.state() == expect, (self.who, self.state())


@pytest.fixture
def party(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    made: list[Party] = []

    def sign_in_as(who: str) -> Party:
        made.append(Party(browser, live_server.url, world, who))
        return made[-1]

    yield sign_in_as
    for one in made:
        one.context.close()


def create(researcher: Party, workflow: str, title: str) -> str:
    """A new application of ``workflow`` from the "new application" page; its reference."""
    page = researcher.page
    page.goto(f"{researcher.base}/applications/new/")
    tick(page, f"wf-{workflow}")
    page.locator("#title").fill(title)
    researcher.submit(page.locator("main form button[type=submit]"))
    match = re.search(r"/applications/([^/]+)/$", page.url)
    assert match, page.url
    return match.group(1)


def outsider_sees_nothing(outsider: Party, reference: str) -> None:
    document = Application.objects.get(reference=reference).documents.first()
    assert document is not None
    for url in (outsider.url(reference), outsider.url(reference, f"documents/{document.pk}/")):
        response = outsider.page.goto(url)
        assert response is not None and response.status == 404, url
    outsider.page.goto(f"{outsider.base}/applications/")
    assert reference not in outsider.page.content()
    outsider.problems.clear()  # the 404s above were the point


def test_a_provision_goes_from_the_application_to_the_workspace(
    world: World, party: Any, files: dict[str, Path]
) -> None:
    researcher = party("researcher")
    ref = create(researcher, "provision", "가구유형별 급여 수급 연구")
    researcher.fill_basics("가구유형별 급여 수급 현황 분석", "2026-12-01", "2027-11-30")
    chosen = items("ssis_persons", PERSON_ITEMS)
    researcher.choose_items(chosen)
    researcher.upload(ref, "research_plan", files["research_plan"])
    assert researcher.page.locator("form[data-action='submit'] .gy-problems").count() == 0
    shot(researcher.page, "provision-researcher-form", "#basics")
    researcher.act(ref, "submit", expect="ministry_review")
    assert researcher.owner() == "ministry"

    mohw = party("mohw")
    mohw.page.goto(f"{mohw.base}/applications/")
    queue = mohw.page.locator("section[aria-labelledby='queue-title']")
    assert ref in queue.inner_text()
    shot(mohw.page, "provision-ministry-queue", "#queue-title")
    with mohw.page.expect_navigation():
        queue.locator(f"a[href$='/applications/{ref}/']").click()
    mohw.act(ref, "approve", expect="item_review")

    ssis = party("ssis")
    ssis.approve_items(ref, chosen, "pseudonymization", name="provision-provider-items")
    # the provider pseudonymizes the approved items (a background job in production)
    application = Application.objects.get(reference=ref)
    policy = processing.create_policy(
        Dataset.objects.get(name="ssis_persons"),
        links.policy_from_items(application, Dataset.objects.get(name="ssis_persons")),
        title=application.title,
        user=world.ssis,
    )
    run = processing.execute_run(processing.request_run(policy, user=world.ssis).pk)
    assert run.status == Run.Status.SUCCEEDED, run.error_en
    ssis.open(ref)
    tick(ssis.page, f"run-{run.pk}")
    ssis.submit(ssis.page.locator("form[data-action='submit_run'] button[type=submit]"))
    assert ssis.state() == "adequacy_review"

    reviewer = party("ssis_review")
    reviewer.open(ref)
    with reviewer.page.expect_navigation():
        reviewer.page.locator(f"#actions a[href$='/processing/runs/{run.pk}/']").click()
    form = reviewer.page.locator("form.gy-review-form")
    for box in form.locator("input[type=checkbox]").all():
        tick(form, str(box.get_attribute("id")))
    tick(form, "decision-adequate")
    reviewer.submit(form.locator("button[type=submit]"))
    reviewer.open(ref)
    assert reviewer.state() == "provision"

    ssis.act(ref, "provide", expect="in_use")
    researcher.open(ref)
    assert researcher.state() == "in_use"
    assert f"W-{ref}" in researcher.page.locator("#status").inner_text()
    shot(researcher.page, "provision-in-use")

    outsider_sees_nothing(party("outsider"), ref)
    for one in (researcher, mohw, ssis, reviewer):
        assert not one.problems, (one.who, one.problems)


def step(world: World, who: str, ref: str, code: str, **params: Any) -> None:
    """One combination step of the engine, as the party's worker runs it."""
    combination = Combination.objects.get(application__reference=ref)
    asked = combination_services.request_step(
        combination, code, user=world.user(who), params=params
    )
    done = combination_services.execute_step(asked.pk)
    assert done.state == Step.State.SUCCEEDED, (code, done.error_en)


def state_of(reference: str) -> str:
    return Application.objects.get(reference=reference).state


def test_a_combination_goes_from_the_application_to_the_combined_data(
    world: World, party: Any, files: dict[str, Path], tmp_path: Path
) -> None:
    researcher = party("researcher")
    ref = create(researcher, "combination", "고용-복지 연계 연구")
    researcher.fill_basics("급여 수급자의 고용 현황", "2026-12-01", "2027-12-01")
    researcher.act(ref, "complete_purpose", expect="explore_catalog")
    ssis_items = items("ssis_persons", SSIS_COMBINE_ITEMS)
    keis_items = items("keis_employment", KEIS_ITEMS)
    researcher.choose_items(ssis_items + keis_items)
    researcher.act(ref, "complete_items", expect="plan")
    researcher.upload(ref, "research_plan", files["research_plan"])
    researcher.act(ref, "complete_plan", expect="preconsult")
    researcher.fill_basics(
        "급여 수급자의 고용 현황", "2026-12-01", "2027-12-01", notes="2026-11-20 사전협의"
    )
    researcher.act(ref, "complete_preconsult", expect="docs_ready")
    for kind in APPLICANT_DOCUMENTS:
        researcher.upload(ref, kind, files[kind])
    researcher.act(ref, "submit", expect="provider_purpose_review")

    ssis, keis = party("ssis"), party("keis")
    ssis.act(ref, "approve_purpose", expect="provider_purpose_review")
    keis.act(ref, "approve_purpose", expect="item_selection")
    ssis.approve_items(ref, ssis_items, "item_selection")
    keis.approve_items(ref, keis_items, "risk_review", name="combination-provider-items")
    provider_steps = (
        ("complete_risk_review", "risk_report", "method_level_defined"),
        ("define_methods", "method_table", "provider_docs"),
        ("confirm_provider_docs", "provision_contract", "combination_submitted"),
    )
    for code, kind, target in provider_steps:
        for provider in (ssis, keis):
            document = tmp_path / f"{provider.who}-{kind}.pdf"
            document.write_bytes(PDF)
            provider.upload(ref, kind, document)
            provider.act(ref, code)
        assert keis.state() == target, (code, keis.state())
    researcher.act(ref, "submit_combination", expect="combination_review")

    agency = party("agency")
    agency.open(ref)
    agency.submit(agency.page.locator("#actions form[action$='/register-combination/'] button"))
    assert agency.page.locator("#status a[href*='/combination/']").count() == 1
    agency.act(ref, "accept", expect="keygen")

    # the engine's steps, as each party's worker runs them (the combination pages' own e2e test
    # walks them through the browser)
    step(world, "kma", ref, Step.Code.SALT)
    step(world, "ssis", ref, Step.Code.KEYS)
    step(world, "keis", ref, Step.Code.KEYS)
    assert state_of(ref) == "pseudonymize_and_adequacy"  # the application followed the keys
    step(world, "kma", ref, Step.Code.MATCH)
    step(world, "kma", ref, Step.Code.LINK, extract=True)
    for provider in (ssis, keis):
        report = tmp_path / f"{provider.who}-adequacy.pdf"
        report.write_bytes(PDF)
        provider.upload(ref, "adequacy_report", report)
        provider.act(ref, "adequate")
    assert keis.state() == "send_targets"
    step(world, "ssis", ref, Step.Code.PAYLOAD)
    step(world, "keis", ref, Step.Code.PAYLOAD)
    assert state_of(ref) == "combine"
    step(world, "agency", ref, Step.Code.COMBINE)

    researcher.open(ref)
    assert researcher.state() == "combined_check"
    assert f"W-{ref}" in researcher.page.locator("#status").inner_text()
    shot(researcher.page, "combination-combined")

    outsider_sees_nothing(party("outsider"), ref)
    for one in (researcher, ssis, keis, agency):
        assert not one.problems, (one.who, one.problems)
