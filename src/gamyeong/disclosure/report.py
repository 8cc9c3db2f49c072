"""The result of checking one output: per-cell flags with reasons, and the output's status.

A :class:`CheckReport` holds one row per cell in ``cells`` (Polars):

=================  ===========================================================================
column             meaning
=================  ===========================================================================
``block``          the statistic (``count``, ``mean(income)``, ``bins``, ``model`` …)
``aggfunc``        its aggregation (``count``, ``sum``, ``mean`` …)
``row_pos``        the cell's row in the published table (ACRO's ``[row, column]``)
``col_pos``        its column, counted across all statistic blocks
``margin``         the cell is a total (a margin row or column)
``keys``           a struct: the cell's label per key column (``All`` for a total)
``records``        rows in the cell
``persons``        distinct persons (the ``unit`` column), when known
``count``          what the minimum-frequency rule counted (persons or rows, per profile)
``value``          the published number
``nk_share``       share of the largest n contributors; ``p_ratio``: ACRO's p-ratio
``structural``     the cell was declared a structural zero
``note``           what a total reveals, or what a differencing finding recovers
``fail_<check>``   the cell fails the check (one column per check in ``checks``)
=================  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from gamyeong.analysis.evidence import merge_status
from gamyeong.disclosure.checks import CHECKS, fail_column, ordered
from gamyeong.disclosure.profiles import Profile
from gamyeong.disclosure.reasons import cell_records, cells_json


@dataclass(frozen=True)
class Block:
    """One statistic of an output: ``aggfunc`` of ``value`` (``None``: counts)."""

    name: str
    aggfunc: str
    value: str | None = None


@dataclass(frozen=True)
class Layout:
    """How a table's cells sit: keys per axis, rows and columns per block, margins."""

    row_keys: tuple[str, ...]
    col_keys: tuple[str, ...]
    n_rows: int
    n_cols: int  # per block, margins included
    blocks: tuple[Block, ...]
    margins: bool = False
    margins_name: str = "All"
    unit: str | None = None
    categorical_cols: bool = False  # a column key was categorical (pandas/ACRO layout)

    @property
    def keys(self) -> tuple[str, ...]:
        return self.row_keys + self.col_keys


@dataclass
class CheckReport:
    """Per-cell results of the checks on one output, with its status (pass, review, fail)."""

    name: str
    kind: str  # table, histogram, regression, graph, other
    profile: Profile
    cells: pl.DataFrame
    checks: tuple[str, ...]
    layout: Layout | None = None
    review_checks: dict[str, frozenset[str]] = field(default_factory=dict)  # per block
    notes: list[str] = field(default_factory=list)
    needs_review: bool = False  # something no cell shows (e.g. persons not recorded)
    source: str | None = None
    findings: list[Any] = field(default_factory=list)  # differencing findings

    def summary(self) -> dict[str, int]:
        """Number of cells failing each check."""
        if not self.checks:
            return {}
        row = self.cells.select(
            pl.col(fail_column(c)).sum().cast(pl.Int64).alias(c) for c in self.checks
        ).row(0)
        return {c: int(n or 0) for c, n in zip(self.checks, row, strict=True)}

    @property
    def status(self) -> str:
        """``fail`` if a cell fails a fail check, ``review`` if only review checks (or notes)."""
        statuses = ["review" if self.needs_review else "pass"]
        if self.checks:
            counts = self.cells.group_by("block").agg(
                pl.col(fail_column(c)).sum().alias(c) for c in self.checks
            )
            for row in counts.iter_rows(named=True):
                downgraded = self.review_checks.get(str(row["block"]), frozenset())
                for check in self.checks:
                    if not row[check]:
                        continue
                    severity = CHECKS[check].severity
                    statuses.append("review" if check in downgraded else severity)
        return merge_status(statuses)

    def failed_cells(self) -> pl.DataFrame:
        """The cells that fail at least one check."""
        if not self.checks:
            return self.cells.clear()
        return self.cells.filter(pl.any_horizontal(fail_column(c) for c in self.checks))

    def cells_json(self, *, all_cells: bool = True) -> str:
        """The cells as :meth:`to_json` lists them, as a JSON array (text), made fast."""
        return cells_json(self, self.cells if all_cells else self.failed_cells())

    def with_checks(self, cells: pl.DataFrame, checks: set[str] | tuple[str, ...]) -> CheckReport:
        """A copy with new cells and the checks extended by ``checks``."""
        return replace(self, cells=cells, checks=ordered({*self.checks, *checks}))

    def to_json(self, *, all_cells: bool = True, cells: bool = True) -> dict[str, Any]:
        """``{"output", "kind", "status", "summary", "cells": [...], "notes", …}`` (without
        ``cells`` when ``cells`` is false: :meth:`cells_json` gives them as JSON text)."""
        out: dict[str, Any] = {
            "output": self.name,
            "kind": self.kind,
            "profile": self.profile.name,
            "status": self.status,
            "summary": self.summary(),
        }
        if cells:
            out["cells"] = cell_records(self, self.cells if all_cells else self.failed_cells())
        out["notes"] = list(self.notes)
        if self.layout is not None:
            out["table"] = {
                "rows": list(self.layout.row_keys),
                "columns": list(self.layout.col_keys),
                "statistics": [b.name for b in self.layout.blocks],
                "margins": self.layout.margins,
                "unit": self.layout.unit,
                "shape": [self.layout.n_rows, self.layout.n_cols * len(self.layout.blocks)],
            }
        if self.source:
            out["source"] = self.source
        if self.findings:
            out["differencing"] = [f.to_json() for f in self.findings]
        return out
