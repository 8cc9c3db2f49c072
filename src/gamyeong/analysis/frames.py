"""Accept the data frames a researcher has (Polars or pandas) and bring them to one Polars shape.

The computation is columnar (Polars group-bys); pandas frames are converted once, keeping the
category order of pandas categoricals (pandas' crosstab lays out categories in that order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

_FLOATS = (pl.Float32, pl.Float64)


def is_pandas(data: object) -> bool:
    return type(data).__module__.split(".", 1)[0] == "pandas"


def to_polars(data: Any) -> pl.DataFrame:
    """A Polars DataFrame for ``data``: a Polars DataFrame or LazyFrame, or a pandas DataFrame."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if is_pandas(data) and hasattr(data, "columns") and hasattr(data, "dtypes"):
        return _from_pandas(data)
    raise TypeError(f"expected a Polars or pandas DataFrame, got {type(data).__name__}")


def _from_pandas(frame: Any) -> pl.DataFrame:
    enums: dict[str, pl.Enum] = {}
    for name in frame.columns:
        dtype = frame[name].dtype
        if getattr(dtype, "name", "") == "category":
            categories = [str(c) for c in dtype.categories]
            enums[str(name)] = pl.Enum(categories)
    if len(set(map(str, frame.columns))) != len(frame.columns):
        raise ValueError("the pandas DataFrame has duplicate column names")
    converted = frame.rename(columns=str)
    for name in enums:
        converted[name] = converted[name].astype(str).where(converted[name].notna(), None)
    out = pl.from_pandas(converted, nan_to_null=True, include_index=False)
    if enums:
        out = out.with_columns(pl.col(name).cast(dtype) for name, dtype in enums.items())
    return out


def as_names(value: str | Sequence[str] | None, what: str) -> list[str]:
    """A list of column names from one name, a sequence of names, or None."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = list(value)
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"{what} must be column names (str)")
    return names


def require_columns(frame: pl.DataFrame, names: Sequence[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise KeyError(f"column(s) not in the data: {', '.join(missing)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a column is used twice: {', '.join(names)}")


def numeric_values(frame: pl.DataFrame, name: str) -> pl.Expr:
    """The values column as Float64, with NaN read as missing (pandas' meaning)."""
    dtype = frame.schema[name]
    if not (dtype.is_numeric() or dtype == pl.Boolean):
        raise TypeError(f"column {name!r} is not numeric ({dtype})")
    column = pl.col(name).cast(pl.Float64)
    if dtype in _FLOATS:
        column = pl.when(column.is_nan()).then(None).otherwise(column)
    return column.alias(name)


def prepare_keys(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Key columns made groupable: Polars Categoricals become Strings (sorted lexically)."""
    casts = [pl.col(k).cast(pl.String) for k in keys if frame.schema[k] == pl.Categorical]
    return frame.with_columns(casts) if casts else frame
