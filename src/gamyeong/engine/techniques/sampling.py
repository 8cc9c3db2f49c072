"""Sampling (표본추출): keep a reproducible random share of the records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from gamyeong.engine.techniques.base import Context, Param, RecordTechnique
from gamyeong.engine.techniques.noise import uniform


def _sample(frame: pl.LazyFrame, params: Mapping[str, Any], ctx: Context) -> pl.LazyFrame:
    return frame.filter(uniform(ctx.seed("sample")) < params["fraction"])


SAMPLE = RecordTechnique(
    "sample",
    "other (표본추출)",
    "표본추출",
    "Sampling",
    (Param("fraction", "number", required=True, minimum=1e-9, maximum=1),),
    _sample,
    uses_vault=True,
    per_row_random=True,
)
