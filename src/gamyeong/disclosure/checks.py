"""The checks an output can fail (점검 항목), their severity and their names elsewhere.

``fail`` checks stop a release unless the cells are suppressed (or the reviewers grant an
exception); ``review`` checks send the output to a person, as ACRO does for negative and missing
values. ACRO's own checks keep ACRO 1.x's meaning; the others are gamyeong's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    severity: str  # "fail" or "review"
    korean: str
    english: str
    acro: str | None = None  # ACRO 1.x ontology name
    acro_short: str | None = None  # ACRO 0.4 / gamyeong.analysis name


CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        Check(
            "threshold",
            "fail",
            "최소 빈도 미달",
            "below the minimum frequency",
            "MinimumThresholdCheck",
            "threshold",
        ),
        Check("zeros", "fail", "0인 칸", "zero cell", "PresenceOfZeroCheck", "zeros"),
        Check("nk", "fail", "(n,k) 지배", "(n,k) dominance", "NKCheck", "nk-rule"),
        Check("p_percent", "fail", "p% 규칙", "p% rule", "PPercentCheck", "p-ratio"),
        Check("missing", "review", "결측값", "missing values", "MissingCheck", "missing"),
        Check("negative", "review", "음수 값", "negative values", None, "negative"),
        Check(
            "dof",
            "fail",
            "잔차 자유도 부족",
            "too few residual degrees of freedom",
            "MinimumDoFCheck",
            "dof",
        ),
        Check(
            "single_unit",
            "review",
            "한 단위의 값(최솟값·최댓값)",
            "a single unit's value (min, max)",
        ),
        Check(
            "margins",
            "fail",
            "합계로 복원되는 억제 칸",
            "a suppressed cell recoverable from totals",
        ),
        Check(
            "differencing",
            "fail",
            "이전 반출표와의 차분",
            "recoverable by differencing earlier tables",
        ),
        Check(
            "graph_counts",
            "fail",
            "기초 빈도가 없는 그래프",
            "a graph without its underlying counts",
        ),
        Check(
            "manual",
            "review",
            "자동 점검 불가: 수동 검토",
            "not checkable automatically: manual review",
        ),
    )
}

ACRO_CHECKS: tuple[str, ...] = ("threshold", "zeros", "nk", "p_percent", "missing", "dof")

#: Checks whose failing cells are suppressed first (primary suppression).
PRIMARY_CHECKS: tuple[str, ...] = ("threshold", "zeros", "nk", "p_percent", "dof")

#: Name of a check in an ACRO (1.x ontology or 0.4 short) or gamyeong.analysis results.json.
FOREIGN_NAMES: dict[str, str] = {
    **{c.acro: c.name for c in CHECKS.values() if c.acro},
    **{c.acro_short: c.name for c in CHECKS.values() if c.acro_short},
    "threshold-persons": "threshold",
    "nk-rule-persons": "nk",
    "p-ratio-persons": "p_percent",
}

#: ACRO checks that never flag a cell (they only print advice), ignored when reading ACRO files.
ACRO_ADVICE_ONLY = frozenset({"RequiredZeroCheck", "PresenceOfLinkedTableCheck", "suppressed"})


def ordered(names: set[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Check names in the canonical order (as listed in :data:`CHECKS`)."""
    chosen = set(names)
    return tuple(name for name in CHECKS if name in chosen)


def fail_column(check: str) -> str:
    """The column of a report's cells that holds whether a cell fails ``check``."""
    return f"fail_{check}"
