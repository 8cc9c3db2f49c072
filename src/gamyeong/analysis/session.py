"""The output session: every analysis call is recorded; ``save`` writes an output for release.

Layout of the outputs folder (``/workspace/outputs`` in the sandbox, or ``$GAMYEONG_OUTPUTS``)::

    results.json                 every recorded output, in ACRO's results.json layout
    <name>.csv                   a saved table (UTF-8 with BOM), asked to be released
    <name>.png                   a histogram's picture, beside its counts
    _evidence/<name>.evidence.csv  per-cell evidence for the reviewer: never to be released

``results.json`` is rewritten (temporary file + rename) on every ``save`` and by ``finalise``, so
a reader never sees half a file and a script that stops early still leaves a consistent record.
"""

from __future__ import annotations

import hashlib
import json
import linecache
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gamyeong import __version__
from gamyeong.analysis.results import AnalysisResult
from gamyeong.analysis.rules import ACRO_CHECK_NAMES, Rules

ENV_OUTPUTS = "GAMYEONG_OUTPUTS"
DEFAULT_OUTPUTS = Path("/workspace/outputs")
RESULTS_FILE = "results.json"
EVIDENCE_DIR = "_evidence"
FORMAT_VERSION = 1
FILE_MODE = 0o644

_NAME = re.compile(r"[^\W_][\w.\-]{0,99}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).chmod(FILE_MODE)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@dataclass(frozen=True)
class Caller:
    """Where in the researcher's script an analysis was called (ACRO's ``command``)."""

    command: str = ""
    script: str | None = None
    line: int | None = None

    @classmethod
    def find(cls) -> Caller:
        frame = sys._getframe(1)
        while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(
            "gamyeong.analysis"
        ):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return cls()
        script, line = frame.f_code.co_filename, frame.f_lineno
        end = line
        try:  # the whole call when it spans several lines (Python 3.11 code positions)
            start, stop = list(frame.f_code.co_positions())[frame.f_lasti // 2][:2]
            if start is not None and stop is not None and start <= line <= stop:
                line, end = start, min(stop, start + 20)
        except (IndexError, ValueError):  # pragma: no cover - positions switched off (-X)
            pass
        text = " ".join(linecache.getline(script, n).strip() for n in range(line, end + 1))
        text = re.sub(r",?\s+([)\]}])", r"\1", re.sub(r"([(\[{])\s+", r"\1", text))
        return cls(text.strip()[:1000], script, line)


@dataclass
class Record:
    """One recorded output: the result, where it came from, and the files written for it."""

    uid: str
    result: AnalysisResult
    caller: Caller
    timestamp: str = field(default_factory=_now)
    comments: list[str] = field(default_factory=list)
    exception: str = ""
    files: list[dict[str, str]] = field(default_factory=list)
    evidence_files: list[dict[str, str]] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return bool(self.files)

    def to_json(self) -> dict[str, Any]:
        result = self.result
        sdc = result.sdc()
        return {
            "uid": self.uid,
            "status": result.status,
            "type": result.output_type,
            "properties": result.properties,
            "files": [{"name": f["name"], "sdc": sdc, "sha256": f["sha256"]} for f in self.files],
            "outcome": result.outcome(),
            "command": self.caller.command,
            "summary": result.summary,
            "timestamp": self.timestamp,
            "comments": list(self.comments),
            "exception": self.exception,
            "gamyeong": {
                "saved": self.saved,
                "script": self.caller.script,
                "line": self.caller.line,
                "rules": result.rules.as_dict(),
                "checks": {
                    check: {"cells": n, "acro_name": ACRO_CHECK_NAMES.get(check)}
                    for check, n in result.check_counts.items()
                },
                "sdc": sdc,
                "evidence": result.evidence_summary(),
                "evidence_files": list(self.evidence_files),
            },
        }


class Session:
    """The outputs of one analysis run, recorded with their disclosure evidence.

    Every helper call (:func:`~gamyeong.analysis.crosstab` …) adds a record; :meth:`save` writes
    an output's files under a name and asks for it to be released; :meth:`finalise` writes
    ``results.json``. Nothing here decides a release: the export review does.
    """

    def __init__(self, outputs_dir: str | Path | None = None, *, rules: Rules | None = None):
        if outputs_dir is None:
            outputs_dir = os.environ.get(ENV_OUTPUTS) or DEFAULT_OUTPUTS
        self.outputs_dir = Path(outputs_dir)
        self.rules = rules if rules is not None else Rules()
        self.started = _now()
        self.finalised: str | None = None
        self._records: dict[str, Record] = {}
        self._next = 0

    # -- recording ------------------------------------------------------------------------------

    def add(self, result: AnalysisResult, caller: Caller | None = None) -> Record:
        """Record ``result`` (the helpers call this) under the next free ``output_N`` uid."""
        for record in self._records.values():
            if record.result is result:
                return record
        while f"output_{self._next}" in self._records:
            self._next += 1
        uid = f"output_{self._next}"
        self._next += 1
        record = Record(uid, result, caller or Caller())
        self._records[uid] = record
        result.uid = uid
        return record

    @property
    def records(self) -> list[Record]:
        return list(self._records.values())

    def get(self, uid: str) -> Record:
        try:
            return self._records[uid]
        except KeyError:
            raise KeyError(f"no output named {uid!r} in this session") from None

    def comment(self, uid: str, text: str) -> None:
        """Add a comment for the reviewer to an output (ACRO's ``add_comments``)."""
        self.get(uid).comments.append(text)
        self._write_results()

    def request_exception(self, uid: str, reason: str) -> None:
        """Explain why an output that fails a rule should still be released (ACRO's exception)."""
        self.get(uid).exception = reason
        self._write_results()

    # -- saving ---------------------------------------------------------------------------------

    def save(self, name: str, result: AnalysisResult, *, comment: str | None = None) -> list[Path]:
        """Write ``result`` under ``name`` and ask for its release; return the files written.

        ``name`` becomes the output's uid and file stem (letters, digits, ``_ . -``; Korean is
        fine). Saving the same result again under the same name rewrites it.
        """
        if not _NAME.fullmatch(name) or ".." in name:
            raise ValueError(
                f"output name {name!r}: use letters, digits, '_', '.', '-' (at most 100), "
                "starting with a letter or digit"
            )
        record = self.add(result, Caller.find() if result.uid is None else None)
        other = self._records.get(name)
        if other is not None and other is not record:
            raise ValueError(f"an output named {name!r} already exists in this session")
        if record.uid != name:
            self._records = {(name if k == record.uid else k): v for k, v in self._records.items()}
            record.uid = name
            result.uid = name
        written: list[Path] = []
        record.files = []
        for file_name, data in result.release_files(name):
            path = self.outputs_dir / file_name
            write_atomic(path, data)
            record.files.append({"name": file_name, "sha256": hashlib.sha256(data).hexdigest()})
            written.append(path)
        record.evidence_files = []
        for file_name, data in result.evidence_files(name):
            relative = f"{EVIDENCE_DIR}/{file_name}"
            write_atomic(self.outputs_dir / relative, data)
            digest = hashlib.sha256(data).hexdigest()
            record.evidence_files.append({"name": relative, "sha256": digest})
            written.append(self.outputs_dir / relative)
        if comment:
            record.comments.append(comment)
        self._write_results()
        return written

    # -- results.json ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The content of ``results.json``: ACRO's top level (version, tool, results) + gamyeong."""
        return {
            "version": __version__,
            "tool": {
                "@type": "SoftwareApplication",
                "name": "gamyeong.analysis",
                "version": __version__,
            },
            "results": {uid: record.to_json() for uid, record in self._records.items()},
            "gamyeong": {
                "format": FORMAT_VERSION,
                "started": self.started,
                "finalised": self.finalised,
                "rules": self.rules.as_dict(),
                "evidence_dir": EVIDENCE_DIR,
                "acro_check_names": dict(ACRO_CHECK_NAMES),
                "note": (
                    "status and flags are evidence computed with ACRO's rules; the export "
                    "review decides what is released. Files under evidence_dir are for the "
                    "reviewer only."
                ),
            },
        }

    def _write_results(self) -> Path:
        path = self.outputs_dir / RESULTS_FILE
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)
        write_atomic(path, (text + "\n").encode("utf-8"))
        return path

    def finalise(self) -> Path:
        """Write ``results.json`` (atomically) and return its path."""
        self.finalised = _now()
        return self._write_results()


_default: Session | None = None


def default_session() -> Session:
    """The session the helpers record into when none is passed (created on first use)."""
    global _default
    if _default is None:
        _default = Session()
    return _default


def set_default_session(session: Session | None) -> None:
    """Make ``session`` the default (``None``: a new one is created on next use)."""
    global _default
    _default = session


def resolve(session: Session | None, rules: Rules | None) -> tuple[Session, Rules]:
    """The session to record into and the rules to compute with (the session's by default)."""
    chosen = session if session is not None else default_session()
    return chosen, rules if rules is not None else chosen.rules
