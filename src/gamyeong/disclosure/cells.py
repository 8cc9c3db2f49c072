"""From ``gamyeong.analysis``' per-cell evidence to a report's cells, under a profile.

The flags themselves are ``gamyeong.analysis.evidence.add_flags`` — ACRO's definitions, verified
against ACRO 1.0.2 — recomputed with the profile's parameters; this module only chooses which
flag a profile reads (rows or distinct persons), adds the checks ACRO does not have (negative
values, single-unit values, structural zeros) and lays the result out as report cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import polars.selectors as cs

from gamyeong.analysis.evidence import add_flags, blank_totals, table_has_negative
from gamyeong.analysis.rules import Rules, flag_column
from gamyeong.disclosure.checks import fail_column, ordered
from gamyeong.disclosure.errors import DisclosureError
from gamyeong.disclosure.profiles import Profile
from gamyeong.disclosure.report import Block, Layout

#: Per check, the gamyeong.analysis flag read when counting rows, and when counting persons.
ANALYSIS_FLAGS: dict[str, tuple[str, str]] = {
    "threshold": ("threshold", "threshold-persons"),
    "zeros": ("zeros", "zeros"),
    "nk": ("nk-rule", "nk-rule-persons"),
    "p_percent": ("p-ratio", "p-ratio-persons"),
    "missing": ("missing", "missing"),
    "dof": ("dof", "dof"),
    "negative": ("negative", "negative"),
}
SINGLE_UNIT_STATS = frozenset({"min", "max"})
ADDITIVE_STATS = frozenset({"count", "sum"})


def _nk_columns(cells: pl.DataFrame, n: int, used: Rules | None) -> pl.DataFrame:
    """``topn_sum``/``nk_share`` for the profile's n (the evidence keeps the two largest)."""
    if used is not None and used.safe_nk_n == n:
        return cells
    if n > 2:
        raise DisclosureError(
            f"(n,k) 규칙의 n={n}은 표를 다시 계산해야 합니다 (증거에는 상위 2개만 있습니다)",
            f"(n,k) with n={n} needs the table recomputed (the evidence keeps the top 2 only)",
        )
    updates = []
    for prefix in ("", "person_"):
        if f"{prefix}top1" not in cells.columns:
            continue
        top1 = pl.col(f"{prefix}top1").fill_null(0.0)
        top_n = top1 if n == 1 else top1 + pl.col(f"{prefix}top2").fill_null(0.0)
        total = pl.col(f"{prefix}sum")
        updates += [
            top_n.alias(f"{prefix}topn_sum"),
            pl.when(total > 0).then(top_n / total).alias(f"{prefix}nk_share"),
        ]
    return cells.with_columns(updates)


def _uses_persons(profile: Profile, layout: Layout) -> bool:
    return profile.count_persons and layout.unit is not None


def _applicable(
    analysis_checks: Sequence[str], block: Block, profile: Profile, persons: bool
) -> list[str]:
    """The report checks that apply to one block under the profile."""
    checks = [
        check for check, names in ANALYSIS_FLAGS.items() if names[int(persons)] in analysis_checks
    ]
    if not profile.review_negative:
        checks = [c for c in checks if c != "negative"]
    if profile.single_unit and block.aggfunc in SINGLE_UNIT_STATS:
        checks.append("single_unit")
    return checks


def _flag(check: str, applicable: Sequence[str], persons: bool) -> pl.Expr:
    if check not in applicable:
        return pl.lit(False).alias(fail_column(check))
    if check == "single_unit":
        return (pl.col("n_values") > 0).alias(fail_column(check))
    name = ANALYSIS_FLAGS[check][int(persons)]
    return pl.col(flag_column(name)).fill_null(False).alias(fail_column(check))


def _margin_expr(layout: Layout) -> pl.Expr:
    if not layout.margins:
        return pl.lit(False)
    row = pl.col("row_pos") == layout.n_rows - 1
    if not layout.col_keys:
        return row
    return row | (pl.col("col_pos") % layout.n_cols == layout.n_cols - 1)


def _evidence_columns(layout: Layout, persons: bool, has_value: bool) -> list[pl.Expr]:
    prefix = "person_" if persons else ""
    count = "n_persons" if persons else "n_records"
    unit = layout.unit is not None
    return [
        pl.col("block").cast(pl.String),
        pl.col("aggfunc").cast(pl.String),
        pl.col("row_pos").cast(pl.Int64),
        pl.col("col_pos").cast(pl.Int64),
        _margin_expr(layout).alias("margin"),
        pl.struct([pl.col(k).cast(pl.String) for k in layout.keys]).alias("keys")
        if layout.keys
        else pl.struct(pl.lit("").alias("table")).alias("keys"),
        pl.col("n_records").cast(pl.Int64).alias("records"),
        (pl.col("n_persons").cast(pl.Int64) if unit else pl.lit(None, pl.Int64)).alias("persons"),
        pl.col(count).cast(pl.Int64).alias("count"),
        pl.col("stat").cast(pl.Float64).alias("value"),
        (pl.col(f"{prefix}nk_share") if has_value else pl.lit(None, pl.Float64)).alias("nk_share"),
        (pl.col(f"{prefix}p_ratio") if has_value else pl.lit(None, pl.Float64)).alias("p_ratio"),
        pl.lit(False).alias("structural"),
        pl.lit(None, pl.String).alias("note"),
    ]


def block_cells(
    evidence: pl.DataFrame,
    block: Block,
    layout: Layout,
    profile: Profile,
    used: Rules | None,
    all_checks: Sequence[str],
) -> tuple[pl.DataFrame, list[str], bool]:
    """One block's report cells, the checks that apply to it, and whether it has negatives."""
    has_value = block.value is not None
    persons = _uses_persons(profile, layout)
    base = evidence.drop(cs.starts_with("flag_"))
    if has_value:
        base = _nk_columns(base, profile.rules.safe_nk_n, used)
    flagged, analysis_checks = add_flags(
        base, block.aggfunc, profile.rules, has_value=has_value, has_unit=layout.unit is not None
    )
    applicable = _applicable(analysis_checks, block, profile, persons)
    negative = has_value and table_has_negative(flagged, "person_" if persons else "")
    columns = _evidence_columns(layout, persons, has_value)
    columns += [_flag(check, applicable, persons) for check in all_checks]
    return flagged.select(columns), applicable, negative


def all_checks(profile: Profile) -> tuple[str, ...]:
    """Every cell-level check a table report may carry under ``profile``."""
    names = ["threshold", "zeros", "nk", "p_percent", "missing", "dof", "negative"]
    if profile.single_unit:
        names.append("single_unit")
    return ordered(names)


def structural_zero_expr(patterns: Sequence[Mapping[str, Any]], layout: Layout) -> pl.Expr:
    """True for the cells a pattern (``{key: level, …}``; omitted keys match any) declares."""
    if not patterns:
        return pl.lit(False)
    terms = []
    for pattern in patterns:
        unknown = [k for k in pattern if k not in layout.keys]
        if unknown or not pattern:
            raise DisclosureError(
                f"구조적 0의 열이 표에 없습니다: {', '.join(unknown) or '(없음)'}",
                f"structural zero names column(s) not in the table: {', '.join(unknown) or '(none)'}",
            )
        terms.append(
            pl.all_horizontal(pl.col("keys").struct.field(k) == str(v) for k, v in pattern.items())
        )
    return pl.any_horizontal(terms).fill_null(False)


BLANK_TOTAL_CHECKS = ("threshold", "zeros", "nk", "p_percent")


def blank_empty_totals(cells: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """ACRO's layout: pandas leaves the total of an unobserved combination of a multi-key axis
    blank (NaN), so ACRO flags nothing there but ``missing``; clear those flags the same way
    (:func:`gamyeong.analysis.evidence.blank_totals`)."""
    if not layout.margins:
        return cells
    blank = blank_totals(
        n_rows=layout.n_rows,
        n_cols=layout.n_cols,
        row_keys=len(layout.row_keys),
        col_keys=len(layout.col_keys),
        categorical_cols=layout.categorical_cols,
        records="records",
    )
    return cells.with_columns(
        (pl.col(fail_column(c)) & ~blank).alias(fail_column(c))
        for c in BLANK_TOTAL_CHECKS
        if fail_column(c) in cells.columns
    )


EXEMPT_IF_STRUCTURAL = ("threshold", "zeros", "nk", "p_percent", "missing")


def apply_structural_zeros(
    cells: pl.DataFrame, patterns: Sequence[Mapping[str, Any]], layout: Layout
) -> tuple[pl.DataFrame, list[str]]:
    """Declared structural zeros are not disclosive: their empty cells fail nothing."""
    if not patterns:
        return cells, []
    cells = cells.with_columns(structural_zero_expr(patterns, layout).alias("structural"))
    empty = pl.col("structural") & (pl.col("records") == 0)
    cells = cells.with_columns(
        (pl.col(fail_column(c)) & ~empty).alias(fail_column(c))
        for c in EXEMPT_IF_STRUCTURAL
        if fail_column(c) in cells.columns
    )
    wrong = cells.filter(pl.col("structural") & (pl.col("records") > 0)).height
    notes = []
    if wrong:
        notes.append(
            f"구조적 0으로 선언한 칸 {wrong}개에 자료가 있습니다 / "
            f"{wrong} cell(s) declared structural zeros hold records"
        )
    return cells, notes
