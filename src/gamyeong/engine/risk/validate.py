"""Checks on the arguments of a risk review, each failing with a Korean and English message."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from gamyeong.engine.errors import EngineError

Frame = pl.LazyFrame | pl.DataFrame


def as_lazy(frame: Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def column_names(names: Sequence[str], what_ko: str, what_en: str) -> tuple[str, ...]:
    """``names`` as a tuple; a bare string or a repeated name is an error."""
    if isinstance(names, str):
        raise EngineError(
            f"{what_ko}: 문자열 하나가 아니라 열 이름의 목록이어야 합니다: {names!r}",
            f"{what_en} must be a list of column names, not one string: {names!r}",
        )
    out = tuple(names)
    repeated = sorted({n for n in out if out.count(n) > 1})
    if repeated:
        raise EngineError(
            f"{what_ko}: 같은 열이 두 번 이상 있습니다: {', '.join(repeated)}",
            f"{what_en} names a column more than once: {', '.join(repeated)}",
        )
    return out


def require_columns(schema: pl.Schema, wanted: Sequence[str], where_ko: str, where_en: str) -> None:
    """Every name in ``wanted`` must be a column; the message lists what is available."""
    missing = [c for c in wanted if c not in schema]
    if missing:
        available = ", ".join(schema.names())
        raise EngineError(
            f"{where_ko}에 없는 열입니다: {', '.join(missing)}. 사용할 수 있는 열: {available}",
            f"column(s) not in the {where_en}: {', '.join(missing)}. available columns: {available}",
        )


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise EngineError(
            f"k는 1 이상의 정수여야 합니다 (받은 값: {k!r})",
            f"k must be an integer of at least 1 (got {k!r})",
        )
    return k


def check_roles(qi: Sequence[str], sensitive: Sequence[str]) -> None:
    """At least one quasi-identifier, and no column both a quasi-identifier and sensitive."""
    if not qi:
        raise EngineError(
            "준식별자(QI)를 하나 이상 지정해야 합니다", "at least one quasi-identifier is required"
        )
    both = [c for c in sensitive if c in qi]
    if both:
        raise EngineError(
            f"민감속성은 준식별자와 겹칠 수 없습니다: {', '.join(both)}",
            f"a sensitive attribute cannot also be a quasi-identifier: {', '.join(both)}",
        )


def check_population(
    data: pl.Schema, population: pl.Schema, qi: Sequence[str], count: str | None
) -> None:
    """The population holds every quasi-identifier with a compatible type, and a numeric count."""
    require_columns(population, [*qi, *([count] if count else [])], "모집단", "population")
    for name in qi:
        mine, theirs = data[name], population[name]
        if mine != theirs and not (mine.is_numeric() and theirs.is_numeric()):
            raise EngineError(
                f"준식별자 열({name})의 형식이 데이터({mine})와 모집단({theirs})에서 다릅니다",
                f"quasi-identifier {name} has type {mine} in the data but {theirs} in the population",
            )
    if count is not None and not population[count].is_numeric():
        raise EngineError(
            f"모집단의 인원 열({count})은 숫자여야 합니다 (형식: {population[count]})",
            f"population count column {count} must be numeric (type: {population[count]})",
        )
    if count is not None and count in qi:
        raise EngineError(
            f"모집단의 인원 열({count})은 준식별자일 수 없습니다",
            f"population count column {count} cannot be a quasi-identifier",
        )


def no_population_count_alone(population: object, count: str | None) -> None:
    if population is None and count is not None:
        raise EngineError(
            "모집단 인원 열은 모집단 데이터와 함께 지정해야 합니다",
            "a population count column needs a population table",
        )


def schema_of(frame: pl.LazyFrame, where_ko: str, where_en: str) -> pl.Schema:
    """The frame's schema; a file that cannot be read becomes an :class:`EngineError`."""
    try:
        return frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise EngineError(
            f"읽을 수 없습니다({where_ko}): {exc}", f"cannot read the {where_en}: {exc}"
        ) from exc
