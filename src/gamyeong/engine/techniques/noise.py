"""Noise (잡음 추가): bounded random noise on numbers (± a share or an amount) and dates (± days).

The randomness comes from a per-row hash seeded by the provider's secret (its ``noise`` secret in
the vault), the column and the purpose: the same data, secret and Polars version give the same
output, and without the secret the noise cannot be reproduced or subtracted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.techniques.base import DATE, NUMERIC, Context, Param, Technique

ROW = "__gamyeong_row"  # row index added by the pipeline while it runs


def uniform(seed: int) -> pl.Expr:
    """A reproducible U[0, 1) value per row from the row index and ``seed``."""
    return pl.col(ROW).hash(seed=seed).cast(pl.Float64) / float(2**64)


def _noise(expr: pl.Expr, params: Mapping[str, Any], ctx: Context) -> pl.Expr:
    offset = uniform(ctx.seed("noise")) * 2 - 1  # U[-1, 1)
    days, relative, absolute = params["days"], params["relative"], params["absolute"]
    if days is not None:
        return expr.cast(pl.Date) + pl.duration(days=(offset * days).round(0).cast(pl.Int64))
    if relative is not None:
        scaled: pl.Expr = expr * (1 + offset * relative)
        return scaled.cast(pl.Float64)
    if absolute is not None:
        shifted: pl.Expr = expr + offset * absolute
        return shifted.cast(pl.Float64)
    raise EngineError(
        f"'{ctx.column}' 잡음에는 relative, absolute, days 중 하나가 필요합니다",
        f"noise on {ctx.column!r} needs one of relative, absolute or days",
    )


NOISE = Technique(
    "noise",
    "randomization (잡음 추가)",
    "잡음 추가",
    "Bounded noise",
    (
        Param("relative", "number", minimum=0, maximum=1),
        Param("absolute", "number", minimum=0),
        Param("days", "int", minimum=1),
    ),
    accepts=frozenset({NUMERIC, DATE}),
    expr=_noise,
    uses_vault=True,
    per_row_random=True,
)
