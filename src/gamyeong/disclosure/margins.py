"""Totals that reveal a suppressed cell (합계로 복원되는 억제 칸).

In a two-way table with its totals, every row and every column adds up: Σ cells = total. Flip the
sign of the total row and the total column and every line of the (rows + 1) × (columns + 1) grid
sums to zero. The unknown (suppressed) cells then form a bipartite graph — a node per row, a node
per column, an edge per suppressed cell — and a combination of unknowns that keeps every line sum
unchanged is exactly a cycle of that graph. So a suppressed cell can be **recovered exactly**
(by adding and subtracting published cells) if and only if its edge lies on no cycle: it is a
*bridge* of the graph. The common case is a line with one suppressed cell, recovered as
"total − the others"; a bridge also catches the less obvious ones.

A one-way table with a total has one line (the column): its rows carry no equation, so all row
nodes are one node, and a suppressed cell is safe only if another cell of the column is
suppressed. Tables with no totals have no equations and nothing is recoverable from them alone
(totals published elsewhere are the differencing check's concern).

Only additive statistics (counts, sums, percentages of a count) add up this way; means, medians
and the rest are left to the reviewer. Exact recovery is what this checks: a suppressed cell may
still be narrowed to an interval (non-negative counts); the remedies aim at exact protection too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import polars as pl

from gamyeong.disclosure.checks import fail_column
from gamyeong.disclosure.report import Layout

BoolGrid = np.ndarray[Any, np.dtype[np.bool_]]


def _bridges(n_nodes: int, edges: list[tuple[int, int]]) -> set[int]:
    """Indices of the edges that are bridges (iterative Tarjan; parallel edges allowed)."""
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index, (a, b) in enumerate(edges):
        adjacency[a].append((b, index))
        adjacency[b].append((a, index))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    found: set[int] = set()
    counter = 0
    for root in list(adjacency):
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]  # node, edge in, next neighbour
        while stack:
            node, via, nxt = stack[-1]
            neighbours = adjacency[node]
            if nxt < len(neighbours):
                stack[-1] = (node, via, nxt + 1)
                other, edge = neighbours[nxt]
                if edge == via:
                    continue
                if order[other] < 0:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append((other, edge, 0))
                else:
                    low[node] = min(low[node], order[other])
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return found


def recoverable(suppressed: BoolGrid, *, row_lines: bool, col_lines: bool) -> BoolGrid:
    """The suppressed cells of a grid that its line equations determine exactly.

    ``row_lines``: each row of the grid adds up to its last cell (or to a known total);
    ``col_lines``: each column does. Without equations in either direction nothing is
    recoverable.
    """
    out = np.zeros_like(suppressed, dtype=bool)
    if not (row_lines or col_lines):
        return out
    n_rows, n_cols = suppressed.shape
    cells = np.argwhere(suppressed)
    # a direction without equations collapses to one node
    edges = [(int(r) if row_lines else 0, n_rows + (int(c) if col_lines else 0)) for r, c in cells]
    for index in _bridges(n_rows + n_cols, edges):
        r, c = cells[index]
        out[r, c] = True
    return out


def grid(
    cells: pl.DataFrame, column: str, shape: tuple[int, int], first_col: int, fill: Any = False
) -> np.ndarray[Any, Any]:
    """A block's cells as a rows × columns array of ``column`` (``fill`` where no cell is)."""
    values = cells.get_column(column).to_numpy()
    out = np.full(shape, fill, dtype=values.dtype)
    out[
        cells.get_column("row_pos").to_numpy(), cells.get_column("col_pos").to_numpy() - first_col
    ] = values
    return out


def line_equations(layout: Layout) -> tuple[bool, bool]:
    """Whether the table's rows, and its columns, add up to published totals."""
    if not layout.margins:
        return False, False
    return bool(layout.col_keys), True


def _describe(keys: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in keys.items())


def _block_leaks(block: pl.DataFrame, layout: Layout, suppressed_checks: list[str]) -> pl.DataFrame:
    """``fail_margins`` and ``note`` for one additive block with totals."""
    n_rows, n_cols = layout.n_rows, layout.n_cols
    first = int(block.select(pl.col("col_pos").min()).item() or 0)
    flags = block.select(pl.any_horizontal(fail_column(c) for c in suppressed_checks).alias("s"))
    marked = block.with_columns(flags.to_series())
    suppressed = grid(marked, "s", (n_rows, n_cols), first)
    row_lines, col_lines = line_equations(layout)
    leaks = recoverable(suppressed, row_lines=row_lines, col_lines=col_lines)
    labels = {
        (r, c - first): k for r, c, k in block.select("row_pos", "col_pos", "keys").iter_rows()
    }
    notes: dict[tuple[int, int], str] = {}
    for r, c in np.argwhere(leaks):
        name = _describe(labels[(int(r), int(c))])
        notes[(int(r), int(c))] = "합계와 다른 칸으로 복원됨 / recoverable from the totals"
        totals = [(int(r), n_cols - 1)] if row_lines else []
        totals.append((n_rows - 1, int(c)))
        for t in totals:
            if t != (r, c) and not suppressed[t]:
                notes.setdefault(t, f"억제된 칸({name})을 드러내는 합계 / a total revealing {name}")
    found = pl.DataFrame(
        {
            "row_pos": [r for r, _ in notes],
            "col_pos": [c + first for _, c in notes],
            "_leak": list(notes.values()),
        },
        schema={"row_pos": pl.Int64, "col_pos": pl.Int64, "_leak": pl.String},
    )
    return (
        block.join(found, on=["row_pos", "col_pos"], how="left")
        .with_columns(
            pl.col("_leak").is_not_null().alias(fail_column("margins")),
            pl.coalesce("_leak", "note").alias("note"),
        )
        .drop("_leak")
    )


def flag_margin_leaks(cells: pl.DataFrame, layout: Layout, checks: list[str]) -> pl.DataFrame:
    """Add ``fail_margins``: suppressed cells recoverable from the table's totals, and those totals.

    "Suppressed" means failing one of ``checks`` (the primary checks). Blocks of a
    non-additive statistic get no flag.
    """
    parts = []
    for (aggfunc,), block in cells.group_by("aggfunc", maintain_order=True):
        if layout.margins and aggfunc in ("count", "sum", "percent") and checks:
            parts.append(
                pl.concat(
                    [
                        _block_leaks(part, layout, checks)
                        for _, part in block.group_by("block", maintain_order=True)
                    ]
                )
            )
        else:
            parts.append(block.with_columns(pl.lit(False).alias(fail_column("margins"))))
    out = pl.concat(parts)
    return out.sort("col_pos", "row_pos")
