"""Regressions (OLS, logit, probit) with statsmodels, recording ACRO's evidence beside the fit.

ACRO checks a model by its residual degrees of freedom (``df_resid`` ≥ ``safe_dof_threshold``);
gamyeong records that with the number of observations and parameters, the distinct persons in the
estimation sample (when ``unit`` is given), and, for a binary outcome, how many 0s and 1s it has.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from gamyeong.analysis.frames import as_names, is_pandas, require_columns, to_polars
from gamyeong.analysis.results import AnalysisResult, csv_bytes
from gamyeong.analysis.rules import Rules
from gamyeong.analysis.session import Caller, Session, resolve

Kind = Literal["ols", "logit", "probit"]
KINDS: tuple[str, ...] = ("ols", "logit", "probit")
_CLASSES = {"ols": "OLS", "logit": "Logit", "probit": "Probit"}


def _statsmodels() -> tuple[Any, Any]:
    try:
        return (
            importlib.import_module("statsmodels.api"),
            importlib.import_module("statsmodels.formula.api"),
        )
    except ImportError as error:  # pragma: no cover - statsmodels is a dependency
        raise ImportError("regression needs statsmodels (pip install statsmodels)") from error


def _number(value: Any) -> float | int | None:
    number = float(value)
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


class RegressionResult(AnalysisResult):
    """A fitted model: ``coefficients`` and ``model_info`` (Polars), ``fitted`` (statsmodels)."""

    output_type = "regression"

    def __init__(
        self,
        *,
        method: str,
        rules: Rules,
        properties: dict[str, Any],
        fitted: Any,
        coefficients: pl.DataFrame,
        model_info: pl.DataFrame,
        status: str,
        check_counts: dict[str, int],
        evidence: dict[str, Any],
    ) -> None:
        super().__init__(method=method, rules=rules, properties=properties, status=status)
        self.fitted = fitted
        self.coefficients = coefficients
        self.model_info = model_info
        self.check_counts = check_counts
        self._evidence = evidence

    @property
    def summary(self) -> str:
        threshold = self.rules.safe_dof_threshold
        dof = self._evidence["df_resid"]
        comparison = "<" if self.check_counts["dof"] else ">="
        return f"{self.status}; dof={dof} {comparison} {threshold}"

    @property
    def nobs(self) -> int:
        return int(self._evidence["nobs"])

    @property
    def df_resid(self) -> float:
        return float(self._evidence["df_resid"])

    def evidence_summary(self) -> dict[str, Any]:
        return dict(self._evidence)

    def release_files(self, name: str) -> list[tuple[str, bytes]]:
        return [
            (f"{name}.csv", csv_bytes(self.coefficients)),
            (f"{name}.model.csv", csv_bytes(self.model_info)),
        ]

    def evidence_files(self, name: str) -> list[tuple[str, bytes]]:
        row = {k: v for k, v in self._evidence.items() if not isinstance(v, dict | list)}
        return [(f"{name}.evidence.csv", csv_bytes(pl.DataFrame([row])))]


def _pandas_frame(data: Any, columns: Sequence[str] | None) -> Any:
    """The data as a pandas frame with a fresh 0..n-1 index (statsmodels works on pandas)."""
    if is_pandas(data):
        frame = data if columns is None else data[list(columns)]
        return frame.reset_index(drop=True)
    polars_frame = to_polars(data)
    if columns is not None:
        polars_frame = polars_frame.select(columns)
    return polars_frame.to_pandas()


def _coefficients(fitted: Any, kind: str) -> pl.DataFrame:
    interval = fitted.conf_int()
    stat = "t" if kind == "ols" else "z"
    return pl.DataFrame(
        {
            "term": [str(t) for t in fitted.params.index],
            "coef": np.asarray(fitted.params, dtype=float),
            "std_err": np.asarray(fitted.bse, dtype=float),
            stat: np.asarray(fitted.tvalues, dtype=float),
            "p_value": np.asarray(fitted.pvalues, dtype=float),
            "ci_lower": np.asarray(interval.iloc[:, 0], dtype=float),
            "ci_upper": np.asarray(interval.iloc[:, 1], dtype=float),
        }
    )


def _model_info(fitted: Any, kind: str, dependent: str) -> pl.DataFrame:
    names = ["nobs", "df_model", "df_resid", "llf", "aic", "bic"]
    names += ["rsquared", "rsquared_adj", "fvalue", "f_pvalue"] if kind == "ols" else []
    names += ["prsquared", "llnull", "llr_pvalue"] if kind != "ols" else []
    values = [_number(getattr(fitted, n)) for n in names]
    return pl.DataFrame(
        {
            "statistic": ["model", "dependent", *names],
            "value": [kind, dependent, *(None if v is None else str(v) for v in values)],
        }
    )


def regression(
    data: Any,
    formula: str | None = None,
    *,
    y: str | None = None,
    X: str | Sequence[str] | None = None,
    kind: Kind = "ols",
    add_constant: bool = True,
    unit: str | None = None,
    session: Session | None = None,
    rules: Rules | None = None,
) -> RegressionResult:
    """Fit ``kind`` ("ols", "logit" or "probit") from a formula or from ``y`` and ``X`` columns.

    With a formula (``"income ~ age + C(region)"``) rows with a missing value are dropped by
    statsmodels; with ``y``/``X`` they are dropped here, and a constant is added unless
    ``add_constant=False``. ``unit`` (a person-id column) counts the persons behind the fit.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if (formula is None) == (y is None):
        raise ValueError("give either a formula or y and X")
    chosen, rules = resolve(session, rules)
    caller = Caller.find()
    sm, smf = _statsmodels()
    units: np.ndarray[Any, Any] | None = None
    if formula is not None:
        frame = _pandas_frame(data, None)
        if unit is not None and unit not in frame.columns:
            raise KeyError(f"column not in the data: {unit}")
        model = getattr(smf, kind)(formula, data=frame)
        if unit is not None:
            used = np.asarray(model.data.row_labels)
            units = np.asarray(frame[unit])[used]
    else:
        assert y is not None
        regressors = as_names(X, "X")
        if not regressors:
            raise ValueError("X needs at least one column")
        names = [y, *regressors, *([unit] if unit else [])]
        polars_frame = to_polars(data)
        require_columns(polars_frame, names)
        polars_frame = polars_frame.select(names).drop_nulls(subset=[y, *regressors])
        frame = polars_frame.to_pandas()
        exog = frame[regressors].astype(float)
        if add_constant:
            exog = sm.add_constant(exog, has_constant="add")
        model = getattr(sm, _CLASSES[kind])(frame[y].astype(float), exog)
        if unit is not None:
            units = polars_frame.get_column(unit).to_numpy()
    fitted = model.fit() if kind == "ols" else model.fit(disp=0)

    df_resid = float(fitted.df_resid)
    nobs = int(fitted.nobs)
    dependent = str(model.endog_names)
    evidence: dict[str, Any] = {
        "nobs": nobs,
        "df_resid": _number(df_resid),
        "df_model": _number(fitted.df_model),
        "n_params": len(fitted.params),
        "unit": unit,
    }
    check_counts = {"dof": int(df_resid < rules.safe_dof_threshold)}
    if units is not None:
        n_persons = int(pl.Series(units).drop_nulls().n_unique())
        evidence["n_persons"] = n_persons
        check_counts["threshold-persons"] = int(n_persons < rules.safe_threshold)
    if kind != "ols":
        endog = np.asarray(model.endog, dtype=float)
        evidence["outcome_counts"] = {"0": int((endog == 0).sum()), "1": int((endog == 1).sum())}
    properties: dict[str, Any] = {
        "method": kind,
        "dof": df_resid,
        "formula": formula,
        "dependent": dependent,
        "independent": [str(n) for n in model.exog_names if n not in ("const", "Intercept")],
        "unit": unit,
    }
    result = RegressionResult(
        method=kind,
        rules=rules,
        properties=properties,
        fitted=fitted,
        coefficients=_coefficients(fitted, kind),
        model_info=_model_info(fitted, kind, dependent),
        status="fail" if check_counts["dof"] else "pass",
        check_counts=check_counts,
        evidence=evidence,
    )
    chosen.add(result, caller)
    return result
