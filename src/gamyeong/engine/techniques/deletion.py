"""Deletion (삭제): keep a column as it is, delete a column, delete records by a rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.techniques.base import Context, Param, RecordTechnique, Technique

KEEP = Technique("keep", "none", "그대로 둠", "Keep as is", expr=lambda e, _p, _c: e)
DELETE = Technique("delete", "deletion (삭제)", "항목 삭제", "Delete the column", drops_column=True)

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_null", "is_not_null")


def condition(params: Mapping[str, Any]) -> pl.Expr:
    """The rule as an expression: ``column op value`` (``in``/``not_in`` take a list)."""
    column, op, value = pl.col(params["column"]), params["op"], params.get("value")
    if op in ("is_null", "is_not_null"):
        return column.is_null() if op == "is_null" else column.is_not_null()
    if value is None:
        raise EngineError(
            f"'{op}' 조건에는 value가 필요합니다", f"the condition {op!r} needs a value"
        )
    if op in ("in", "not_in"):
        values = value if isinstance(value, list) else [value]
        return column.is_in(values) if op == "in" else ~column.is_in(values)
    compare = {
        "==": column.__eq__,
        "!=": column.__ne__,
        "<": column.__lt__,
        "<=": column.__le__,
        ">": column.__gt__,
        ">=": column.__ge__,
    }[op]
    return compare(pl.lit(value))


def _delete_records(frame: pl.LazyFrame, params: Mapping[str, Any], _ctx: Context) -> pl.LazyFrame:
    return frame.filter(~condition(params).fill_null(False))


DELETE_RECORDS = RecordTechnique(
    "delete_records",
    "deletion (삭제)",
    "조건에 맞는 레코드 삭제",
    "Delete the records that match a rule",
    (
        Param("column", "string", required=True),
        Param("op", "string", required=True, choices=OPERATORS),
        Param("value", "any"),
    ),
    _delete_records,
)
