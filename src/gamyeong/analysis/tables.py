"""Frequency and magnitude tables (``crosstab``, ``pivot_table``) with per-cell evidence.

The table is laid out as pandas lays it out (levels sorted, a pandas category's order kept, the
full grid of level combinations including empty cells, margins last), so that cell positions
``[row, column]`` in the evidence are the positions ACRO reports for the same table.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from gamyeong.analysis.evidence import (
    BLANK_TOTAL_CHECKS,
    Axis,
    add_flags,
    aggregate,
    blank_totals,
    block_status,
    build_axis,
    cell_evidence,
    grouping_sets,
    merge_status,
    table_has_negative,
)
from gamyeong.analysis.frames import (
    as_names,
    numeric_values,
    prepare_keys,
    require_columns,
    to_polars,
)
from gamyeong.analysis.results import AnalysisResult, csv_bytes, min_of
from gamyeong.analysis.rules import ALL_CHECKS, Rules, checks_for, flag_column
from gamyeong.analysis.session import Caller, Session, resolve

_LABEL_SEP = " / "


@dataclass(frozen=True)
class Block:
    """One statistic of a table: ``aggfunc`` of ``value`` (``None``: a frequency count)."""

    aggfunc: str
    value: str | None
    label: tuple[str, ...]  # the column-header levels it adds (pandas' aggfunc / values levels)


class TableResult(AnalysisResult):
    """A table (``table``: Polars, wide) and its per-cell evidence (``cells``: Polars, long)."""

    output_type = "table"

    def __init__(
        self,
        *,
        method: str,
        rules: Rules,
        properties: dict[str, Any],
        table: pl.DataFrame,
        cells: pl.DataFrame,
        rows: Axis,
        column_labels: list[tuple[Any, ...]],
        column_levels: list[str | None],
        blocks: list[Block],
        applicable: dict[str, tuple[str, ...]],
        status: str,
        check_counts: dict[str, int],
        extra: dict[str, Any],
    ) -> None:
        super().__init__(method=method, rules=rules, properties=properties, status=status)
        self.table = table
        self.cells = cells
        self.rows = rows
        self.column_labels = column_labels
        self.column_levels = column_levels
        self.blocks = blocks
        self.applicable = applicable
        self.check_counts = check_counts
        self._extra = extra

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.size, len(self.column_labels)

    @property
    def data_columns(self) -> list[str]:
        return self.table.columns[len(self.rows.keys) :]

    def mask(self, check: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """A rows × columns boolean array: the cells ``check`` flags (ACRO's mask)."""
        if check not in ALL_CHECKS:
            raise ValueError(f"unknown check {check!r}")
        out = np.zeros(self.shape, dtype=bool)
        flagged = self.cells.filter(pl.col(flag_column(check)).fill_null(False))
        out[flagged.get_column("row_pos").to_numpy(), flagged.get_column("col_pos").to_numpy()] = (
            True
        )
        return out

    def flagged_cells(self, check: str) -> list[list[int]]:
        """ACRO's ``sdc.cells`` list for ``check``: ``[row, column]`` positions, row-major."""
        flagged = (
            self.cells.filter(pl.col(flag_column(check)).fill_null(False))
            .select("row_pos", "col_pos")
            .sort("row_pos", "col_pos")
        )
        return [[int(r), int(c)] for r, c in flagged.iter_rows()]

    def sdc(self) -> dict[str, Any]:
        checks = [c for c in ALL_CHECKS if c in self.check_counts]
        summary: dict[str, Any] = {"suppressed": False}
        summary.update({c: self.check_counts[c] for c in checks})
        return {"summary": summary, "cells": {c: self.flagged_cells(c) for c in checks}}

    def outcome(self) -> dict[str, dict[str, str]]:
        checks = [c for c in ALL_CHECKS if c in self.check_counts]
        text = pl.concat_str(
            [
                pl.when(pl.col(flag_column(c)).fill_null(False))
                .then(pl.lit(f"{c}; "))
                .otherwise(pl.lit(""))
                for c in checks
            ]
            or [pl.lit("")]
        )
        labels = (
            self.cells.select("row_pos", "col_pos", text.alias("outcome"))
            .with_columns(pl.col("outcome").replace("", "ok"))
            .sort("col_pos", "row_pos")
            .get_column("outcome")
            .to_list()
        )
        n_rows = self.rows.size
        row_keys = [_label_key(label) for label in self.rows.labels]
        names = self.data_columns
        return {
            (_label_key(column) if column else names[j]): dict(
                zip(row_keys, labels[j * n_rows : (j + 1) * n_rows], strict=True)
            )
            for j, column in enumerate(self.column_labels)
        }

    def evidence_summary(self) -> dict[str, Any]:
        interior = self.cells
        summary: dict[str, Any] = {
            "n_cells": int(self.shape[0] * self.shape[1]),
            "shape": list(self.shape),
            **self._extra,
        }
        summary["min_records"] = min_of(interior, "n_records")
        if "n_persons" in interior.columns:
            summary["min_persons"] = min_of(interior, "n_persons")
        summary["blocks"] = [
            {
                "aggfunc": b.aggfunc,
                "value": b.value,
                "checks": list(self.applicable[_block_name(b)]),
                "negative_values": table_has_negative(
                    interior.filter(pl.col("block") == _block_name(b))
                ),
            }
            for b in self.blocks
        ]
        return summary

    def to_csv(self) -> bytes:
        """The table as CSV (UTF-8 with BOM); multi-level column headers get one line a level."""
        if len(self.column_levels) <= 1:
            return csv_bytes(self.table)
        buffer = io.BytesIO()
        self.table.write_csv(buffer, include_header=False)
        n_keys = len(self.rows.keys)
        lines: list[list[str]] = []
        for level, level_name in enumerate(self.column_levels):
            head = [level_name or ""] + [""] * (n_keys - 1)
            lines.append(head + [str(label[level]) for label in self.column_labels])
        lines.append([*self.rows.keys] + [""] * len(self.column_labels))
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerows(lines)
        return b"\xef\xbb\xbf" + header.getvalue().encode("utf-8") + buffer.getvalue()

    def release_files(self, name: str) -> list[tuple[str, bytes]]:
        return [(f"{name}.csv", self.to_csv())]

    def evidence_files(self, name: str) -> list[tuple[str, bytes]]:
        return [(f"{name}.evidence.csv", csv_bytes(self.cells))]

    def to_pandas(self) -> Any:
        """The table as pandas lays out a crosstab / pivot table (needs pandas)."""
        pd = importlib.import_module("pandas")
        keys = list(self.rows.keys)
        if len(keys) == 1:
            index = pd.Index([label[0] for label in self.rows.labels], name=keys[0])
        else:
            index = pd.MultiIndex.from_tuples(list(self.rows.labels), names=keys)
        if len(self.column_levels) == 1:
            columns = pd.Index(
                [label[0] for label in self.column_labels], name=self.column_levels[0]
            )
        elif not self.column_levels:
            columns = pd.Index(self.data_columns)
        else:
            columns = pd.MultiIndex.from_tuples(self.column_labels, names=self.column_levels)
        values = self.table.select(self.data_columns).to_numpy()
        return pd.DataFrame(values, index=index, columns=columns)


def _label_key(label: tuple[Any, ...]) -> str:
    """A row or column label as pandas' ``to_json`` writes it (a tuple's repr when multi-level)."""
    if len(label) == 1:
        return str(label[0])
    return repr(tuple(label))


def _block_name(block: Block) -> str:
    return f"{block.aggfunc}({block.value})" if block.value else block.aggfunc


def _column_name(label: tuple[Any, ...], fallback: str) -> str:
    return _LABEL_SEP.join(str(x) for x in label) if label else fallback


def _blank_totals(cells: pl.DataFrame, rows: Axis, cols: Axis, categorical: bool) -> pl.DataFrame:
    """The totals pandas leaves blank show no value and fail nothing, as in ACRO (only
    ``missing`` flags them)."""
    blank = blank_totals(
        n_rows=rows.size,
        n_cols=cols.size,
        row_keys=len(rows.keys),
        col_keys=len(cols.keys),
        categorical_cols=categorical,
    )
    return cells.with_columns(
        pl.when(blank).then(None).otherwise(pl.col("stat")).alias("stat"),
        *(
            (pl.col(flag_column(c)) & ~blank).alias(flag_column(c))
            for c in BLANK_TOTAL_CHECKS
            if flag_column(c) in cells.columns
        ),
    )


def build_table(
    data: Any,
    *,
    method: str,
    index: Sequence[str],
    columns: Sequence[str],
    values: Sequence[str],
    aggfuncs: Sequence[str],
    values_level: bool,
    aggfunc_level: bool,
    margins: bool,
    margins_name: str,
    unit: str | None,
    rules: Rules,
) -> TableResult:
    """Compute the table and its evidence (shared by :func:`crosstab` and :func:`pivot_table`)."""
    if not index:
        raise ValueError("a table needs at least one index (row) column")
    for aggfunc in aggfuncs:
        if aggfunc == "mode":
            raise ValueError(
                "aggfunc 'mode' is not offered: a mode is the value of single records, which "
                "ACRO sends to manual review only"
            )
        checks_for(aggfunc)
    frame = to_polars(data)
    keys = [*index, *columns]
    require_columns(frame, [*keys, *values, *([unit] if unit else [])])
    if unit is not None and unit in [*keys, *values]:
        raise ValueError("the unit column cannot also be a table key or value")
    frame = prepare_keys(frame, keys)
    selected = [pl.col(k) for k in keys] + [numeric_values(frame, v) for v in values]
    if unit is not None:
        selected.append(pl.col(unit))
    frame = frame.select(selected)
    n_input = frame.height
    if any(frame.get_column(k).null_count() for k in keys):
        frame = frame.drop_nulls(subset=keys)

    value_list: list[str | None] = list(values) or [None]
    blocks: list[Block] = []
    for aggfunc in aggfuncs:
        for value in value_list:
            label = ((aggfunc,) if aggfunc_level else ()) + ((value,) if values_level else ())
            blocks.append(Block(aggfunc, value, tuple(str(x) for x in label)))
    plans = [(v, sorted({b.aggfunc for b in blocks if b.value == v})) for v in value_list]
    categorical = any(isinstance(frame.schema[c], pl.Enum) for c in columns)
    sets = grouping_sets(index, columns, margins)
    aggregates = aggregate(frame, sets, plans, unit=unit, rules=rules)
    # the levels of each key are those of the observed cells (or an Enum's categories)
    observed = aggregates[0][0]
    rows = build_axis(observed, index, margins=margins, name=margins_name)
    cols = build_axis(observed, columns, margins=margins, name=margins_name)
    evidence: dict[str | None, pl.DataFrame] = {
        value: cell_evidence(
            parts,
            sets,
            rows,
            cols,
            value=value,
            unit=unit,
            stats=stats,
            margins=margins,
            margins_name=margins_name,
        )
        for (value, stats), parts in zip(plans, aggregates, strict=True)
    }

    parts: list[pl.DataFrame] = []
    applicable: dict[str, tuple[str, ...]] = {}
    statuses: list[str] = []
    counts: dict[str, int] = {}
    for b, block in enumerate(blocks):
        cells = evidence[block.value]
        cells, checks = add_flags(
            cells,
            block.aggfunc,
            rules,
            has_value=block.value is not None,
            has_unit=unit is not None,
        )
        cells = cells.select(
            pl.lit(_block_name(block)).alias("block"),
            pl.lit(block.aggfunc).alias("aggfunc"),
            pl.lit(block.value, pl.String).alias("value"),
            pl.col("row_pos"),
            (pl.col("col_pos") + b * cols.size).alias("col_pos"),
            *[pl.col(k).cast(pl.String) for k in keys],
            pl.col(f"_stat_{block.aggfunc}").cast(pl.Float64).alias("stat"),
            pl.exclude("row_pos", "col_pos", *keys, "^_stat_.*$"),
        )
        if margins:
            cells = _blank_totals(cells, rows, cols, categorical)
        negative = block.value is not None and table_has_negative(cells)
        status, block_counts = block_status(cells, checks, negative=negative)
        statuses.append(status)
        for check, n in block_counts.items():
            counts[check] = counts.get(check, 0) + n
        applicable[_block_name(block)] = checks
        parts.append(cells)
    # column-major: each block's cells are, and the blocks follow each other
    cells = pl.concat(parts, how="vertical_relaxed")

    column_labels: list[tuple[Any, ...]] = [
        (*block.label, *label) for block in blocks for label in cols.labels
    ]
    column_levels: list[str | None] = [None] * (int(aggfunc_level) + int(values_level))
    column_levels += list(columns)
    fallback = values[0] if values else "count"
    names = [_column_name(label, fallback) for label in column_labels]
    if len(set(names)) != len(names) or set(names) & set(index):
        raise ValueError("table column labels clash with each other or with an index column")
    n_rows = rows.size
    stat_columns = []
    for j, (block, column_name) in enumerate(
        zip([b for b in blocks for _ in cols.labels], names, strict=True)
    ):
        series = cells.get_column("stat").slice(j * n_rows, n_rows)
        if block.aggfunc == "count":
            series = series.cast(pl.Int64)
        stat_columns.append(series.alias(column_name))
    table = rows.frame.drop("_pos").with_columns(stat_columns)

    properties: dict[str, Any] = {
        "method": method,
        "index": list(index),
        "columns": list(columns),
        "values": list(values),
        "aggfunc": [b.aggfunc for b in blocks] if len(blocks) > 1 else blocks[0].aggfunc,
        "margins": margins,
        "unit": unit,
    }
    extra = {"rows_in": n_input, "rows_missing_key": n_input - frame.height, "unit": unit}
    return TableResult(
        method=method,
        rules=rules,
        properties=properties,
        table=table,
        cells=cells,
        rows=rows,
        column_labels=column_labels,
        column_levels=column_levels,
        blocks=blocks,
        applicable=applicable,
        status=merge_status(statuses),
        check_counts=counts,
        extra=extra,
    )


def crosstab(
    data: Any,
    index: str | Sequence[str],
    columns: str | Sequence[str] | None = None,
    values: str | None = None,
    aggfunc: str | Sequence[str] | None = None,
    margins: bool = False,
    unit: str | None = None,
    *,
    margins_name: str = "All",
    session: Session | None = None,
    rules: Rules | None = None,
) -> TableResult:
    """A frequency table (``aggfunc=None``) or a magnitude table of ``values`` by ``aggfunc``.

    ``aggfunc`` is one of count, sum, mean, median, min, max, std, var, or a list of them (a
    column-header level per statistic, as in pandas).

    ``index``/``columns`` are column names of ``data`` (a Polars or pandas DataFrame); ``unit``
    names the person-id column, so each cell also counts distinct persons. Rows with a missing
    key are left out (and counted in the evidence). The call is recorded in ``session``.
    """
    if (values is None) != (aggfunc is None):
        raise ValueError("values and aggfunc go together: give both or neither")
    if values is not None and not isinstance(values, str):
        raise ValueError("crosstab aggregates a single values column")
    aggfuncs = ["count"] if aggfunc is None else as_names(aggfunc, "aggfunc")
    chosen, rules = resolve(session, rules)
    caller = Caller.find()
    result = build_table(
        data,
        method="crosstab",
        index=as_names(index, "index"),
        columns=as_names(columns, "columns"),
        values=[values] if values is not None else [],
        aggfuncs=aggfuncs,
        values_level=False,
        aggfunc_level=aggfunc is not None and not isinstance(aggfunc, str),
        margins=margins,
        margins_name=margins_name,
        unit=unit,
        rules=rules,
    )
    chosen.add(result, caller)
    return result


def pivot_table(
    data: Any,
    values: str | Sequence[str],
    index: str | Sequence[str],
    columns: str | Sequence[str] | None = None,
    aggfunc: str | Sequence[str] = "mean",
    margins: bool = False,
    unit: str | None = None,
    *,
    margins_name: str = "All",
    session: Session | None = None,
    rules: Rules | None = None,
) -> TableResult:
    """Like ``pandas.pivot_table``: one or more statistics of one or more ``values`` columns.

    A list of ``aggfunc`` (or of ``values``) adds a column-header level, as in pandas.
    """
    chosen, rules = resolve(session, rules)
    caller = Caller.find()
    value_names = as_names(values, "values")
    if not value_names:
        raise ValueError("pivot_table needs a values column")
    aggfuncs = [aggfunc] if isinstance(aggfunc, str) else list(aggfunc)
    if not aggfuncs:
        raise ValueError("pivot_table needs an aggfunc")
    result = build_table(
        data,
        method="pivot_table",
        index=as_names(index, "index"),
        columns=as_names(columns, "columns"),
        values=value_names,
        aggfuncs=aggfuncs,
        values_level=not isinstance(values, str),
        aggfunc_level=not isinstance(aggfunc, str),
        margins=margins,
        margins_name=margins_name,
        unit=unit,
        rules=rules,
    )
    chosen.add(result, caller)
    return result
