"""Outliers (특이정보): rare quasi-identifier values and extreme amounts.

- Rare values: per quasi-identifier, the values held by fewer than k records (NULL included),
  rarest first, at most :data:`MAX_RARE_VALUES` listed, with how many there are in total.
- Extreme amounts: per numeric column of the data (booleans excluded), how many records lie
  beyond Tukey's far-out fences ``Q1 - 3·IQR`` and ``Q3 + 3·IQR`` (IQR = Q3 - Q1, quantiles with
  linear interpolation, NULLs ignored). Only the fences and the counts are reported; no
  individual amount is. The fences adapt to the shape of the distribution, unlike a fixed
  percentile (the 99.9th percentile flags 0.1% of every column, heavy-tailed or not).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from gamyeong.engine.risk.classes import CLASS_SIZE
from gamyeong.engine.risk.report import ExtremeAmounts, RareValues

#: The longest list of rare values reported per quasi-identifier.
MAX_RARE_VALUES = 20
#: Multiplier of the interquartile range for the fences (3 = Tukey's "far out").
FENCE_IQR = 3.0


def rare_values(classes: pl.DataFrame, column: str, k: int) -> RareValues:
    """Values of ``column`` with fewer than ``k`` records, from the class sizes (no data pass)."""
    counts = classes.group_by(column).agg(pl.col(CLASS_SIZE).sum().alias("n"))
    rare = counts.filter(pl.col("n") < k).sort("n", column, nulls_last=True)
    listed = rare.head(MAX_RARE_VALUES)
    return RareValues(
        column=column,
        values=tuple(zip(listed[column].to_list(), listed["n"].to_list(), strict=True)),
        distinct=rare.height,
        records=int(rare["n"].sum()),
    )


def numeric_columns(schema: pl.Schema) -> list[str]:
    """Columns whose amounts are checked: integers, floats and decimals (not booleans)."""
    return [name for name, dtype in schema.items() if dtype.is_numeric()]


def quartile_query(frame: pl.LazyFrame, schema: pl.Schema, columns: Sequence[str]) -> pl.LazyFrame:
    """One row with Q1 and Q3 of every column (NaN counts as missing)."""
    exprs = [pl.lit(0).alias("__gy_none")]
    for name in columns:
        x = pl.col(name)
        if isinstance(schema[name], pl.Decimal) or schema[name].is_float():
            x = x.cast(pl.Float64).fill_nan(None)
        exprs += [
            x.quantile(0.25, "linear").alias(f"{name}\x00q1"),
            x.quantile(0.75, "linear").alias(f"{name}\x00q3"),
        ]
    return frame.select(exprs)


Fences = dict[str, tuple[float, float] | None]


def fences(quartiles: pl.DataFrame, columns: Sequence[str]) -> Fences:
    """Far-out fences per column from :func:`quartile_query`; None for an all-NULL column."""
    row = quartiles.row(0, named=True)
    out: Fences = {}
    for name in columns:
        q1, q3 = row[f"{name}\x00q1"], row[f"{name}\x00q3"]
        if q1 is None or q3 is None:
            out[name] = None
            continue
        iqr = float(q3) - float(q1)
        out[name] = (float(q1) - FENCE_IQR * iqr, float(q3) + FENCE_IQR * iqr)
    return out


def beyond_query(frame: pl.LazyFrame, limits: Fences) -> pl.LazyFrame | None:
    """One row with the records below the lower and above the upper fence, per column;
    None when no column has fences (nothing to count)."""
    exprs: list[pl.Expr] = []
    for name, pair in limits.items():
        if pair is not None:
            x = pl.col(name).cast(pl.Float64).fill_nan(None)  # NaN compares above everything
            exprs += [
                (x < pair[0]).sum().alias(f"{name}\x00below"),
                (x > pair[1]).sum().alias(f"{name}\x00above"),
            ]
    return frame.select(exprs) if exprs else None


def extreme_amounts(limits: Fences, beyond: pl.DataFrame | None) -> tuple[ExtremeAmounts, ...]:
    """Report entries from the fences and the counts of :func:`beyond_query`."""
    row = {} if beyond is None else beyond.row(0, named=True)
    return tuple(
        ExtremeAmounts(
            column=name,
            lower_fence=None if pair is None else pair[0],
            upper_fence=None if pair is None else pair[1],
            below=int(row.get(f"{name}\x00below") or 0),
            above=int(row.get(f"{name}\x00above") or 0),
        )
        for name, pair in limits.items()
    )
