"""Automatic checks of one output file, from the disclosure evidence recorded beside it.

An output written by ``gamyeong.analysis`` (or ACRO) is listed in the outputs' ``results.json``
with its status and the cells each check flags; that evidence is the check. A file with no such
evidence (an image, a free-form text, a table made by hand) goes to the reviewers as
"no evidence: review by hand", as ACRO does for unsupported outputs.
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
