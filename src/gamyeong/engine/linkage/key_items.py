"""The normalized items of every row, and the message a key is computed from.

:func:`normalized_items` gives, per item kind, the normalized text (null when missing or
invalid) and a status: 0 ok, 1 missing (null or blank), 2 invalid (present, fits no rule). Names
and dates of birth repeat a lot, so they are normalized once per distinct value and mapped back.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage import normalize
from gamyeong.engine.linkage.key_specs import KeySpec

SEPARATOR = "|"
OK, MISSING, INVALID = 0, 1, 2


def status_column(kind: str) -> str:
    return f"__status_{kind}"


def check_items(items: Mapping[str, str], schema: Mapping[str, pl.DataType]) -> None:
    """Item kinds must be known and columns present (each column used once)."""
    unknown = [kind for kind in items if kind not in normalize.ITEM_KINDS]
    if unknown:
        allowed = ", ".join(normalize.ITEM_KINDS)
        raise EngineError(
            f"알 수 없는 결합키 항목: {', '.join(unknown)} (쓸 수 있는 항목: {allowed})",
            f"unknown key item(s): {', '.join(unknown)} (allowed: {allowed})",
        )
    missing = [column for column in items.values() if column not in schema]
    if missing:
        available = ", ".join(schema)
        raise EngineError(
            f"데이터에 없는 열: {', '.join(missing)} (있는 열: {available})",
            f"no such column(s) in the data: {', '.join(missing)} (available: {available})",
        )
    columns = list(items.values())
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise EngineError(
            f"한 열을 두 항목에 쓸 수 없습니다: {', '.join(twice)}",
            f"a column cannot serve two items: {', '.join(twice)}",
        )


def _by_distinct_value(kind: str) -> bool:
    """Names and dates of birth repeat a lot: normalize each distinct value once."""
    return kind in ("name", "birth_date")


def normalized_items(
    table: pl.LazyFrame, items: Mapping[str, str], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Per item kind: the normalized text and a status (0 ok, 1 missing, 2 invalid).

    One pass (in parallel over the item columns and chunks of rows) normalizes the items that
    are mostly distinct (phone, sex, CI) and flags missing values; names and dates of birth are then normalized once per distinct value and
    looked up (the two lookups run in parallel)."""
    first: list[pl.Expr] = []
    for kind, column in items.items():
        dtype = schema[column]
        raw = pl.col(column)
        value = raw if _by_distinct_value(kind) else normalize.normalized(kind, column, dtype)
        first += [value.alias(kind), normalize.is_missing(raw, dtype).alias(status_column(kind))]
    try:
        frame = table.select(first).collect()
        lookups = [
            frame.lazy().select(_looked_up(frame.get_column(kind), kind, schema[column]))
            for kind, column in items.items()
            if _by_distinct_value(kind)
        ]
        frame = frame.with_columns(f.to_series() for f in pl.collect_all(lookups))
    except pl.exceptions.PolarsError as exc:
        raise EngineError(
            f"결합키 항목을 정규화하지 못했습니다 ({exc})",
            f"could not normalize the key items ({exc})",
        ) from None
    return frame.with_columns(_status(kind) for kind in items)


def _status(kind: str) -> pl.Expr:
    missing = pl.col(status_column(kind))
    status = pl.when(missing).then(MISSING).when(pl.col(kind).is_null()).then(INVALID)
    return status.otherwise(OK).cast(pl.UInt8).alias(status_column(kind))


def _looked_up(raw: pl.Series, kind: str, dtype: pl.DataType) -> pl.Expr:
    """``raw`` normalized through a table of its distinct values."""
    distinct = raw.drop_nulls().unique()
    normalized = distinct.to_frame("v").select(normalize.normalized(kind, "v", dtype)).to_series()
    lookup = pl.col(kind).replace_strict(distinct, normalized, default=None, return_dtype=pl.String)
    return lookup.alias(kind)


def key_message(frame: pl.DataFrame, spec: KeySpec) -> pl.Series:
    """The items of ``spec`` joined with ``|``; null when any of them is null."""
    joined = pl.concat_str([pl.col(k) for k in spec.items], separator=SEPARATOR)
    return frame.lazy().select(joined).collect().to_series()  # lazy: in parallel over chunks
