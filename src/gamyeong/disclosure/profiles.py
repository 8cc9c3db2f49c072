"""Rule profiles (규칙 설정): which thresholds apply and which of gamyeong's extra checks run.

Three profiles are built in:

``gamyeong`` (default)
    ACRO's parameters, but a cell's minimum frequency counts **distinct persons** (the ``unit``
    column), dominance is measured on each person's summed contribution, missing and negative
    values go to human review, and the extra checks run: totals that reveal a suppressed cell,
    single-unit values (min, max), graphs only with their counts.
``korean``
    As ``gamyeong`` with the defaults suggested for Korean closed rooms (korea-process.md §8,
    marked there as configurable): minimum frequency 5 persons, and the largest contributor may
    hold less than 50 % of a cell (n = 1, k = 0.5).
``acro``
    ACRO 1.x's ``default.yaml`` exactly, and nothing else: rows are counted, only ACRO's checks
    run, so the cells flagged are the cells ACRO flags.

A profile is a frozen value; :meth:`Profile.with_rules` gives a copy with other parameters
(e.g. ``get_profile("korean").with_rules(safe_threshold=3)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gamyeong.analysis.rules import Rules
from gamyeong.disclosure.errors import DisclosureError


@dataclass(frozen=True)
class Profile:
    """Rule parameters (ACRO's names, in ``rules``) and the switches for gamyeong's checks."""

    name: str
    rules: Rules = field(default_factory=Rules)
    count_persons: bool = True  # threshold and dominance on distinct persons when a unit is known
    review_negative: bool = True  # a cell with a negative value goes to review ("negative")
    single_unit: bool = True  # min/max cells show one unit's value ("single_unit")
    margin_leaks: bool = True  # published totals that reveal a suppressed cell ("margins")
    graphs_need_counts: bool = True  # a graph without its counts fails ("graph_counts")
    assume_totals: bool = True  # remedies: protect cells as if the table's totals were known
    flag_empty_totals: bool = True  # the total of an empty combination is a zero (ACRO: blank)
    round_base: int = 5
    description: str = ""

    def with_rules(self, **changes: Any) -> Profile:
        """A copy with some rule parameters changed (ACRO's names: ``safe_threshold`` …)."""
        try:
            rules = Rules.from_mapping({**self.rules.as_dict(), **changes})
        except (TypeError, ValueError) as exc:
            raise DisclosureError(
                f"규칙 값이 잘못되었습니다: {exc}", f"invalid rule setting: {exc}"
            ) from None
        return replace(self, rules=rules)

    @property
    def extra_checks(self) -> bool:
        """Whether any of gamyeong's checks beyond ACRO's run."""
        return any((self.review_negative, self.single_unit, self.margin_leaks))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rules": self.rules.as_dict(),
            "count_persons": self.count_persons,
            "review_negative": self.review_negative,
            "single_unit": self.single_unit,
            "margin_leaks": self.margin_leaks,
            "graphs_need_counts": self.graphs_need_counts,
            "assume_totals": self.assume_totals,
            "flag_empty_totals": self.flag_empty_totals,
            "round_base": self.round_base,
        }


PROFILES: dict[str, Profile] = {
    "gamyeong": Profile(
        "gamyeong",
        Rules(check_missing_values=True),
        description="10 distinct persons; n,k = 2, 90 %; p = 10 %; dof ≥ 10; all checks",
    ),
    "korean": Profile(
        "korean",
        Rules(safe_threshold=5, safe_nk_n=1, safe_nk_k=0.5, check_missing_values=True),
        description="5 distinct persons; largest contributor < 50 %; p = 10 %; dof ≥ 10",
    ),
    "acro": Profile(
        "acro",
        Rules(),
        count_persons=False,
        review_negative=False,
        single_unit=False,
        margin_leaks=False,
        graphs_need_counts=False,
        assume_totals=False,
        flag_empty_totals=False,
        description="ACRO 1.x default.yaml: 10 rows; n,k = 2, 90 %; p = 10 %; dof ≥ 10",
    ),
}

DEFAULT_PROFILE = "gamyeong"


def get_profile(profile: str | Profile | None = None, **changes: Any) -> Profile:
    """A built-in profile by name (default ``gamyeong``), or ``profile`` itself; ``changes``
    override rule parameters."""
    if isinstance(profile, Profile):
        chosen = profile
    else:
        name = profile or DEFAULT_PROFILE
        try:
            chosen = PROFILES[name]
        except KeyError:
            listed = ", ".join(PROFILES)
            raise DisclosureError(
                f"알 수 없는 규칙 설정입니다: {name} (가능한 값: {listed})",
                f"unknown profile: {name} (choose one of: {listed})",
            ) from None
    return chosen.with_rules(**changes) if changes else chosen


def parse_rule_settings(settings: Mapping[str, str]) -> dict[str, Any]:
    """``{"safe_threshold": "5"}`` → typed values for :meth:`Profile.with_rules`."""
    typed: dict[str, Any] = {}
    defaults = Rules().as_dict()
    for key, text in settings.items():
        if key not in defaults:
            listed = ", ".join(defaults)
            raise DisclosureError(
                f"알 수 없는 규칙 이름입니다: {key} (가능한 이름: {listed})",
                f"unknown rule: {key} (known rules: {listed})",
            )
        kind = type(defaults[key])
        try:
            if kind is bool:
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                typed[key] = text.lower() in ("true", "1", "yes")
            else:
                typed[key] = kind(text)
        except ValueError:
            raise DisclosureError(
                f"규칙 {key}의 값이 잘못되었습니다: {text}",
                f"invalid value for rule {key}: {text}",
            ) from None
    return typed
