"""Writing a table atomically: :func:`write_table` and :class:`WrittenFile`.

The file is written under a temporary name in the destination's directory (same file system, so
the final rename is atomic), flushed to disk with ``fsync``, hashed, and only then renamed over
the destination with :meth:`Path.replace`; the directory is fsynced too. If anything fails — the
query, a full disk, a character CP949 cannot hold — the temporary files are removed and an
existing destination is left exactly as it was. The new file has mode 0600 (owner only), as
``mkstemp`` creates it: the data is personal data, even pseudonymized.

Both formats stream through Polars' streaming engine (``sink_parquet``/``sink_csv``), so a query
over inputs larger than memory can be written. Parquet is zstd-compressed. CSV is UTF-8, with a
byte-order mark for ``utf-8-sig`` (what Excel needs to recognise UTF-8), or CP949: Polars writes
UTF-8, which is then re-encoded in 16 MiB chunks with ``errors="strict"``.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io.encodings import chunks, write_codec

OutputFormat = Literal["parquet", "csv"]
CsvEncoding = Literal["utf-8", "utf-8-sig", "cp949"]


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    rows: int
    sha256: str
    size: int = 0  # bytes


def write_table(
    frame: pl.LazyFrame | pl.DataFrame,
    out: Path,
    *,
    fmt: OutputFormat | str = "parquet",
    csv_encoding: CsvEncoding | str = "utf-8",
) -> WrittenFile:
    """Write ``frame`` to ``out`` (``parquet`` or ``csv``) atomically; return rows and SHA-256."""
    out = Path(out)
    if fmt not in ("parquet", "csv"):
        raise EngineError(
            f"출력 형식은 parquet 또는 csv여야 합니다 (받은 값: {fmt!r})",
            f"the output format must be parquet or csv (got {fmt!r})",
        )
    encoding = write_codec(csv_encoding)
    _prepare_directory(out)
    with _temporary(out) as tmp:
        lazy = frame.lazy()
        if fmt == "parquet":
            lazy.sink_parquet(tmp, compression="zstd", engine="streaming")
            rows = int(pl.scan_parquet(tmp, glob=False).select(pl.len()).collect().item())
        else:
            rows = _write_csv(lazy, tmp, encoding)
        digest, size = _sync_and_hash(tmp)
        tmp.replace(out)
    _sync_directory(out.parent)
    return WrittenFile(out, rows, digest, size)


def _prepare_directory(out: Path) -> None:
    if out.is_dir():
        raise EngineError(
            f"출력 경로가 디렉터리입니다: {out}", f"the output path is a directory: {out}"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(
            f"출력 디렉터리를 만들 수 없습니다: {out.parent} ({exc.strerror})",
            f"cannot create the output directory {out.parent} ({exc.strerror})",
        ) from None


@contextlib.contextmanager
def _temporary(out: Path) -> Iterator[Path]:
    """A temporary file beside ``out``, removed unless it has been renamed into place."""
    try:
        handle, name = tempfile.mkstemp(prefix=".gamyeong-", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise EngineError(
            f"출력 디렉터리에 쓸 수 없습니다: {out.parent} ({exc.strerror})",
            f"cannot write to the output directory {out.parent} ({exc.strerror})",
        ) from None
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
    except (OSError, pl.exceptions.PolarsError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EngineError(
            f"{out}에 쓸 수 없습니다 ({reason})", f"cannot write {out} ({reason})"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _write_csv(lazy: pl.LazyFrame, tmp: Path, encoding: str) -> int:
    if encoding != "cp949":
        lazy.sink_csv(tmp, include_bom=encoding == "utf-8-sig", engine="streaming")
        return _csv_rows(tmp)
    utf8 = tmp.with_name(tmp.name + ".utf8")
    try:
        lazy.sink_csv(utf8, engine="streaming")
        _to_cp949(utf8, tmp)
        return _csv_rows(utf8)
    finally:
        utf8.unlink(missing_ok=True)


def _csv_rows(path: Path) -> int:
    if path.stat().st_size == 0:
        return 0
    counted = pl.scan_csv(path, infer_schema=False, glob=False).select(pl.len()).collect()
    return int(counted.item())


def _to_cp949(source: Path, target: Path) -> None:
    """Re-encode Polars' UTF-8 output as CP949, in chunks; an unmappable character is an error."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    encoder = codecs.getincrementalencoder("cp949")("strict")
    with source.open("rb") as reader, target.open("wb") as writer:
        for block in chunks(reader):
            text = decoder.decode(block)
            try:
                writer.write(encoder.encode(text))
            except UnicodeEncodeError as exc:
                raise _unmappable(source, exc.object[exc.start]) from None
        writer.write(encoder.encode(decoder.decode(b"", final=True), final=True))


def _unmappable(csv_path: Path, char: str) -> EngineError:
    """Name the column and row of the first value holding ``char`` (error path only)."""
    frame = pl.scan_csv(csv_path, infer_schema=False, glob=False)
    names = frame.collect_schema().names()
    where_ko, where_en = "열 이름", "a column name"
    holders = [name for name in names if char in name]
    if holders:
        where_ko, where_en = f"열 이름 {holders[0]!r}", f"the column name {holders[0]!r}"
    else:
        hits = (
            frame.with_row_index("__row")
            .filter(pl.any_horizontal(pl.col(n).str.contains(char, literal=True) for n in names))
            .head(1)
            .collect()
        )
        if hits.height:
            row = int(hits["__row"][0]) + 1
            column = next(n for n in names if char in (hits[n][0] or ""))
            where_ko = f"{column!r} 열 {row}번째 데이터 행(헤더 제외)"
            where_en = f"column {column!r}, data row {row} (not counting the header)"
    code = f"U+{ord(char):04X}"
    return EngineError(
        f"{where_ko}의 문자 {char!r}({code})는 CP949로 쓸 수 없습니다. "
        "UTF-8(utf-8 또는 utf-8-sig)로 내보내세요",
        f"the character {char!r} ({code}) in {where_en} cannot be written in CP949; "
        "export as UTF-8 (utf-8 or utf-8-sig) instead",
    )


def _sync_and_hash(path: Path) -> tuple[str, int]:
    """fsync ``path`` and return its SHA-256 and size, reading it in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
        for block in chunks(handle, 1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); platforms that cannot open directories skip it."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
