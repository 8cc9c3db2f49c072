"""What every analysis result offers the output session: its files and its evidence."""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import polars as pl

from gamyeong.analysis.rules import Rules

BOM = b"\xef\xbb\xbf"


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as CSV, UTF-8 with a byte-order mark (so that spreadsheet programs read Korean)."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_bom=True)
    return buffer.getvalue()


def min_of(frame: pl.DataFrame, column: str) -> int:
    """The smallest value of an integer column (0 for an empty frame)."""
    return int(frame.select(pl.col(column).min().fill_null(0)).item())


def status_summary(status: str, counts: dict[str, int]) -> str:
    """ACRO-style summary line: ``fail; threshold: 6 cells may need suppressing; ...``."""
    parts = [f"{check}: {n} cells may need suppressing" for check, n in counts.items() if n]
    return "; ".join([status, *parts])


class AnalysisResult(ABC):
    """A computed output and the disclosure evidence recorded beside it.

    ``status`` and ``summary`` are what ACRO's rules would say (``pass``/``fail``/``review``):
    evidence for the export review, which takes the decision.
    """

    output_type: ClassVar[str]

    def __init__(
        self, *, method: str, rules: Rules, properties: dict[str, Any], status: str
    ) -> None:
        self.uid: str | None = None
        self.method = method
        self.rules = rules
        self.properties = properties
        self.status = status
        self.check_counts: dict[str, int] = {}

    @property
    def summary(self) -> str:
        return status_summary(self.status, self.check_counts)

    def sdc(self) -> dict[str, Any]:
        """ACRO's per-file ``sdc`` block: flagged-cell counts and positions per check."""
        return {}

    def outcome(self) -> dict[str, dict[str, str]]:
        """ACRO's ``outcome``: per column label, per row label, ``ok`` or the flagged checks."""
        return {}

    @abstractmethod
    def evidence_summary(self) -> dict[str, Any]:
        """gamyeong's evidence for the record (counts; never a single record's value)."""

    @abstractmethod
    def release_files(self, name: str) -> list[tuple[str, bytes]]:
        """The files asked to be released, as (file name, content)."""

    @abstractmethod
    def evidence_files(self, name: str) -> list[tuple[str, bytes]]:
        """The files for the reviewer only (per-cell evidence), as (file name, content)."""
