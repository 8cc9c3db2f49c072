"""The export request's procedure as data (반출 절차): states, the owner of each, the moves.

draft (researcher) → review (two independent reviewers; votes hidden from each other until
both have voted) → approved / changes requested (back to the researcher) / rejected; for a
combined data set (not only statistics) the export review committee (반출심사위원회) meets and
the agency head decides. Withdrawal until a decision.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Under review by two reviewers")
    CHANGES = "changes_requested", _("Changes requested")
    COMMITTEE = "committee", _("Export review committee")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Owner(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    REVIEWERS = "reviewers", _("Output reviewers")
    COMMITTEE = "committee", _("Committee and agency head")


OWNERS: dict[str, str] = {
    State.DRAFT: Owner.RESEARCHER,
    State.REVIEW: Owner.REVIEWERS,
    State.CHANGES: Owner.RESEARCHER,
    State.COMMITTEE: Owner.COMMITTEE,
}
TERMINAL = frozenset({State.APPROVED, State.REJECTED, State.WITHDRAWN})

# (state, move) → next state; who may make each move is checked in services.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, "submit"): State.REVIEW,
    (State.CHANGES, "submit"): State.REVIEW,
    (State.REVIEW, "approve"): State.APPROVED,
    (State.REVIEW, "to_committee"): State.COMMITTEE,
    (State.REVIEW, "request_changes"): State.CHANGES,
    (State.REVIEW, "reject"): State.REJECTED,
    (State.COMMITTEE, "approve"): State.APPROVED,
    (State.COMMITTEE, "reject"): State.REJECTED,
    (State.COMMITTEE, "request_changes"): State.CHANGES,
    (State.DRAFT, "withdraw"): State.WITHDRAWN,
    (State.REVIEW, "withdraw"): State.WITHDRAWN,
    (State.CHANGES, "withdraw"): State.WITHDRAWN,
}


def next_state(state: str, move: str) -> str | None:
    return TRANSITIONS.get((state, move))
