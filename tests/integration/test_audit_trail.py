"""The audit trail is append-only and verification finds edited, inserted and deleted events."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from gamyeong.governance import audit
from gamyeong.governance.actions import UnknownActionError
from gamyeong.governance.models import AppendOnlyError, AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def _events(count: int = 5) -> list[AuditEvent]:
    return [
        audit.record("catalog.changed", actor=f"user{i}", summary=f"change {i}", detail={"i": i})
        for i in range(count)
    ]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_chain_links_each_event_to_the_one_before() -> None:
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.event_hash
    report = audit.verify_chain()
    assert report.ok and report.events_checked == 5


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = _events(1)[0]
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_unknown_action_is_refused() -> None:
    with pytest.raises(UnknownActionError):
        audit.record("catalog.chnaged")


def test_edited_event_is_found() -> None:
    _events()
    _sql("UPDATE governance_auditevent SET summary = %s WHERE seq = %s", ["forged", 3])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("edited", 3)
    assert "수정" in report.problem.message_ko


def test_edited_event_with_recomputed_hash_is_found() -> None:
    events = _events()
    forged = AuditEvent.objects.get(seq=3)
    forged.summary = "forged"
    new_hash = audit.event_hash(forged)
    _sql(
        "UPDATE governance_auditevent SET summary = %s, event_hash = %s WHERE seq = %s",
        ["forged", new_hash, 3],
    )
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("edited", 3)
    assert events  # the events after it still point at the original hash


def test_deleted_event_is_found() -> None:
    _events()
    _sql("DELETE FROM governance_auditevent WHERE seq = %s", [2])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("deleted", 2)


def test_deleted_last_event_is_found() -> None:
    _events()
    _sql("DELETE FROM governance_auditevent WHERE seq = %s", [5])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("deleted", 5)


def test_event_appended_outside_the_service_is_found() -> None:
    events = _events()
    last = events[-1]
    fake = AuditEvent(
        seq=6,
        occurred_at=last.occurred_at,
        actor="intruder",
        action="catalog.changed",
        detail_json="{}",
        prev_hash=last.event_hash,
    )
    fake.event_hash = audit.event_hash(fake)
    fake.save()  # a well-formed event, but the chain head was not moved
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("inserted", 6)


def test_event_inserted_in_the_middle_is_found() -> None:
    events = _events()
    # Shift events 3..5 up by one (their own hashes are unchanged) and put a forged #3 between.
    for seq in (5, 4, 3):
        _sql("UPDATE governance_auditevent SET seq = %s WHERE seq = %s", [seq + 1, seq])
    # prev_hash is unique, so the forger cannot point at #2 as the real #3 does.
    fake = AuditEvent(
        seq=3,
        occurred_at=events[1].occurred_at,
        actor="intruder",
        action="catalog.changed",
        detail_json="{}",
        prev_hash="f" * 64,
    )
    fake.event_hash = audit.event_hash(fake)
    _sql(
        "INSERT INTO governance_auditevent (seq, occurred_at, actor, actor_roles, organisation, "
        "action, object_type, object_id, summary, detail_json, ip_address, prev_hash, event_hash)"
        " VALUES (%s, %s, %s, '', '', %s, '', '', '', '{}', '', %s, %s)",
        [3, fake.occurred_at, "intruder", "catalog.changed", "f" * 64, fake.event_hash],
    )
    report = audit.verify_chain()
    assert report.problem is not None
    assert report.problem.seq == 3
    assert report.problem.kind == "inserted"


def test_head_tracks_the_newest_event() -> None:
    events = _events(3)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.event_hash) == (3, events[-1].event_hash)
