"""SPSS ``.sav``, Stata ``.dta`` and SAS transport ``.xpt`` files, written with pyreadstat.

pyreadstat takes the Polars frame as it is (through narwhals); what the three formats cannot hold
is changed first, the same way for all three (:func:`prepare`):

- booleans become 1 (true, 예) / 0 (false, 아니오) with those value labels;
- categorical, enum and time columns become text, decimals become doubles;
- a float ``NaN`` becomes missing (SAS transport would otherwise store infinity);
- a missing text value becomes ``""``: none of the formats has a missing string (Stata would also
  fail on a missing long ``strL`` value);
- every number is stored as a double, so an integer beyond ±2⁵³ would lose digits: that is an
  error naming the column.

Limits per format (labels longer than a limit are cut at a character boundary; the codebook
files always carry the full text):

| | names | variable label | value labels | text value | encoding |
|---|---|---|---|---|---|
| ``.sav`` | 64 bytes | 256 bytes | numbers and text, 120 bytes | 32,767 bytes | UTF-8 |
| ``.dta`` (118, Stata 14+) | 32 chars | 80 chars | integers only | strL beyond 2,045 bytes | UTF-8 |
| ``.xpt`` (v5) | 8 chars, ASCII | 40 bytes | none (in ``load_<name>.sas``) | 200 bytes | UTF-8 bytes |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyreadstat

from gamyeong.engine.errors import EngineError
from gamyeong.engine.workspace.codebook import CodebookColumn, DatasetCodebook
from gamyeong.engine.workspace.names import (
    SAS,
    SAS_XPORT,
    SPSS,
    STATA,
    NameRule,
    map_names,
    table_name,
)

EXACT_DOUBLE = 2**53
STATA_INT = 2**31 - 1


@dataclass(frozen=True)
class StatFormat:
    key: str  # sav | dta | xpt; "sas" for the formats and labels of load_<name>.sas
    title: str
    rule: NameRule
    label_chars: int
    label_bytes: int
    value_label_bytes: int | None  # None: the file holds no value labels
    string_value_labels: bool
    integer_value_labels_only: bool
    max_string_bytes: int


SAV = StatFormat("sav", "SPSS", SPSS, 256, 256, 120, True, False, 32_767)
DTA = StatFormat("dta", "Stata", STATA, 80, 320, 32_000, False, True, 2**31)
XPT = StatFormat("xpt", "SAS transport v5", SAS_XPORT, 40, 40, None, False, False, 200)
STAT_FORMATS = {f.key: f for f in (SAV, DTA, XPT)}
SAS_PROGRAM = StatFormat("sas", "SAS", SAS, 256, 256, 32_767, True, False, 32_767)


def shorten(text: str, chars: int, max_bytes: int) -> str:
    """``text`` cut to ``chars`` characters and ``max_bytes`` UTF-8 bytes, whole characters only
    (and no blank left at the end of a cut text)."""
    cut = text[:chars].encode("utf-8")[:max_bytes].decode("utf-8", "ignore")
    return cut if cut == text else cut.rstrip()


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with the changes every statistics format needs (see the module docstring)."""
    changes: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Boolean:
            changes.append(column.cast(pl.Int8))
        elif dtype.is_float():
            changes.append(column.fill_nan(None))
        elif isinstance(dtype, pl.Decimal):
            changes.append(column.cast(pl.Float64))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            changes.append(column.dt.convert_time_zone("UTC").dt.replace_time_zone(None))
        elif dtype in (pl.Categorical, pl.Time, pl.Null, pl.String) or isinstance(dtype, pl.Enum):
            changes.append(column.cast(pl.String).fill_null(""))
    return frame.with_columns(changes) if changes else frame


def check_limits(frame: pl.DataFrame, dataset: str, formats: list[StatFormat]) -> None:
    """Fail before writing anything if a value does not fit (one pass over the prepared frame)."""
    integers = [n for n, t in frame.schema.items() if t.is_integer()]
    strings = [n for n, t in frame.schema.items() if t == pl.String]
    if not integers and not strings:
        return
    stats = frame.select(
        *(pl.col(n).abs().cast(pl.Float64).max().alias(f"i:{n}") for n in integers),
        *(pl.col(n).str.len_bytes().max().alias(f"s:{n}") for n in strings),
    ).row(0, named=True)
    for name in integers:
        if (stats[f"i:{name}"] or 0) >= EXACT_DOUBLE:
            raise EngineError(
                f"{dataset}.{name} 열에 ±2^53을 넘는 정수가 있어 SPSS·Stata·SAS 파일에 정확히 "
                "쓸 수 없습니다. 문자로 바꾸거나 이 형식들을 빼세요",
                f"column {dataset}.{name} holds an integer beyond ±2^53, which SPSS, Stata and "
                "SAS files cannot store exactly; make it text or leave those formats out",
            )
    for fmt in formats:
        for name in strings:
            longest = stats[f"s:{name}"] or 0
            if longest > fmt.max_string_bytes:
                raise EngineError(
                    f"{dataset}.{name} 열의 가장 긴 값({longest}바이트)이 {fmt.title} 파일의 "
                    f"한도 {fmt.max_string_bytes}바이트를 넘습니다. 이 형식을 빼세요 (formats)",
                    f"the longest value of column {dataset}.{name} ({longest} bytes) exceeds the "
                    f"{fmt.title} limit of {fmt.max_string_bytes} bytes; leave that format out "
                    "(formats)",
                )


def value_labels(
    column: CodebookColumn, dtype: pl.DataType, fmt: StatFormat
) -> dict[int | float | str, str]:
    """The column's value labels keyed by values of its type in ``fmt`` (empty if it cannot)."""
    if fmt.value_label_bytes is None or not column.value_labels:
        return {}
    out: dict[int | float | str, str] = {}
    for text, label in column.value_labels.items():
        key = _typed_key(text, column.type, dtype, fmt)
        if key is not None:
            out[key] = shorten(label.ko, fmt.value_label_bytes, fmt.value_label_bytes)
    return out


def _typed_key(
    text: str, kind: str, dtype: pl.DataType, fmt: StatFormat
) -> int | float | str | None:
    if kind == "boolean":
        return {"true": 1, "false": 0, "1": 1, "0": 0}.get(text.lower())
    if dtype == pl.String:
        return text if fmt.string_value_labels else None
    try:
        number = float(text)
    except ValueError:
        return None
    if dtype.is_integer() or fmt.integer_value_labels_only:
        whole = int(number) if number.is_integer() else None
        if whole is None or (fmt.integer_value_labels_only and abs(whole) > STATA_INT):
            return None
        return whole
    return number


def write_stat_file(
    fmt: StatFormat, frame: pl.DataFrame, path: Path, dataset: DatasetCodebook
) -> dict[str, str]:
    """Write the prepared ``frame`` as ``fmt`` at ``path``; return column name → name in file."""
    names = map_names(frame.columns, fmt.rule)
    renamed = frame.rename(names)
    labels: dict[str, str | None] = {
        names[c.name]: shorten(c.label_ko, fmt.label_chars, fmt.label_bytes)
        for c in dataset.columns
    }
    title = shorten(dataset.title_ko or dataset.name, fmt.label_chars, fmt.label_bytes)
    by_name = {names[c.name]: c for c in dataset.columns}
    labelled: dict[str, Any] = {
        name: mapping
        for name, dtype in renamed.schema.items()
        if (mapping := value_labels(by_name[name], dtype, fmt))
    }
    try:
        _dispatch(fmt, renamed, path, dataset.name, labels, labelled, title)
    except pyreadstat.ReadstatError as exc:
        raise EngineError(
            f"{dataset.name}: {fmt.title} 파일 {path.name}을(를) 쓰지 못했습니다 ({exc})",
            f"{dataset.name}: could not write the {fmt.title} file {path.name} ({exc})",
        ) from exc
    return names


def _dispatch(
    fmt: StatFormat,
    frame: pl.DataFrame,
    path: Path,
    dataset: str,
    labels: dict[str, str | None],
    labelled: dict[str, Any],
    title: str,
) -> None:
    if fmt.key == "sav":
        pyreadstat.write_sav(
            frame,
            path,
            file_label=title,
            column_labels=labels,
            variable_value_labels=labelled or None,
            variable_format={n: f"F{w}.0" for n, w in _integer_widths(frame).items()} or None,
            row_compress=True,
        )
    elif fmt.key == "dta":
        pyreadstat.write_dta(
            frame,
            path,
            file_label=title,
            column_labels=labels,
            version=14,
            variable_value_labels=labelled or None,
            variable_format={n: f"%{w + 1}.0f" for n, w in _integer_widths(frame).items()} or None,
        )
    else:
        pyreadstat.write_xport(
            frame,
            path,
            file_label=title,
            column_labels=labels,
            table_name=table_name(dataset, fmt.rule),
            file_format_version=5,
        )


def _integer_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Display width of each integer column (digits and sign, at least 8), so SPSS shows
    ``1200000`` rather than ``1200000.00`` and Stata rather than ``1.20e+06``."""
    integers = [n for n, t in frame.schema.items() if t.is_integer()]
    if not integers:
        return {}
    widths = frame.select(
        pl.max_horizontal(
            pl.col(n).cast(pl.Int64).abs().max().cast(pl.String).str.len_chars() + 1, pl.lit(8)
        )
        .fill_null(8)
        .alias(n)
        for n in integers
    ).row(0, named=True)
    return {name: min(int(widths[name]), 40) for name in integers}
