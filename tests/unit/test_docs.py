"""Documentation that a new user relies on stays complete."""

from __future__ import annotations

from pathlib import Path

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented() -> None:
    if not settings.configured:
        django.setup()
    from gamyeong.conf.env import REGISTRY

    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in REGISTRY if f"`{name}`" not in documented]
    assert not missing, f"undocumented settings: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines[:8])
    assert "make run" in block and "make test" in block


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_technique_is_documented() -> None:
    from gamyeong.engine.techniques import COLUMN_TECHNIQUES, RECORD_TECHNIQUES

    documented = (ROOT / "docs" / "pseudonymization.md").read_text(encoding="utf-8")
    missing = [
        name for name in [*COLUMN_TECHNIQUES, *RECORD_TECHNIQUES] if f"`{name}`" not in documented
    ]
    assert not missing, f"undocumented techniques: {missing}"
