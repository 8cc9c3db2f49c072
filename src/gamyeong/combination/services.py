"""The one place that changes a combination's state: check permission, party and state, do the
work (a background job), record the new state, the transfers and the audit events.

:func:`request_step` checks and queues a step; the worker runs :func:`execute_step`, which checks
the state again under a lock, runs the party's work (:mod:`.work`, :mod:`.agency_work`) and
records the outcome (:mod:`.outcomes`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gamyeong.combination import access, agency_work, outcomes, work
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.models import Combination, CombinationProvider, Step
from gamyeong.engine.errors import EngineError
from gamyeong.governance import audit

logger = logging.getLogger(__name__)
Code = Step.Code
PROVIDER_STEPS = (Code.KEYS, Code.PAYLOAD)


def _party_organisation(user: Any, combination: Combination, code: str) -> Any:
    rule = access.RULES[code]
    if not user.has_perm(rule.permission):
        raise PermissionDenied(rule.permission)
    if rule.party not in access.parties_of(user, combination):
        raise PermissionDenied(f"{user} is not the party of step {code}")
    return user.organisation


def _check_state(combination: Combination, code: str, organisation: Any) -> None:
    """Refuse a step the combination is not ready for, or one this party has done already."""
    _check_application(combination, code)
    if combination.status not in access.RULES[code].statuses:
        raise CombinationError(
            f"지금 단계({combination.get_status_display()})에서는 할 수 없는 작업입니다",
            f"this step is not possible at the current stage ({combination.status})",
        )
    if code in PROVIDER_STEPS:
        part = combination.parts.get(organisation=organisation)
        done = part.keys_sent_at if code == Code.KEYS else part.payload_sent_at
        if done is not None:
            raise CombinationError(
                "이 기관은 이 작업을 이미 마쳤습니다", "this party has already done this step"
            )


def _clean_params(combination: Combination, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if code == Code.MOCK:
        fraction = float(params.get("fraction", 0.1))
        if not 0 < fraction < 1:
            raise CombinationError(
                "모의결합 표본 비율은 0과 1 사이여야 합니다",
                "the mock combination's sample fraction must be between 0 and 1",
            )
        return {"fraction": fraction}
    if code == Code.LINK:
        return {"extract": bool(params.get("extract", False))}
    if code == Code.COMBINE:
        qi = [str(c) for c in params.get("qi", combination.qi)]
        sensitive = [str(c) for c in params.get("sensitive", combination.sensitive)]
        k = int(params.get("k", combination.k))
        if k < 2:
            raise CombinationError("k는 2 이상이어야 합니다", "k must be at least 2")
        return {"qi": qi, "sensitive": sensitive, "k": k}
    if code == Code.PROCESS:
        policy = str(params.get("policy", combination.processing_policy))
        if not policy.strip():
            raise CombinationError(
                "추가처리 정책을 적으세요", "write the additional-processing policy"
            )
        return {"policy": policy}
    return {}


def request_step(
    combination: Combination, code: str, *, user: Any, params: Mapping[str, Any] | None = None
) -> Step:
    """Check and queue one step of ``user``'s party; the worker runs it."""
    organisation = _party_organisation(user, combination, code)
    with transaction.atomic():
        combination = Combination.objects.select_for_update().get(pk=combination.pk)
        _check_state(combination, code, organisation)
        busy = combination.steps.filter(
            organisation=organisation, state__in=(Step.State.QUEUED, Step.State.RUNNING)
        )
        if busy.exists():
            raise CombinationError(
                "이 기관의 다른 작업이 진행 중입니다", "another step of this party is in progress"
            )
        cleaned = _clean_params(combination, code, params or {})
        step = Step.objects.create(
            combination=combination,
            code=code,
            organisation=organisation,
            actor=user,
            params={k: v for k, v in cleaned.items() if k != "policy"},
        )
        outcomes.remember_params(combination, code, cleaned)
        audit.record(
            "combination.step_requested",
            actor=user,
            target=combination,
            summary=f"{combination.slug}: {code} ({organisation})",
            detail={"step": step.pk, "code": code, "params": step.params},
        )
        from gamyeong.combination.tasks import run_step

        transaction.on_commit(lambda: run_step.enqueue(step.pk))
    return step


def _start(step_id: int) -> Step | None:
    with transaction.atomic():
        step = Step.objects.select_for_update().select_related("combination").get(pk=step_id)
        if step.state != Step.State.QUEUED:
            return None
        step.state, step.started_at = Step.State.RUNNING, timezone.now()
        step.save(update_fields=["state", "started_at"])
    return step


def _part(step: Step) -> CombinationProvider:
    return step.combination.parts.select_related("organisation", "dataset").get(
        organisation=step.organisation
    )


def _work(step: Step) -> work.Outcome:
    combination, params = step.combination, step.params
    match step.code:
        case Code.SALT:
            return work.issue_salt(combination)
        case Code.KEYS:
            return work.make_keys(combination, _part(step))
        case Code.MATCH:
            return work.match(combination)
        case Code.MOCK:
            return work.mock(combination, float(params["fraction"]))
        case Code.LINK:
            return work.link(combination, bool(params["extract"]))
        case Code.PAYLOAD:
            return work.send_payload(combination, _part(step))
        case Code.COMBINE:
            return agency_work.combine(combination, params["qi"], params["sensitive"], params["k"])
        case Code.PROCESS:
            return agency_work.process(combination, combination.processing_policy)
    raise CombinationError(f"알 수 없는 단계: {step.code}", f"unknown step {step.code}")


def execute_step(step_id: int) -> Step:
    """Run a queued step (called by the worker) and record what it gave."""
    step = _start(step_id)
    if step is None:
        return Step.objects.get(pk=step_id)
    try:
        _check_state(step.combination, step.code, step.organisation)
        outcome = _work(step)
    except (EngineError, CombinationError) as exc:
        return outcomes.fail(step, exc.korean, exc.english)
    except Exception as exc:  # a bug, a full disk …: the step fails visibly, the worker survives
        logger.exception("combination step %s failed", step.pk)
        return outcomes.fail(
            step,
            f"작업 중 오류가 났습니다: {type(exc).__name__}",
            f"the step failed: {type(exc).__name__}",
        )
    recorded = outcomes.record(step, outcome)
    _follow_application(recorded.combination)
    return recorded


def _follow_application(combination: Combination) -> None:
    """Let the combination's application (if it came from one) follow the new status."""
    from gamyeong.applications.services import follow_combination

    follow_combination(combination)


def _check_application(combination: Combination, code: str) -> None:
    """A provider sends its payload only after the application passed the adequacy review
    (4.2 before 4.3)."""
    if code != Code.PAYLOAD:
        return
    from gamyeong.applications.models import Application
    from gamyeong.applications.workflows import State

    application = Application.objects.filter(combination=combination).first()
    if application is None or application.state not in application.flow.states:
        return
    flow = application.flow
    if flow.position(application.state) < flow.position(State.SEND_TARGETS):
        raise CombinationError(
            f"이용신청 {application.reference}의 적정성 검토가 끝나야 결합대상정보를 보낼 수 있습니다",
            f"the payload can be sent only after application {application.reference} passed "
            "the adequacy review",
        )


def recover_interrupted_steps() -> int:
    """Mark steps left 'running' by a stopped worker as failed, so they can be asked again."""
    stale = list(Step.objects.filter(state=Step.State.RUNNING).select_related("combination"))
    for step in stale:
        outcomes.fail(
            step,
            "작업자가 멈춰 작업이 중단되었습니다. 다시 실행하세요.",
            "the step was interrupted when the worker stopped; ask for it again",
        )
    return len(stale)
