"""The disclosure-rule parameters the evidence is computed with, and which check applies to what.

The defaults are ACRO's (``acro/default.yaml`` in AI-SDC/ACRO): a cell needs 10 contributors,
a model 10 residual degrees of freedom, the 2 largest contributors may hold at most 90 % of a
cell total (n,k-dominance) and the rest must hold at least 10 % of the largest (p-ratio).

These helpers only *record* evidence: the export review decides. The per-cell flags exist so that
later code, and a person, can compare gamyeong's evidence with what ACRO would have reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

# The check names gamyeong writes (ACRO's older, short names) and ACRO 1.x's ontology names, so
# that a results.json of either tool can be compared cell by cell.
ACRO_CHECK_NAMES: dict[str, str] = {
    "threshold": "MinimumThresholdCheck",
    "zeros": "PresenceOfZeroCheck",
    "nk-rule": "NKCheck",
    "p-ratio": "PPercentCheck",
    "missing": "MissingCheck",
    "dof": "MinimumDoFCheck",
}

# gamyeong's own checks: the same rules applied to distinct persons (the ``unit`` column) instead
# of rows. ACRO counts rows; the export rule counts persons.
PERSON_CHECKS: tuple[str, ...] = ("threshold-persons", "nk-rule-persons", "p-ratio-persons")

# Evidence-only flags with no ACRO counterpart of their own.
OTHER_FLAGS: tuple[str, ...] = ("negative",)

ALL_CHECKS: tuple[str, ...] = (*ACRO_CHECK_NAMES, *OTHER_FLAGS, *PERSON_CHECKS)

# Which ACRO checks apply to which statistic, as ACRO 1.x's ontology assigns them (analyses.json →
# statbarn → risks → checks): counts are Frequencies (low count, class disclosure), sums and means
# LinearAggregations (low count, dominance), median/min/max Position or Endpoints (low count, class
# disclosure), std/var Shape (low degrees of freedom).
CHECKS_BY_AGGFUNC: dict[str, tuple[str, ...]] = {
    "count": ("threshold", "zeros"),
    "sum": ("threshold", "nk-rule", "p-ratio"),
    "mean": ("threshold", "nk-rule", "p-ratio"),
    "median": ("threshold", "zeros"),
    "min": ("threshold", "zeros"),
    "max": ("threshold", "zeros"),
    "std": ("dof",),
    "var": ("dof",),
}

AGGFUNCS: tuple[str, ...] = tuple(CHECKS_BY_AGGFUNC)

# ACRO's configuration keys that have no meaning here; accepted (and ignored) so that an ACRO
# default.yaml can be loaded as it is.
_IGNORED_ACRO_KEYS = frozenset(
    {"survival_safe_threshold", "safe_round_base", "federated", "blocked_extensions"}
)


@dataclass(frozen=True)
class Rules:
    """Disclosure-rule parameters, named as in ACRO's ``default.yaml``."""

    safe_threshold: int = 10
    safe_dof_threshold: int = 10
    safe_nk_n: int = 2
    safe_nk_k: float = 0.90
    safe_pratio_p: float = 0.10
    check_missing_values: bool = False
    zeros_are_disclosive: bool = True

    def __post_init__(self) -> None:
        if self.safe_threshold < 1:
            raise ValueError("safe_threshold must be at least 1")
        if self.safe_dof_threshold < 0:
            raise ValueError("safe_dof_threshold must not be negative")
        if self.safe_nk_n < 1:
            raise ValueError("safe_nk_n must be at least 1")
        if not 0 < self.safe_nk_k <= 1:
            raise ValueError("safe_nk_k must be in (0, 1]")
        if not 0 <= self.safe_pratio_p <= 1:
            raise ValueError("safe_pratio_p must be in [0, 1]")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Rules:
        """Rules from a mapping with ACRO's keys (e.g. a parsed ``default.yaml``)."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known - _IGNORED_ACRO_KEYS
        if unknown:
            raise ValueError(f"unknown rule keys: {sorted(unknown)}")
        return cls(**{k: v for k, v in values.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def checks_for(aggfunc: str) -> tuple[str, ...]:
    """The ACRO checks that apply to a table of ``aggfunc`` (see :data:`CHECKS_BY_AGGFUNC`)."""
    try:
        return CHECKS_BY_AGGFUNC[aggfunc]
    except KeyError:
        raise ValueError(
            f"aggfunc {aggfunc!r} is not supported; use one of {', '.join(AGGFUNCS)}"
        ) from None


def flag_column(check: str) -> str:
    """The column of the per-cell evidence frame that holds a check's flag."""
    return "flag_" + check.replace("-", "_")
