"""The payload (결합대상정보) for the combination agency: ``serial`` and the attributes, never an
identifier used for keys nor a key.

The columns named as key items are removed; the other columns go through the provider's policy
when one is given (the same machinery as ``gamyeong pseudonymize``), with ``serial`` kept as is.
Only rows keyed in at least one key set are sent: the others can never be combined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import SERIAL
from gamyeong.engine.linkage.keys import KeyResult
from gamyeong.engine.policy import ItemRule, Policy, Step, check_against
from gamyeong.engine.pseudonymize import build_frame
from gamyeong.engine.techniques import COLUMN_TECHNIQUES
from gamyeong.engine.vault import Vault


def payload_policy(
    policy: Policy | None, items: Mapping[str, str], schema: Mapping[str, pl.DataType]
) -> Policy | None:
    """The policy for the payload: ``serial`` kept, every identifier column deleted (a rule
    that would keep or transform one is refused), the user's rules for the other columns."""
    if SERIAL in schema:
        raise EngineError(
            f"데이터에 이미 '{SERIAL}' 열이 있습니다. 일련번호 열과 겹치니 이름을 바꾸세요",
            f"the data already has a column {SERIAL!r}, which the serial number needs; rename it",
        )
    if policy is None:
        return None
    identifiers = set(items.values())
    leaking = [c for c, rule in policy.items.items() if c in identifiers and not rule.drops]
    if leaking:
        lines = ", ".join(f"{c} ({policy.items[c].line}행/line)" for c in leaking)
        raise EngineError(
            f"{policy.source}: 결합키 항목 열은 결합대상정보에 넣을 수 없습니다: {lines}. "
            "정책에서 delete로 적거나 빼세요",
            f"{policy.source}: key item columns must not go into the payload: {lines}; "
            "write delete for them or leave them out of the policy",
        )
    keep, delete = COLUMN_TECHNIQUES["keep"], COLUMN_TECHNIQUES["delete"]
    rules = {SERIAL: ItemRule(SERIAL, (Step(keep, {}, 0),), 0)}
    rules.update({c: r for c, r in policy.items.items() if c not in identifiers})
    rules.update({c: ItemRule(c, (Step(delete, {}, 0),), 0) for c in items.values()})
    effective = replace(policy, items=rules)
    check_against(effective, {SERIAL: pl.String(), **schema})
    return effective


def payload_frame(
    source: pl.LazyFrame,
    result: KeyResult,
    items: Mapping[str, str],
    policy: Policy | None,
    vault: Vault,
) -> tuple[pl.LazyFrame, dict[str, int], int]:
    """The payload frame (lazy): keyed rows, ``serial`` first, identifiers removed."""
    keyed = "__keyed"
    extra = result.table.select(SERIAL, result.keyed.alias(keyed))
    frame = pl.concat([source, extra.lazy()], how="horizontal").filter(pl.col(keyed)).drop(keyed)
    if policy is None:
        others = [c for c in source.collect_schema().names() if c not in set(items.values())]
        return frame.select(SERIAL, *others), {}, 0
    return build_frame(frame, policy, vault)
