"""Identification-risk review (식별 위험성 검토): equivalence classes over quasi-identifiers,
k-anonymity, l-diversity, t-closeness, attacker-model risks and outliers.

- :func:`assess` — one report (:class:`RiskReport`, ``to_dict()`` for JSON) for a table.
- :func:`record_risk` — per-record class size and prosecutor risk, with a row number.

Definitions follow ARX, sdcMicro and pycanon; see ``docs/risk.md``.
"""

from gamyeong.engine.risk.classes import record_risk
from gamyeong.engine.risk.report import (
    ExtremeAmounts,
    RareValues,
    RiskReport,
    SensitiveRisk,
)
from gamyeong.engine.risk.review import assess

__all__ = [
    "ExtremeAmounts",
    "RareValues",
    "RiskReport",
    "SensitiveRisk",
    "assess",
    "record_risk",
]
