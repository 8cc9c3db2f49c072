"""Column types for CSV input: lossless inference.

Every CSV column is first read as text (``pl.String``). A column becomes ``Int64`` or ``Float64``
only if every value is written the way the number would be written back — so converting loses
nothing that matters:

- ``Int64``: ``0`` or an optional ``-`` and up to 18 digits without a leading zero (``12``,
  ``-3``). 18 digits always fit in Int64; casting the column back to text gives the file's text.
- ``Float64``: a plain decimal without a leading zero whose fraction does not end in ``0``
  (``0.25``, ``-3.5``; ``3.0`` and integers are allowed too), at most 16 characters, so at most
  15 significant digits, which a double holds exactly.

So codes with leading zeros (``01``, ``0101``, 시군구 코드 ``01110``), ``+1``, ``-0``,
``1,234``, `` 12`` (with a space), ``1.50``, ``1e3`` and numbers too long to be held exactly all
keep the column as text. Dates stay text. Empty fields are null and do not decide a type.

Two steps, so that the ``LazyFrame`` handed out can never fail later on a cast:

1. the first :data:`SAMPLE_ROWS` rows pick *candidate* columns (cheap);
2. one streaming Polars pass over the whole file confirms the candidates — a single
   non-conforming value anywhere (row 9,000,000 say) keeps the column as text.

Pass ``infer_schema=False`` to :func:`~gamyeong.engine.io.open_table` to keep every column as
text and skip both steps.
"""

from __future__ import annotations

import polars as pl

SAMPLE_ROWS = 10_000


INT_PATTERN = r"^(0|-?[1-9][0-9]{0,17})$"
FLOAT_PATTERN = r"^-?(0|[1-9][0-9]*)(\.0|\.[0-9]*[1-9])?$"
FLOAT_MAX_CHARS = 16


def _as_int(column: str) -> pl.Expr:
    text = pl.col(column)
    return (text.is_null() | text.str.contains(INT_PATTERN)).all()


def _as_float(column: str) -> pl.Expr:
    text = pl.col(column)
    exact = text.str.contains(FLOAT_PATTERN) & (text.str.len_bytes() <= FLOAT_MAX_CHARS)
    return (text.is_null() | exact).all()


def _checks(columns: list[str]) -> list[pl.Expr]:
    exprs = []
    for k, column in enumerate(columns):
        exprs.append(_as_int(column).alias(f"i{k}"))
        exprs.append(_as_float(column).alias(f"f{k}"))
    return exprs


def _decide(columns: list[str], checks: dict[str, bool]) -> dict[str, pl.DataType]:
    types: dict[str, pl.DataType] = {}
    for k, column in enumerate(columns):
        if checks[f"i{k}"]:
            types[column] = pl.Int64()
        elif checks[f"f{k}"]:
            types[column] = pl.Float64()
    return types


def infer_types(text_frame: pl.LazyFrame) -> dict[str, pl.DataType]:
    """Columns of ``text_frame`` (all ``pl.String``) that convert losslessly, and their type."""
    sample = text_frame.head(SAMPLE_ROWS).collect()
    filled = [name for name in sample.columns if sample[name].null_count() < sample.height]
    if not filled:
        return {}
    candidates = _decide(filled, sample.select(_checks(filled)).row(0, named=True))
    if not candidates:
        return {}
    names = list(candidates)
    confirmed = text_frame.select(_checks(names)).collect(engine="streaming")
    return _decide(names, confirmed.row(0, named=True))


def apply_types(text_frame: pl.LazyFrame, types: dict[str, pl.DataType]) -> pl.LazyFrame:
    if not types:
        return text_frame
    return text_frame.with_columns(pl.col(name).cast(dtype) for name, dtype in types.items())
