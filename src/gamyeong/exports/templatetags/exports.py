from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gamyeong.disclosure.checks import CHECKS, FOREIGN_NAMES
from gamyeong.exports.models import Review

register = template.Library()


@register.filter
def vote_label(vote: str) -> str:
    """A reviewer's or member's vote in the page's language."""
    labels = dict(Review.Vote.choices) | {"approve": Review.Vote.APPROVE.label}
    return str(labels.get(vote, vote))


STATUS_LABELS = {
    "pass": _("pass"),
    "fail": _("fails a rule"),
    "review": _("needs a person's review"),
}


@register.filter
def check_status(status: str) -> str:
    """An automatic check's outcome for a file (pass, fail, review) in the page's language."""
    return str(STATUS_LABELS.get(status, status or "—"))


@register.filter
def check_label(name: str) -> str:
    """A disclosure check's name (``threshold``, ``nk``, …) in the page's language."""
    check = CHECKS.get(name) or CHECKS.get(FOREIGN_NAMES.get(name, ""))
    if check is None:
        return name
    return check.korean if get_language() == "ko" else check.english
