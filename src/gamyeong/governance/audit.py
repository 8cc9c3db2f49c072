"""Writing and verifying the audit trail (감사 기록).

:func:`record` is the one way to write an event. It appends under a lock on the chain head, so
sequence numbers are consecutive and every event hashes its predecessor. :func:`verify_chain`
walks the chain and reports the first event that was edited, inserted or deleted.

Both take ``using``, the database alias of the trail: ``"default"`` is the portal's trail, and the
key-management agency keeps its own trail in its own database (``using="kma"``, see
:mod:`gamyeong.kma.router`). Each database holds one independent chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from gamyeong.governance.actions import check_action
from gamyeong.governance.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "actor_roles",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "summary",
    "detail_json",
    "ip_address",
    "prev_hash",
)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the canonical JSON of the event's hashed fields (its own hash excluded)."""
    content: dict[str, Any] = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["occurred_at"] = _timestamp(event.occurred_at)
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _actor_fields(actor: Any) -> dict[str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": str(actor or ""), "actor_roles": "", "organisation": ""}
    organisation = getattr(actor, "organisation", None)
    return {
        "actor": actor.get_username(),
        "actor_roles": ",".join(sorted(actor.groups.values_list("name", flat=True))),
        "organisation": str(organisation or ""),
    }


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    detail: Mapping[str, Any] | None = None,
    using: str = "default",
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    ``actor`` is a user (or a name for system actors such as ``"system:demo"``); when omitted it is
    taken from ``request``. ``target`` fills the object type and id from a model instance. The
    event is part of the caller's transaction: if that rolls back, so does the event.
    ``using`` chooses the trail (database alias): the portal's (``"default"``) or the KMA's.
    """
    check_action(action)
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    for attempt in range(3):
        try:
            with transaction.atomic(using=using):
                head = _locked_head(using)
                event = AuditEvent(
                    seq=head.seq + 1,
                    occurred_at=timezone.now(),
                    action=action,
                    object_type=object_type[:64],
                    object_id=str(object_id)[:128],
                    summary=summary[:500],
                    detail_json=canonical_json(dict(detail or {})),
                    ip_address=_client_ip(request),
                    prev_hash=head.event_hash,
                    **_actor_fields(actor),
                )
                event.event_hash = event_hash(event)
                event.save(using=using)
                head.seq = event.seq
                head.event_hash = event.event_hash
                head.save(using=using, update_fields=["seq", "event_hash"])
                return event
        except IntegrityError:
            # Another writer appended first (possible only where row locks are unavailable).
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _locked_head(using: str) -> AuditChainHead:
    heads = AuditChainHead.objects.using(using)
    head = heads.select_for_update().filter(singleton=1).first()
    if head is None:
        head = heads.create(singleton=1, seq=0, event_hash=GENESIS_HASH)
    return head


ProblemKind = Literal["edited", "inserted", "deleted"]


@dataclass(frozen=True)
class ChainProblem:
    kind: ProblemKind
    seq: int
    message_ko: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_ko} ({self.message_en})"


@dataclass(frozen=True)
class VerifyReport:
    events_checked: int
    head_seq: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _problem(kind: ProblemKind, seq: int, ko: str, en: str) -> ChainProblem:
    return ChainProblem(kind, seq, ko, en)


def _with_following(events: Iterator[AuditEvent]) -> Iterator[tuple[AuditEvent, AuditEvent | None]]:
    current = next(events, None)
    while current is not None:
        following = next(events, None)
        yield current, following
        current = following


def verify_chain(using: str = "default") -> VerifyReport:
    """Walk the chain in order and return the first edited, inserted or deleted event.
    ``using`` names the trail's database (``"default"``: the portal's; ``"kma"``: the KMA's)."""
    head = AuditChainHead.objects.using(using).filter(singleton=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.event_hash if head else GENESIS_HASH
    prev_seq, prev_hash, prev_prev_hash = 0, GENESIS_HASH, ""
    checked = 0
    events = AuditEvent.objects.using(using).order_by("seq", "pk").iterator(chunk_size=2000)
    for event, following in _with_following(events):
        problem = _check_link(event, following, prev_seq, prev_hash, prev_prev_hash)
        if problem is not None:
            return VerifyReport(checked, head_seq, problem)
        checked += 1
        prev_prev_hash, prev_hash, prev_seq = prev_hash, event.event_hash, event.seq
    return VerifyReport(checked, head_seq, _check_end(prev_seq, prev_hash, head_seq, head_hash))


def _check_link(
    event: AuditEvent,
    following: AuditEvent | None,
    prev_seq: int,
    prev_hash: str,
    prev_prev_hash: str,
) -> ChainProblem | None:
    seq = event.seq
    if seq <= prev_seq:
        return _problem(
            "inserted",
            seq,
            f"#{seq} 기록이 중복되었습니다: 끼워 넣은 기록입니다",
            f"event #{seq} appears twice: one copy was inserted",
        )
    if event_hash(event) != event.event_hash:
        return _problem("edited", seq, f"#{seq} 기록이 수정되었습니다", f"event #{seq} was edited")
    if event.prev_hash == prev_hash:
        return None
    if seq > prev_seq + 1:
        first, last = prev_seq + 1, seq - 1
        span = f"#{first}" if first == last else f"#{first}–#{last}"
        return _problem(
            "deleted", first, f"{span} 기록이 삭제되었습니다", f"event {span} was deleted"
        )
    if prev_prev_hash and event.prev_hash == prev_prev_hash:
        return _problem(
            "inserted",
            prev_seq,
            f"#{prev_seq} 기록이 체인 중간에 끼워 넣어졌습니다",
            f"event #{prev_seq} was inserted into the chain",
        )
    if prev_seq == 0 or (following is not None and following.prev_hash == prev_hash):
        return _problem(
            "inserted",
            seq,
            f"#{seq} 기록이 체인 중간에 끼워 넣어졌습니다",
            f"event #{seq} was inserted into the chain",
        )
    return _problem(
        "edited",
        prev_seq,
        f"#{prev_seq} 기록이 수정되었습니다 (해시가 다시 계산됨)",
        f"event #{prev_seq} was edited and its hash recomputed",
    )


def _check_end(last_seq: int, last_hash: str, head_seq: int, head_hash: str) -> ChainProblem | None:
    if last_seq < head_seq:
        first = last_seq + 1
        span = f"#{first}" if first == head_seq else f"#{first}–#{head_seq}"
        return _problem(
            "deleted",
            first,
            f"마지막 {span} 기록이 삭제되었습니다",
            f"the last event(s) {span} were deleted",
        )
    if last_seq > head_seq:
        first = head_seq + 1
        return _problem(
            "inserted",
            first,
            f"#{first} 이후 기록은 기록 절차 밖에서 추가되었습니다",
            f"events from #{first} were added outside the recording service",
        )
    if last_hash != head_hash:
        return _problem(
            "edited",
            last_seq,
            f"#{last_seq} 기록이 수정되었습니다 (해시가 다시 계산됨)",
            f"event #{last_seq} was edited and its hash recomputed",
        )
    return None
