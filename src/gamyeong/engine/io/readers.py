"""Opening an input table as a Polars LazyFrame (minimal version: Parquet and UTF-8 CSV)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError


@dataclass
class Table:
    source: Path
    format: str
    frame: pl.LazyFrame
    encoding: str | None = None
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)


@contextmanager
def open_table(path: Path, *, encoding: str | None = None) -> Iterator[Table]:
    """Open ``path`` for reading; temporary files made on the way are removed on exit."""
    if not path.is_file():
        raise EngineError(f"파일이 없습니다: {path}", f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        yield Table(path, "parquet", pl.scan_parquet(path))
    elif suffix == ".csv":
        yield Table(path, "csv", pl.scan_csv(path), encoding or "utf-8")
    else:
        raise EngineError(
            f"지원하지 않는 파일 형식입니다: {path.name}", f"unsupported file format: {path.name}"
        )
