"""The identification-risk review (식별 위험성 검토): one call, one report.

The data is read once per sensitive attribute (one ``group_by`` over the quasi-identifiers and
that attribute), once for the numeric columns' quartiles and once for the population, all in one
parallel Polars query; then once more, numeric columns only, to count records beyond the fences.
Everything else is computed from those small tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.risk.attacker import attacker_risk, population_classes
from gamyeong.engine.risk.classes import class_figures, class_sizes, pair_counts
from gamyeong.engine.risk.diversity import sensitive_risk
from gamyeong.engine.risk.outliers import (
    beyond_query,
    extreme_amounts,
    fences,
    numeric_columns,
    quartile_query,
    rare_values,
)
from gamyeong.engine.risk.report import RiskReport
from gamyeong.engine.risk.validate import (
    Frame,
    as_lazy,
    check_k,
    check_population,
    check_roles,
    column_names,
    no_population_count_alone,
    require_columns,
    schema_of,
)


def assess(
    frame: Frame,
    qi: Sequence[str],
    *,
    sensitive: Sequence[str] = (),
    k: int = 5,
    population: Frame | None = None,
    population_count: str | None = None,
    outlier_columns: Sequence[str] | None = None,
) -> RiskReport:
    """Review the identification risk of ``frame`` for the quasi-identifiers ``qi``.

    ``sensitive``: attributes for l-diversity and t-closeness. ``k``: the threshold (records
    below it and rare values are counted against it). ``population``: a table with the same
    quasi-identifier columns, one row per person or, with ``population_count``, a count (weight)
    per row; it enables the journalist risk and the population-based marketer risk.
    ``outlier_columns``: numeric columns checked for extreme amounts (default: every numeric
    column of ``frame``). Raises :class:`EngineError` for bad arguments and for empty data.
    """
    lazy = as_lazy(frame)
    names = column_names(qi, "준식별자", "qi")
    attributes = column_names(sensitive, "민감속성", "sensitive")
    check_k(k)
    check_roles(names, attributes)
    no_population_count_alone(population, population_count)
    schema = schema_of(lazy, "데이터", "data")
    require_columns(schema, [*names, *attributes], "데이터", "data")
    amounts = amount_columns(schema, outlier_columns)

    queries = [pair_counts(lazy, schema, names, s) for s in attributes] or [
        pair_counts(lazy, schema, names, None)
    ]
    queries.append(quartile_query(lazy, schema, amounts))
    if population is not None:
        pop = as_lazy(population)
        check_population(schema, schema_of(pop, "모집단", "population"), names, population_count)
        queries.append(population_classes(pop, names, population_count, schema))
    results = collect(queries)
    pairs = results[: max(len(attributes), 1)]
    classes = class_sizes(pairs[0], names)
    if classes.height == 0:
        raise EngineError(
            "데이터에 행이 없습니다. 검토할 레코드가 없습니다", "the data has no rows to review"
        )
    limits = fences(results[len(pairs)], amounts)
    counting = beyond_query(lazy, limits)
    beyond = None if counting is None else collect([counting])[0]
    figures = class_figures(classes, k)
    risks = attacker_risk(classes, names, results[-1] if population is not None else None)
    return RiskReport(
        records=figures.records,
        classes=figures.classes,
        k=k,
        qi=names,
        k_min=figures.k_min,
        records_below_k=figures.records_below_k,
        uniques=figures.uniques,
        sensitive=tuple(
            sensitive_risk(p, classes, names, s, schema[s])
            for p, s in zip(pairs, attributes, strict=False)
        ),
        prosecutor_risk_max=risks.prosecutor_max,
        prosecutor_risk_avg=risks.prosecutor_avg,
        marketer_risk=risks.marketer,
        journalist_risk_max=risks.journalist_max,
        rare_values=tuple(rare_values(classes, c, k) for c in names),
        extreme_amounts=extreme_amounts(limits, beyond),
    )


def amount_columns(schema: pl.Schema, wanted: Sequence[str] | None) -> list[str]:
    """The numeric columns checked for extreme amounts; named ones must exist and be numeric."""
    if wanted is None:
        return numeric_columns(schema)
    names = column_names(wanted, "이상값 검사 열", "outlier_columns")
    require_columns(schema, names, "데이터", "data")
    not_numeric = [c for c in names if not schema[c].is_numeric()]
    if not_numeric:
        raise EngineError(
            f"이상값 검사 열은 숫자여야 합니다: {', '.join(not_numeric)}",
            f"outlier columns must be numeric: {', '.join(not_numeric)}",
        )
    return list(names)


def collect(queries: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Run the queries together; a read or type error becomes an :class:`EngineError`."""
    try:
        return pl.collect_all(queries)
    except pl.exceptions.PolarsError as exc:
        raise EngineError(
            f"데이터를 읽거나 계산할 수 없습니다: {exc}", f"cannot read or compute the data: {exc}"
        ) from exc
