"""The result of an identification-risk review, and its JSON form.

Every number here is an aggregate over equivalence classes; no individual record or raw amount
is kept (the outlier part carries only thresholds, counts and rare quasi-identifier values).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
from dataclasses import dataclass
from typing import Any, Literal

Distance = Literal["ordered", "equal"]

#: How extreme amounts are found (also written into the JSON report).
EXTREME_RULE = "Q1 - 3*IQR / Q3 + 3*IQR (Tukey far-out fences, linear quantiles)"


@dataclass(frozen=True)
class SensitiveRisk:
    """Diversity and closeness of one sensitive attribute over the equivalence classes."""

    name: str
    l_distinct_min: int
    """Smallest number of distinct sensitive values (NULL counts as a value) in any class."""
    l_entropy_min: int
    """pycanon's entropy l: ``int(e ** min_class H)`` with ``H = -Σ p·ln p``."""
    entropy_min: float
    """The smallest class entropy ``H`` itself, in nats (``e ** entropy_min`` unrounded)."""
    t_closeness_max: float
    """Largest earth mover's distance between a class's and the whole data's distribution."""
    distance: Distance
    """``ordered`` (numeric, boolean, dates) or ``equal`` (text, categories) ground distance."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "l_distinct_min": self.l_distinct_min,
            "l_entropy_min": self.l_entropy_min,
            "t_closeness_max": self.t_closeness_max,
        }


@dataclass(frozen=True)
class RareValues:
    """Values of one quasi-identifier held by fewer than k records."""

    column: str
    values: tuple[tuple[Any, int], ...]
    """(value, records), rarest first, at most :data:`~gamyeong.engine.risk.outliers.MAX_RARE_VALUES`."""
    distinct: int
    """How many values are rare (the list may be cut; see ``truncated``)."""
    records: int
    """How many records hold one of the rare values."""

    @property
    def truncated(self) -> bool:
        return self.distinct > len(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": [{"value": json_value(v), "count": n} for v, n in self.values],
            "distinct": self.distinct,
            "records": self.records,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class ExtremeAmounts:
    """Records of one numeric column beyond the far-out fences (no individual values)."""

    column: str
    lower_fence: float | None
    upper_fence: float | None
    below: int
    above: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "lower_fence": json_value(self.lower_fence),
            "upper_fence": json_value(self.upper_fence),
            "below": self.below,
            "above": self.above,
            "count": self.below + self.above,
        }


@dataclass(frozen=True)
class RiskReport:
    """Identification-risk figures for one dataset and one set of quasi-identifiers."""

    records: int
    classes: int
    k: int
    qi: tuple[str, ...]
    k_min: int
    records_below_k: int
    uniques: int
    sensitive: tuple[SensitiveRisk, ...]
    prosecutor_risk_max: float
    prosecutor_risk_avg: float
    marketer_risk: float
    journalist_risk_max: float | None
    rare_values: tuple[RareValues, ...]
    extreme_amounts: tuple[ExtremeAmounts, ...]

    @property
    def passes(self) -> bool:
        """True when every equivalence class has at least k records."""
        return self.k_min >= self.k

    @property
    def l_distinct_min(self) -> int | None:
        return min((s.l_distinct_min for s in self.sensitive), default=None)

    @property
    def l_entropy_min(self) -> int | None:
        return min((s.l_entropy_min for s in self.sensitive), default=None)

    @property
    def t_closeness_max(self) -> float | None:
        return max((s.t_closeness_max for s in self.sensitive), default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary; l and t keys only with sensitive attributes, the journalist
        risk only with a population."""
        out: dict[str, Any] = {
            "records": self.records,
            "classes": self.classes,
            "k": self.k,
            "qi": list(self.qi),
            "k_min": self.k_min,
            "records_below_k": self.records_below_k,
            "uniques": self.uniques,
        }
        if self.sensitive:
            out["l_distinct_min"] = self.l_distinct_min
            out["l_entropy_min"] = self.l_entropy_min
            out["t_closeness_max"] = self.t_closeness_max
            out["sensitive"] = {s.name: s.to_dict() for s in self.sensitive}
        out["prosecutor_risk_max"] = self.prosecutor_risk_max
        out["prosecutor_risk_avg"] = self.prosecutor_risk_avg
        out["marketer_risk"] = self.marketer_risk
        if self.journalist_risk_max is not None:
            out["journalist_risk_max"] = self.journalist_risk_max
        out["outliers"] = {
            "rare_values": {r.column: r.to_dict() for r in self.rare_values},
            "extreme_rule": EXTREME_RULE,
            "extreme_amounts": {e.column: e.to_dict() for e in self.extreme_amounts},
        }
        return out


def json_value(value: Any) -> Any:
    """A value as JSON: dates as ISO text, decimals and NaN/infinity as text, bytes as base64."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf": JSON has no such numbers
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)
