"""Top- and bottom-coding (상·하단코딩): values beyond a threshold become the threshold (or
empty), so extreme incomes and assets no longer stand out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.techniques.base import NUMERIC, Context, Param, Technique


def _top(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    limit = params["above"]
    replacement = pl.lit(None) if params["to"] == "null" else pl.lit(limit)
    return pl.when(expr > limit).then(replacement).otherwise(expr)


def _bottom(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    limit = params["below"]
    replacement = pl.lit(None) if params["to"] == "null" else pl.lit(limit)
    return pl.when(expr < limit).then(replacement).otherwise(expr)


TO = Param("to", "string", default="threshold", choices=("threshold", "null"))

TOP_CODE = Technique(
    "top_code",
    "generalization (상단코딩)",
    "상단코딩",
    "Top-coding",
    (Param("above", "number", required=True), TO),
    accepts=frozenset({NUMERIC}),
    expr=_top,
)
BOTTOM_CODE = Technique(
    "bottom_code",
    "generalization (하단코딩)",
    "하단코딩",
    "Bottom-coding",
    (Param("below", "number", required=True), TO),
    accepts=frozenset({NUMERIC}),
    expr=_bottom,
)
