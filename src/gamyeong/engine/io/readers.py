"""Opening an input table as a Polars ``LazyFrame``: :func:`open_table` and :class:`Table`.

Formats, chosen by the file's extension (case-insensitive) and then checked against its content:

=================  ===========  ==================================================================
extension          format       how
=================  ===========  ==================================================================
.csv .tsv .txt     ``csv``      streamed; tab or comma sniffed from the header; UTF-8 (BOM or not)
                                or CP949/EUC-KR, detected; transcoded to UTF-8 when needed;
                                every record's field count checked; lossless type inference
.parquet .pq       ``parquet``  streamed (``pl.scan_parquet``)
.xlsx              ``xlsx``     eager (calamine); one sheet, header in row 1
.sav               ``sav``      eager (pyreadstat); value and column labels kept
.dta               ``dta``      eager (pyreadstat); value and column labels kept
=================  ===========  ==================================================================

The ``LazyFrame`` may refer to files that exist only inside the ``with`` block (a UTF-8 copy of a
CP949 CSV lives in a private temporary directory removed on exit), so collect or sink it there.

Every problem — a missing file, an unsupported extension, bytes that are not what the extension
says, a bad encoding, a ragged row, a bad header — is an :class:`EngineError` naming the file and,
where it has one, the line; nothing is left behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io.csv_reader import prepare_csv
from gamyeong.engine.io.csv_types import apply_types, infer_types
from gamyeong.engine.io.eager_readers import EagerData, read_labelled, read_xlsx
from gamyeong.engine.io.encodings import read_codec
from gamyeong.engine.io.sniff import expect, read_head

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".sav": "sav",
    ".dta": "dta",
}


@dataclass
class Table:
    """An opened input table.

    ``frame`` is lazy; ``columns`` are its column names in order; ``rows`` is the number of data
    rows when known without reading the data (always, for the formats above). ``encoding`` is
    the text encoding of a CSV source (``utf-8``, ``utf-8-sig`` or ``cp949``; EUC-KR is reported
    as ``cp949``, its superset). ``value_labels`` and ``column_labels`` come from SPSS/Stata.
    """

    source: Path
    format: str
    frame: pl.LazyFrame
    encoding: str | None = None
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    column_labels: dict[str, str] = field(default_factory=dict)
    rows: int | None = None
    delimiter: str | None = None
    sheet: str | None = None


def format_of(path: Path) -> str:
    """The input format for ``path``'s extension, or an error listing the supported ones."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        listed = ", ".join(FORMATS)
        raise EngineError(
            f"지원하지 않는 파일 형식입니다: {path.name} (지원 형식: {listed})",
            f"unsupported file format: {path.name} (supported: {listed})",
        )
    return found


def _check_source(path: Path) -> None:
    if not path.exists():
        raise EngineError(f"파일이 없습니다: {path}", f"no such file: {path}")
    if not path.is_file():
        raise EngineError(f"파일이 아닙니다: {path}", f"not a regular file: {path}")


@contextmanager
def open_table(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    infer_schema: bool = True,
    tmp_dir: Path | None = None,
) -> Iterator[Table]:
    """Open ``path`` for reading; temporary files made on the way are removed on exit.

    ``encoding`` (CSV: ``utf-8``, ``utf-8-sig``, ``cp949``, ``euc-kr``; SPSS/Stata: passed to
    ReadStat) defaults to detection. ``sheet`` picks an Excel sheet by name (default: the first).
    ``infer_schema=False`` keeps every CSV column as text (see :mod:`.csv_types`). ``tmp_dir``
    is where the private temporary directory goes (default: the system's, ``$TMPDIR``); a
    transcoded CSV copy is about as large as the source.
    """
    path = Path(path)
    kind = format_of(path)
    codec = read_codec(encoding)
    if sheet is not None and kind != "xlsx":
        raise EngineError(
            f"시트(--sheet)는 Excel(.xlsx) 파일에만 쓸 수 있습니다: {path.name}",
            f"a sheet (--sheet) applies to Excel (.xlsx) files only: {path.name}",
        )
    _check_source(path)
    try:
        workdir = Path(tempfile.mkdtemp(prefix="gamyeong-io-", dir=tmp_dir))
    except OSError as exc:
        raise EngineError(
            f"임시 디렉터리를 만들 수 없습니다: {tmp_dir or tempfile.gettempdir()} ({exc.strerror})",
            f"cannot create a temporary directory in {tmp_dir or tempfile.gettempdir()} "
            f"({exc.strerror})",
        ) from None
    try:
        yield _open(path, kind, encoding, codec, sheet, infer_schema, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _open(
    path: Path,
    kind: str,
    encoding: str | None,
    codec: str | None,
    sheet: str | None,
    infer_schema: bool,
    workdir: Path,
) -> Table:
    try:
        if kind == "csv":
            return _open_csv(path, encoding, infer_schema, workdir)
        if kind == "parquet":
            return _open_parquet(path)
        if kind == "xlsx":
            return _eager_table(path, kind, read_xlsx(path, sheet))
        return _eager_table(path, kind, read_labelled(path, kind, codec), codec)
    except PermissionError as exc:
        raise EngineError(
            f"파일을 읽을 권한이 없습니다: {path}", f"permission denied reading {path}: {exc}"
        ) from None


def _open_csv(path: Path, encoding: str | None, infer_schema: bool, workdir: Path) -> Table:
    prepared = prepare_csv(path, encoding, workdir)
    frame = pl.scan_csv(
        prepared.path, separator=prepared.delimiter, quote_char='"', infer_schema=False, glob=False
    )
    summary = prepared.summary
    if summary.trailing_blank_lines:  # Polars would read them as rows of nulls
        frame = frame.head(summary.rows)
    try:
        if infer_schema:
            frame = apply_types(frame, infer_types(frame))
        columns = frame.collect_schema().names()
    except pl.exceptions.PolarsError as exc:  # the checks above should make this unreachable
        raise EngineError(
            f"{path.name}: Polars가 CSV를 읽지 못했습니다 ({exc})",
            f"{path.name}: Polars could not read the CSV ({exc})",
        ) from None
    return Table(
        path,
        "csv",
        frame,
        encoding=prepared.encoding,
        columns=columns,
        rows=summary.rows,
        delimiter=prepared.delimiter,
    )


def _open_parquet(path: Path) -> Table:
    expect(path, read_head(path, 4), "parquet", "Parquet 파일", "a Parquet file")
    frame = pl.scan_parquet(path, glob=False, hive_partitioning=False)
    try:
        columns = frame.collect_schema().names()
        rows = int(frame.select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise EngineError(
            f"{path.name}: Parquet 파일이 손상되었습니다 ({exc})",
            f"{path.name}: the Parquet file is damaged ({exc})",
        ) from None
    return Table(path, "parquet", frame, columns=columns, rows=rows)


def _eager_table(path: Path, kind: str, data: EagerData, codec: str | None = None) -> Table:
    return Table(
        path,
        kind,
        data.frame.lazy(),
        encoding=codec,
        value_labels=data.value_labels,
        columns=data.frame.columns,
        column_labels=data.column_labels,
        rows=data.frame.height,
        sheet=data.sheet,
    )
