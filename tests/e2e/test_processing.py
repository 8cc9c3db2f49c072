"""A provider data manager pseudonymizes a dataset in the browser: saves the example policy,
runs it and reads the results; a queued run's page follows the run by htmx polling."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gamyeong.accounts import totp
from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import NewUser
from gamyeong.catalog.models import Dataset, SourceSystem
from gamyeong.catalog.reference import load_source_systems
from gamyeong.catalog.services import load_manifest
from gamyeong.processing import services
from gamyeong.processing.models import Policy, Run
from tests.e2e.conftest import screenshot
from tests.integration.helpers import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def data(settings: Any, tmp_path: Path, synth_dir: Path) -> None:
    load_source_systems(SourceSystem)  # a transactional test's flush removed the migration's rows
    settings.DATA_DIR = tmp_path / "data"
    settings.PROVIDER_VAULT = tmp_path / "vault"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "synth").symlink_to(synth_dir)
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    settings.TASKS = IMMEDIATE


def sign_in(page: Any, base: str, new: NewUser) -> None:
    assert new.totp_device is not None
    page.goto(base + "/accounts/login/")
    page.get_by_label("아이디").fill(new.user.username)
    page.get_by_label("비밀번호").fill(new.password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/accounts/verify/**")
    page.get_by_label("6자리", exact=False).fill(totp.current_code(new.totp_device))
    page.get_by_role("button", name="확인").click()
    page.wait_for_url("**/dashboard/")


def watch_problems(page: Any) -> list[str]:
    """Console errors (a content-security-policy violation is one) and failed requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    return problems


def test_a_data_manager_saves_runs_and_reads_a_policy(
    live_server: Any, page: Any, data: None
) -> None:
    manager = make_user(
        "e2e-data",
        roles=("provider_data_manager",),
        kind=Organisation.Kind.PROVIDER,
        org="한국사회보장정보원",  # the provider of ssis_persons: only its staff see its processing
    )
    sign_in(page, live_server.url, manager)
    problems = watch_problems(page)
    page.get_by_role("link", name="가명처리", exact=False).first.click()
    page.wait_for_url("**/processing/")
    screenshot(page, "processing-home")

    page.locator("a[href$='/datasets/ssis_persons/policies/new/']").click()
    assert "dataset: ssis_persons" in page.locator("textarea").input_value()
    screenshot(page, "processing-policy-editor")
    page.get_by_role("button", name="확인 후 저장").click()
    page.wait_for_url(re.compile(r".*/processing/policies/\d+/$"))
    assert page.locator("h1").inner_text().endswith("버전 1")
    screenshot(page, "processing-policy")

    page.get_by_role("button", name="실행", exact=True).click()
    page.wait_for_url(re.compile(r".*/processing/runs/\d+/$"))
    # the run finishes in the task backend, maybe just after the redirect: the page polls
    expect(page.locator("#run-status")).to_contain_text("완료", timeout=30_000)
    assert page.locator("#run-status[hx-trigger]").count() == 0
    k_min = page.locator(".gy-stat", has_text="k_min").locator("dd").inner_text()
    assert int(k_min) >= 5  # third-party release: k = 5
    assert page.get_by_role("table", name="식별 위험", exact=False).count() >= 1
    assert page.locator("svg.gy-chart").count() == 1
    screenshot(page, "processing-run")
    assert not problems, problems


def test_the_run_page_follows_a_queued_run_until_it_finishes(
    live_server: Any, page: Any, data: None
) -> None:
    manager = make_user(
        "e2e-data",
        roles=("provider_data_manager",),
        kind=Organisation.Kind.PROVIDER,
        org="한국사회보장정보원",  # the provider of ssis_persons: only its staff see its processing
    )
    example = Path(__file__).resolve().parents[2] / "examples" / "policies" / "ssis_persons.yaml"
    policy: Policy = services.create_policy(
        Dataset.objects.get(name="ssis_persons"),
        example.read_text(encoding="utf-8"),
        title="",
        user=manager.user,
    )
    run = Run.objects.create(policy=policy, requested_by=manager.user)  # queued, no worker
    sign_in(page, live_server.url, manager)
    problems = watch_problems(page)
    page.goto(f"{live_server.url}/processing/runs/{run.pk}/")
    assert page.locator("#run-status[hx-trigger]").count() == 1
    assert page.locator("progress.gy-progress").count() == 1
    screenshot(page, "processing-run-queued")
    services.execute_run(run.pk)
    page.wait_for_selector("svg.gy-chart", timeout=15_000)  # polled, then reloaded by htmx
    assert page.locator("#run-status[hx-trigger]").count() == 0
    assert not problems, problems
