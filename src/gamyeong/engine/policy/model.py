"""A pseudonymization policy (가명처리 방법 및 수준 정의) as data: per item, a chain of techniques
with parameters; record rules; local suppression; the environment it is meant for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamyeong.engine.techniques import RecordTechnique, Technique

# Where the data will be used, and the k each environment needs by default (korea-process §5).
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "closed_room": ("폐쇄형 분석환경(분석실)", "closed analysis room"),
    "third_party": ("제3자 제공(외부 반출)", "third-party release"),
}
DEFAULT_K = {"closed_room": 3, "third_party": 5}


@dataclass(frozen=True)
class Step:
    technique: Technique
    params: dict[str, Any]
    line: int


@dataclass(frozen=True)
class ItemRule:
    column: str
    steps: tuple[Step, ...]
    line: int

    @property
    def drops(self) -> bool:
        return any(step.technique.drops_column for step in self.steps)

    @property
    def kept_as_is(self) -> bool:
        return all(step.technique.name == "keep" for step in self.steps)

    def describe(self) -> str:
        """``top_code(above=90) → band(width=10)``; file parameters by their name only."""
        return " → ".join(_describe(step) for step in self.steps)


def _describe(step: Step) -> str:
    shown = {
        key: Path(value).name if key == "file" else value
        for key, value in step.params.items()
        if value is not None
    }
    inside = ", ".join(f"{key}={value}" for key, value in shown.items())
    return f"{step.technique.name}({inside})" if inside else step.technique.name


@dataclass(frozen=True)
class RecordStep:
    technique: RecordTechnique
    params: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Suppression:
    k: int
    columns: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Policy:
    source: str
    text: str
    environment: str
    k: int
    dataset: str | None
    purpose: str
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    items: dict[str, ItemRule]
    records: tuple[RecordStep, ...]
    local_suppression: Suppression | None

    @property
    def uses_vault(self) -> bool:
        return any(
            step.technique.uses_vault for rule in self.items.values() for step in rule.steps
        ) or any(step.technique.uses_vault for step in self.records)

    @property
    def needs_row_index(self) -> bool:
        """Per-row randomness or local suppression need a stable row number while running."""
        return (
            self.local_suppression is not None
            or any(s.technique.per_row_random for r in self.items.values() for s in r.steps)
            or any(step.technique.per_row_random for step in self.records)
        )

    @property
    def output_columns(self) -> list[str]:
        return [name for name, rule in self.items.items() if not rule.drops]
