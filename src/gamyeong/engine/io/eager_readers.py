"""Formats read whole into memory: Excel (.xlsx), SPSS (.sav) and Stata (.dta).

None of them can be streamed row by row by their libraries (calamine parses the whole sheet;
ReadStat returns the whole data set), so they are read eagerly and wrapped as a ``LazyFrame``.
That is fine for the sizes these formats hold in practice (an .xlsx sheet has at most 1,048,576
rows); really large inputs should come as CSV or Parquet.

Value labels (값 레이블) of SPSS and Stata are kept as ``{column: {value_text: label}}``, where
``value_text`` is the value as text with integral numbers written without ``.0`` (SPSS stores
every number as a double: the value 1.0 with label 남자 becomes ``{"1": "남자"}``). The data
column itself keeps its type (Float64 for SPSS numerics); to label it, cast the column to Int64
and then to String before mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl
import pyreadstat

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io.sniff import expect, kind_of, read_head

_UNNAMED = re.compile(r"^__UNNAMED__(\d+)$")


@dataclass
class EagerData:
    frame: pl.DataFrame
    sheet: str | None = None
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)


def excel_column(index: int) -> str:
    """Excel's letter for a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _sheet_names(path: Path) -> tuple[Any, list[str]]:
    expect(path, read_head(path, 8), "zip", "Excel(.xlsx) 파일", "an Excel (.xlsx) file")
    try:
        reader = fastexcel.read_excel(path)
    except fastexcel.FastExcelError as exc:
        raise EngineError(
            f"{path.name}: Excel(.xlsx) 파일을 열 수 없습니다 (손상되었거나 다른 ZIP 파일입니다)",
            f"{path.name}: cannot open it as an Excel (.xlsx) file; it is damaged or another "
            f"kind of ZIP file ({type(exc).__name__})",
        ) from None
    return reader, list(reader.sheet_names)


def _check_excel_header(path: Path, sheet: str, header: list[Any], frame: pl.DataFrame) -> None:
    """Duplicate names (calamine would rename them ``x_1``) and empty names over data."""
    names = [str(value) for value in header if value is not None and str(value).strip()]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        where = "; ".join(
            f"{name!r}: "
            + ", ".join(excel_column(i) for i, v in enumerate(header) if str(v) == name)
            for name in duplicated
        )
        raise EngineError(
            f"{path.name} [{sheet}] 1행: 같은 열 이름이 여러 번 있습니다 ({where}열)",
            f"{path.name} [{sheet}] row 1: duplicate column names ({where} — columns)",
        )
    empty = [excel_column(int(m.group(1))) for c in frame.columns if (m := _UNNAMED.match(c))]
    if empty:
        raise EngineError(
            f"{path.name} [{sheet}] 1행: {', '.join(empty)}열의 이름이 비어 있습니다 (값은 있습니다)",
            f"{path.name} [{sheet}] row 1: column(s) {', '.join(empty)} have values but no name",
        )


def read_xlsx(path: Path, sheet: str | None) -> EagerData:
    """One sheet (by name; the first by default), header in row 1, types from all rows."""
    reader, names = _sheet_names(path)
    if not names:
        raise EngineError(
            f"{path.name}: 시트가 없습니다", f"{path.name}: the workbook has no sheet"
        )
    chosen = names[0] if sheet is None else sheet
    if chosen not in names:
        listed = ", ".join(repr(name) for name in names)
        raise EngineError(
            f"{path.name}에 {sheet!r} 시트가 없습니다 (있는 시트: {listed})",
            f"{path.name} has no sheet {sheet!r} (sheets: {listed})",
        )
    try:
        header = reader.load_sheet(chosen, header_row=None, n_rows=1, dtypes="string")
        frame = pl.read_excel(path, sheet_name=chosen, infer_schema_length=None)
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, ValueError) as exc:
        raise EngineError(
            f"{path.name} [{chosen}] 시트를 읽을 수 없습니다 (빈 시트이거나 손상된 파일): {exc}",
            f"{path.name}: cannot read sheet {chosen!r} (empty sheet or damaged file): {exc}",
        ) from None
    first_row = list(header.to_polars().row(0)) if header.height else []
    _check_excel_header(path, chosen, first_row, frame)
    return EagerData(frame, sheet=chosen)


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labelled_error(path: Path, kind: str, encoding: str | None, exc: Exception) -> EngineError:
    label_ko, label_en = (
        ("SPSS(.sav)", "SPSS (.sav)") if kind == "sav" else ("Stata(.dta)", "Stata (.dta)")
    )
    if "encoding" in str(exc):
        given = encoding or "the file's own"
        return EngineError(
            f"{path.name}: 문자열을 {encoding or '파일에 기록된'} 인코딩으로 읽을 수 없습니다 ({exc}). "
            "--encoding을 빼거나 다른 인코딩을 지정하세요",
            f"{path.name}: text cannot be read with the {given} encoding ({exc}); "
            "drop --encoding or give another one",
        )
    _, korean, english = kind_of(read_head(path, 64))
    return EngineError(
        f"{path.name}을(를) {label_ko} 파일로 읽을 수 없습니다 ({exc}). 내용은 {korean}로 보입니다",
        f"{path.name} cannot be read as a {label_en} file ({exc}); its content looks like "
        f"{english}",
    )


def read_labelled(path: Path, kind: str, encoding: str | None) -> EagerData:
    """An SPSS (``kind="sav"``) or Stata (``kind="dta"``) file with its labels."""
    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    options: dict[str, Any] = {"output_format": "polars", "apply_value_formats": False}
    if encoding is not None:
        options["encoding"] = encoding.upper()
    try:
        frame, meta = reader(str(path), **options)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise _labelled_error(path, kind, encoding, exc) from None
    value_labels = {
        column: {_value_text(value): str(label) for value, label in labels.items()}
        for column, labels in (meta.variable_value_labels or {}).items()
    }
    column_labels = {
        name: str(label) for name, label in (meta.column_names_to_labels or {}).items() if label
    }
    return EagerData(frame, value_labels=value_labels, column_labels=column_labels)
