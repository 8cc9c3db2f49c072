"""Per-cell disclosure evidence, computed with Polars group-bys (no per-row Python).

For every cell of a table (the full grid of row × column levels, empty cells included, and the
margins when asked for) the evidence frame holds:

- ``n_records`` (rows), ``n_persons`` (distinct values of the ``unit`` column, when given);
- for a magnitude table: ``n_values``, ``n_missing``, ``n_negative``, ``n_zero_values``, ``sum``,
  the largest values ``top1``/``top2``, ``topn_sum`` (the ``safe_nk_n`` largest), their shares of
  the total (``top1_share``, ``top2_share``, ``nk_share``) and ACRO's ``p_ratio``
  ((total − largest − second) / largest); with a ``unit`` the same again on each person's summed
  contribution (``person_*``), since one person may hold several rows of a cell;
- one boolean ``flag_<check>`` column per check, computed with ACRO's definitions (see
  :func:`add_flags`), null where the check does not apply to the statistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from gamyeong.analysis.rules import ACRO_CHECK_NAMES, ALL_CHECKS, Rules, checks_for, flag_column

STATS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "count": lambda v: v.count().cast(pl.Int64),
    "sum": lambda v: v.sum(),
    "mean": lambda v: v.mean(),
    "median": lambda v: v.median(),
    "min": lambda v: v.min(),
    "max": lambda v: v.max(),
    "std": lambda v: v.std(ddof=1),
    "var": lambda v: v.var(ddof=1),
}

# Names the evidence frame uses for itself; a key column may not take one of them.
RESERVED = frozenset(
    {
        "block",
        "aggfunc",
        "value",
        "row_pos",
        "col_pos",
        "stat",
        "n_records",
        "n_persons",
        "n_values",
        "n_missing",
        "n_negative",
        "n_zero_values",
        "sum",
        "top1",
        "top2",
        "topn_sum",
        "top1_share",
        "top2_share",
        "nk_share",
        "p_ratio",
        *(f"person_{c}" for c in ("n_negative", "sum", "top1", "top2", "topn_sum")),
        *(f"person_{c}" for c in ("top1_share", "top2_share", "nk_share", "p_ratio")),
        *(flag_column(c) for c in ALL_CHECKS),
    }
)

MAX_CELLS = 5_000_000


@dataclass(frozen=True)
class Axis:
    """The ordered level combinations of one table axis (rows or columns)."""

    keys: tuple[str, ...]
    frame: pl.DataFrame  # the key columns and "_pos", one row per combination, in order
    combos: pl.DataFrame  # the level combinations in their own types, without the margin line
    margin: tuple[Any, ...] | None = None  # the margin line's label, when there is one

    @property
    def size(self) -> int:
        return self.frame.height

    @cached_property
    def labels(self) -> tuple[tuple[Any, ...], ...]:
        """One tuple of levels per combination (and the margin's), in order; made on demand:
        a table's check does not need them."""
        labels = list(self.combos.iter_rows()) if self.keys else [()]
        return tuple(labels + ([self.margin] if self.margin is not None else []))


def _levels(column: pl.Series) -> pl.Series:
    """A key's levels in table order: an Enum's categories (all of them), else sorted values."""
    dtype = column.dtype
    if isinstance(dtype, pl.Enum):
        return pl.Series(column.name, dtype.categories, dtype=dtype)
    return column.drop_nulls().unique().sort()


def build_axis(frame: pl.DataFrame, keys: Sequence[str], *, margins: bool, name: str) -> Axis:
    """The product of the keys' levels (pandas' ``dropna=False`` grid), plus a margin line.

    ``frame`` holds every level that occurs (the data, or its observed cells)."""
    if not keys:
        empty = pl.DataFrame({"_pos": [0]}, schema={"_pos": pl.UInt32})
        return Axis((), empty, pl.DataFrame())
    combos: pl.DataFrame | None = None
    for i, key in enumerate(keys):
        level_frame = pl.DataFrame({key: _levels(frame.get_column(key))}).with_row_index(f"_c{i}")
        combos = level_frame if combos is None else combos.join(level_frame, how="cross")
    assert combos is not None
    combos = combos.sort([f"_c{i}" for i in range(len(keys))]).select(keys)
    laid_out, margin = combos, None
    if margins:
        margin_line = pl.DataFrame(
            {k: [name if i == 0 else ""] for i, k in enumerate(keys)},
            schema=dict.fromkeys(keys, pl.String),
        )
        laid_out = pl.concat(
            [combos.with_columns(pl.col(k).cast(pl.String) for k in keys), margin_line]
        )
        margin = margin_line.row(0)
    return Axis(tuple(keys), laid_out.with_row_index("_pos"), combos, margin)


def _top_columns(source: str, prefix: str, n: int) -> list[pl.Expr]:
    top = pl.col(source)
    return [
        top.list.get(0, null_on_oob=True).alias(f"{prefix}top1"),
        top.list.get(1, null_on_oob=True).alias(f"{prefix}top2"),
        top.list.head(n).list.sum().alias(f"{prefix}topn_sum"),
    ]


def _aggregate(
    frame: pl.LazyFrame,
    group_keys: Sequence[str],
    value: str | None,
    unit: str | None,
    stats: Sequence[str],
    rules: Rules,
) -> pl.LazyFrame:
    """The plan of the evidence for one grouping set (the cells, or a margin): one group-by."""
    keys: list[str] = list(group_keys) or ["_all"]
    base = frame if group_keys else frame.with_columns(pl.lit(0).alias("_all"))
    top_k = max(rules.safe_nk_n, 2)
    v: pl.Expr = pl.col(value) if value is not None else pl.lit(None)
    aggs: list[pl.Expr] = [pl.len().cast(pl.Int64).alias("n_records")]
    if value is None:
        aggs.extend(pl.len().cast(pl.Int64).alias(f"_stat_{s}") for s in stats)
    else:
        aggs += [
            v.count().cast(pl.Int64).alias("n_values"),
            v.null_count().cast(pl.Int64).alias("n_missing"),
            (v < 0).sum().cast(pl.Int64).alias("n_negative"),
            (v == 0).sum().cast(pl.Int64).alias("n_zero_values"),
            v.sum().alias("sum"),
            v.sort(descending=True, nulls_last=True).head(top_k).alias("_top"),
            *(STATS[s](v).alias(f"_stat_{s}") for s in stats),
        ]
    out = base.group_by(keys).agg(aggs)
    if value is not None:
        out = out.with_columns(_top_columns("_top", "", rules.safe_nk_n)).drop("_top")
    if unit is not None:
        # one pass over (cell, person) gives both the distinct persons and, for a magnitude
        # table, each person's summed contribution (faster than n_unique, then a second pass)
        per_person = base.filter(pl.col(unit).is_not_null()).group_by([*keys, unit])
        person_aggs = [pl.len().cast(pl.Int64).alias("n_persons")]
        if value is None:
            persons = per_person.agg(pl.len()).group_by(keys).agg(person_aggs)
        else:
            contribution = pl.col("_c")
            persons = (
                per_person.agg(v.count().alias("_n"), v.sum().alias("_c"))
                .with_columns(pl.when(pl.col("_n") > 0).then(contribution).alias("_c"))
                .group_by(keys)
                .agg(
                    *person_aggs,
                    (contribution < 0).sum().cast(pl.Int64).alias("person_n_negative"),
                    contribution.sum().alias("person_sum"),
                    contribution.sort(descending=True, nulls_last=True).head(top_k).alias("_ptop"),
                )
                .with_columns(_top_columns("_ptop", "person_", rules.safe_nk_n))
                .drop("_ptop")
            )
        out = out.join(persons, on=keys, how="left")
    return out.drop("_all") if not group_keys else out


GroupingSets = list[tuple[list[str], list[str]]]


def grouping_sets(row_keys: Sequence[str], col_keys: Sequence[str], margins: bool) -> GroupingSets:
    """The group-bys a table needs, as (grouped by, set to the margin): the cells first."""
    rows, cols = list(row_keys), list(col_keys)
    sets: GroupingSets = [(rows + cols, [])]
    if margins:
        if cols:
            sets.append((rows, cols))
        sets.append((cols, rows))
        if cols:
            sets.append(([], rows + cols))
    return sets


def aggregate(
    frame: pl.DataFrame,
    sets: GroupingSets,
    plans: Sequence[tuple[str | None, Sequence[str]]],
    *,
    unit: str | None,
    rules: Rules,
) -> list[list[pl.DataFrame]]:
    """Per (value, statistics) of ``plans``, the evidence of every grouping set of ``sets``.

    All the group-bys run as one lazy Polars query (``collect_all``: in parallel; Polars' lazy
    group-by is about twice as fast as the eager one on string keys). Rows with a missing key
    must already be removed.
    """
    source = frame.lazy()
    queries = [
        _aggregate(source, group_keys, value, unit, stats, rules)
        for value, stats in plans
        for group_keys, _ in sets
    ]
    collected = pl.collect_all(queries)
    return [collected[i * len(sets) : (i + 1) * len(sets)] for i in range(len(plans))]


def _shares(prefix: str) -> list[pl.Expr]:
    """Shares of the largest contributors, and ACRO's p-ratio, from the sums and top values."""
    total = pl.col(f"{prefix}sum")
    top1 = pl.col(f"{prefix}top1")
    top2 = pl.col(f"{prefix}top2").fill_null(0.0)
    positive = total > 0
    rest = total - top1 - top2
    return [
        pl.when(positive).then(top1 / total).alias(f"{prefix}top1_share"),
        pl.when(positive).then((top1 + top2) / total).alias(f"{prefix}top2_share"),
        pl.when(positive).then(pl.col(f"{prefix}topn_sum") / total).alias(f"{prefix}nk_share"),
        # ACRO: p = (total - top1 - top2) / top1, and where top1 == 0 it keeps the numerator.
        pl.when(top1 == 0)
        .then(rest)
        .when(top1.is_not_null())
        .then(rest / top1)
        .alias(f"{prefix}p_ratio"),
    ]


def cell_evidence(
    parts: Sequence[pl.DataFrame],
    sets: GroupingSets,
    rows: Axis,
    cols: Axis,
    *,
    value: str | None,
    unit: str | None,
    stats: Sequence[str],
    margins: bool,
    margins_name: str,
) -> pl.DataFrame:
    """The evidence for every cell of the grid ``rows`` × ``cols``, in column-major order (as
    the table's columns are laid out), from the aggregates of :func:`aggregate` (one per
    grouping set)."""
    row_keys, col_keys = list(rows.keys), list(cols.keys)
    keys = row_keys + col_keys
    clash = RESERVED.intersection(keys)
    if clash:
        raise ValueError(f"column name(s) reserved for the evidence: {', '.join(sorted(clash))}")
    if rows.size * cols.size > MAX_CELLS:
        raise ValueError(f"the table would have {rows.size * cols.size:,} cells; too many")
    laid_out: list[pl.DataFrame] = []
    for part, (group_keys, margin_keys) in zip(parts, sets, strict=True):
        if margins:
            part = part.with_columns(pl.col(k).cast(pl.String) for k in group_keys)
            part = part.with_columns(
                pl.lit(margins_name if k in (row_keys[:1] + col_keys[:1]) else "")
                .cast(pl.String)
                .alias(k)
                for k in margin_keys
            )
        laid_out.append(part.select(*(pl.col(k) for k in keys), pl.exclude(keys)))
    evidence = pl.concat(laid_out, how="vertical_relaxed") if len(laid_out) > 1 else laid_out[0]
    # column-major (each column's rows in turn), the order the left join keeps
    grid = cols.frame.rename({"_pos": "col_pos"}).join(
        rows.frame.rename({"_pos": "row_pos"}), how="cross"
    )
    cells = grid.join(evidence, on=keys, how="left", maintain_order="left")
    counts = [c for c in cells.columns if c.startswith("n_") or c == "person_n_negative"]
    # an empty cell counts 0 and sums to 0 (as pandas' crosstab shows it); other statistics of
    # an empty cell stay null
    counts += [f"_stat_{s}" for s in stats if s in ("sum", "count")]
    cells = cells.with_columns(pl.col(c).fill_null(0) for c in counts)
    if value is not None:
        cells = cells.with_columns(pl.col("sum").fill_null(0.0), *_shares(""))
        if unit is not None:
            cells = cells.with_columns(pl.col("person_sum").fill_null(0.0), *_shares("person_"))
    return cells.select("row_pos", "col_pos", pl.exclude("row_pos", "col_pos"))


#: The checks ACRO cannot flag on a total pandas leaves blank (NaN): comparisons with NaN are
#: false. ``missing`` still flags it (see :func:`add_flags`).
BLANK_TOTAL_CHECKS: tuple[str, ...] = (
    "threshold",
    "zeros",
    "nk-rule",
    "p-ratio",
    "threshold-persons",
    "nk-rule-persons",
    "p-ratio-persons",
)


def blank_totals(
    *,
    n_rows: int,
    n_cols: int,
    row_keys: int,
    col_keys: int,
    categorical_cols: bool,
    records: str = "n_records",
) -> pl.Expr:
    """True for the totals pandas' crosstab leaves blank (NaN) with margins: the total of an
    unobserved combination of a multi-key axis — of rows always, of columns when a column key
    is categorical (pandas then lays the column totals out differently). ``n_cols`` is the
    width of one statistic's block (``col_pos`` may be offset by whole blocks)."""
    in_total_col = pl.col("col_pos") % n_cols == n_cols - 1
    in_total_row = pl.col("row_pos") == n_rows - 1
    blank = pl.lit(False)
    if row_keys > 1 and col_keys:
        blank = blank | (in_total_col & ~in_total_row)
    if col_keys > 1 and categorical_cols:
        blank = blank | (in_total_row & ~in_total_col)
    return blank & (pl.col(records) == 0)


def _dominance(prefix: str, rules: Rules, table_negative: bool) -> tuple[pl.Expr, pl.Expr]:
    """ACRO 1.x's NKCheck and PPercentCheck on the ``prefix`` evidence columns.

    With a negative value anywhere in the table dominance is undefined; ACRO then marks, for
    both checks, the cells that hold a negative value (and reports "review"), and so does this.
    """
    if table_negative:
        negative = pl.col(f"{prefix}n_negative") > 0
        return negative, negative
    nk = (
        pl.when(pl.col(f"{prefix}sum") > 0)
        .then(pl.col(f"{prefix}nk_share") >= rules.safe_nk_k)
        .otherwise(pl.lit(False))
    )
    p_ratio = pl.col(f"{prefix}p_ratio").fill_null(1.0) < rules.safe_pratio_p
    return nk, p_ratio


def table_has_negative(cells: pl.DataFrame, prefix: str = "") -> bool:
    column = f"{prefix}n_negative"
    return column in cells.columns and int(cells.get_column(column).sum()) > 0


def add_flags(
    cells: pl.DataFrame, aggfunc: str, rules: Rules, *, has_value: bool, has_unit: bool
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Add a ``flag_<check>`` column per check; return the frame and the checks that apply.

    The definitions are ACRO's (acro/sdcchecks.py, ACRO 1.x): threshold = n_records <
    safe_threshold; zeros = n_records == 0 when zeros are disclosive; dof = n_records − 1 <
    safe_dof_threshold; nk-rule = (n largest)/total ≥ k; p-ratio = ACRO's p < p (an all-zero cell
    fails it, as in ACRO); missing = any missing value, when check_missing_values is on.
    """
    applicable = list(checks_for(aggfunc))
    n = pl.col("n_records")
    flags: dict[str, pl.Expr] = {}
    if "threshold" in applicable:
        flags["threshold"] = n < rules.safe_threshold
    if "zeros" in applicable:
        flags["zeros"] = (n == 0) if rules.zeros_are_disclosive else pl.lit(False)
    if "dof" in applicable:
        flags["dof"] = (n - 1) < rules.safe_dof_threshold
    if has_value:
        if "nk-rule" in applicable:
            nk, p_ratio = _dominance("", rules, table_has_negative(cells))
            flags["nk-rule"], flags["p-ratio"] = nk, p_ratio
        if rules.check_missing_values:
            applicable.append("missing")
            # ACRO's missing-values mask is NaN for an empty cell, which counts as flagged
            flags["missing"] = (pl.col("n_missing") > 0) | (n == 0)
        if aggfunc != "count":
            applicable.append("negative")
            flags["negative"] = pl.col("n_negative") > 0
    else:
        applicable = [c for c in applicable if c not in ("nk-rule", "p-ratio")]
    if has_unit:
        applicable.append("threshold-persons")
        flags["threshold-persons"] = pl.col("n_persons") < rules.safe_threshold
        if has_value and "nk-rule" in applicable:
            applicable += ["nk-rule-persons", "p-ratio-persons"]
            nk, p_ratio = _dominance("person_", rules, table_has_negative(cells, "person_"))
            flags["nk-rule-persons"], flags["p-ratio-persons"] = nk, p_ratio
    ordered = tuple(c for c in ALL_CHECKS if c in applicable)
    columns = [
        flags[c].alias(flag_column(c))
        if c in flags
        else pl.lit(None, pl.Boolean).alias(flag_column(c))
        for c in ALL_CHECKS
    ]
    return cells.with_columns(columns), ordered


def block_status(
    cells: pl.DataFrame, applicable: Sequence[str], *, negative: bool
) -> tuple[str, dict[str, int]]:
    """ACRO's status for one statistic and the number of flagged cells per check.

    fail: a threshold, zeros, dof, nk-rule or p-ratio cell (dominance only without negatives);
    review: negatives (dominance undefined) or missing values; else pass. gamyeong's person
    checks and the negative flag are counted but do not change the ACRO status.
    """
    counts = {c: int(cells.get_column(flag_column(c)).fill_null(False).sum()) for c in applicable}
    status = "pass"
    for check, count in counts.items():
        if check not in ACRO_CHECK_NAMES:
            continue
        if (check in ("nk-rule", "p-ratio") and negative) or (check == "missing" and count):
            status = "fail" if status == "fail" else "review"
        elif count:
            status = "fail"
    return status, counts


def merge_status(statuses: Sequence[str]) -> str:
    if "fail" in statuses:
        return "fail"
    if "review" in statuses:
        return "review"
    return "pass"
