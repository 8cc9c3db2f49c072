"""Applying a policy to a table (가명처리): read → delete/sample records → transform each item →
local suppression → write atomically. Columnar from end to end; lookups (keyed hashing,
tokenization, encryption) run once per distinct value and are applied as a streaming join.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io import WrittenFile, open_table, write_table
from gamyeong.engine.policy import Policy, Step, check_against
from gamyeong.engine.techniques import Context
from gamyeong.engine.techniques.noise import ROW
from gamyeong.engine.techniques.suppression import REMOVED, blank_flag, suppression_plan
from gamyeong.engine.vault import Vault

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ItemReport:
    column: str
    rule: str
    families: list[str]
    dropped: bool


@dataclass(frozen=True)
class RunResult:
    output: str
    output_sha256: str
    output_format: str
    rows_in: int
    rows_out: int
    columns_in: list[str]
    columns_out: list[str]
    items: list[ItemReport]
    environment: str
    k: int
    policy_sha256: str
    seconds: float
    suppressed: dict[str, int] = field(default_factory=dict)
    records_removed_by_suppression: int = 0
    risk: dict[str, Any] = field(default_factory=dict)  # on the output, for the policy's QIs
    utility: dict[str, Any] = field(default_factory=dict)

    @property
    def k_met(self) -> bool | None:
        return None if not self.risk else bool(self.risk["k_min"] >= self.k)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _lookup_join(
    frame: pl.LazyFrame, base: pl.LazyFrame, expr: pl.Expr, name: str, step: Step, ctx: Context
) -> tuple[pl.LazyFrame, pl.Expr]:
    """Apply a lookup technique: compute each distinct value's replacement once, then attach
    it with a streaming hash join (cheaper in memory than ``replace_strict`` on millions of
    values). The join keeps the row order. Distinct values are read from ``base`` (the data
    before any join) when the expression allows, so earlier joins are not re-run."""
    key, new = f"__{name}_key", f"__{name}_new"
    source = base if set(expr.meta.root_names()) <= set(base.collect_schema()) else frame
    distinct = source.select(expr.alias(key)).drop_nulls().unique().collect().get_column(key)
    frame = frame.with_columns(expr.alias(key))
    assert step.technique.lookup is not None
    mapping = pl.DataFrame({key: distinct, new: step.technique.lookup(distinct, step.params, ctx)})
    joined = frame.join(mapping.lazy(), on=key, how="left", maintain_order="left")
    return joined.drop(key), pl.col(new)


def _transform(
    frame: pl.LazyFrame, base: pl.LazyFrame, column: str, policy: Policy, vault: Vault | None
) -> tuple[pl.LazyFrame, pl.Expr]:
    """The frame (with any lookup columns joined) and the expression for ``column``."""
    expr = pl.col(column)
    for position, step in enumerate(policy.items[column].steps):
        ctx = Context(column, vault)
        if step.technique.lookup is not None:
            frame, expr = _lookup_join(frame, base, expr, f"{column}_{position}", step, ctx)
        elif step.technique.expr is not None:
            expr = step.technique.expr(expr, step.params, ctx)
    return frame, expr.alias(column)


def build_frame(
    source: pl.LazyFrame, policy: Policy, vault: Vault | None
) -> tuple[pl.LazyFrame, dict[str, int], int]:
    """The pseudonymized frame (lazy), the values blanked per column and the records removed
    by local suppression."""
    frame = source.with_row_index(ROW) if policy.needs_row_index else source
    for step in policy.records:
        frame = step.technique.apply(frame, step.params, Context(f"records:{step.line}", vault))
    columns = policy.output_columns
    exprs: dict[str, pl.Expr] = {}
    base = frame
    for column in columns:
        frame, exprs[column] = _transform(frame, base, column, policy, vault)
    if policy.local_suppression is None:
        return frame.select(*exprs.values()), {}, 0
    return _suppress(frame, base, exprs, policy)


def _suppress(
    frame: pl.LazyFrame, base: pl.LazyFrame, exprs: dict[str, pl.Expr], policy: Policy
) -> tuple[pl.LazyFrame, dict[str, int], int]:
    """Local suppression: plan on the row number and the quasi-identifiers only (read from the
    data before any lookup join when possible), then apply the few changes with a join."""
    assert policy.local_suppression is not None
    qis = list(policy.local_suppression.columns or policy.quasi_identifiers)
    if not qis:
        raise EngineError(
            f"{policy.source}: local_suppression에 columns나 quasi_identifiers가 필요합니다",
            f"{policy.source}: local_suppression needs columns or quasi_identifiers",
        )
    roots = {name for c in qis for name in exprs[c].meta.root_names()}
    planning = base if roots <= set(base.collect_schema()) else frame
    plan = suppression_plan(
        planning.select(ROW, *(exprs[c] for c in qis)), qis, policy.local_suppression.k
    )
    changed = frame.select(ROW, *exprs.values()).join(
        plan.changes.lazy(), on=ROW, how="left", maintain_order="left"
    )
    blanked = {
        c: pl.when(pl.col(blank_flag(c)).fill_null(False)).then(None).otherwise(pl.col(c)).alias(c)
        for c in qis
    }
    result = changed.filter(~pl.col(REMOVED).fill_null(False)).select(
        blanked.get(column, pl.col(column)) for column in exprs
    )
    return result, plan.suppressed, plan.removed


def _count(frame: pl.LazyFrame) -> int:
    return int(frame.select(pl.len()).collect().item())


def pseudonymize(
    data: Path,
    policy: Policy,
    out: Path,
    *,
    vault: Vault | None = None,
    fmt: str = "parquet",
    encoding: str | None = None,
    progress: Progress | None = None,
    review: bool = True,
) -> RunResult:
    """Apply ``policy`` to the table at ``data`` and write the result to ``out`` atomically.

    With ``review`` (the default) the written output is also reviewed: identification risk for
    the policy's quasi-identifiers and sensitive items at the policy's k, and utility against
    the input (:mod:`gamyeong.engine.utility`).
    """
    report = progress or (lambda _stage, _fraction: None)
    started = time.perf_counter()
    if policy.uses_vault and vault is None:
        raise EngineError(
            f"{policy.source}: 이 정책에는 제공기관 보관소(--vault)가 필요합니다",
            f"{policy.source}: this policy needs the provider's vault (--vault)",
        )
    if vault is not None:
        vault.check_separate_from(out)
    report("reading", 0.05)
    with open_table(data, encoding=encoding) as table:
        schema = table.frame.collect_schema()
        check_against(policy, schema)
        rows_in = table.rows if table.rows is not None else _count(table.frame)
        report("preparing", 0.2)
        frame, suppressed, removed = build_frame(table.frame, policy, vault)
        report("writing", 0.5)
        written: WrittenFile = write_table(frame, out, fmt=fmt)
        risk, utility = (
            _review(table.frame, written.path, fmt, policy, report) if review else ({}, {})
        )
    report("done", 1.0)
    return RunResult(
        output=str(written.path),
        output_sha256=written.sha256,
        output_format=fmt,
        rows_in=rows_in,
        rows_out=written.rows,
        columns_in=list(schema),
        columns_out=policy.output_columns,
        items=[
            ItemReport(
                column,
                rule.describe(),
                sorted({step.technique.family for step in rule.steps}),
                rule.drops,
            )
            for column, rule in policy.items.items()
        ],
        environment=policy.environment,
        k=policy.k,
        policy_sha256=hashlib.sha256(policy.text.encode("utf-8")).hexdigest(),
        seconds=round(time.perf_counter() - started, 3),
        suppressed=suppressed,
        records_removed_by_suppression=removed,
        risk=risk,
        utility=utility,
    )


def _review(
    source: pl.LazyFrame, written: Path, fmt: str, policy: Policy, report: Progress
) -> tuple[dict[str, Any], dict[str, Any]]:
    from gamyeong.engine.risk import assess
    from gamyeong.engine.utility import compare

    output = pl.scan_parquet(written) if fmt == "parquet" else pl.scan_csv(written)
    report("reviewing risk", 0.8)
    risk: dict[str, Any] = {}
    if policy.quasi_identifiers:
        risk = assess(
            output, policy.quasi_identifiers, sensitive=policy.sensitive, k=policy.k
        ).to_dict()
    report("measuring utility", 0.9)
    return risk, compare(source, output, policy).to_dict()
