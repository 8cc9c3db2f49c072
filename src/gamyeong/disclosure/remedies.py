"""Suggested remedies (조치 제안): suppression with secondary suppression, rounding, recoding.

**Suppression.** The primary cells are those failing threshold, zeros, (n,k), p% or dof. In an
additive block (counts, sums, percentages) that has totals — in the table, or assumed published
elsewhere (the profile's ``assume_totals``) — a primary cell must not be recoverable from the
totals and the other published cells (see :mod:`gamyeong.disclosure.margins`: it must lie on a
cycle of suppressed cells). The heuristic, for each primary cell in turn: if it is not yet the
corner of a rectangle of suppressed cells, suppress the three other corners of the cheapest
rectangle through it (cost: the cells' counts, +1 per cell, totals far dearer than inner
cells, the grand total and declared structural zeros never). A rectangle is a cycle, so every
primary cell ends on one; the result is audited with the bridge test before it is returned.
It is not optimal (τ-Argus' modular or optimal methods suppress less) and protects against
exact recovery, not against narrow intervals.

**Rounding.** Counts (and percentages' counts) rounded to the nearest multiple of the
profile's base (5), halves up; totals are rounded on their own, so rounded rows need not add up.

**Recoding.** Per key column, levels with half or more of their cells primary-suppressed are
"small": merge each with a neighbour (ordered levels: the smaller adjacent one) or, for nominal
levels, with the smallest other level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from gamyeong.disclosure.checks import PRIMARY_CHECKS, fail_column
from gamyeong.disclosure.margins import grid, recoverable
from gamyeong.disclosure.report import CheckReport, Layout

ADDITIVE = frozenset({"count", "sum", "percent"})


@dataclass(frozen=True)
class Recode:
    column: str
    levels: tuple[str, ...]  # merge these levels …
    into: str  # … under this label
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "levels": list(self.levels),
            "into": self.into,
            "reason": self.reason,
        }


@dataclass
class Remedies:
    """Cells to suppress (primary and secondary), rounded counts and recoding suggestions."""

    output: str
    suppress: pl.DataFrame  # block, row_pos, col_pos, keys, role (primary / secondary), count
    rounded: pl.DataFrame  # block, row_pos, col_pos, keys, value, rounded
    recodes: list[Recode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
            return (
                frame.with_columns(pl.concat_list("row_pos", "col_pos").alias("position"))
                .drop("row_pos", "col_pos")
                .to_dicts()
            )

        return {
            "output": self.output,
            "suppress": rows(self.suppress),
            "secondary": int((self.suppress.get_column("role") == "secondary").sum()),
            "rounded": rows(self.rounded),
            "recode": [r.to_json() for r in self.recodes],
            "notes": list(self.notes),
        }


def primary_mask(cells: pl.DataFrame, checks: tuple[str, ...]) -> pl.Expr:
    present = [fail_column(c) for c in PRIMARY_CHECKS if c in checks]
    return pl.any_horizontal(present) if present else pl.lit(False)


def _costs(
    block: pl.DataFrame, layout: Layout, shape: tuple[int, int], first: int
) -> np.ndarray[Any, Any]:
    count = grid(
        block.with_columns(pl.col("count").fill_null(0).cast(pl.Float64)),
        "count",
        shape,
        first,
        np.inf,
    )
    cost = count + 1.0
    structural = grid(block, "structural", shape, first, False)
    margin = grid(block, "margin", shape, first, False)
    cost[margin] += float(np.nansum(count[~margin & np.isfinite(count)])) + 1.0
    cost[structural] = np.inf
    if layout.margins:
        cost[shape[0] - 1, shape[1] - 1 if layout.col_keys else 0] = np.inf  # the grand total
    return cost


def _protect(
    suppressed: np.ndarray[Any, Any], cost: np.ndarray[Any, Any], two_way: bool
) -> list[tuple[int, int]]:
    """Add secondary cells so that every primary cell lies on a rectangle (or column pair)."""
    unprotected: list[tuple[int, int]] = []
    for r, c in np.argwhere(suppressed.copy()):
        price = np.where(suppressed, 0.0, cost)
        if two_way:
            total = price[r, :][None, :] + price[:, c][:, None] + price
            total[r, :] = np.inf
            total[:, c] = np.inf
        else:  # one line (a column): another cell of it
            total = np.full_like(price, np.inf)
            total[:, c] = price[:, c]
            total[r, c] = np.inf
        best = np.unravel_index(int(np.argmin(total)), total.shape)
        if not np.isfinite(total[best]):
            unprotected.append((int(r), int(c)))
            continue
        i, j = int(best[0]), int(best[1])
        if two_way:
            suppressed[r, j] = suppressed[i, c] = suppressed[i, j] = True
        else:
            suppressed[i, j] = True
    return unprotected


def _block_suppression(
    block: pl.DataFrame, report: CheckReport, layout: Layout, notes: list[str]
) -> pl.DataFrame:
    """The cells of one block to suppress, with their role (primary or secondary)."""
    first = int(block.select(pl.col("col_pos").min()).item() or 0)
    shape = (layout.n_rows, layout.n_cols)
    primary = grid(block, "_primary", shape, first, False)
    suppressed = primary.copy()
    aggfunc = str(block.get_column("aggfunc")[0])
    has_totals = layout.margins or report.profile.assume_totals
    if aggfunc in ADDITIVE and has_totals and primary.any():
        row_lines, col_lines = (bool(layout.col_keys), True)
        cost = _costs(block, layout, shape, first)
        stuck = _protect(suppressed, cost, row_lines and col_lines)
        if stuck:
            notes.append(
                f"{len(stuck)}개 칸은 2차 억제로 보호할 수 없습니다: 행·열 전체를 억제하거나 범주를 "
                f"합치십시오 / {len(stuck)} cell(s) cannot be protected by secondary suppression: "
                "suppress the whole line or recode"
            )
        leak = recoverable(suppressed, row_lines=row_lines, col_lines=col_lines) & primary
        stuck_grid = np.zeros_like(primary)
        for r, c in stuck:
            stuck_grid[r, c] = True
        if (leak & ~stuck_grid).any():  # pragma: no cover - the rectangles make this impossible
            raise AssertionError("secondary suppression left a primary cell recoverable")
    rows, cols = np.nonzero(suppressed)
    chosen = pl.DataFrame(
        {
            "row_pos": rows.astype(np.int64),
            "col_pos": (cols + first).astype(np.int64),
            "role": np.where(primary[rows, cols], "primary", "secondary"),
        }
    )
    return chosen.join(
        block.select("row_pos", "col_pos", "block", "keys", "count"), on=["row_pos", "col_pos"]
    )


def _rounded(cells: pl.DataFrame, base: int) -> pl.DataFrame:
    counts = cells.filter(pl.col("aggfunc") == "count")
    return counts.select(
        "block",
        "row_pos",
        "col_pos",
        "keys",
        "value",
        (((pl.col("value") / base) + 0.5).floor() * base).cast(pl.Int64).alias("rounded"),
    )


def _merge_partner(level: str, levels: list[str], totals: dict[str, int]) -> str | None:
    others = [x for x in levels if x != level]
    if not others:
        return None
    try:
        [float(x) for x in levels]
    except ValueError:
        return min(others, key=lambda x: totals[x])
    at = levels.index(level)
    neighbours = [levels[i] for i in (at - 1, at + 1) if 0 <= i < len(levels)]
    return min(neighbours, key=lambda x: totals[x])


def _recodes(cells: pl.DataFrame, layout: Layout) -> list[Recode]:
    interior = cells.filter(~pl.col("margin")).sort("col_pos", "row_pos")
    out: list[Recode] = []
    for key in layout.keys:
        levels = interior.group_by(
            pl.col("keys").struct.field(key).alias("level"), maintain_order=True
        ).agg(
            pl.len().alias("n"),
            pl.col("_primary").sum().alias("failed"),
            pl.col("count").fill_null(0).sum().alias("total"),
        )
        names = [str(x) for x in levels.get_column("level")]
        totals = dict(zip(names, levels.get_column("total").to_list(), strict=True))
        merged: set[str] = set()
        for level, n, failed in levels.select("level", "n", "failed").iter_rows():
            if failed * 2 < n or str(level) in merged:
                continue
            partner = _merge_partner(str(level), names, totals)
            if partner is None:
                continue
            merged |= {str(level), partner}
            out.append(
                Recode(
                    key,
                    (str(level), partner),
                    f"{level}+{partner}",
                    f"{failed}/{n} 칸 억제 / {failed} of {n} cells suppressed",
                )
            )
    return out


def suggest(report: CheckReport) -> Remedies:
    """Suppression (primary + secondary), rounding to the profile's base, and recoding."""
    layout = report.layout
    empty = pl.DataFrame(
        schema={"row_pos": pl.Int64, "col_pos": pl.Int64, "role": pl.String, "block": pl.String}
    )
    if layout is None:
        advice = ["표가 아닌 출력: 조치는 검토자가 정합니다 / not a table: the reviewer decides"]
        return Remedies(report.name, empty, empty, [], advice)
    cells = report.cells.with_columns(primary_mask(report.cells, report.checks).alias("_primary"))
    notes: list[str] = []
    parts = [
        _block_suppression(block, report, layout, notes)
        for _, block in cells.group_by("block", maintain_order=True)
    ]
    suppress = pl.concat(parts).sort("col_pos", "row_pos") if parts else empty
    if any(b.aggfunc not in ADDITIVE for b in layout.blocks):
        notes.append(
            "평균·중앙값 등은 합계로 더해지지 않아 1차 억제만 제안합니다 / means, medians and the "
            "like do not add up: primary suppression only"
        )
    return Remedies(
        report.name,
        suppress,
        _rounded(cells, report.profile.round_base),
        _recodes(cells, layout),
        notes,
    )
