"""Graphs (그래프): released only with their underlying counts, and each count is checked.

A histogram recorded by ``gamyeong.analysis`` carries its bin counts and per-bin evidence
(records, distinct persons, whether the edges came from the data). An image with a counts file
beside it (same name, ``.csv``) is checked on that file's count column. An image alone fails
``graph_counts`` under profiles that require counts, and goes to manual review otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.disclosure.checks import fail_column, ordered
from gamyeong.disclosure.profiles import Profile
from gamyeong.disclosure.report import Block, CheckReport, Layout

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".svg", ".pdf", ".gif", ".tif", ".tiff", ".emf", ".eps"}
)
COUNT_COLUMNS = ("count", "n", "frequency", "freq", "n_records", "빈도", "건수", "인원")


def _bins_layout(n_bins: int, unit: str | None) -> Layout:
    return Layout(("bin",), (), n_bins, 1, (Block("count", "count"),), unit=unit)


def counts_report(
    name: str,
    labels: list[str],
    records: list[int],
    persons: list[int] | None,
    profile: Profile,
    *,
    edges_from_data: bool = False,
    kind: str = "histogram",
    source: str | None = None,
) -> CheckReport:
    """A graph's counts (one cell per bar or bin), checked for threshold and zeros.

    With ``edges_from_data`` the outer bins' edges are the data's minimum and maximum: single
    units' values (``single_unit``, under profiles that check them).
    """
    rules = profile.rules
    use_persons = profile.count_persons and persons is not None
    count = persons if use_persons and persons is not None else records
    n = len(labels)
    frame = pl.DataFrame(
        {
            "block": ["count"] * n,
            "aggfunc": ["count"] * n,
            "row_pos": list(range(n)),
            "col_pos": [0] * n,
            "margin": [False] * n,
            "keys": [{"bin": label} for label in labels],
            "records": records,
            "persons": persons if persons is not None else pl.Series([None] * n, dtype=pl.Int64),
            "count": count,
            "value": [float(r) for r in records],
            "nk_share": [None] * n,
            "p_ratio": [None] * n,
            "structural": [False] * n,
            "note": [None] * n,
        },
        schema_overrides={
            "records": pl.Int64, "persons": pl.Int64, "count": pl.Int64, "value": pl.Float64,
            "nk_share": pl.Float64, "p_ratio": pl.Float64, "note": pl.String,
        },
    )  # fmt: skip
    checks = ["threshold", "zeros"]
    columns = [
        (pl.col("count") < rules.safe_threshold).alias(fail_column("threshold")),
        ((pl.col("records") == 0) & rules.zeros_are_disclosive).alias(fail_column("zeros")),
    ]
    notes: list[str] = []
    if profile.single_unit and edges_from_data:
        checks.append("single_unit")
        outer = (pl.col("row_pos") == 0) | (pl.col("row_pos") == n - 1)
        columns.append(outer.alias(fail_column("single_unit")))
        notes.append(
            "바깥 구간 경계가 자료의 최솟값·최댓값입니다 / the outer bin edges are the data's "
            "minimum and maximum"
        )
    report = CheckReport(
        name, kind, profile, frame.with_columns(columns), ordered(checks), _bins_layout(n, None),
        notes=notes, source=source,
    )  # fmt: skip
    if profile.count_persons and persons is None:
        report.needs_review = True
        report.notes.append(
            "인원(사람 수)이 기록되지 않아 행을 셌습니다 / distinct persons are not recorded: "
            "rows were counted"
        )
    return report


def single_cell_report(
    name: str,
    kind: str,
    profile: Profile,
    check: str,
    note: str,
    *,
    failed: bool = True,
    records: int | None = None,
    persons: int | None = None,
    value: float | None = None,
    block: str = "output",
    source: str | None = None,
) -> CheckReport:
    """A report with one cell (a model, an image, a file) failing or passing one check."""
    use_persons = profile.count_persons and persons is not None
    frame = pl.DataFrame(
        {
            "block": [block], "aggfunc": [kind], "row_pos": [0], "col_pos": [0], "margin": [False],
            "keys": [{"output": name}], "records": [records], "persons": [persons],
            "count": [persons if use_persons else records], "value": [value],
            "nk_share": [None], "p_ratio": [None], "structural": [False], "note": [note],
            fail_column(check): [failed],
        },
        schema_overrides={
            "records": pl.Int64, "persons": pl.Int64, "count": pl.Int64, "value": pl.Float64,
            "nk_share": pl.Float64, "p_ratio": pl.Float64, "note": pl.String,
        },
    )  # fmt: skip
    return CheckReport(
        name, kind, profile, frame, (check,), notes=[note] if failed else [], source=source
    )


def image_report(path: Path, profile: Profile, name: str | None = None) -> CheckReport:
    """An image: checked on its counts file (same stem, ``.csv``) or failed for lack of one."""
    label = name or path.name
    counts = path.with_suffix(".csv")
    if counts.is_file():
        return counts_file_report(counts, profile, name=label, source=str(path))
    if profile.graphs_need_counts:
        note = (
            "그래프는 기초 빈도표와 함께만 반출할 수 있습니다 / a graph is released only with "
            "its underlying counts"
        )
        return single_cell_report(label, "graph", profile, "graph_counts", note, source=str(path))
    note = "기초 빈도가 없는 그래프: 수동 검토 / a graph without counts: manual review"
    return single_cell_report(label, "graph", profile, "manual", note, source=str(path))


def counts_file_report(
    path: Path, profile: Profile, *, name: str, source: str | None = None
) -> CheckReport:
    """A counts CSV (a ``count``-like column; labels from the first text column)."""
    frame = pl.read_csv(path, infer_schema_length=None, encoding="utf8-lossy")
    column = next((c for c in frame.columns if c.strip().lower() in COUNT_COLUMNS), None)
    if column is None or not frame.schema[column].is_integer():
        note = (
            f"빈도 열을 찾을 수 없습니다: {path.name} / no count column in {path.name} "
            f"(expected one of {', '.join(COUNT_COLUMNS)})"
        )
        return single_cell_report(
            name, "graph", profile, "manual", note, source=source or str(path)
        )
    label_column = next((c for c in frame.columns if frame.schema[c] == pl.String), None)
    labels = (
        [str(x) for x in frame.get_column(label_column)]
        if label_column
        else [str(i) for i in range(frame.height)]
    )
    records = [int(x or 0) for x in frame.get_column(column)]
    return counts_report(
        name, labels, records, None, profile, kind="graph", source=source or str(path)
    )


def histogram_from_evidence(
    name: str, evidence: pl.DataFrame, info: dict[str, Any], profile: Profile, source: str | None
) -> CheckReport:
    """A ``gamyeong.analysis`` histogram from its ``_evidence`` file and results.json entry."""
    ordered_bins = evidence.sort("bin")
    persons = (
        [int(x) for x in ordered_bins.get_column("n_persons")]
        if "n_persons" in ordered_bins.columns
        else None
    )
    return counts_report(
        name,
        [str(x) for x in ordered_bins.get_column("label")],
        [int(x) for x in ordered_bins.get_column("n_records")],
        persons,
        profile,
        edges_from_data=bool(info.get("edges_from_data")),
        source=source,
    )
