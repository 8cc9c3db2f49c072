"""A run's results as rows for the run page and the adequacy-review report.

The run keeps the engine's JSON (``result``, ``risk``, ``utility``); these helpers turn it into
labelled rows with a verdict against the environment's threshold (korea-process §5). Only
aggregates are shown: no data row ever leaves the output file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gamyeong.catalog.models import Item
from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy import Policy as EnginePolicy
from gamyeong.engine.policy import load_policy
from gamyeong.processing import services
from gamyeong.processing.models import Policy, Run

PASS, FAIL, CAUTION, INFO = "pass", "fail", "caution", "info"
L_DIVERSITY_MIN = 2  # korea-process §5: flag l-diversity < 2 on sensitive attributes
MAX_RARE_EXAMPLES = 5

STAGES: dict[str, Promise] = {
    "": _("Waiting for the worker"),
    "reading": _("Reading the data"),
    "preparing": _("Preparing the techniques"),
    "writing": _("Writing the output"),
    "reviewing risk": _("Measuring the identification risk"),
    "measuring utility": _("Measuring utility"),
    "done": _("Saving the results"),
}


def stage_label(run: Run) -> Promise | str:
    if run.finished:
        return ""
    return STAGES.get(run.stage, run.stage)


def percent(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    shown = round(float(value) * 100, digits)
    return f"{shown + 0.0:.{digits}f}%"  # + 0.0 turns -0.0 into 0.0


def number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


# ---- the policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    column: str
    label: str
    item: Item | None
    rule: str
    families: str
    line: int


def parsed_policy(policy: Policy) -> tuple[EnginePolicy | None, EngineError | None]:
    """The stored policy parsed again (structure only: the data file is not needed)."""
    try:
        parsed = load_policy(
            text=policy.yaml,
            source=f"{policy.dataset.name}.yaml",
            default_k=services.thresholds(),
        )
    except EngineError as exc:
        return None, exc
    return parsed, None


def families(names: list[str]) -> str:
    unique = [name for name in dict.fromkeys(names) if name != "none"]
    return ", ".join(unique) or "—"


def policy_rows(policy: Policy, parsed: EnginePolicy) -> list[PolicyRow]:
    """Each item of the policy with its catalog class, technique chain and family."""
    items = {item.name: item for item in policy.dataset.items.all()}
    rows = []
    for column, rule in parsed.items.items():
        item = items.get(column)
        rows.append(
            PolicyRow(
                column=column,
                label=item.label if item else "",
                item=item,
                rule=rule.describe(),
                families=families([step.technique.family for step in rule.steps]),
                line=rule.line,
            )
        )
    return rows


# ---- identification risk -------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    label: Promise | str
    value: str
    threshold: str
    verdict: str


def _k_checks(risk: dict[str, Any], k: int) -> list[Check]:
    k_min, below, uniques = risk.get("k_min", 0), risk.get("records_below_k"), risk.get("uniques")
    prosecutor = risk.get("prosecutor_risk_max")
    return [
        Check(_("Smallest class (k_min)"), number(k_min), f"≥ {k}", PASS if k_min >= k else FAIL),
        Check(_("Records in classes below k"), number(below), "0", PASS if below == 0 else FAIL),
        Check(_("Unique records"), number(uniques), "0", PASS if uniques == 0 else FAIL),
        Check(
            _("Prosecutor risk, highest"),
            number(prosecutor),
            f"≤ {1 / k:.3f}",
            PASS if prosecutor is not None and prosecutor <= 1 / k + 1e-9 else FAIL,
        ),
    ]


def _l_check(label: Promise | str, value: Any) -> Check:
    if value is None:
        return Check(label, "—", f"≥ {L_DIVERSITY_MIN}", INFO)
    verdict = PASS if value >= L_DIVERSITY_MIN else CAUTION
    return Check(label, number(value), f"≥ {L_DIVERSITY_MIN}", verdict)


def risk_checks(run: Run) -> list[Check]:
    """The risk measures against the threshold of the run's environment."""
    risk = run.risk
    if not risk:
        return []
    k = int(risk.get("k") or run.policy.k)
    checks = _k_checks(risk, k)
    checks += [
        _l_check(_("l-diversity (distinct), lowest"), risk.get("l_distinct_min")),
        _l_check(_("l-diversity (entropy), lowest"), risk.get("l_entropy_min")),
        Check(_("t-closeness, highest"), number(risk.get("t_closeness_max")), "—", INFO),
        Check(_("Prosecutor risk, average"), number(risk.get("prosecutor_risk_avg")), "—", INFO),
        Check(_("Marketer risk"), number(risk.get("marketer_risk")), "—", INFO),
    ]
    if risk.get("journalist_risk_max") is not None:
        journalist = number(risk["journalist_risk_max"])
        checks.append(Check(_("Journalist risk, highest"), journalist, "—", INFO))
    return checks


def sensitive_rows(run: Run) -> list[dict[str, Any]]:
    rows = []
    for column, figures in (run.risk.get("sensitive") or {}).items():
        l_distinct = figures.get("l_distinct_min")
        rows.append(
            {
                "column": column,
                "l_distinct": number(l_distinct),
                "l_entropy": number(figures.get("l_entropy_min")),
                "t_closeness": number(figures.get("t_closeness_max")),
                "verdict": CAUTION if (l_distinct or 0) < L_DIVERSITY_MIN else PASS,
            }
        )
    return rows


def outliers(run: Run) -> dict[str, Any]:
    """Rare quasi-identifier values and counts beyond the far-out fences (no record values)."""
    found = run.risk.get("outliers") or {}
    rare = []
    for column, entry in (found.get("rare_values") or {}).items():
        values = entry.get("values") or []
        shown = ", ".join(f"{v['value']} ×{v['count']}" for v in values[:MAX_RARE_EXAMPLES])
        more = entry.get("distinct", 0) > min(len(values), MAX_RARE_EXAMPLES)
        rare.append(
            {
                "column": column,
                "distinct": number(entry.get("distinct", 0)),
                "records": number(entry.get("records", 0)),
                "examples": (shown + (" …" if more else "")) or "—",
            }
        )
    extreme = [
        {
            "column": column,
            "lower": number(entry.get("lower_fence"), 0),
            "upper": number(entry.get("upper_fence"), 0),
            "below": number(entry.get("below", 0)),
            "above": number(entry.get("above", 0)),
        }
        for column, entry in (found.get("extreme_amounts") or {}).items()
    ]
    return {"rare": rare, "extreme": extreme, "rule": found.get("extreme_rule", "")}


# ---- the processing and its utility --------------------------------------------------------------


def item_rows(run: Run) -> list[dict[str, Any]]:
    """The items as the run processed them, with the values suppressed per item."""
    suppressed = run.result.get("suppressed") or {}
    return [
        {
            "column": entry["column"],
            "rule": entry.get("rule", ""),
            "families": families(entry.get("families") or []),
            "dropped": bool(entry.get("dropped")),
            "suppressed": number(suppressed.get(entry["column"], 0)),
        }
        for entry in run.result.get("items") or []
    ]


def utility_rows(run: Run) -> list[dict[str, Any]]:
    return [
        {
            "column": entry["column"],
            "rule": entry.get("rule", ""),
            "deleted": bool(entry.get("deleted")),
            "loss": percent(entry.get("loss")),
            "suppressed": percent(entry.get("suppressed_share")),
            "generalization": percent(entry.get("generalization")),
            "mean_change": percent(entry.get("mean_change"), 2),
            "ks": number(entry.get("ks_distance")),
        }
        for entry in run.utility.get("items") or []
    ]


def utility_overall(run: Run) -> dict[str, str]:
    utility = run.utility
    return {
        "rows_before": number(utility.get("rows_before")),
        "rows_after": number(utility.get("rows_after")),
        "removed": percent(utility.get("records_removed_share"), 2),
        "mean_loss": percent(utility.get("mean_loss")),
    }


def results(run: Run) -> dict[str, Any]:
    """Everything the run page and the report show about a finished run."""
    if run.status != Run.Status.SUCCEEDED:
        return {}
    return {
        "items": item_rows(run),
        "checks": risk_checks(run),
        "sensitive": sensitive_rows(run),
        "outliers": outliers(run),
        "utility": utility_rows(run),
        "overall": utility_overall(run),
        "removed_by_suppression": number(run.result.get("records_removed_by_suppression", 0)),
    }
