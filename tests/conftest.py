"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
GAMYEONG_DATABASE_URL points at one (``make test`` does both when GAMYEONG_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gamyeong.engine.synth import SynthConfig, generate

SYNTH_PERSONS = 20_000
SYNTH_SEED = 11


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic data set for the whole run (20,000 persons, fixed seed)."""
    out = tmp_path_factory.mktemp("synth")
    generate(SynthConfig(persons=SYNTH_PERSONS, seed=SYNTH_SEED), out)
    return out
