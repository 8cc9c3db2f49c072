"""The parties walk a combination in the browser, each signed in as itself: the key-management
agency issues the salt, the providers make and send their keys, the agency checks the match rate,
runs a mock combination and links with extraction, the providers send their payloads, the
combination agency combines and processes; the applicant reads the result. Screenshots of each
party's page are saved in tests/e2e/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gamyeong.catalog.models import SourceSystem
from gamyeong.catalog.reference import load_source_systems
from gamyeong.combination.models import Combination, Status
from tests.e2e.conftest import screenshot
from tests.e2e.test_processing import sign_in, watch_problems
from tests.integration.test_combination_services import World, prepare

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    load_source_systems(SourceSystem)  # a transactional test's flush removed the migration's rows
    return prepare(settings, tmp_path, synth_dir)


class Party:
    """One party's browser: its own context, signed in once, with its problems watched."""

    def __init__(self, browser: Any, base: str, world: World, who: str) -> None:
        self.context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base, self.world, self.who = base, world, who
        sign_in(self.page, base, world.users[who])
        self.problems = watch_problems(self.page)

    def open(self) -> None:
        self.page.goto(f"{self.base}/combination/{self.world.combination.slug}/")

    def press(self, name: str) -> None:
        self.open()
        with self.page.expect_navigation():  # the step's POST and its redirect, not a race
            self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("networkidle")
        assert self.page.locator(".gy-step-card.is-failed").count() == 0, self.page.content()[:2000]

    def shot(self, name: str) -> None:
        screenshot(self.page, f"combination-{name}")


@pytest.fixture
def parties(browser: Any, live_server: Any, world: World) -> Iterator[dict[str, Party]]:
    made = {
        who: Party(browser, live_server.url, world, who)
        for who in ("kma", "ssis", "keis", "agency", "researcher")
    }
    yield made
    for party in made.values():
        party.context.close()


def status(world: World, expected: str | None = None, timeout: float = 30.0) -> str:
    """The combination's status; with ``expected``, wait for it (the step runs in the task
    backend, which may finish just after the page's redirect)."""
    deadline = time.monotonic() + timeout
    while True:
        current = Combination.objects.get(pk=world.combination.pk).status
        if expected is None or current == expected or time.monotonic() > deadline:
            return current
        time.sleep(0.2)


def test_the_parties_walk_a_combination(world: World, parties: dict[str, Party]) -> None:
    kma, ssis, keis, agency = parties["kma"], parties["ssis"], parties["keis"], parties["agency"]
    kma.page.get_by_role("link", name="가명정보 결합", exact=False).first.click()
    kma.page.wait_for_url("**/combination/")
    kma.shot("list-kma")
    kma.page.get_by_role("link", name=world.combination.title).click()
    kma.shot("kma-created")
    kma.press("솔트 발급")
    assert status(world, Status.SALT_ISSUED) == Status.SALT_ISSUED
    ssis.press("결합키 생성 및 전송")
    ssis.shot("ssis-keys-sent")
    keis.press("결합키 생성 및 전송")
    assert status(world, Status.KEYS_RECEIVED) == Status.KEYS_RECEIVED
    kma.press("결합률 확인")
    kma.press("모의결합 실행")
    kma.press("결합키연계정보 생성")
    assert status(world, Status.LINKED) == Status.LINKED
    kma.shot("kma-linked")
    ssis.press("결합대상정보 전송")
    keis.press("결합대상정보 전송")
    ssis.shot("ssis-payload-sent")
    agency.press("결합하고 위험성 검토")
    agency.press("결합 데이터 추가처리")
    assert status(world, Status.PROCESSED) == Status.PROCESSED
    agency.shot("agency-processed")
    researcher = parties["researcher"]
    researcher.open()
    assert "k_min" in researcher.page.locator("#combined-title").locator("..").inner_text()
    researcher.shot("applicant")
    for party in parties.values():
        assert not party.problems, (party.who, party.problems)


def test_a_non_party_sees_nothing(browser: Any, live_server: Any, world: World) -> None:
    outsider = Party(browser, live_server.url, world, "outsider")
    try:
        response = outsider.page.goto(f"{live_server.url}/combination/{world.combination.slug}/")
        assert response is not None and response.status == 404
        outsider.page.goto(f"{live_server.url}/combination/")
        assert world.combination.slug not in outsider.page.content()
        outsider.shot("list-outsider")
    finally:
        outsider.context.close()
