"""Pseudonymization policies: YAML files mapping each item to techniques and levels."""

from gamyeong.engine.policy.loader import check_against, load_policy
from gamyeong.engine.policy.model import (
    DEFAULT_K,
    ENVIRONMENTS,
    ItemRule,
    Policy,
    RecordStep,
    Step,
    Suppression,
)

__all__ = [
    "DEFAULT_K",
    "ENVIRONMENTS",
    "ItemRule",
    "Policy",
    "RecordStep",
    "Step",
    "Suppression",
    "check_against",
    "load_policy",
]
