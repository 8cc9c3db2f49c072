from __future__ import annotations

from django import template

from gamyeong.exports.models import Review

register = template.Library()


@register.filter
def vote_label(vote: str) -> str:
    """A reviewer's or member's vote in the page's language."""
    labels = dict(Review.Vote.choices) | {"approve": Review.Vote.APPROVE.label}
    return str(labels.get(vote, vote))
