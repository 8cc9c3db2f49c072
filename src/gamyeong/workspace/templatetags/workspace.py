from __future__ import annotations

from django import template

from gamyeong.governance.actions import ACTIONS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The audit action's description in the active language (the code when unknown)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
