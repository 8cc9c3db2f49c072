"""Automatic checks of the output files, by :mod:`gamyeong.disclosure` with the agency's rule
profile (``GAMYEONG_EXPORT_PROFILE``): the evidence each output recorded in ``results.json``
(written by ``gamyeong.analysis`` or ACRO) re-checked cell by cell; a file with no evidence (an
image, a free-form text, a table made by hand) goes to the reviewers "by hand", as ACRO does.
When the checker cannot read the folder, the recorded evidence is shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = "results.json"
EVIDENCE = "_evidence"


def _profile() -> str:
    from django.conf import settings

    return str(settings.GAMYEONG_EXPORT_PROFILE)


def _results(base: Path) -> dict[str, Any]:
    path = base / RESULTS
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    results = loaded.get("results") if isinstance(loaded, dict) else None
    return results if isinstance(results, dict) else {}


def _reports(folder: Path) -> list[Any]:
    """The disclosure checks of a folder of outputs (none when the checker cannot read it)."""
    from gamyeong import disclosure

    try:
        return list(disclosure.check_folder(folder, _profile()))
    except disclosure.DisclosureError:
        return []


def check_files(
    base: Path, names: list[str], earlier: Sequence[Path] = ()
) -> dict[str, dict[str, Any]]:
    """The checks of ``names`` (paths in the outputs folder ``base``); ``earlier`` are the
    project's earlier released rounds (each with the results.json and evidence it was checked
    with): a cell recoverable by subtraction from them is flagged ``differencing``."""
    from gamyeong import disclosure

    found: dict[str, dict[str, Any]] = {}
    reports = _reports(base)
    released = [r for folder in earlier if (folder / RESULTS).is_file() for r in _reports(folder)]
    for report in reports:
        if not report.source:
            continue
        try:
            name = Path(report.source).resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
        findings = disclosure.differencing(report, released) if released else []
        if findings:
            report = disclosure.with_findings(report, findings)
        found[name] = {
            "status": report.status,
            "summary": {k: v for k, v in report.summary().items() if v},
            "notes": list(report.notes),
            "kind": report.kind,
            "profile": report.profile.name,
            "output": report.name,
            "differencing": [f.to_json() for f in findings[:50]],
        }
    return {name: found.get(name) or check_file(base / name, base) for name in names}


def check_file(path: Path, base: Path) -> dict[str, Any]:
    """``{"status": pass|fail|review, "summary": {check: cells}, "cells": {...}, "output": uid}``"""
    name = str(path.relative_to(base))
    if name == RESULTS:
        return {
            "status": "review",
            "summary": {},
            "note": "점검 증거 파일 자체 / the evidence file itself",
        }
    for uid, output in _results(base).items():
        if not isinstance(output, dict):
            continue
        for entry in output.get("files") or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                sdc = entry.get("sdc") or {}
                return {
                    "status": str(output.get("status", "review")),
                    "summary": {
                        k: v for k, v in (sdc.get("summary") or {}).items() if k != "suppressed"
                    },
                    "cells": sdc.get("cells") or {},
                    "output": uid,
                    "type": output.get("type", ""),
                    "text": output.get("summary", ""),
                }
    return {
        "status": "review",
        "summary": {},
        "note": "기록된 점검 증거 없음: 사람이 검토 / no disclosure evidence recorded: review by hand",
    }
