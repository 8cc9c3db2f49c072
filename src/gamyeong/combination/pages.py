"""What the combination page shows to each party: only what that party may know.

- **A provider** sees its own entry (dataset, item mapping, payload policy, its key report and its
  files), the match and mock reports (rates per provider, no record) and the combined row count;
  never another provider's entry, the linking information or the combined data's review.
- **The key-management agency** sees the providers' names, the key items, the key files it
  received, the reports and the linking information it sent; no dataset, policy or payload.
- **The combination agency** sees the entries it registered, the payloads and the linking
  information it received, the combined data's review and the additional processing; never a
  salt, a key file, a provider's key report or the matched serials.
- **The applicant** sees the parties, the reports, the combined data's review and what was put in
  its project store.

Files are listed by kind, SHA-256 and rows (only those the party sent or received); no row of
data and no download.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from gamyeong.combination import access
from gamyeong.combination.models import Combination, Step, Transfer
from gamyeong.combination.timeline import Timeline

RISK_FIELDS = ("k", "k_min", "records", "classes", "records_below_k", "uniques")


@dataclass(frozen=True)
class Report:
    """A match report as the page shows it (per-provider rows, rates in percent)."""

    linked: int
    rows: list[dict[str, Any]]
    mock_fraction: float | None
    collision_rule: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> Report | None:
        if not data:
            return None
        rows = [p | {"percent": round(p["match_rate"] * 100, 2)} for p in data["providers"]]
        return cls(data["linked"], rows, data.get("mock_fraction"), data.get("collision_rule", ""))


def transfers_for(combination: Combination, user: Any, parties: set[str]) -> list[Transfer]:
    """Only the files this party sent or received (the applicant: its combined data)."""
    org = access.organisation_id(user)
    query = Q(sender_id=org) | Q(receiver_id=org)
    if parties == {access.APPLICANT}:
        query = Q(receiver_id=org, kind=Transfer.Kind.COMBINED)
    return list(
        combination.transfers.filter(query).select_related("sender", "receiver").order_by("pk")
    )


def risk_summary(risk: dict[str, Any]) -> dict[str, Any] | None:
    if not risk:
        return None
    summary = {name: risk.get(name) for name in RISK_FIELDS}
    summary["qi"] = risk.get("qi", [])
    summary["met"] = (risk.get("k_min") or 0) >= (risk.get("k") or 0)
    summary["prosecutor_max"] = round(float(risk.get("prosecutor_risk_max") or 0) * 100, 2)
    return summary


def own_steps(combination: Combination, user: Any) -> list[Step]:
    org = access.organisation_id(user)
    if org is None:
        return []
    return list(combination.steps.filter(organisation_id=org).select_related("actor"))


def context(combination: Combination, user: Any) -> dict[str, Any]:
    parties = access.parties_of(user, combination)
    sees_data_side = bool(parties & {access.AGENCY, access.APPLICANT})
    timeline = Timeline(combination, user)
    combined = combination.combined
    return {
        "combination": combination,
        "parties": parties,
        "is_provider": access.PROVIDER in parties,
        "is_kma": access.KMA in parties,
        "is_agency": access.AGENCY in parties,
        "is_applicant": access.APPLICANT in parties,
        "sees_entries": sees_data_side,
        "parts": timeline.parts,
        "own_part": access.own_part(user, combination),
        "stages": timeline.stages(),
        "pending": timeline.pending,
        "match": Report.of(combination.match_report),
        "mock": Report.of(combination.mock_report),
        "link": Report.of(combination.link_report),
        "combined": combined if sees_data_side else None,
        "combined_rows": combined.get("rows") if combined else None,
        "combined_risk": risk_summary(combined.get("risk", {})) if sees_data_side else None,
        "processed": combination.processed if sees_data_side else None,
        "processed_risk": (
            risk_summary(combination.processed.get("risk", {})) if sees_data_side else None
        ),
        "processed_blanked": sum(combination.processed.get("suppressed", {}).values()),
        "deleted": combined.get("deleted", []) if access.AGENCY in parties else [],
        "transfers": transfers_for(combination, user, parties),
        "steps": own_steps(combination, user),
    }
