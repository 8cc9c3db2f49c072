"""Local suppression (부분삭제): blank out quasi-identifier values of the records in classes
smaller than k until every class has at least k records.

Greedy and columnar: in each round, the records still in small classes lose the value of the
quasi-identifier with the most distinct values among them (the one that splits classes most);
a record whose quasi-identifiers are all blank and still is in a class smaller than k is removed.
Each round is one group-by over the quasi-identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from gamyeong.engine.techniques.noise import ROW

SIZE = "__gamyeong_class_size"
REMOVED = "__gamyeong_removed"


def blank_flag(column: str) -> str:
    return f"__gamyeong_blank_{column}"


@dataclass(frozen=True)
class SuppressionResult:
    frame: pl.DataFrame  # the quasi-identifiers after suppression (removed records dropped)
    suppressed: dict[str, int]  # column → values blanked
    removed: int  # records removed because no blanking helped
    rounds: int
    changes: pl.DataFrame  # only the changed rows: row number, one blank flag per QI, removed


def _small(frame: pl.DataFrame, columns: Sequence[str], k: int) -> pl.Series:
    sizes = frame.select(pl.len().over(columns).alias(SIZE)).get_column(SIZE)
    return sizes < k


def suppress(frame: pl.DataFrame, columns: Sequence[str], k: int) -> SuppressionResult:
    """Return ``frame`` with QI values blanked (and, last, records removed) to reach ``k``."""
    suppressed = dict.fromkeys(columns, 0)
    rounds = 0
    frame = frame.with_columns(pl.lit(False).alias(blank_flag(c)) for c in columns)
    small = _small(frame, columns, k)
    while small.any() and rounds < len(columns):
        rounds += 1
        candidates = frame.filter(small)
        spread = {
            c: candidates.get_column(c).n_unique()
            for c in columns
            if candidates.get_column(c).null_count() < candidates.height
        }
        if not spread:
            break
        column = max(spread, key=lambda c: spread[c])
        suppressed[column] += int(candidates.get_column(column).is_not_null().sum())
        frame = frame.with_columns(
            pl.when(small).then(None).otherwise(pl.col(column)).alias(column),
            (pl.col(blank_flag(column)) | small).alias(blank_flag(column)),
        )
        small = _small(frame, columns, k)
    removed = int(small.sum())
    flags = [blank_flag(c) for c in columns]
    frame = frame.with_columns(small.alias(REMOVED))
    changes = frame.filter(pl.any_horizontal(*flags, REMOVED)).select(
        *([ROW] if ROW in frame.columns else []), *flags, REMOVED
    )
    kept = frame.filter(~pl.col(REMOVED)).drop(*flags, REMOVED)
    return SuppressionResult(kept, suppressed, removed, rounds, changes)


def suppression_plan(narrow: pl.LazyFrame, columns: Sequence[str], k: int) -> SuppressionResult:
    """Run :func:`suppress` on a frame of the row number and the quasi-identifiers only."""
    return suppress(narrow.collect(), columns, k)
