"""Automatic checks of the output files, by :mod:`gamyeong.disclosure` with the agency's rule
profile (``GAMYEONG_EXPORT_PROFILE``): the evidence each output recorded in ``results.json``
(written by ``gamyeong.analysis`` or ACRO) re-checked cell by cell; a file with no evidence (an
image, a free-form text, a table made by hand) goes to the reviewers "by hand", as ACRO does.
When the checker cannot read the folder, the recorded evidence is shown as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = "results.json"


def _results(base: Path) -> dict[str, Any]:
    path = base / RESULTS
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    results = loaded.get("results") if isinstance(loaded, dict) else None
    return results if isinstance(results, dict) else {}


def check_files(base: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """The checks of ``names`` (paths in the outputs folder ``base``)."""
    from django.conf import settings

    from gamyeong import disclosure

    found: dict[str, dict[str, Any]] = {}
    try:
        reports = disclosure.check_folder(base, settings.GAMYEONG_EXPORT_PROFILE)
    except disclosure.DisclosureError:
        reports = []
    for report in reports:
        if not report.source:
            continue
        try:
            name = Path(report.source).resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
        found[name] = {
            "status": report.status,
            "summary": {k: v for k, v in report.summary().items() if v},
            "notes": list(report.notes),
            "kind": report.kind,
            "profile": report.profile.name,
            "output": report.name,
        }
    return {name: found.get(name) or check_file(base / name, base) for name in names}


def check_file(path: Path, base: Path) -> dict[str, Any]:
    """``{"status": pass|fail|review, "summary": {check: cells}, "cells": {...}, "output": uid}``"""
    name = str(path.relative_to(base))
    if name == RESULTS:
        return {"status": "review", "summary": {}, "note": "the evidence file itself"}
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
        "note": "no disclosure evidence recorded: review by hand",
    }
