"""Masking (마스킹): hide part of a value — ``홍길동 → 홍**``, ``010-1234-5678 → 010-****-5678``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.techniques.base import STRING, Context, Param, Technique


def _mask(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    first, last, char = params["keep_first"], params["keep_last"], params["char"]
    preserve = params["preserve"]
    text = expr.cast(pl.String)
    length = text.str.len_chars().cast(pl.Int64)  # unsigned arithmetic would wrap around
    middle_len = (length - first - last).clip(lower_bound=0)
    head = text.str.slice(0, pl.min_horizontal(pl.lit(first), length))
    middle = text.str.slice(first, middle_len)
    tail = text.str.slice(pl.max_horizontal(length - last, pl.lit(first)).cast(pl.Int64), last)
    pattern = "[^" + re.escape(preserve) + "]" if preserve else "(?s)."
    hidden = middle.str.replace_all(pattern, char, literal=False)
    return pl.concat_str(head, hidden, pl.when(length > first).then(tail).otherwise(pl.lit("")))


MASK = Technique(
    "mask",
    "masking (마스킹)",
    "마스킹",
    "Masking",
    (
        Param("keep_first", "int", default=1, minimum=0),
        Param("keep_last", "int", default=0, minimum=0),
        Param("char", "string", default="*"),
        Param("preserve", "string", default="-"),
    ),
    accepts=frozenset({STRING}),
    expr=_mask,
)
