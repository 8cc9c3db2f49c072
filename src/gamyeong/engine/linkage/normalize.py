"""Normalizing the identifiers a combination key is made from (결합키 항목 정규화).

Two providers hold the same person in different formats (``홍 길동`` / ``홍길동``,
``1980.01.02`` / ``19800102`` / a Date, ``010 1234 5678`` / ``+82 10-1234-5678``, ``남`` / ``1``).
Each item kind has one canonical text, so the same person gives the same key everywhere:

- ``name`` → ``홍길동``: every whitespace and zero-width character removed, then Unicode NFC (so
  a space between decomposed jamo cannot block composing); must hold a letter.
- ``birth_date`` → ``19800102``: a Date/Datetime, an integer ``19800102``, or text
  ``YYYY-MM-DD``, ``YYYY.MM.DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``YYYY. M. D.``,
  ``YYYY년 M월 D일`` (a time part is ignored); a real calendar date in 1900–2099. Two-digit
  years are ambiguous (which century?): invalid.
- ``phone`` → ``01012345678``: digits only; a ``+82``/``82``/``0082`` country code becomes the
  leading ``0``; an integer column (the leading zero lost) gets its ``0`` back; then 10–11
  digits, ``0`` and a non-zero digit first.
- ``sex`` → ``1``/``2``: from 1–8 (the 7th digit of a resident or foreigner registration
  number: odd male, even female), 남/여, 남자/여자, 남성/여성, M/F, male/female (any case).
- ``ci`` and ``text`` → ``ABC123==``: whitespace removed, NFC, ASCII letters upper-cased (for a
  CI value or any other agreed item).

A null or blank value is *missing*; a value that is present but fits no rule is *invalid*. Either
way the normalized value is null, and a row with a null item gets no key for the key sets using
it — never a key of an empty string. Everything is a Polars expression: no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

ITEM_KINDS = ("name", "birth_date", "sex", "phone", "ci", "text")

BLANK = r"^[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}]*$"
SPACES = r"[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}]"
TIME_PART = r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*$"
FIRST_YEAR, LAST_YEAR = 1900, 2099
ASCII_LOWER = [chr(c) for c in range(ord("a"), ord("z") + 1)]
ASCII_UPPER = [c.upper() for c in ASCII_LOWER]
SEX_CODES: dict[str, str] = {
    **{str(d): "1" if d % 2 else "2" for d in range(1, 9)},
    "남": "1",
    "남자": "1",
    "남성": "1",
    "m": "1",
    "male": "1",
    "여": "2",
    "여자": "2",
    "여성": "2",
    "f": "2",
    "female": "2",
}

Normalizer = Callable[[pl.Expr, pl.DataType], pl.Expr]


def as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The column as text: integers as digits, whole floats as integers (``1.0`` → ``1``;
    other floats → null), categoricals and everything else by their string form."""
    if dtype == pl.String:
        return expr
    if dtype.is_integer():
        return expr.cast(pl.String)
    if dtype.is_float():
        whole = expr.is_finite() & (expr == expr.floor())
        return pl.when(whole).then(expr.cast(pl.Int64, strict=False)).cast(pl.String)
    return expr.cast(pl.String, strict=False)


def is_missing(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Null, or text that is empty or only whitespace."""
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return expr.is_null() | expr.cast(pl.String).str.contains(BLANK)
    if dtype.is_float():
        return expr.is_null() | expr.is_nan()
    return expr.is_null()


def _nonempty(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_bytes() > 0).then(expr)


def name(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    text = as_text(expr, dtype).str.replace_all(SPACES, "").str.normalize("NFC")
    return pl.when(text.str.contains(r"\p{L}")).then(text)


def text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    cleaned = as_text(expr, dtype).str.replace_all(SPACES, "").str.normalize("NFC")
    return _nonempty(cleaned.str.replace_many(ASCII_LOWER, ASCII_UPPER))


def _date_digits(expr: pl.Expr) -> pl.Expr:
    """``YYYYMMDD`` from the accepted text forms, else null (the date is not checked here)."""
    cleaned = (
        expr.str.replace(TIME_PART, "")
        .str.replace_all(SPACES, "")
        .str.replace_all(r"[./년월]", "-")
        .str.replace(r"[-일]$", "")
    )
    parts = cleaned.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    separated = pl.concat_str(
        parts.struct.field("1"),
        parts.struct.field("2").str.zfill(2),
        parts.struct.field("3").str.zfill(2),
    )
    return pl.coalesce(cleaned.str.extract(r"^(\d{8})$"), separated)


def birth_date(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        day = expr
    elif isinstance(dtype, pl.Datetime):
        day = expr.dt.date()
    else:
        day = _date_digits(as_text(expr, dtype)).str.to_date("%Y%m%d", strict=False)
    in_range = day.dt.year().is_between(FIRST_YEAR, LAST_YEAR)
    return pl.when(in_range).then(day.dt.to_string("%Y%m%d"))


def phone(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    digits = as_text(expr, dtype).str.replace_all(r"[^0-9]", "")
    if dtype.is_integer() or dtype.is_float():
        digits = pl.concat_str(pl.lit("0"), digits)  # a number column lost the leading zero
    national = digits.str.replace(r"^(?:00)?820?", "0")
    return pl.when(national.str.contains(r"^0[1-9][0-9]{8,9}$")).then(national)


def sex(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_integer():
        codes = {int(k): v for k, v in SEX_CODES.items() if k.isdigit()}
        return expr.replace_strict(codes, default=None, return_dtype=pl.String)
    key = as_text(expr, dtype).str.replace_all(SPACES, "").str.to_lowercase()
    return key.replace_strict(SEX_CODES, default=None, return_dtype=pl.String)


NORMALIZERS: dict[str, Normalizer] = {
    "name": name,
    "birth_date": birth_date,
    "sex": sex,
    "phone": phone,
    "ci": text,
    "text": text,
}


def normalized(kind: str, column: str, dtype: pl.DataType) -> pl.Expr:
    """The normalized text of ``column`` as item ``kind`` (null when missing or invalid)."""
    return NORMALIZERS[kind](pl.col(column), dtype)
