"""Outputs recorded by ACRO (its ``results.json``, CSV tables, ``config.json``).

ACRO's file holds, per table, the published CSV and ``outcome``: per column label, per row label,
``ok`` or the checks the cell failed. A frequency table's CSV holds the counts, so threshold and
zeros are re-checked with the chosen profile (rows: ACRO records no persons). For other tables
the counts are not in the files: ACRO's recorded flags are reported, and when the profile's
settings differ from the session's (``config.json``) the output goes to review.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.analysis.rules import Rules
from gamyeong.disclosure.checks import (
    ACRO_ADVICE_ONLY,
    FOREIGN_NAMES,
    PRIMARY_CHECKS,
    fail_column,
    ordered,
)
from gamyeong.disclosure.errors import DisclosureError
from gamyeong.disclosure.graphs import single_cell_report
from gamyeong.disclosure.margins import flag_margin_leaks
from gamyeong.disclosure.models import regression_report
from gamyeong.disclosure.profiles import Profile
from gamyeong.disclosure.report import Block, CheckReport, Layout


def acro_rules(folder: Path) -> Rules:
    """The session's rule settings (``config.json`` beside results.json; ACRO's defaults)."""
    path = folder / "config.json"
    if not path.is_file():
        return Rules()
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DisclosureError(
            f"ACRO 설정 파일을 읽을 수 없습니다: {path} ({exc})",
            f"cannot read ACRO's {path}: {exc}",
        ) from None
    known = set(Rules().as_dict())
    return Rules.from_mapping({k: v for k, v in config.items() if k in known})


def _data_area(path: Path, n_rows: int, n_cols: int) -> list[list[float | None]]:
    """The last ``n_rows`` lines' last ``n_cols`` fields of a pandas-written CSV, as numbers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = [row for row in csv.reader(handle) if row]
    except (OSError, UnicodeDecodeError) as exc:
        raise DisclosureError(
            f"표 파일을 읽을 수 없습니다: {path} ({exc})", f"cannot read the table {path}: {exc}"
        ) from None
    if len(lines) < n_rows or any(len(line) < n_cols for line in lines[-n_rows:]):
        raise DisclosureError(
            f"표 파일의 모양이 results.json과 다릅니다: {path}",
            f"the table {path} does not have the shape results.json records ({n_rows} × {n_cols})",
        )

    def number(text: str) -> float | None:
        try:
            return float(text) if text.strip() else None
        except ValueError:
            return None

    return [[number(x) for x in line[-n_cols:]] for line in lines[-n_rows:]]


def _recorded(text: str) -> list[str]:
    names = [part.strip() for part in str(text).split(";")]
    return [FOREIGN_NAMES[n] for n in names if n in FOREIGN_NAMES and n not in ACRO_ADVICE_ONLY]


def _is_frequency(entry: dict[str, Any]) -> bool:
    statbarn = (entry.get("fair") or {}).get("statbarn")
    return statbarn == "Frequencies" or str(entry.get("summary", "")).startswith("FrequencyTable")


def _table_cells(
    entry: dict[str, Any], values: list[list[float | None]], frequency: bool
) -> pl.DataFrame:
    outcome: dict[str, dict[str, str]] = entry["outcome"]
    records: list[dict[str, Any]] = []
    for c, (column, by_row) in enumerate(outcome.items()):
        for r, (row, text) in enumerate(by_row.items()):
            value = values[r][c]
            count = int(value) if frequency and value is not None else None
            records.append(
                {"block": "count" if frequency else "acro", "aggfunc": "count" if frequency else "acro",
                 "row_pos": r, "col_pos": c, "keys": {"row": row, "column": column},
                 "records": count, "count": count, "value": value, "recorded": _recorded(text)}
            )  # fmt: skip
    return pl.DataFrame(
        records,
        schema_overrides={
            "records": pl.Int64,
            "count": pl.Int64,
            "value": pl.Float64,
            "recorded": pl.List(pl.String),
        },
    )


def acro_table_report(
    uid: str, entry: dict[str, Any], folder: Path, profile: Profile, session: Rules
) -> CheckReport:
    """An ACRO table: counts re-checked (frequency tables), ACRO's flags otherwise."""
    files = entry.get("files") or []
    outcome = entry.get("outcome") or {}
    if not files or not outcome:
        note = "ACRO 표에 파일이나 결과가 없습니다 / an ACRO table without its file or outcome"
        return single_cell_report(uid, "table", profile, "manual", note)
    col_labels = list(outcome)
    row_labels = list(next(iter(outcome.values())))
    frequency = _is_frequency(entry)
    values = _data_area(folder / files[0]["name"], len(row_labels), len(col_labels))
    raw = _table_cells(entry, values, frequency)
    recorded = {name for names in raw.get_column("recorded") for name in names}
    checks = set(recorded) | ({"threshold", "zeros"} if frequency else set())
    rules = profile.rules
    flags = {c: pl.col("recorded").list.contains(c) for c in checks}
    if frequency:
        flags["threshold"] = pl.col("count") < rules.safe_threshold
        flags["zeros"] = (pl.col("count") == 0) & rules.zeros_are_disclosive
    margins = row_labels[-1] == "All" and col_labels[-1] == "All"
    n_rows, n_cols = len(row_labels), len(col_labels)
    block = Block(str(raw["block"][0]), str(raw["aggfunc"][0]))
    layout = Layout(("row",), ("column",), n_rows, n_cols, (block,), margins=margins)
    margin = (pl.col("row_pos") == n_rows - 1) | (pl.col("col_pos") == n_cols - 1)
    cells = raw.with_columns(
        (margin if margins else pl.lit(False)).alias("margin"),
        pl.lit(None, pl.Int64).alias("persons"),
        pl.lit(None, pl.Float64).alias("nk_share"),
        pl.lit(None, pl.Float64).alias("p_ratio"),
        pl.lit(False).alias("structural"),
        pl.lit(None, pl.String).alias("note"),
        *(expr.fill_null(False).alias(fail_column(c)) for c, expr in flags.items()),
    )
    return _finish(uid, entry, cells, layout, profile, session, checks, frequency, folder)


def _finish(
    uid: str, entry: dict[str, Any], cells: pl.DataFrame, layout: Layout, profile: Profile,
    session: Rules, checks: set[str], frequency: bool, folder: Path,
) -> CheckReport:  # fmt: skip
    notes: list[str] = []
    needs_review = False
    if frequency and profile.margin_leaks and layout.margins:
        cells = flag_margin_leaks(cells, layout, [c for c in PRIMARY_CHECKS if c in checks])
        checks.add("margins")
    if profile.count_persons:
        needs_review = True
        notes.append(
            "ACRO는 사람 수를 기록하지 않습니다: 행을 셌습니다 / ACRO records no persons: rows were counted"
        )
    if not frequency and profile.rules != session:
        needs_review = True
        notes.append(
            "ACRO가 자기 설정으로 기록한 결과입니다: 다른 규칙으로 다시 점검하려면 원자료가 필요합니다 / "
            "flags recorded by ACRO with its own settings; re-checking with other rules needs the data"
        )
    return CheckReport(
        uid, "table", profile, cells.drop("recorded"), ordered(checks), layout,
        notes=notes, needs_review=needs_review, source=str(folder / entry["files"][0]["name"]),
    )  # fmt: skip


def acro_output_report(
    uid: str, entry: dict[str, Any], folder: Path, profile: Profile, session: Rules
) -> CheckReport | None:
    """One ACRO output, by type (``None`` for ACRO's own do-not-release summaries)."""
    kind = entry.get("type")
    if uid.endswith("DONT_RELEASE"):
        return None
    if kind == "table":
        return acro_table_report(uid, entry, folder, profile, session)
    if kind == "regression":
        dof = (entry.get("properties") or {}).get("dof")
        method = str((entry.get("properties") or {}).get("method", "regression"))
        return regression_report(uid, method, None if dof is None else float(dof), profile)
    if kind == "histogram" and profile.graphs_need_counts:
        note = "ACRO 히스토그램은 그림만 있고 빈도표가 없습니다 / ACRO's histogram is an image without its counts"
        return single_cell_report(uid, "graph", profile, "graph_counts", note)
    if kind == "histogram":
        flagged = int(
            ((entry.get("files") or [{}])[0].get("sdc") or {})
            .get("summary", {})
            .get("MinimumThresholdCheck", 0)
        )
        note = f"ACRO가 기록한 최소 빈도 미달 구간 {flagged}개 / ACRO recorded {flagged} bins below the threshold"
        return single_cell_report(uid, "graph", profile, "threshold", note, failed=flagged > 0)
    note = f"자동 점검할 수 없는 출력({kind}) / output of type {kind}: manual review"
    return single_cell_report(uid, str(kind or "other"), profile, "manual", note)
