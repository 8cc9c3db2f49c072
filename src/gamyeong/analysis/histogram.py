"""Histograms: the bin counts are the output (a graph is only released with its counts).

Bins follow ``numpy.histogram`` (equal-width bins over the data's range unless edges are given;
the last bin includes its right edge). The counts table is always written; a PNG picture beside
it only when matplotlib is installed (it is drawn from the counts, never from the records).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from gamyeong.analysis.frames import numeric_values, require_columns, to_polars
from gamyeong.analysis.results import AnalysisResult, csv_bytes, min_of
from gamyeong.analysis.rules import ALL_CHECKS, Rules, flag_column
from gamyeong.analysis.session import Caller, Session, resolve


def _matplotlib_figure() -> Any | None:
    try:
        return importlib.import_module("matplotlib.figure")
    except ImportError:
        return None


class HistogramResult(AnalysisResult):
    """Bin counts (``counts``: bin, left, right, count) and per-bin evidence (``cells``)."""

    output_type = "histogram"

    def __init__(
        self,
        *,
        rules: Rules,
        properties: dict[str, Any],
        counts: pl.DataFrame,
        cells: pl.DataFrame,
        status: str,
        check_counts: dict[str, int],
        extra: dict[str, Any],
        plot: bool,
        title: str | None,
    ) -> None:
        super().__init__(method="histogram", rules=rules, properties=properties, status=status)
        self.counts = counts
        self.cells = cells
        self.check_counts = check_counts
        self._extra = extra
        self._plot = plot
        self._title = title

    @property
    def summary(self) -> str:
        note = "please also check that the extreme bin edges and empty bins are not disclosive"
        return f"{super().summary}; {note}"

    @property
    def edges(self) -> list[float]:
        right = self.counts.get_column("right").to_list()
        return [*self.counts.get_column("left").to_list()[:1], *right]

    def sdc(self) -> dict[str, Any]:
        checks = [c for c in ALL_CHECKS if c in self.check_counts]
        flagged = {
            c: [
                [int(i), 0]
                for i in self.cells.filter(pl.col(flag_column(c))).get_column("bin").to_list()
            ]
            for c in checks
        }
        summary: dict[str, Any] = {"suppressed": False}
        summary.update({c: self.check_counts[c] for c in checks})
        return {"summary": summary, "cells": flagged}

    def outcome(self) -> dict[str, dict[str, str]]:
        checks = [c for c in ALL_CHECKS if c in self.check_counts]
        labels = self.cells.select(
            pl.col("label"),
            pl.concat_str(
                [
                    pl.when(pl.col(flag_column(c))).then(pl.lit(f"{c}; ")).otherwise(pl.lit(""))
                    for c in checks
                ]
            )
            .replace("", "ok")
            .alias("outcome"),
        )
        return {"count": dict(labels.iter_rows())}

    def evidence_summary(self) -> dict[str, Any]:
        summary = dict(self._extra)
        summary["min_count"] = min_of(self.cells, "n_records")
        if "n_persons" in self.cells.columns:
            summary["min_persons"] = min_of(self.cells, "n_persons")
        summary["image"] = self._plot and _matplotlib_figure() is not None
        return summary

    def png(self) -> bytes | None:
        """The histogram drawn from its counts, as PNG (``None`` without matplotlib)."""
        module = _matplotlib_figure()
        if module is None:
            return None
        figure = module.Figure(figsize=(6, 4))
        axes = figure.subplots()
        counts = self.counts.get_column("count").to_numpy()
        axes.stairs(counts, np.asarray(self.edges), fill=True)
        axes.set_xlabel(str(self.properties["column"]))
        axes.set_ylabel("count")
        if self._title:
            axes.set_title(self._title)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def release_files(self, name: str) -> list[tuple[str, bytes]]:
        files = [(f"{name}.csv", csv_bytes(self.counts))]
        image = self.png() if self._plot else None
        if image is not None:
            files.append((f"{name}.png", image))
        return files

    def evidence_files(self, name: str) -> list[tuple[str, bytes]]:
        return [(f"{name}.evidence.csv", csv_bytes(self.cells))]


def histogram(
    data: Any,
    column: str,
    bins: int | Sequence[float] = 10,
    *,
    range: tuple[float, float] | None = None,
    unit: str | None = None,
    plot: bool = True,
    title: str | None = None,
    session: Session | None = None,
    rules: Rules | None = None,
) -> HistogramResult:
    """Bin counts of ``column`` (and distinct persons per bin when ``unit`` is given)."""
    chosen, rules = resolve(session, rules)
    caller = Caller.find()
    frame = to_polars(data)
    require_columns(frame, [column, *([unit] if unit else [])])
    selected = frame.select(
        numeric_values(frame, column), *([pl.col(unit)] if unit is not None else [])
    )
    values = selected.get_column(column).to_numpy().astype(float)
    present = ~np.isnan(values)
    if not present.any() and isinstance(bins, int) and range is None:
        raise ValueError(f"column {column!r} has no values to bin")
    edges = np.histogram_bin_edges(values[present], bins=bins, range=range)
    n_bins = len(edges) - 1
    position = np.searchsorted(edges, values, side="right") - 1
    position = np.where(values == edges[-1], n_bins - 1, position)
    inside = present & (position >= 0) & (position < n_bins)

    aggs: list[pl.Expr] = [
        pl.len().cast(pl.Int64).alias("n_records"),
        pl.col(column).min().alias("bin_min"),
        pl.col(column).max().alias("bin_max"),
    ]
    if unit is not None:
        aggs.append(pl.col(unit).drop_nulls().n_unique().cast(pl.Int64).alias("n_persons"))
    per_bin = (
        selected.with_columns(pl.Series("_bin", position, dtype=pl.Int64))
        .filter(pl.Series(inside))
        .group_by("_bin")
        .agg(aggs)
    )
    last = n_bins - 1
    grid = pl.DataFrame(
        {"bin": np.arange(n_bins, dtype=np.int64), "left": edges[:-1], "right": edges[1:]}
    ).with_columns(pl.format("[{}, {})", pl.col("left"), pl.col("right")).alias("label"))
    grid = grid.with_columns(
        pl.when(pl.col("bin") == last)
        .then(pl.format("[{}, {}]", pl.col("left"), pl.col("right")))
        .otherwise(pl.col("label"))
        .alias("label")
    )
    cells = grid.join(per_bin, left_on="bin", right_on="_bin", how="left").with_columns(
        pl.col("n_records").fill_null(0),
        *([pl.col("n_persons").fill_null(0)] if unit is not None else []),
    )
    checks = ["threshold", "zeros"] + (["threshold-persons"] if unit is not None else [])
    n = pl.col("n_records")
    flags = {
        "threshold": n < rules.safe_threshold,
        "zeros": (n == 0) if rules.zeros_are_disclosive else pl.lit(False),
        "threshold-persons": pl.col("n_persons") < rules.safe_threshold,
    }
    cells = cells.with_columns(flags[c].alias(flag_column(c)) for c in checks).sort("bin")
    check_counts = {c: int(cells.get_column(flag_column(c)).sum()) for c in checks}
    # ACRO 1.x: a histogram with a bin under the threshold fails (an empty bin is one)
    status = "fail" if check_counts["threshold"] else "pass"
    counts = cells.select(
        pl.col("label").alias("bin"), "left", "right", pl.col("n_records").alias("count")
    )
    properties: dict[str, Any] = {
        "method": "histogram",
        "column": column,
        "bins": n_bins,
        "unit": unit,
    }
    extra: dict[str, Any] = {
        "n_bins": n_bins,
        "n_values": int(present.sum()),
        "n_missing": int((~present).sum()),
        "n_outside_range": int((present & ~inside).sum()),
        "edges_from_data": isinstance(bins, int) and range is None,
        "unit": unit,
    }
    result = HistogramResult(
        rules=rules,
        properties=properties,
        counts=counts,
        cells=cells,
        status=status,
        check_counts=check_counts,
        extra=extra,
        plot=plot,
        title=title,
    )
    chosen.add(result, caller)
    return result
