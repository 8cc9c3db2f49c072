"""Reading configuration from the environment, with every variable documented in one registry.

Each ``GAMYEONG_*`` variable the project reads is declared here through :func:`setting`, with its
default and a one-line description. ``docs/configuration.md`` lists them all, and a test fails when
the two disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str


REGISTRY: dict[str, Setting] = {}


class ConfigurationError(ValueError):
    """A configuration value is malformed; the message names the variable and the value."""


def setting(name: str, default: str, description: str) -> str:
    """Return the environment value of ``name`` (or ``default``) and record it in the registry."""
    REGISTRY[name] = Setting(name, default, description)
    return os.environ.get(name, default)


def setting_int(name: str, default: int, description: str, *, minimum: int | None = None) -> int:
    raw = setting(name, str(default), description)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r}: 정수가 아닙니다 (not an integer)") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(
            f"{name}={value}: {minimum} 이상이어야 합니다 (must be at least {minimum})"
        )
    return value


def setting_bool(name: str, default: bool, description: str) -> bool:
    raw = setting(name, "1" if default else "0", description).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigurationError(
        f"{name}={raw!r}: 1/0, true/false 중 하나여야 합니다 (must be a boolean)"
    )


def setting_list(name: str, default: str, description: str) -> list[str]:
    return [part.strip() for part in setting(name, default, description).split(",") if part.strip()]
