"""How one dummy column is drawn: a :class:`ColumnPlan` learnt from the real column's values.

The rules are in :mod:`gamyeong.engine.workspace.dummy`. Every plan draws ``n`` values of the
real column's type with NumPy and returns a Polars series; none copies a value a real record
holds unless at least ``K`` records hold it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from gamyeong.engine.workspace.codebook import DIRECT, CodebookColumn
from gamyeong.engine.workspace.tokens import Shape, draw_digit_ids, draw_tokens, learn_shapes

K = 5  # a value (or a length, a missing share) is copied only when at least K records hold it
US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class ColumnPlan:
    dtype: pl.DataType
    kind: str  # tokens | digit_ids | choice | integer | float | date | datetime | missing
    null_share: float = 0.0
    choices: pl.Series | None = None  # choice
    shapes: tuple[Shape, ...] = ()  # tokens
    sample: pl.Series | None = None  # digit_ids: real values to learn the digit count from
    low: float = 0.0  # integer, float: value; date: days; datetime: microseconds
    high: float = 0.0

    def draw(self, n: int, rng: np.random.Generator) -> pl.Series:
        values = self._values(n, rng)
        if self.null_share > 0 and n:
            missing = pl.Series(rng.random(n) < self.null_share)
            values = pl.select(pl.when(missing).then(None).otherwise(values)).to_series()
        return values.cast(self.dtype)

    def _values(self, n: int, rng: np.random.Generator) -> pl.Series:
        if self.kind == "tokens":
            return draw_tokens(list(self.shapes), n, rng)
        if self.kind == "digit_ids" and self.sample is not None:
            return draw_digit_ids(self.sample, n, rng)
        if self.kind == "choice" and self.choices is not None:
            return self.choices.gather(rng.integers(self.choices.len(), size=n))
        if self.kind in ("integer", "date"):
            drawn = rng.integers(int(self.low), int(self.high) + 1, size=n, dtype=np.int64)
            series = pl.Series(values=drawn)
            return series.cast(pl.Int32).cast(pl.Date) if self.kind == "date" else series
        if self.kind == "float":
            return pl.Series(values=rng.uniform(self.low, self.high, size=n))
        if self.kind == "datetime":
            drawn = rng.integers(int(self.low), int(self.high) + 1, size=n, dtype=np.int64)
            return pl.Series(values=drawn).cast(pl.Datetime("us"))
        return pl.Series(values=[None] * n, dtype=self.dtype)


def plan_column(
    scan: pl.LazyFrame, column: CodebookColumn, dtype: pl.DataType, k: int = K
) -> ColumnPlan:
    """The plan for ``column`` (of type ``dtype``) of the real data ``scan``."""
    name = column.name
    counts = scan.select(pl.len().alias("rows"), pl.col(name).null_count().alias("nulls"))
    total, nulls = counts.collect().row(0)
    share = _null_share(int(total), int(nulls), k)
    present = int(total) - int(nulls)
    if present < k:
        return ColumnPlan(dtype, "missing", null_share=0.0)
    categorical = dtype in (pl.String, pl.Boolean, pl.Categorical) or isinstance(dtype, pl.Enum)
    if column.item_class == DIRECT:
        return _identifier_plan(scan, name, dtype, share, k)
    if categorical or (column.value_labels and (dtype.is_integer() or dtype.is_float())):
        choices = _frequent_values(scan, name, k)
        if choices.len():
            return ColumnPlan(dtype, "choice", null_share=share, choices=choices)
        return _identifier_plan(scan, name, dtype, share, k)
    if dtype.is_integer() or dtype.is_float() or isinstance(dtype, pl.Decimal):
        return _number_plan(scan, name, dtype, share)
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return _time_plan(scan, name, dtype, share)
    return ColumnPlan(dtype, "missing")


def _null_share(total: int, nulls: int, k: int) -> float:
    if nulls < k or total == 0:
        return 0.0
    return min(round(nulls / total, 1), 0.9)


def _identifier_plan(
    scan: pl.LazyFrame, name: str, dtype: pl.DataType, share: float, k: int
) -> ColumnPlan:
    values = scan.select(pl.col(name)).head(200_000).collect().to_series()
    if dtype.is_integer():
        return ColumnPlan(dtype, "digit_ids", null_share=share, sample=values)
    if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum):
        return ColumnPlan(dtype, "tokens", null_share=share, shapes=tuple(learn_shapes(values, k)))
    return ColumnPlan(dtype, "missing")


def _frequent_values(scan: pl.LazyFrame, name: str, k: int) -> pl.Series:
    counted = (
        scan.select(pl.col(name))
        .drop_nulls()
        .group_by(name)
        .agg(pl.len().alias("__n"))
        .filter(pl.col("__n") >= k)
        .select(pl.col(name))
        .collect()
        .to_series()
    )
    return counted.sort()


def _number_plan(scan: pl.LazyFrame, name: str, dtype: pl.DataType, share: float) -> ColumnPlan:
    low, high = (
        scan.select(pl.col(name).min().alias("lo"), pl.col(name).max().alias("hi")).collect().row(0)
    )
    low, high = _round_down(float(low)), _round_up(float(high))
    if dtype.is_integer():
        info = np.iinfo(str(dtype).lower())
        low, high = max(low, float(info.min), -(2.0**62)), min(high, float(info.max), 2.0**62)
        return ColumnPlan(dtype, "integer", null_share=share, low=low, high=high)
    return ColumnPlan(dtype, "float", null_share=share, low=low, high=high)


def _magnitude(value: float) -> float:
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1)


def _round_down(value: float) -> float:
    return 0.0 if value == 0 else math.floor(value / _magnitude(value)) * _magnitude(value)


def _round_up(value: float) -> float:
    return 0.0 if value == 0 else math.ceil(value / _magnitude(value)) * _magnitude(value)


def _time_plan(scan: pl.LazyFrame, name: str, dtype: pl.DataType, share: float) -> ColumnPlan:
    low, high = (
        scan.select(pl.col(name).min().alias("lo"), pl.col(name).max().alias("hi")).collect().row(0)
    )
    first = dt.date(low.year, low.month, 1)
    last = dt.date(high.year + high.month // 12, high.month % 12 + 1, 1) - dt.timedelta(days=1)
    epoch = dt.date(1970, 1, 1)
    days = ((first - epoch).days, (last - epoch).days)
    if dtype == pl.Date:
        return ColumnPlan(dtype, "date", null_share=share, low=days[0], high=days[1])
    micros = (days[0] * US_PER_DAY, (days[1] + 1) * US_PER_DAY - 1)
    return ColumnPlan(dtype, "datetime", null_share=share, low=micros[0], high=micros[1])
