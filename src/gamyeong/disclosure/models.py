"""Regressions (회귀모형): residual degrees of freedom (default ≥ 10), as ACRO checks them."""

from __future__ import annotations

from gamyeong.disclosure.graphs import single_cell_report
from gamyeong.disclosure.profiles import Profile
from gamyeong.disclosure.report import CheckReport


def regression_report(
    name: str,
    method: str,
    df_resid: float | None,
    profile: Profile,
    *,
    nobs: int | None = None,
    persons: int | None = None,
    source: str | None = None,
) -> CheckReport:
    """One cell for the model: ``dof`` fails when the residual dof is below the profile's limit."""
    limit = profile.rules.safe_dof_threshold
    if df_resid is None:
        note = "잔차 자유도가 기록되지 않았습니다 / residual degrees of freedom not recorded"
        return single_cell_report(name, "regression", profile, "manual", note, source=source)
    dof = int(df_resid) if float(df_resid).is_integer() else df_resid
    failed = df_resid < limit
    note = (
        f"잔차 자유도 {dof} < {limit} / residual dof {dof} < {limit}"
        if failed
        else f"잔차 자유도 {dof} ≥ {limit} / residual dof {dof} ≥ {limit}"
    )
    return single_cell_report(
        name,
        "regression",
        profile,
        "dof",
        note,
        failed=failed,
        records=nobs,
        persons=persons,
        value=float(df_resid),
        block=method,
        source=source,
    )
