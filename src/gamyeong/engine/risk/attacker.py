"""Re-identification risk under the three attacker models (El Emam; ARX, sdcMicro).

With f_j the size of sample class j, n the records and J the classes:

- prosecutor (knows the person is in the data): max = 1 / min_j f_j, average = J / n;
- marketer (tries to re-identify everyone): J / n without a population, and
  (1/n)·Σ_j f_j / F_j with one, F_j being the matching class size in the population;
- journalist (knows the person is in the population): max_j 1 / F_j over the sample's classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.risk.classes import CLASS_SIZE

POPULATION_SIZE = "__gy_F"
BAD_WEIGHTS = "__gy_bad"


@dataclass(frozen=True)
class AttackerRisk:
    prosecutor_max: float
    prosecutor_avg: float
    marketer: float
    journalist_max: float | None


def population_classes(
    population: pl.LazyFrame, qi: Sequence[str], count: str | None, data: pl.Schema
) -> pl.LazyFrame:
    """F_j per population class: rows, or the sum of ``count`` (weights) when given.

    Quasi-identifiers are cast to the data's numeric type when the two differ (Int16 vs Int64)
    and text to Categorical, as in :func:`~gamyeong.engine.risk.classes.key_columns`. Also
    counts NULL or negative weights, which :func:`attacker_risk` rejects.
    """
    casts = [pl.col(c).cast(pl.Categorical if data[c] == pl.String else data[c]) for c in qi]
    if count is None:
        return (
            population.select(casts)
            .group_by(qi)
            .agg(pl.len().cast(pl.Float64).alias(POPULATION_SIZE), pl.lit(0).alias(BAD_WEIGHTS))
        )
    weight = pl.col(count).cast(pl.Float64)
    return (
        population.select(*casts, weight)
        .group_by(qi)
        .agg(
            weight.sum().alias(POPULATION_SIZE),
            (weight.is_null() | weight.is_nan() | (weight < 0)).sum().alias(BAD_WEIGHTS),
        )
    )


def attacker_risk(
    classes: pl.DataFrame, qi: Sequence[str], population: pl.DataFrame | None
) -> AttackerRisk:
    """Prosecutor, marketer and (with ``population``, from :func:`population_classes`)
    journalist risk of the sample classes."""
    f = classes[CLASS_SIZE]
    n, j = int(f.sum()), classes.height
    prosecutor_max = 1.0 / int(classes.select(pl.col(CLASS_SIZE).min()).item())
    if population is None:
        return AttackerRisk(prosecutor_max, j / n, j / n, None)
    matched = matched_population(classes, qi, population)
    small, big = matched[CLASS_SIZE].cast(pl.Float64), matched[POPULATION_SIZE]
    marketer = float((small / big).sum()) / n
    journalist = 1.0 / float(matched.select(pl.col(POPULATION_SIZE).min()).item())
    return AttackerRisk(prosecutor_max, j / n, marketer, journalist)


def matched_population(
    classes: pl.DataFrame, qi: Sequence[str], population: pl.DataFrame
) -> pl.DataFrame:
    """The sample classes with their f_j and F_j side by side; the population must contain the
    sample (every class present, F_j ≥ f_j) and weights must be non-negative numbers."""
    bad = int(population[BAD_WEIGHTS].sum())
    if bad:
        raise EngineError(
            f"모집단의 인원(가중치) 열에 비었거나 음수인 값이 {bad:,}개 있습니다",
            f"the population count (weight) column has {bad:,} empty or negative values",
        )
    matched = classes.join(population, on=list(qi), how="left", nulls_equal=True).with_columns(
        pl.col(POPULATION_SIZE).fill_null(0.0)
    )
    short = int((matched[POPULATION_SIZE] < matched[CLASS_SIZE]).sum())
    if short:
        raise EngineError(
            f"표본의 동질집합 {short:,}개가 모집단에 없거나 모집단보다 큽니다. 모집단은 표본을 "
            "포함해야 합니다 (같은 준식별자, 같은 값의 부호화)",
            f"{short:,} equivalence classes of the sample are missing from the population or "
            "larger than in it; the population must contain the sample (same quasi-identifiers, "
            "same value coding)",
        )
    return matched
