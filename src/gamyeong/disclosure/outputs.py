"""Checking recorded outputs: a ``results.json`` (gamyeong.analysis' or ACRO's) or a folder.

gamyeong's ``results.json`` points to an ``_evidence`` file per saved output, with every cell's
counts, distinct persons and largest contributors: its tables and histograms are re-checked
from that evidence with any profile. ACRO's are read by :mod:`.acro_results`. In a folder, files
that no ``results.json`` describes are checked too: an image needs a counts file beside it
(same name, ``.csv``); anything else goes to manual review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.analysis.rules import Rules
from gamyeong.disclosure.acro_results import acro_output_report, acro_rules
from gamyeong.disclosure.errors import DisclosureError
from gamyeong.disclosure.graphs import (
    IMAGE_SUFFIXES,
    histogram_from_evidence,
    image_report,
    single_cell_report,
)
from gamyeong.disclosure.models import regression_report
from gamyeong.disclosure.profiles import Profile, get_profile
from gamyeong.disclosure.report import Block, CheckReport, Layout
from gamyeong.disclosure.tables import evaluate

RESULTS_FILE = "results.json"
NOT_OUTPUTS = frozenset(
    {RESULTS_FILE, "config.json", "session_summary.json", "session_summary.csv"}
)
NOT_OUTPUT_DIRS = frozenset({"_evidence", "checksums"})
_INTEGER_EVIDENCE = ("row_pos", "col_pos", "bin")


def load_results(path: Path) -> dict[str, Any]:
    """A results.json, parsed; bad input is a :class:`DisclosureError` naming the file."""
    if not path.is_file():
        raise DisclosureError(f"파일이 없습니다: {path}", f"no such file: {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise DisclosureError(f"UTF-8 JSON이 아닙니다: {path}", f"not UTF-8 JSON: {path}") from None
    except json.JSONDecodeError as exc:
        raise DisclosureError(
            f"JSON 형식 오류: {path} {exc.lineno}행 {exc.colno}열 ({exc.msg})",
            f"invalid JSON in {path} at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
        raise DisclosureError(
            f"results.json 형식이 아닙니다 ('results'가 없습니다): {path}",
            f"not a results.json (no 'results' object): {path}",
        )
    return document


def is_gamyeong(document: dict[str, Any]) -> bool:
    tool = document.get("tool") or {}
    return "gamyeong" in document and str(tool.get("name", "")).startswith("gamyeong")


def _read_evidence(path: Path, keys: list[str]) -> pl.DataFrame:
    if not path.is_file():
        raise DisclosureError(f"증거 파일이 없습니다: {path}", f"evidence file missing: {path}")
    try:
        frame = pl.read_csv(
            path, schema_overrides=dict.fromkeys(keys, pl.String), infer_schema_length=None
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DisclosureError(
            f"증거 파일을 읽을 수 없습니다: {path} ({exc})", f"cannot read evidence {path}: {exc}"
        ) from None
    casts = []
    for name, dtype in frame.schema.items():
        if (
            name in keys
            or name in ("block", "aggfunc", "value", "label")
            or name.startswith("flag_")
        ):
            continue
        integer = name in _INTEGER_EVIDENCE or name.startswith("n_") or name == "person_n_negative"
        target = pl.Int64 if integer else pl.Float64
        if dtype != target:
            casts.append(pl.col(name).cast(target, strict=False))
    return frame.with_columns(casts).with_columns(pl.col(k).fill_null("") for k in keys)


def _layout(evidence: pl.DataFrame, properties: dict[str, Any]) -> Layout:
    seen = evidence.sort("col_pos").unique("block", keep="first", maintain_order=True)
    blocks = tuple(
        Block(str(b), str(a), None if v in (None, "") else str(v))
        for b, a, v in seen.select("block", "aggfunc", "value").iter_rows()
    )
    n_rows = int(evidence.select(pl.col("row_pos").max()).item() or 0) + 1
    n_cols = (int(evidence.select(pl.col("col_pos").max()).item() or 0) + 1) // max(len(blocks), 1)
    return Layout(
        tuple(properties.get("index") or ()),
        tuple(properties.get("columns") or ()),
        n_rows,
        n_cols,
        blocks,
        margins=bool(properties.get("margins")),
        unit=properties.get("unit"),
    )


def _gamyeong_output(
    uid: str, entry: dict[str, Any], folder: Path, profile: Profile
) -> CheckReport | None:
    """One saved gamyeong.analysis output (``None`` for outputs recorded but never saved)."""
    record = entry.get("gamyeong") or {}
    if not entry.get("files"):
        return None
    properties = entry.get("properties") or {}
    evidence_files = record.get("evidence_files") or []
    kind = entry.get("type")
    source = str(folder / entry["files"][0]["name"])
    if kind == "regression":
        info = record.get("evidence") or {}
        return regression_report(
            uid, str(properties.get("method", "regression")), info.get("df_resid"), profile,
            nobs=info.get("nobs"), persons=info.get("n_persons"), source=source,
        )  # fmt: skip
    if kind not in ("table", "histogram") or not evidence_files:
        note = f"자동 점검할 수 없는 출력({kind}) / output of type {kind}: manual review"
        return single_cell_report(uid, str(kind), profile, "manual", note, source=source)
    keys = [*properties.get("index", []), *properties.get("columns", [])]
    evidence = _read_evidence(folder / evidence_files[0]["name"], keys)
    if kind == "histogram":
        return histogram_from_evidence(uid, evidence, record.get("evidence") or {}, profile, source)
    used = Rules.from_mapping(record["rules"]) if record.get("rules") else None
    return evaluate(evidence, _layout(evidence, properties), profile, used, name=uid, source=source)


def check_results_json(path: str | Path, profile: str | Profile | None = None) -> list[CheckReport]:
    """Every released (saved) output a results.json records, checked with ``profile``."""
    path = Path(path)
    chosen = get_profile(profile)
    document = load_results(path)
    folder = path.parent
    reports: list[CheckReport] = []
    gamyeong = is_gamyeong(document)
    session = Rules() if gamyeong else acro_rules(folder)
    for uid, entry in document["results"].items():
        if not isinstance(entry, dict):
            continue
        if gamyeong:
            report = _gamyeong_output(str(uid), entry, folder, chosen)
        else:
            report = acro_output_report(str(uid), entry, folder, chosen, session)
        if report is not None:
            reports.append(report)
    return reports


def _described(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for entry in document["results"].values():
        if isinstance(entry, dict):
            names.update(str(f.get("name")) for f in entry.get("files") or [])
    return names


def _stray_files(folder: Path, described: set[str]) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(
            p.startswith(".") or p in NOT_OUTPUT_DIRS for p in relative.parts
        ):
            continue
        if relative.as_posix() in described or path.name in NOT_OUTPUTS:
            continue
        out.append(path)
    return out


def check_folder(path: str | Path, profile: str | Profile | None = None) -> list[CheckReport]:
    """A folder of outputs: its results.json (if any), then every file it does not describe."""
    folder = Path(path)
    if not folder.is_dir():
        raise DisclosureError(f"폴더가 없습니다: {folder}", f"no such folder: {folder}")
    chosen = get_profile(profile)
    results = folder / RESULTS_FILE
    reports = check_results_json(results, chosen) if results.is_file() else []
    described = _described(load_results(results)) if results.is_file() else set()
    stray = _stray_files(folder, described)
    counted = {p.with_suffix(".csv") for p in stray if p.suffix.lower() in IMAGE_SUFFIXES}
    for file in stray:
        name = file.relative_to(folder).as_posix()
        if file.suffix.lower() in IMAGE_SUFFIXES:
            reports.append(image_report(file, chosen, name))
        elif file not in counted:
            note = (
                "results.json에 기록되지 않은 파일: 수동 검토 / a file results.json does not "
                "describe: manual review"
            )
            reports.append(
                single_cell_report(name, "other", chosen, "manual", note, source=str(file))
            )
    return reports


def check_outputs(path: str | Path, profile: str | Profile | None = None) -> list[CheckReport]:
    """A results.json file or a folder of outputs."""
    target = Path(path)
    if target.is_dir():
        return check_folder(target, profile)
    if target.suffix.lower() == ".json" or target.is_file():
        return check_results_json(target, profile)
    raise DisclosureError(
        f"파일이나 폴더가 없습니다: {target}", f"no such file or folder: {target}"
    )
