"""Recording what a step gave: the transfers (both sides), the combination's and the provider's
new state, the step's own record and the audit events, all in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gamyeong.combination.models import Combination, CombinationProvider, Status, Step, Transfer
from gamyeong.combination.stores import relative
from gamyeong.combination.work import Outcome, Sent
from gamyeong.governance import audit

Code = Step.Code
ACTIONS: dict[str, str] = {
    Code.SALT: "combination.salt_issued",
    Code.KEYS: "combination.keys_sent",
    Code.MATCH: "combination.match_checked",
    Code.MOCK: "combination.mock_combined",
    Code.LINK: "combination.linked",
    Code.PAYLOAD: "combination.payload_sent",
    Code.COMBINE: "combination.combined",
    Code.PROCESS: "combination.processed",
}


def remember_params(combination: Combination, code: str, params: Mapping[str, Any]) -> None:
    """The risk review's columns and k, and the processing policy, are kept on the combination."""
    if code == Code.COMBINE:
        combination.qi, combination.sensitive = params["qi"], params["sensitive"]
        combination.k = params["k"]
        combination.save(update_fields=["qi", "sensitive", "k", "updated_at"])
    elif code == Code.PROCESS:
        combination.processing_policy = params["policy"]
        combination.save(update_fields=["processing_policy", "updated_at"])


def advance(combination: Combination, status: str) -> None:
    if not combination.reached(status):
        combination.status = status


def _sent_at(sent: Sent) -> datetime:
    try:
        return datetime.fromisoformat(sent.manifest.created_at)
    except ValueError:
        return timezone.now()


def _transfer(step: Step, sent: Sent) -> Transfer:
    transfer = Transfer.objects.create(
        combination=step.combination,
        step=step,
        kind=sent.kind,
        sender=sent.sender,
        receiver=sent.receiver,
        file=sent.path.name,
        path=relative(sent.path),
        sha256=sent.manifest.sha256,
        rows=sent.manifest.rows,
        columns=len(sent.manifest.columns),
        sent_at=_sent_at(sent),
        received_at=timezone.now(),
    )
    audit.record(
        "combination.transferred",
        actor=step.actor,
        target=step.combination,
        summary=f"{sent.kind}: {sent.sender} → {sent.receiver} ({transfer.rows} rows)",
        detail=transfer.describe() | {"step": step.pk},
    )
    return transfer


def _all_parts(combination: Combination, field: str) -> bool:
    return not combination.parts.filter(**{f"{field}__isnull": True}).exists()


def _apply_provider(step: Step, outcome: Outcome, now: datetime) -> None:
    combination = step.combination
    part = CombinationProvider.objects.get(combination=combination, organisation=step.organisation)
    if step.code == Code.KEYS:
        part.key_report = outcome.detail["key_report"]
        part.payload_columns = outcome.detail["payload"]["columns"]
        part.keys_sent_at = now
        part.save(update_fields=["key_report", "payload_columns", "keys_sent_at"])
        if _all_parts(combination, "keys_sent_at"):
            advance(combination, Status.KEYS_RECEIVED)
    else:
        part.payload_sent_at = now
        part.save(update_fields=["payload_sent_at"])
        if _all_parts(combination, "payload_sent_at"):
            advance(combination, Status.PAYLOADS_RECEIVED)


def _apply(step: Step, outcome: Outcome, now: datetime) -> None:
    combination, detail = step.combination, outcome.detail
    if step.code in (Code.KEYS, Code.PAYLOAD):
        _apply_provider(step, outcome, now)
    elif step.code == Code.SALT:
        combination.salt_id = detail["salt_id"]
        advance(combination, Status.SALT_ISSUED)
    elif step.code == Code.MATCH:
        combination.match_report = detail["report"]
        advance(combination, Status.MATCHED)
    elif step.code == Code.MOCK:
        combination.mock_report = detail["report"]
        advance(combination, Status.MOCKED)
    elif step.code == Code.LINK:
        combination.link_report, combination.extracted = detail["report"], detail["extract"]
        advance(combination, Status.LINKED)
    elif step.code == Code.COMBINE:
        combination.combined = detail
        _deleted_inputs(step, detail["deleted"], now)
        advance(combination, Status.COMBINED)
    elif step.code == Code.PROCESS:
        combination.processed = detail
        advance(combination, Status.PROCESSED)
    combination.save()


def _deleted_inputs(step: Step, deleted: list[dict[str, Any]], now: datetime) -> None:
    """The agency deleted the payloads and the linking information once combined."""
    combination = step.combination
    hashes = [d["sha256"] for d in deleted]
    combination.transfers.filter(receiver=combination.agency, sha256__in=hashes).update(
        deleted_at=now
    )
    audit.record(
        "combination.inputs_deleted",
        actor=step.actor,
        target=combination,
        summary=f"{combination.slug}: {len(deleted)} files deleted by the combination agency",
        detail={"deleted": deleted},
    )


def _summary(step: Step, outcome: Outcome) -> dict[str, Any]:
    """What the step record keeps: no provider's key report (that stays on its own entry)."""
    detail = {k: v for k, v in outcome.detail.items() if k != "key_report"}
    detail["transfers"] = [
        {"kind": s.kind, "sha256": s.manifest.sha256, "rows": s.manifest.rows} for s in outcome.sent
    ]
    return detail


def record(step: Step, outcome: Outcome) -> Step:
    now = timezone.now()
    with transaction.atomic():
        step.combination = Combination.objects.select_for_update().get(pk=step.combination_id)
        for sent in outcome.sent:
            _transfer(step, sent)
        _apply(step, outcome, now)
        step.state, step.finished_at = Step.State.SUCCEEDED, now
        step.detail = _summary(step, outcome)
        step.save(update_fields=["state", "finished_at", "detail"])
        audit.record(
            ACTIONS[step.code],
            actor=step.actor,
            target=step.combination,
            summary=f"{step.combination.slug}: {step.get_code_display()} ({step.organisation})",
            detail={"step": step.pk, "code": step.code, **_audit_detail(step)},
        )
    return step


def _audit_detail(step: Step) -> dict[str, Any]:
    detail = dict(step.detail)
    report = detail.pop("report", None)
    if isinstance(report, dict):
        detail["linked"] = report.get("linked")
        detail["match_rates"] = {
            p["provider"]: p["match_rate"] for p in report.get("providers", [])
        }
    detail.pop("deleted", None)
    return detail


def fail(step: Step, korean: str, english: str) -> Step:
    step.state, step.finished_at = Step.State.FAILED, timezone.now()
    step.error_ko, step.error_en = korean, english
    step.save(update_fields=["state", "finished_at", "error_ko", "error_en"])
    audit.record(
        "combination.step_failed",
        actor=step.actor,
        target=step.combination,
        summary=f"{step.combination.slug}: {step.code}: {english}"[:500],
        detail={"step": step.pk, "code": step.code},
    )
    return step
