"""Analysis helpers for the closed room: results with their disclosure evidence recorded beside.

A researcher's script calls these instead of pandas/statsmodels directly::

    from gamyeong import analysis as ga

    session = ga.Session()                      # /workspace/outputs, or $GAMYEONG_OUTPUTS
    table = ga.crosstab(df, "year", "grant_type", unit="person_id", session=session)
    session.save("year_by_grant", table)        # table CSV + evidence + results.json
    session.finalise()

Every call records an output with its evidence (cell counts, distinct persons, top contributors,
degrees of freedom) and ACRO-compatible per-cell flags; the export review decides what leaves.
See docs/analysis-helpers.md.
"""

from gamyeong.analysis.histogram import HistogramResult, histogram
from gamyeong.analysis.regression import RegressionResult, regression
from gamyeong.analysis.results import AnalysisResult
from gamyeong.analysis.rules import ACRO_CHECK_NAMES, CHECKS_BY_AGGFUNC, Rules
from gamyeong.analysis.session import Session, default_session, set_default_session
from gamyeong.analysis.tables import TableResult, crosstab, pivot_table

__all__ = [
    "ACRO_CHECK_NAMES",
    "CHECKS_BY_AGGFUNC",
    "AnalysisResult",
    "HistogramResult",
    "RegressionResult",
    "Rules",
    "Session",
    "TableResult",
    "crosstab",
    "default_session",
    "histogram",
    "pivot_table",
    "regression",
    "set_default_session",
]
