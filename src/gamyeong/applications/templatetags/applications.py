from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from gamyeong.applications.workflows import Party, State

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def state_label(state: str) -> str:
    return str(State(state).label)


@register.filter
def party_labels(parties: Iterable[str]) -> str:
    return ", ".join(str(Party(p).label) for p in parties)
