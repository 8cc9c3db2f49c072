"""The one place that changes pseudonymization state: check permission and state, do the
work, record the new state and the audit event (in that order)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from gamyeong.catalog.models import Dataset
from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy import Policy as EnginePolicy
from gamyeong.engine.policy import check_against, load_policy
from gamyeong.errors import BilingualError
from gamyeong.governance import audit
from gamyeong.processing.checklist import CHECKLIST_CODES
from gamyeong.processing.models import AdequacyReview, Policy, Run

logger = logging.getLogger(__name__)


class ProcessingError(BilingualError):
    """A request that cannot be done; the message is in Korean and English."""


def thresholds() -> dict[str, int]:
    return {
        "closed_room": settings.GAMYEONG_K_CLOSED_ROOM,
        "third_party": settings.GAMYEONG_K_THIRD_PARTY,
    }


def dataset_path(dataset: Dataset) -> Path:
    return Path(settings.DATA_DIR) / dataset.file


def parse(dataset: Dataset, text: str) -> EnginePolicy:
    """The policy, checked against the dataset's columns when its file is present."""
    policy = load_policy(
        text=text,
        source=f"{dataset.name}.yaml",
        default_k=thresholds(),
        search_dirs=[Path(settings.HIERARCHY_DIR)],
    )
    path = dataset_path(dataset)
    if dataset.file and path.is_file():
        check_against(policy, dict(pl.scan_parquet(path).collect_schema()))
    else:
        columns = {item.name: pl.String() for item in dataset.items.all()}
        unknown = [c for c in policy.items if c not in columns]
        if unknown:
            raise EngineError(
                f"카탈로그에 없는 항목입니다: {', '.join(unknown)}",
                f"not items of the dataset: {', '.join(unknown)}",
            )
    if policy.dataset and policy.dataset != dataset.name:
        raise EngineError(
            f"정책의 dataset({policy.dataset})이 선택한 데이터셋({dataset.name})과 다릅니다",
            f"the policy is for {policy.dataset!r}, not {dataset.name!r}",
        )
    return policy


def _require(user: Any, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


@transaction.atomic
def create_policy(dataset: Dataset, text: str, *, title: str, user: Any) -> Policy:
    _require(user, "processing.add_policy")
    parsed = parse(dataset, text)
    latest = Policy.objects.filter(dataset=dataset).order_by("-version").first()
    policy = Policy.objects.create(
        dataset=dataset,
        version=(latest.version + 1) if latest else 1,
        title=title or parsed.purpose or dataset.title_ko,
        environment=parsed.environment,
        k=parsed.k,
        yaml=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        created_by=user,
    )
    audit.record(
        "processing.policy_created",
        actor=user,
        target=policy,
        summary=f"{dataset.name} v{policy.version}",
        detail={"sha256": policy.sha256, "environment": policy.environment, "k": policy.k},
    )
    return policy


def request_run(policy: Policy, *, user: Any) -> Run:
    """Queue a run of ``policy``; the background worker executes it."""
    _require(user, "processing.run_pseudonymization")
    if not policy.dataset.file or not dataset_path(policy.dataset).is_file():
        raise ProcessingError(
            f"데이터 파일이 없습니다: {policy.dataset.file or '(없음)'}",
            f"the dataset's file is missing: {policy.dataset.file or '(none)'}",
        )
    with transaction.atomic():
        run = Run.objects.create(policy=policy, requested_by=user)
        audit.record("processing.run_requested", actor=user, target=run, summary=str(policy))
        from gamyeong.processing.tasks import run_pseudonymization

        transaction.on_commit(lambda: run_pseudonymization.enqueue(run.pk))
    return run


def output_path(run: Run) -> Path:
    return Path(settings.DATA_DIR) / "processed" / run.policy.dataset.name / f"run-{run.pk}.parquet"


def _progress(run_id: int) -> Any:
    last = {"at": 0.0}

    def report(stage: str, fraction: float) -> None:
        now = timezone.now().timestamp()
        if fraction >= 1.0 or now - last["at"] >= 0.5:
            last["at"] = now
            Run.objects.filter(pk=run_id).update(stage=stage, progress=fraction)

    return report


def execute_run(run_id: int) -> Run:
    """Run the pseudonymization, then measure risk and utility (called by the worker)."""
    from gamyeong.engine.pseudonymize import pseudonymize
    from gamyeong.engine.vault import Vault

    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        if run.status != Run.Status.QUEUED:
            return run
        run.status, run.started_at = Run.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    audit.record("processing.run_started", actor=run.requested_by, target=run)
    try:
        policy = parse(run.policy.dataset, run.policy.yaml)
        source, out = dataset_path(run.policy.dataset), output_path(run)
        result = pseudonymize(
            source,
            policy,
            out,
            vault=Vault(Path(settings.PROVIDER_VAULT)),
            progress=_progress(run.pk),
        )
    except EngineError as exc:
        return _fail(run, exc.korean, exc.english)
    except Exception as exc:  # a bug, a full disk …: the run fails visibly, the worker survives
        logger.exception("pseudonymization run %s failed", run.pk)
        return _fail(
            run,
            f"처리 중 오류가 났습니다: {type(exc).__name__}",
            f"the run failed: {type(exc).__name__}",
        )
    run.status, run.finished_at, run.progress, run.stage = (
        Run.Status.SUCCEEDED,
        timezone.now(),
        1.0,
        "done",
    )
    run.output_file = str(out.relative_to(Path(settings.DATA_DIR)))
    run.output_sha256, run.rows_in, run.rows_out = (
        result.output_sha256,
        result.rows_in,
        result.rows_out,
    )
    summary = result.to_dict()
    run.risk, run.utility = summary.pop("risk"), summary.pop("utility")
    run.result, run.k_met = summary, result.k_met
    run.save()
    audit.record(
        "processing.run_finished",
        actor=run.requested_by,
        target=run,
        summary=f"{result.rows_in} → {result.rows_out} rows, k_min {run.risk.get('k_min', '-')}",
        detail={"output_sha256": result.output_sha256, "k_met": run.k_met},
    )
    return run


def _fail(run: Run, korean: str, english: str) -> Run:
    run.status, run.finished_at = Run.Status.FAILED, timezone.now()
    run.error_ko, run.error_en = korean, english
    run.save(update_fields=["status", "finished_at", "error_ko", "error_en"])
    audit.record("processing.run_failed", actor=run.requested_by, target=run, summary=english[:400])
    return run


def recover_interrupted_runs() -> int:
    """Mark runs left 'running' by a stopped worker as failed, so they can be run again."""
    stale = list(Run.objects.filter(status=Run.Status.RUNNING))
    for run in stale:
        _fail(
            run,
            "작업자가 멈춰 처리가 중단되었습니다. 다시 실행하세요.",
            "the run was interrupted when the worker stopped; run it again",
        )
    return len(stale)


def decide_adequacy(
    run: Run,
    *,
    reviewer: Any,
    decision: str,
    reason: str,
    required_action: str,
    checklist: Mapping[str, Mapping[str, Any]],
) -> AdequacyReview:
    _require(reviewer, "processing.review_adequacy")
    if run.requested_by_id == reviewer.pk:
        raise ProcessingError(
            "가명처리를 실행한 사람은 적정성 검토를 할 수 없습니다",
            "the person who ran the pseudonymization cannot review its adequacy",
        )
    if run.status != Run.Status.SUCCEEDED:
        raise ProcessingError(
            "완료된 처리만 검토할 수 있습니다", "only a finished run can be reviewed"
        )
    missing = [code for code in CHECKLIST_CODES if code not in checklist]
    if missing:
        raise ProcessingError(
            f"검토 항목이 빠졌습니다: {', '.join(missing)}",
            f"checklist items missing: {', '.join(missing)}",
        )
    if decision == AdequacyReview.Decision.ADEQUATE:
        failed = [code for code in CHECKLIST_CODES if not checklist[code].get("ok")]
        if failed or run.k_met is False:
            raise ProcessingError(
                "충족되지 않은 항목이 있으면 적정으로 결정할 수 없습니다",
                "a run cannot be adequate while checklist items or the k threshold are not met",
            )
    elif not reason.strip() or required_action not in AdequacyReview.Action.values:
        raise ProcessingError(
            "부적정 결정에는 사유와 필요한 조치가 있어야 합니다",
            "an inadequate decision needs a reason and the required action",
        )
    try:
        with transaction.atomic():
            review = AdequacyReview.objects.create(
                run=run,
                decision=decision,
                reason=reason.strip(),
                required_action=required_action
                if decision != AdequacyReview.Decision.ADEQUATE
                else "",
                checklist=dict(checklist),
                reviewer=reviewer,
            )
            audit.record(
                "processing.adequacy_decided",
                actor=reviewer,
                target=review,
                summary=f"{run}: {decision}",
                detail={"decision": decision, "required_action": review.required_action},
            )
    except IntegrityError:
        raise ProcessingError(
            "이미 검토가 끝난 처리입니다", "this run has already been reviewed"
        ) from None
    from gamyeong.applications.services import adequacy_decided

    adequacy_decided(review)  # an application waiting for this review moves on
    return review
