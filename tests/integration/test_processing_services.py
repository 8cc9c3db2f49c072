"""Pseudonymization runs and adequacy reviews through the services (the portal's backbone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gamyeong.accounts.models import Organisation
from gamyeong.catalog.models import Dataset
from gamyeong.catalog.services import load_manifest
from gamyeong.governance.models import AuditEvent
from gamyeong.processing import services
from gamyeong.processing.checklist import CHECKLIST_CODES
from gamyeong.processing.models import AdequacyReview, Run
from tests.integration.helpers import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(settings: Any, tmp_path: Path, synth_dir: Path) -> Dataset:
    settings.DATA_DIR = tmp_path / "data"
    settings.PROVIDER_VAULT = tmp_path / "vault"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "synth").symlink_to(synth_dir)
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    return Dataset.objects.get(name="ssis_persons")


def staff(name: str) -> Any:
    return make_user(
        name,
        roles=("provider_data_manager",),
        kind=Organisation.Kind.PROVIDER,
        org="한국사회보장정보원",
    ).user


def policy_text() -> str:
    return (ROOT / "examples" / "policies" / "ssis_persons.yaml").read_text(encoding="utf-8")


def all_ok() -> dict[str, dict[str, Any]]:
    return {code: {"ok": True, "note": ""} for code in CHECKLIST_CODES}


def test_a_run_pseudonymizes_measures_risk_and_utility(data: Dataset, settings: Any) -> None:
    alice = staff("alice")
    policy = services.create_policy(data, policy_text(), title="", user=alice)
    assert (policy.version, policy.environment, policy.k) == (1, "third_party", 5)
    run = services.request_run(policy, user=alice)
    run = services.execute_run(run.pk)
    assert run.status == Run.Status.SUCCEEDED, run.error_en
    assert (Path(settings.DATA_DIR) / run.output_file).exists()
    assert run.k_met is True and run.risk["k_min"] >= 5
    assert run.utility["items"] and run.rows_out <= run.rows_in
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "processing.policy_created",
        "processing.run_requested",
        "processing.run_finished",
    } <= actions


def test_editing_saves_a_new_version(data: Dataset) -> None:
    alice = staff("alice")
    first = services.create_policy(data, policy_text(), title="a", user=alice)
    second = services.create_policy(
        data,
        policy_text().replace("environment: third_party", "environment: third_party\nk: 6"),
        title="b",
        user=alice,
    )
    assert (first.version, second.version) == (1, 2)
    assert second.k == 6


def test_a_bad_policy_is_refused_with_its_line(data: Dataset) -> None:
    from gamyeong.engine.errors import EngineError

    with pytest.raises(EngineError, match="line"):
        services.create_policy(
            data,
            policy_text().replace("technique: band", "technique: bend"),
            title="",
            user=staff("alice"),
        )


def test_researchers_cannot_write_or_run_policies(data: Dataset) -> None:
    researcher = make_user("bob").user
    with pytest.raises(PermissionDenied):
        services.create_policy(data, policy_text(), title="", user=researcher)


def test_the_reviewer_is_never_the_person_who_ran_it(data: Dataset) -> None:
    alice, carol = staff("alice"), staff("carol")
    run = services.execute_run(
        services.request_run(
            services.create_policy(data, policy_text(), title="", user=alice), user=alice
        ).pk
    )
    with pytest.raises(services.ProcessingError, match="cannot review"):
        services.decide_adequacy(
            run,
            reviewer=alice,
            decision="adequate",
            reason="",
            required_action="",
            checklist=all_ok(),
        )
    review = services.decide_adequacy(
        run, reviewer=carol, decision="adequate", reason="", required_action="", checklist=all_ok()
    )
    assert review.decision == AdequacyReview.Decision.ADEQUATE
    with pytest.raises(services.ProcessingError, match="already"):
        services.decide_adequacy(
            run,
            reviewer=staff("dave"),
            decision="adequate",
            reason="",
            required_action="",
            checklist=all_ok(),
        )


def test_inadequate_needs_reason_and_action_adequate_needs_every_item(data: Dataset) -> None:
    alice, carol = staff("alice"), staff("carol")
    run = services.execute_run(
        services.request_run(
            services.create_policy(data, policy_text(), title="", user=alice), user=alice
        ).pk
    )
    partial = all_ok() | {"outliers_handled": {"ok": False, "note": "85+ 부족"}}
    with pytest.raises(services.ProcessingError):
        services.decide_adequacy(
            run,
            reviewer=carol,
            decision="adequate",
            reason="",
            required_action="",
            checklist=partial,
        )
    with pytest.raises(services.ProcessingError):
        services.decide_adequacy(
            run,
            reviewer=carol,
            decision="inadequate",
            reason="",
            required_action="additional_processing",
            checklist=partial,
        )
    review = services.decide_adequacy(
        run,
        reviewer=carol,
        decision="inadequate",
        reason="85세 이상 범주가 너무 작음",
        required_action="additional_processing",
        checklist=partial,
    )
    assert review.required_action == "additional_processing"


def test_a_failed_run_says_why_and_an_interrupted_one_is_recovered(
    data: Dataset, settings: Any
) -> None:
    alice = staff("alice")
    policy = services.create_policy(data, policy_text(), title="", user=alice)
    run = services.request_run(policy, user=alice)
    settings.PROVIDER_VAULT = (
        Path(settings.DATA_DIR) / "processed" / "ssis_persons"
    )  # beside output
    run = services.execute_run(run.pk)
    assert run.status == Run.Status.FAILED and "kept apart" in run.error_en
    stuck = services.request_run(policy, user=alice)
    Run.objects.filter(pk=stuck.pk).update(status=Run.Status.RUNNING)
    assert services.recover_interrupted_runs() == 1
    stuck.refresh_from_db()
    assert stuck.status == Run.Status.FAILED and "interrupted" in stuck.error_en


def test_a_policy_with_a_hierarchy_file_saves_and_runs_in_the_portal(data: Dataset) -> None:
    alice = staff("alice")
    keis = Dataset.objects.get(name="keis_employment")
    text = (ROOT / "examples" / "policies" / "keis_employment.yaml").read_text(encoding="utf-8")
    policy = services.create_policy(keis, text, title="", user=alice)
    run = services.execute_run(services.request_run(policy, user=alice).pk)
    assert run.status == Run.Status.SUCCEEDED, run.error_en
