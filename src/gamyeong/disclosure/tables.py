"""``check_table``: the disclosure checks of one table, from microdata or an analysis result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import polars as pl

from gamyeong.analysis.frames import is_pandas, to_polars
from gamyeong.analysis.rules import AGGFUNCS, Rules
from gamyeong.analysis.tables import TableResult, build_table
from gamyeong.disclosure.cells import (
    all_checks,
    apply_structural_zeros,
    blank_empty_totals,
    block_cells,
)
from gamyeong.disclosure.checks import PRIMARY_CHECKS, fail_column, ordered
from gamyeong.disclosure.errors import DisclosureError
from gamyeong.disclosure.margins import flag_margin_leaks
from gamyeong.disclosure.profiles import Profile, get_profile
from gamyeong.disclosure.report import Block, CheckReport, Layout

PERCENT_BASES = ("row", "column", "all")


def check_table(
    data: Any,
    profile: str | Profile | None = None,
    *,
    rows: str | Sequence[str] | None = None,
    cols: str | Sequence[str] | None = None,
    values: str | None = None,
    agg: str | None = None,
    unit: str | None = None,
    margins: bool = False,
    margins_name: str = "All",
    structural_zeros: Sequence[Mapping[str, Any]] = (),
    percent: str | None = None,
    name: str = "table",
) -> CheckReport:
    """Check a table: ``data`` is microdata (Polars/pandas frame, Polars LazyFrame) tabulated
    by ``rows`` × ``cols`` (counts, or ``agg`` of ``values``), or a ready
    :class:`gamyeong.analysis.TableResult` (then give no table arguments).

    ``unit`` names the person-id column (distinct persons are counted under the ``gamyeong`` and
    ``korean`` profiles). ``structural_zeros``: cells known to be empty by definition, as
    ``{column: level}`` patterns (omitted columns match any level). ``percent`` (``row``,
    ``column``, ``all``) publishes the counts as percentages; they are checked as their counts.
    """
    chosen = get_profile(profile)
    if agg == "mode":
        if values is None:
            raise DisclosureError("최빈값에는 값 열이 필요합니다", "a mode needs a values column")
        counts = check_table(
            data, chosen, rows=rows, cols=cols, unit=unit, margins=margins, name=name
        )
        return mode_report(counts, str(values))
    if isinstance(data, TableResult):
        if any(x is not None for x in (rows, cols, values, agg, unit)):
            raise DisclosureError(
                "계산된 표에는 행·열·값 인자를 줄 수 없습니다",
                "a computed TableResult takes no rows/cols/values/agg/unit arguments",
            )
        result, used, categorical = data, data.rules, False
    else:
        result, categorical = tabulate(
            data, chosen, rows, cols, values, agg, unit, margins, margins_name
        )
        used = chosen.rules
    return evaluate(
        result.cells,
        replace(layout_of(result), categorical_cols=categorical),
        chosen,
        used,
        name=name,
        structural_zeros=structural_zeros,
        percent=percent,
    )


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def tabulate(
    data: Any,
    profile: Profile,
    rows: str | Sequence[str] | None,
    cols: str | Sequence[str] | None,
    values: str | None,
    agg: str | None,
    unit: str | None,
    margins: bool,
    margins_name: str,
) -> tuple[TableResult, bool]:
    """The table and its per-cell evidence (``gamyeong.analysis``), with the profile's rules,
    and whether a column key is categorical (pandas lays out such totals differently)."""
    index, columns = _names(rows), _names(cols)
    if (values is None) != (agg is None):
        raise DisclosureError(
            "값 열과 집계 함수는 함께 지정해야 합니다 (--values, --agg)",
            "values and agg go together: give both or neither (--values, --agg)",
        )
    needed = [*index, *columns, *([values] if values else []), *([unit] if unit else [])]
    _check_request(needed, agg)
    frame = _collect(data, needed)
    if frame.height == 0:
        raise DisclosureError("데이터에 행이 없습니다", "the data has no rows")
    if values is not None and not (
        frame.schema[values].is_numeric() or frame.schema[values] == pl.Boolean
    ):
        raise DisclosureError(
            f"값 열이 숫자가 아닙니다: {values} ({frame.schema[values]})",
            f"the values column is not numeric: {values} ({frame.schema[values]})",
        )
    categorical = any(isinstance(frame.schema[c], pl.Enum | pl.Categorical) for c in columns)
    try:
        table = build_table(
            frame,
            method="crosstab",
            index=index,
            columns=columns,
            values=[values] if values else [],
            aggfuncs=[agg or "count"],
            values_level=False,
            aggfunc_level=False,
            margins=margins,
            margins_name=margins_name,
            unit=unit,
            rules=profile.rules,
        )
    except (KeyError, ValueError, TypeError) as exc:
        text = str(exc.args[0]) if exc.args else str(exc)
        raise DisclosureError(
            f"표를 만들 수 없습니다: {text}", f"cannot make the table: {text}"
        ) from None
    return table, categorical


def _check_request(needed: list[str], agg: str | None) -> None:
    if agg is not None and agg not in AGGFUNCS:
        listed = ", ".join([*AGGFUNCS, "mode"])
        raise DisclosureError(
            f"알 수 없는 집계 함수입니다: {agg} (가능한 값: {listed})",
            f"unknown aggregation: {agg} (choose one of: {listed})",
        )
    twice = sorted({c for c in needed if needed.count(c) > 1})
    if twice:
        raise DisclosureError(
            f"한 열을 두 번 썼습니다: {', '.join(twice)} (행·열·값·사람 열은 서로 달라야 합니다)",
            f"a column is used twice: {', '.join(twice)} (rows, columns, values and unit must differ)",
        )


def _collect(data: Any, needed: list[str]) -> pl.DataFrame:
    """Only the columns the table needs, collected (a LazyFrame reads no other column)."""
    wanted = list(dict.fromkeys(needed))
    if isinstance(data, pl.LazyFrame):
        available = data.collect_schema().names()
    elif is_pandas(data) and hasattr(data, "columns"):
        available = [str(c) for c in data.columns]
    else:
        data = to_polars(data)
        available = data.columns
    missing = [c for c in wanted if c not in available]
    if missing:
        raise DisclosureError(
            f"데이터에 없는 열입니다: {', '.join(missing)} (있는 열: {', '.join(available)})",
            f"column(s) not in the data: {', '.join(missing)} (available: {', '.join(available)})",
        )
    if isinstance(data, pl.LazyFrame):
        return data.select(wanted).collect()
    if is_pandas(data):
        return to_polars(data[wanted])
    selected: pl.DataFrame = data.select(wanted)
    return selected


def layout_of(result: TableResult) -> Layout:
    """The layout of an analysis table (keys, rows and columns per block, margins)."""
    properties = result.properties
    blocks = tuple(
        Block(f"{b.aggfunc}({b.value})" if b.value else b.aggfunc, b.aggfunc, b.value)
        for b in result.blocks
    )
    return Layout(
        row_keys=tuple(properties["index"]),
        col_keys=tuple(properties["columns"]),
        n_rows=result.rows.size,
        n_cols=len(result.column_labels) // len(blocks),
        blocks=blocks,
        margins=bool(properties["margins"]),
        margins_name=str(result.rows.labels[-1][0]) if properties["margins"] else "All",
        unit=properties.get("unit"),
    )


def evaluate(
    evidence: pl.DataFrame,
    layout: Layout,
    profile: Profile,
    used: Rules | None,
    *,
    name: str,
    structural_zeros: Sequence[Mapping[str, Any]] = (),
    percent: str | None = None,
    source: str | None = None,
) -> CheckReport:
    """A report from ``gamyeong.analysis`` per-cell evidence (a TableResult's or a file's)."""
    checks = all_checks(profile)
    parts, applicable, review = [], set(), {}
    for block in layout.blocks:
        part = evidence.filter(pl.col("block") == block.name)
        cells, block_checks, negative = block_cells(part, block, layout, profile, used, checks)
        parts.append(cells)
        applicable.update(block_checks)
        if negative:
            review[block.name] = frozenset({"nk", "p_percent"})
    cells = pl.concat(parts).sort("col_pos", "row_pos")
    if not profile.flag_empty_totals:
        cells = blank_empty_totals(cells, layout)
    cells, notes = apply_structural_zeros(cells, structural_zeros, layout)
    if percent is not None:
        cells = as_percent(cells, layout, percent)
    if profile.margin_leaks and layout.margins:
        primary = [c for c in PRIMARY_CHECKS if c in applicable]
        cells = flag_margin_leaks(cells, layout, primary)
        applicable.add("margins")
    used_checks = ordered(applicable)
    keep = [c for c in cells.columns if not c.startswith("fail_") or c[5:] in used_checks]
    unknown_persons = profile.count_persons and layout.unit is None
    if unknown_persons:
        notes.append(
            "사람 단위 열(unit)이 없어 행을 셌습니다: 사람 수를 확인하십시오 / no person-id "
            "column (unit): rows were counted, check the number of persons"
        )
    return CheckReport(
        name=name,
        kind="table",
        profile=profile,
        cells=cells.select(keep),
        checks=used_checks,
        layout=layout,
        review_checks=review,
        notes=notes,
        needs_review=unknown_persons,
        source=source,
    )


def mode_report(counts: CheckReport, values: str) -> CheckReport:
    """A table of modes: each cell shows single records' value, so every cell goes to review."""
    note = (
        "최빈값은 개별 레코드의 값입니다: 수동 검토 / a mode is the value of single records: "
        "manual review"
    )
    cells = counts.cells.select(
        pl.exclude("^fail_.*$"),
        pl.lit(True).alias(fail_column("manual")),
    ).with_columns(
        pl.lit(f"mode({values})").alias("block"),
        pl.lit("mode").alias("aggfunc"),
        pl.lit(None, pl.Float64).alias("value"),
        pl.lit(note).alias("note"),
    )
    return replace(
        counts, cells=cells, checks=("manual",), review_checks={}, notes=[note, *counts.notes]
    )


def as_percent(cells: pl.DataFrame, layout: Layout, base: str) -> pl.DataFrame:
    """Counts published as percentages of their row, column or table (checked as counts)."""
    if base not in PERCENT_BASES:
        raise DisclosureError(
            f"백분율 기준은 {', '.join(PERCENT_BASES)} 중 하나입니다: {base}",
            f"percent must be one of {', '.join(PERCENT_BASES)}: {base}",
        )
    if set(cells.get_column("aggfunc").unique()) != {"count"}:
        raise DisclosureError(
            "백분율은 빈도표에만 쓸 수 있습니다", "percentages apply to frequency tables only"
        )
    n_cols = layout.n_cols
    row_total = layout.margins and bool(layout.col_keys)
    in_row = ~(pl.col("col_pos") % n_cols == n_cols - 1) if row_total else pl.lit(True)
    in_col = ~(pl.col("row_pos") == layout.n_rows - 1) if layout.margins else pl.lit(True)
    value = pl.col("value")
    over = {"row": ["block", "row_pos"], "column": ["block", "col_pos"], "all": ["block"]}[base]
    inside = {"row": in_row, "column": in_col, "all": in_row & in_col}[base]
    total = value.filter(inside).sum().over(over)
    return cells.with_columns(
        pl.when(total > 0).then(100.0 * value / total).alias("value"),
        pl.lit(f"percent({base})").alias("block"),
        pl.lit("percent").alias("aggfunc"),
    )
