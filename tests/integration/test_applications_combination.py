"""A combination application through all six stages, driving the real combination steps: the
application follows the keys, payloads and combination, and gates the payload on adequacy."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gamyeong.applications import links, services
from gamyeong.applications.models import Application, Document
from gamyeong.combination import services as combination_services
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.models import Combination, Step
from gamyeong.workspace import files
from gamyeong.workspace.models import Workspace
from tests.integration.applications_helpers import (
    KEIS_ITEMS,
    SSIS_COMBINE_ITEMS,
    World,
    build_world,
    items,
    take,
    upload,
)

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PROCESSING = """
purpose: 결합 데이터 추가처리
environment: closed_room
quasi_identifiers: [age, sido_code]
items:
  combined_id: keep
  age: keep
  sido_code: keep
  household_type: keep
  industry: keep
  firm_size: delete
  monthly_wage_krw: {technique: round, base: 100000}
local_suppression:
  k: 3
"""


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    settings.TASKS = IMMEDIATE
    settings.GAMYEONG_WORKSPACES_DIR = tmp_path / "workspaces"
    return build_world(settings, tmp_path, synth_dir)


def step(user: Any, app: Application, code: str, **params: Any) -> Step:
    combination = Combination.objects.get(pk=app.combination_id)
    asked = combination_services.request_step(combination, code, user=user, params=params)
    done = combination_services.execute_step(asked.pk)
    assert done.state == Step.State.SUCCEEDED, (done.error_en, done.error_ko)
    return done


def to_combination_review(world: World) -> Application:
    r = world.researcher
    app = services.create(r, workflow="combination", title="고용-복지 연계 연구")
    services.update(
        r,
        app,
        purpose_category="scientific_research",
        purpose="급여 수급자의 고용 현황",
        period_start=date(2026, 12, 1),
        period_end=date(2027, 12, 1),
    )
    services.accept_pledge(r, app)
    app = take(r, app, "complete_purpose")
    chosen = items("ssis_persons", SSIS_COMBINE_ITEMS) + items("keis_employment", KEIS_ITEMS)
    services.set_items(r, app, chosen, {})
    app = take(r, app, "complete_items")
    upload(r, app, Document.Kind.RESEARCH_PLAN)
    app = take(r, app, "complete_plan")
    services.update(r, app, preconsult_notes="2026-11-20 사전협의: 항목 최소화 확인")
    app = take(r, app, "complete_preconsult")
    for kind in (
        Document.Kind.APPLICATION_FORM,
        Document.Kind.BUSINESS_REGISTRATION,
        Document.Kind.PURPOSE_EVIDENCE,
        Document.Kind.DATA_DESCRIPTION,
        Document.Kind.INTERNAL_PLAN,
    ):
        upload(r, app, kind, name=f"{kind}.docx")
    app = take(r, app, "submit")
    assert app.state == "provider_purpose_review"
    # stage 2: every provider decides; the application moves with the last one
    app = take(world.ssis, app, "approve_purpose")
    assert app.state == "provider_purpose_review"
    app = take(world.keis, app, "approve_purpose")
    assert app.state == "item_selection"
    app = take(
        world.ssis, app, "approve_items", approved_items=items("ssis_persons", SSIS_COMBINE_ITEMS)
    )
    app = take(
        world.keis, app, "approve_items", approved_items=items("keis_employment", KEIS_ITEMS)
    )
    for code, kind in (
        ("complete_risk_review", Document.Kind.RISK_REPORT),
        ("define_methods", Document.Kind.METHOD_TABLE),
        ("confirm_provider_docs", Document.Kind.PROVISION_CONTRACT),
    ):
        for provider in (world.ssis, world.keis):
            upload(provider, app, kind)
            app = take(provider, app, code)
    assert app.state == "combination_submitted"
    app = take(r, app, "submit_combination")
    assert app.state == "combination_review"
    return app


def test_a_combination_application_walks_the_six_stages(world: World) -> None:
    app = to_combination_review(world)
    with pytest.raises(services.WorkflowError):  # accepted only once registered
        take(world.agency, app, "accept")
    combination = links.register_combination(app, world.agency)
    assert [p.dataset.name for p in combination.parts.all()] == ["ssis_persons", "keis_employment"]
    assert "household_type" in combination.parts.first().payload_policy  # type: ignore[union-attr]
    app = take(world.agency, app, "accept")
    assert app.state == "keygen"

    step(world.kma, app, Step.Code.SALT)
    step(world.ssis, app, Step.Code.KEYS)
    app.refresh_from_db()
    assert app.state == "keygen"  # one provider's keys are not enough
    step(world.keis, app, Step.Code.KEYS)
    app.refresh_from_db()
    assert app.state == "pseudonymize_and_adequacy"
    step(world.kma, app, Step.Code.MATCH)
    step(world.kma, app, Step.Code.LINK, extract=True)
    with pytest.raises(CombinationError, match="adequacy"):  # the payload waits for 4.2
        step(world.ssis, app, Step.Code.PAYLOAD)
    for provider in (world.ssis, world.keis):
        upload(provider, app, Document.Kind.ADEQUACY_REPORT)
        app = take(provider, app, "adequate")
    assert app.state == "send_targets"
    step(world.ssis, app, Step.Code.PAYLOAD)
    step(world.keis, app, Step.Code.PAYLOAD)
    app.refresh_from_db()
    assert app.state == "combine"
    step(world.agency, app, Step.Code.COMBINE)
    app.refresh_from_db()
    assert app.state == "combined_check"
    workspace = Workspace.objects.get(application=app)
    assert workspace.sources[0]["kind"] == "combination" and workspace.sources[0]["rows"]
    # the combined data reaches the project's workspace in every format of the room's tools
    made = files.make_files(workspace)
    assert made.materialised_at is not None, made.materialise_error
    names = {f["path"] for f in made.files["data"]["files"]}
    assert {"data/combined.parquet", "data/combined.sav", "data/combined.dta"} <= names

    app = take(world.researcher, app, "request_processing")
    step(world.agency, app, Step.Code.PROCESS, policy=PROCESSING)
    app.refresh_from_db()
    assert app.state == "export_submitted"
    upload(world.researcher, app, Document.Kind.EXPORT_APPLICATION)
    app = take(world.researcher, app, "submit_export")
    app = take(world.export_reviewer, app, "recommend_export")
    app = take(world.agency, app, "approve_export")
    assert app.state == "in_use"
    upload(world.researcher, app, Document.Kind.SAFETY_MEASURES)
    app = take(world.researcher, app, "finish_use")
    upload(world.agency, app, Document.Kind.DESTRUCTION_CERTIFICATE)
    app = take(world.agency, app, "destroy")
    assert app.state == "destroyed"
    workspace.refresh_from_db()
    assert workspace.status == "closed" and workspace.closed_at is not None
    assert [t.party for t in app.transitions.filter(action="keys_received")] == ["system"]


def test_one_provider_returning_sends_it_back_to_the_applicant(world: World) -> None:
    app = to_combination_review(world)
    app = take(world.agency, app, "return", reason="서류 보완", missing=["결합목적 증빙 최신본"])
    assert app.state == "docs_ready" and app.owner == "applicant"
    # on resubmission every provider decides again (decisions belong to a version)
    app = take(world.researcher, app, "submit")
    app = take(world.ssis, app, "approve_purpose")
    assert app.state == "provider_purpose_review"


def test_a_provider_decides_once_per_step(world: World) -> None:
    app = to_combination_review(world)
    app = take(world.agency, app, "return", reason="보완", missing=["x"])
    app = take(world.researcher, app, "submit")
    version = app.version
    services.take(world.ssis, app, "approve_purpose", version=version, reason="적합")
    again = services.take(world.ssis, app, "approve_purpose", version=version, reason="적합")
    assert again.duplicate
    with pytest.raises(services.ConflictError):
        services.take(world.ssis, app, "reject", version=version, reason="번복")
