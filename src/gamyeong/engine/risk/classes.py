"""Equivalence classes over the quasi-identifiers, k-anonymity figures and per-record risk.

An equivalence class is the set of records sharing one combination of quasi-identifier values;
NULL is a value of its own (all records with NULL in a column, and equal other values, form one
class), as in Polars' ``group_by`` and SQL's ``GROUP BY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from gamyeong.engine.risk.validate import (
    Frame,
    as_lazy,
    check_roles,
    column_names,
    require_columns,
    schema_of,
)

#: Column names used inside the engine; chosen so they cannot clash with data columns in practice.
COUNT = "__gy_n"
CLASS_SIZE = "__gy_f"
CLASS_ID = "__gy_cid"


def key_columns(schema: pl.Schema, keys: Sequence[str]) -> list[pl.Expr]:
    """Grouping keys; text becomes Categorical (integer codes hash and join several times
    faster; values, their lexical order and NULLs are unchanged)."""
    return [pl.col(c).cast(pl.Categorical) if schema[c] == pl.String else pl.col(c) for c in keys]


def pair_counts(
    frame: pl.LazyFrame, schema: pl.Schema, qi: Sequence[str], sensitive: str | None
) -> pl.LazyFrame:
    """Records per (class, sensitive value), or per class when ``sensitive`` is None.

    This is the one pass over the data: every later figure is computed from this small table.
    """
    keys = [*qi, sensitive] if sensitive is not None else list(qi)
    return frame.select(key_columns(schema, keys)).group_by(keys).agg(pl.len().alias(COUNT))


def class_sizes(pairs: pl.DataFrame, qi: Sequence[str]) -> pl.DataFrame:
    """One row per equivalence class: the quasi-identifiers, its size f and a class id."""
    sizes = pairs.group_by(qi).agg(pl.col(COUNT).sum().alias(CLASS_SIZE))
    return sizes.with_row_index(CLASS_ID)


@dataclass(frozen=True)
class ClassFigures:
    """k-anonymity figures over the class sizes."""

    records: int
    classes: int
    k_min: int
    records_below_k: int
    uniques: int


def class_figures(classes: pl.DataFrame, k: int) -> ClassFigures:
    """records = Σf, classes = number of classes, k_min = min f, records in classes with f < k,
    uniques = classes with f = 1."""
    f = pl.col(CLASS_SIZE)
    row = classes.select(
        f.sum().alias("records"),
        pl.len().alias("classes"),
        f.min().alias("k_min"),
        f.filter(f < k).sum().alias("records_below_k"),
        (f == 1).sum().alias("uniques"),
    ).row(0, named=True)
    return ClassFigures(
        records=int(row["records"]),
        classes=int(row["classes"]),
        k_min=int(row["k_min"]),
        records_below_k=int(row["records_below_k"] or 0),
        uniques=int(row["uniques"]),
    )


def record_risk(frame: Frame, qi: Sequence[str], *, row_index: str = "row_nr") -> pl.LazyFrame:
    """Per-record risk: ``row_index`` (0-based position in ``frame``, to join back),
    ``class_size`` (records sharing this record's quasi-identifiers) and ``prosecutor_risk``
    (1 / class_size). Lazy; nothing is read until it is collected or written."""
    lazy = as_lazy(frame)
    names = column_names(qi, "준식별자", "qi")
    check_roles(names, ())
    schema = schema_of(lazy, "데이터", "data")
    require_columns(schema, names, "데이터", "data")
    size = pl.len().over(names).alias("class_size")
    return (
        lazy.select(key_columns(schema, names))
        .with_row_index(row_index)
        .select(pl.col(row_index), size)
        .with_columns((1.0 / pl.col("class_size")).alias("prosecutor_risk"))
    )
