"""Writing a table atomically (minimal version: Parquet)."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    rows: int
    sha256: str


def write_table(frame: pl.LazyFrame | pl.DataFrame, out: Path, *, fmt: str = "parquet") -> WrittenFile:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    tmp = Path(name)
    try:
        lazy = frame.lazy()
        lazy.sink_parquet(tmp)
        rows = pl.scan_parquet(tmp).select(pl.len()).collect().item()
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return WrittenFile(out, int(rows), digest)
