"""Rounding (라운딩): to a base (nearest, down, up), and unbiased random rounding whose
randomness is reproducible from the provider's secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.techniques.base import NUMERIC, Context, Param, Technique
from gamyeong.engine.techniques.noise import uniform


def _round(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    base = params["base"]
    scaled = expr.cast(pl.Float64) / base
    rounded = {"nearest": (scaled + 0.5).floor(), "down": scaled.floor(), "up": scaled.ceil()}
    return _same_type(rounded[params["mode"]] * base, base)


def _same_type(value: pl.Expr, base: float) -> pl.Expr:
    return value.cast(pl.Int64) if float(base).is_integer() else value


ROUND = Technique(
    "round",
    "rounding (라운딩)",
    "라운딩",
    "Rounding",
    (
        Param("base", "number", required=True, minimum=1e-9),
        Param("mode", "string", default="nearest", choices=("nearest", "down", "up")),
    ),
    accepts=frozenset({NUMERIC}),
    expr=_round,
)


def _random_round(expr: pl.Expr, params: Mapping[str, Any], ctx: Context) -> pl.Expr:
    """Round down or up with the probability that keeps the expected value: a value 30% of the
    way from one multiple to the next goes up with probability 0.3."""
    base = params["base"]
    scaled = expr.cast(pl.Float64) / base
    floor = scaled.floor()
    up = uniform(ctx.seed("random_round")) < (scaled - floor)
    return _same_type((floor + up.cast(pl.Float64)) * base, base)


RANDOM_ROUND = Technique(
    "random_round",
    "rounding (라운딩)",
    "랜덤 라운딩",
    "Random rounding",
    (Param("base", "number", required=True, minimum=1e-9),),
    accepts=frozenset({NUMERIC}),
    expr=_random_round,
    uses_vault=True,
    per_row_random=True,
)
