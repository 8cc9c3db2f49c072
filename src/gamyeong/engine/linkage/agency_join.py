"""The combination agency's join (DuckDB): linking rows with a new ``combined_id``, each payload
joined on its provider's serial, rows in random order, written atomically.

DuckDB joins 3M linking rows to two 10M-row payloads on their serial strings about three times
faster than Polars here. The rows are ordered by the random ``combined_id``: no provider can find
its own records again by their order. A serial repeated in a payload would give two rows the same
``combined_id``; in that order they are neighbours, so one pass over the written ids finds them
and nothing is kept.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.agency_checks import COMBINED_ID
from gamyeong.engine.linkage.matching import random_hex, serial_column


@dataclass(frozen=True)
class Source:
    """One provider's payload: its file and, per attribute, the name in the combined data."""

    provider: str
    path: Path
    names: dict[str, str]


def write_combined(linking: Path, sources: list[Source], out: Path) -> int:
    """Join and write ``out`` (Parquet, zstd, mode 0600) atomically; return its rows."""
    serials = [serial_column(s.provider) for s in sources]
    frame = pl.read_parquet(linking, columns=serials)
    repeated = [s for s in serials if _repeats(frame.get_column(s))]
    if repeated:
        raise EngineError(
            f"결합키연계정보의 {', '.join(repeated)} 열에 같은 일련번호가 두 번 이상 있습니다",
            f"a serial occurs more than once in the linking information ({', '.join(repeated)})",
        )
    frame = frame.with_columns(random_hex(frame.height).alias(COMBINED_ID))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        _copy(frame, sources, tmp)
        rows = _check_unique(tmp)
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        tmp.replace(out)
    except (OSError, duckdb.Error, pl.exceptions.PolarsError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EngineError(
            f"결합 데이터를 쓸 수 없습니다: {out} ({reason})",
            f"cannot write the combined data {out} ({reason})",
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _repeats(values: pl.Series) -> bool:
    """Whether a value occurs twice: counted on 64-bit hashes (10× cheaper), confirmed on the
    values only when the hashes repeat."""
    if values.hash().n_unique() == values.len():
        return False
    return values.n_unique() != values.len()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy(linking: pl.DataFrame, sources: list[Source], tmp: Path) -> None:
    columns = [f"l.{COMBINED_ID}"]
    joins = []
    for n, source in enumerate(sources):
        columns += [f"t{n}.{_quote(a)} AS {_quote(b)}" for a, b in source.names.items()]
        joins.append(
            f"JOIN read_parquet($p{n}) t{n} "
            f"ON t{n}.serial = l.{_quote(serial_column(source.provider))}"
        )
    # column names are quoted identifiers; the payload paths are bound parameters
    query = f"SELECT {', '.join(columns)} FROM linking l {' '.join(joins)} ORDER BY l.{COMBINED_ID}"  # noqa: S608
    target = str(tmp).replace("'", "''")
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("linking", linking)
        con.execute(
            f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
            {f"p{n}": str(source.path) for n, source in enumerate(sources)},
        )


def _check_unique(path: Path) -> int:
    ids = pl.scan_parquet(path).select(COMBINED_ID)
    found = ids.select(pl.len(), (pl.col(COMBINED_ID) == pl.col(COMBINED_ID).shift(1)).any())
    rows, repeated = found.collect().row(0)
    if repeated:
        raise EngineError(
            "가명정보에 같은 일련번호(serial)가 두 번 이상 있습니다. 일련번호는 파일 안에서 "
            "유일해야 합니다",
            "a serial occurs more than once in a payload; serials must be unique within a file",
        )
    return int(rows)
