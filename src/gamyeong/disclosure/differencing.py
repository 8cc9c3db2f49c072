"""Differencing (차분): cells recoverable by comparing a new table with earlier released ones.

Each additive block of a report (counts, sums) gives *views*: its inner cells keyed by all its
key columns, and, when it has totals, the row totals (row keys), the column totals (column keys)
and the grand total. A new view and an earlier one with the same statistic are compared:

``subset``
    Same key columns, and one table lies cell by cell within the other (a table on a subset
    released after one on the whole, or the reverse): each published difference is the table of
    the complement. A difference of fewer than the threshold (rows, or contributors for sums)
    is disclosive.
``margin``
    One view's keys are a proper subset of the other's: the coarse cells are totals of groups
    of fine cells (checked: every fully published group must add up, else the tables describe
    different populations and are not compared). A group with exactly one suppressed fine cell
    and a published total gives the cell away; a published fine group gives away a suppressed
    total.
``percent``
    A percentage table and a count table of the same cells: a count suppressed in one is shown
    as a percentage in the other.

Each margin relation is tested on its own; combinations of several earlier tables (a linear
system over all of them) are beyond this check and left to the reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from gamyeong.disclosure.checks import fail_column, ordered
from gamyeong.disclosure.remedies import primary_mask
from gamyeong.disclosure.report import CheckReport

_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """A cell of ``output`` that ``earlier`` lets someone recover (or that reveals one of its)."""

    kind: str  # subset, margin, percent
    output: str
    earlier: str
    block: str
    row_pos: int
    col_pos: int
    keys: dict[str, Any]
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "output": self.output,
            "earlier": self.earlier,
            "block": self.block,
            "position": [self.row_pos, self.col_pos],
            "keys": self.keys,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class View:
    report: str
    stat: str
    keys: tuple[str, ...]
    frame: pl.DataFrame  # k:<key>…, value, records, suppressed, block, row_pos, col_pos, keys
    threshold: int


def _key(name: str) -> str:
    return f"k:{name}"


def views(report: CheckReport) -> list[View]:
    """The additive views of a report (inner cells, row/column/grand totals)."""
    layout = report.layout
    if layout is None or report.kind != "table":
        return []
    cells = report.cells.with_columns(primary_mask(report.cells, report.checks).alias("suppressed"))
    n_cols = layout.n_cols
    col_margin = (
        (pl.col("col_pos") % n_cols == n_cols - 1)
        if layout.margins and layout.col_keys
        else pl.lit(False)
    )
    row_margin = (pl.col("row_pos") == layout.n_rows - 1) if layout.margins else pl.lit(False)
    shapes = [(layout.keys, ~col_margin & ~row_margin)]
    if layout.margins:
        if layout.col_keys:
            shapes += [
                (layout.row_keys, col_margin & ~row_margin),
                (layout.col_keys, row_margin & ~col_margin),
            ]
        shapes.append(((), row_margin & (col_margin if layout.col_keys else pl.lit(True))))
    out = []
    for (block, aggfunc), part in cells.group_by("block", "aggfunc", maintain_order=True):
        if aggfunc not in ("count", "sum", "percent"):
            continue
        stat = "count" if aggfunc in ("count", "percent") else str(block)
        for keys, where in shapes:
            frame = part.filter(where).select(
                *(pl.col("keys").struct.field(k).alias(_key(k)) for k in keys),
                "value", "records", "suppressed", "block", "row_pos", "col_pos", "keys",
                pl.lit(aggfunc == "percent").alias("percent"),
            )  # fmt: skip
            out.append(
                View(report.name, stat, tuple(keys), frame, report.profile.rules.safe_threshold)
            )
    return out


def _finding(kind: str, view: View, other: View, row: dict[str, Any], detail: str) -> Finding:
    return Finding(
        kind,
        view.report,
        other.report,
        row["block"],
        int(row["row_pos"]),
        int(row["col_pos"]),
        row["keys"],
        detail,
    )


def _published(view: View) -> pl.DataFrame:
    return view.frame.filter(~pl.col("suppressed") & ~pl.col("percent"))


def _subset(new: View, old: View) -> list[Finding]:
    """Same cells, one table within the other: small published differences are disclosive."""
    on = [_key(k) for k in new.keys]
    earlier = _published(old).select(
        *on, pl.col("value").alias("old_value"), pl.col("records").alias("old_records")
    )
    joined = _published(new).join(earlier, on=on)
    measure = ("value", "old_value") if new.stat == "count" else ("records", "old_records")
    diff = joined.with_columns((pl.col(measure[1]) - pl.col(measure[0])).alias("diff"))
    if diff.is_empty() or diff.get_column("diff").null_count() == diff.height:
        return []
    low, high = diff.get_column("diff").min(), diff.get_column("diff").max()
    if not ((low >= 0 < high) or (high <= 0 > low)):  # type: ignore[operator]
        return []  # not nested (or identical)
    small = diff.filter((pl.col("diff").abs() > 0) & (pl.col("diff").abs() < new.threshold))
    return [
        _finding(
            "subset", new, old, row,
            f"이전 표({old.report})와의 차이 {abs(row['diff']):g} < {new.threshold} / the difference "
            f"from {old.report} is {abs(row['diff']):g} < {new.threshold}",
        )
        for row in small.sort("row_pos", "col_pos").to_dicts()
    ]  # fmt: skip


def _groups(fine: View, coarse: View) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Fine cells joined to their coarse total, and per group: suppressed cells, published sum."""
    on = [_key(k) for k in coarse.keys]
    totals = coarse.frame.filter(~pl.col("percent")).select(
        *on, pl.col("value").alias("total"), pl.col("suppressed").alias("total_suppressed"),
        pl.col("block").alias("t_block"), pl.col("row_pos").alias("t_row"),
        pl.col("col_pos").alias("t_col"), pl.col("keys").alias("t_keys"),
    )  # fmt: skip
    parts = fine.frame.filter(~pl.col("percent"))
    joined = parts.join(totals, on=on) if on else parts.join(totals, how="cross")
    groups = joined.group_by(on or pl.lit(0).alias("_all")).agg(
        pl.col("suppressed").sum().alias("n_suppressed"),
        pl.col("value").filter(~pl.col("suppressed")).sum().alias("fine_sum"),
        pl.col("total").first(),
        pl.col("total_suppressed").first(),
    )
    return joined, groups, on


def _contradicts(a: View, b: View) -> bool:
    """Whether two views cannot describe the same data (so totals of one say nothing of the
    other): equal keys with different published values, or totals the cells do not add up to
    (or, for counts, published cells above their total)."""
    if (
        a.stat != b.stat
        or a.frame.get_column("percent").any()
        or b.frame.get_column("percent").any()
    ):
        return False
    ka, kb = set(a.keys), set(b.keys)
    if ka == kb:
        on = [_key(k) for k in a.keys]
        joined = _published(a).join(
            _published(b).select(*on, pl.col("value").alias("other")), on=on
        )
        gap = (pl.col("value") - pl.col("other")).abs() > _TOLERANCE * pl.max_horizontal(
            pl.col("other").abs(), pl.lit(1.0)
        )
        return joined.filter(gap).height > 0
    if not (ka < kb or kb < ka):
        return False
    fine, coarse = (a, b) if kb < ka else (b, a)
    _, groups, _ = _groups(fine, coarse)
    tolerance = _TOLERANCE * pl.max_horizontal(pl.col("total").abs(), pl.lit(1.0))
    published = ~pl.col("total_suppressed")
    wrong = (
        published
        & (pl.col("n_suppressed") == 0)
        & ((pl.col("fine_sum") - pl.col("total")).abs() > tolerance)
    )
    if fine.stat == "count":
        wrong = wrong | (published & (pl.col("fine_sum") > pl.col("total") + tolerance))
    return groups.filter(wrong).height > 0


def _margin(fine: View, coarse: View, fine_is_new: bool) -> list[Finding]:
    """A group with one suppressed fine cell and a published total gives the cell away."""
    joined, groups, on = _groups(fine, coarse)
    one_hidden = groups.filter((pl.col("n_suppressed") == 1) & ~pl.col("total_suppressed"))
    hidden_cells = joined.filter(pl.col("suppressed"))
    hidden = (
        hidden_cells.join(one_hidden.drop("total"), on=on)
        if on
        else hidden_cells.join(one_hidden.drop("total"), how="cross")
    )
    out: list[Finding] = []
    for row in hidden.sort("row_pos", "col_pos").to_dicts():
        if fine_is_new:
            text = (
                f"총계가 공개된 {coarse.report}에서 빼면 복원됩니다 / recoverable by subtraction "
                f"from the total in {coarse.report}"
            )
            out.append(_finding("margin", fine, coarse, row, text))
            continue
        cell = {
            "block": row["t_block"],
            "row_pos": row["t_row"],
            "col_pos": row["t_col"],
            "keys": row["t_keys"],
        }
        text = (
            f"이전 표 {fine.report}의 억제된 칸을 드러내는 총계 / a total revealing a suppressed "
            f"cell of {fine.report}"
        )
        out.append(_finding("margin", coarse, fine, cell, text))
    return out


def _percent(new: View, old: View) -> list[Finding]:
    if new.frame.get_column("percent").any() == old.frame.get_column("percent").any():
        return []
    on = [_key(k) for k in new.keys]
    joined = new.frame.join(
        old.frame.select(*on, pl.col("suppressed").alias("old_suppressed")), on=on
    )
    exposed = joined.filter(pl.col("suppressed") != pl.col("old_suppressed"))
    return [
        _finding(
            "percent", new, old, row,
            f"{old.report}에서 억제된 칸이 백분율/빈도로 공개됩니다 / a cell suppressed in one of "
            f"{new.report}, {old.report} is shown in the other as a count or percentage",
        )
        for row in exposed.sort("row_pos", "col_pos").to_dicts()
    ]  # fmt: skip


def _pair(new: CheckReport, old: CheckReport) -> list[Finding]:
    """All findings between two reports. Totals are used only when nothing shows the two
    tables to describe different data; nested differences only when something does."""
    pairs = [(a, b) for a in views(new) for b in views(old) if a.stat == b.stat]
    same = not any(_contradicts(a, b) for a, b in pairs)
    found: list[Finding] = []
    for a, b in pairs:
        ka, kb = set(a.keys), set(b.keys)
        if ka == kb and ka:
            found += _percent(a, b) + ([] if same else _subset(a, b))
        elif same and kb < ka:
            found += _margin(a, b, fine_is_new=True)
        elif same and ka < kb:
            found += _margin(b, a, fine_is_new=False)
    return found


def differencing(new: CheckReport, earlier: Sequence[CheckReport]) -> list[Finding]:
    """Cells of ``new`` that its release together with the ``earlier`` reports gives away."""
    found: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    for old in earlier:
        if old is new:
            continue
        for finding in _pair(new, old):
            mark = (finding.kind, finding.block, finding.row_pos, finding.col_pos, finding.earlier)
            if finding.output == new.name and mark not in seen:
                seen.add(mark)
                found.append(finding)
    return found


def with_findings(report: CheckReport, findings: Sequence[Finding]) -> CheckReport:
    """The report with a ``differencing`` flag (and note) on each cell a finding names."""
    mine = [f for f in findings if f.output == report.name]
    if not mine:
        return replace(report, findings=list(mine)) if report.findings else report
    marks = pl.DataFrame(
        {
            "block": [f.block for f in mine],
            "row_pos": [f.row_pos for f in mine],
            "col_pos": [f.col_pos for f in mine],
            "_detail": [f.detail for f in mine],
        },
        schema={"block": pl.String, "row_pos": pl.Int64, "col_pos": pl.Int64, "_detail": pl.String},
    ).unique(["block", "row_pos", "col_pos"], keep="first")
    cells = (
        report.cells.drop(fail_column("differencing"), "differencing_note", strict=False)
        .join(marks, on=["block", "row_pos", "col_pos"], how="left")
        .with_columns(pl.col("_detail").is_not_null().alias(fail_column("differencing")))
        .rename({"_detail": "differencing_note"})
    )
    return replace(
        report, cells=cells, checks=ordered({*report.checks, "differencing"}), findings=list(mine)
    )
