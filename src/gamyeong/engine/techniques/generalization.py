"""Generalization (범주화): numbers into bands (age → 5-year bands), dates to a coarser unit
(birth date → year or year-month; any date → month, quarter or year), 시군구 → 시도, and any
hierarchy given as a CSV file (value → level 1 → level 2 …)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.techniques.base import DATE, NUMERIC, STRING, Context, Param, Technique


def _band(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    """``30–34`` style labels of width ``width`` from ``start``; ``top``+ and ``bottom``- open ends."""
    width, start, top, bottom = params["width"], params["start"], params["top"], params["bottom"]
    value = expr.cast(pl.Float64)
    low = ((value - start) / width).floor() * width + start
    high = low + width - 1 if params["integer"] else low + width
    sep = "-" if params["integer"] else "~"
    label = pl.concat_str(
        low.cast(pl.Int64).cast(pl.String), pl.lit(sep), high.cast(pl.Int64).cast(pl.String)
    )
    if top is not None:
        label = pl.when(value >= top).then(pl.lit(f"{top}+")).otherwise(label)
    if bottom is not None:
        label = pl.when(value < bottom).then(pl.lit(f"<{bottom}")).otherwise(label)
    return pl.when(value.is_null()).then(None).otherwise(label)


BAND = Technique(
    "band",
    "generalization (범주화)",
    "구간화",
    "Bands",
    (
        Param("width", "number", required=True, minimum=1e-9),
        Param("start", "number", default=0),
        Param("top", "number"),
        Param("bottom", "number"),
        Param("integer", "bool", default=True),
    ),
    accepts=frozenset({NUMERIC}),
    output=STRING,
    expr=_band,
)

DATE_FORMATS = {"year": "%Y", "month": "%Y-%m", "year_month": "%Y-%m"}


def as_date(expr: pl.Expr) -> pl.Expr:
    """A date from a Date column or from text in common Korean formats (YYYY-MM-DD,
    YYYY.MM.DD, YYYY/MM/DD, YYYYMMDD)."""
    text = expr.cast(pl.String).str.replace_all(r"[./]", "-")
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%Y%m%d", strict=False),
    )


def _date(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    date = as_date(expr)
    if params["to"] == "quarter":
        return pl.concat_str(
            date.dt.year().cast(pl.String), pl.lit("-Q"), date.dt.quarter().cast(pl.String)
        )
    return date.dt.strftime(DATE_FORMATS[params["to"]])


GENERALIZE_DATE = Technique(
    "generalize_date",
    "generalization (범주화)",
    "날짜 범주화",
    "Coarser dates",
    (Param("to", "string", required=True, choices=("year", "quarter", "month", "year_month")),),
    accepts=frozenset({DATE, STRING}),
    output=STRING,
    expr=_date,
)


@lru_cache(maxsize=1)
def _sido_names() -> dict[str, str]:
    from gamyeong.engine.synth.reference import regions

    reg = regions()
    return dict(zip(reg.sido_code.tolist(), reg.sido_name.tolist(), strict=True))


def _region(expr: pl.Expr, params: Mapping[str, Any], _ctx: Context) -> pl.Expr:
    """시군구 code (5 digits) → 시도 code (its first two digits) or 시도 name."""
    code = expr.cast(pl.String).str.slice(0, 2)
    if params["to"] == "sido_code":
        return code
    names = _sido_names()
    return code.replace_strict(list(names), list(names.values()), default=None)


REGION = Technique(
    "region",
    "generalization (범주화)",
    "시군구 → 시도",
    "District → province",
    (Param("to", "string", default="sido_code", choices=("sido_code", "sido_name")),),
    accepts=frozenset({STRING, NUMERIC}),
    output=STRING,
    expr=_region,
)


def load_hierarchy(path: Path) -> pl.DataFrame:
    """A hierarchy CSV: first column the original value, then one column per level."""
    try:
        table = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise EngineError(
            f"계층 파일을 읽을 수 없습니다: {path} ({exc})", f"cannot read hierarchy {path} ({exc})"
        ) from None
    if table.width < 2:
        raise EngineError(
            f"계층 파일 {path}에는 원래 값과 한 단계 이상의 열이 있어야 합니다",
            f"hierarchy {path} needs the original value and at least one level",
        )
    return table


def _hierarchy(values: pl.Series, params: Mapping[str, Any], ctx: Context) -> pl.Series:
    """Each distinct value's ancestor at ``level``. A value the hierarchy does not list is an
    error (naming up to five of them) unless ``missing: blank`` asks to blank it."""
    table = load_hierarchy(Path(params["file"]))
    level = params["level"]
    if level >= table.width:
        raise EngineError(
            f"계층 파일에 {level}단계가 없습니다 (최대 {table.width - 1})",
            f"the hierarchy has no level {level} (at most {table.width - 1})",
        )
    mapping = table.select(
        pl.col(table.columns[0]).alias("value"), pl.col(table.columns[level]).alias("up")
    ).unique("value")
    found = pl.DataFrame({"value": values.cast(pl.String)}).join(
        mapping, on="value", how="left", maintain_order="left"
    )
    unknown = found.filter(pl.col("up").is_null()).get_column("value")
    if unknown.len() and params["missing"] == "error":
        examples = ", ".join(unknown.head(5).to_list())
        raise EngineError(
            f"'{ctx.column}'의 값 {unknown.len()}개가 계층 파일에 없습니다: {examples} "
            "(비우려면 missing: blank)",
            f"{unknown.len()} value(s) of {ctx.column!r} are not in the hierarchy: {examples} "
            "(write missing: blank to blank them)",
        )
    return found.get_column("up")


HIERARCHY = Technique(
    "hierarchy",
    "generalization (범주화)",
    "계층 범주화",
    "Generalization by a hierarchy",
    (
        Param("file", "string", required=True),
        Param("level", "int", default=1, minimum=1),
        Param("missing", "string", default="error", choices=("error", "blank")),
    ),
    accepts=frozenset({STRING, NUMERIC}),
    output=STRING,
    lookup=_hierarchy,
)
