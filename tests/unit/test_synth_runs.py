"""Determinism, bad input and atomic output of ``generate``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.synth import SynthConfig, SynthError, generate

FILES = (
    "ssis_persons.parquet",
    "ssis_eligibility.parquet",
    "keis_employment.parquet",
    "ground_truth/partner_overlap.parquet",
)


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    generate(SynthConfig(persons=3000, seed=5), tmp_path / "a")
    generate(SynthConfig(persons=3000, seed=5), tmp_path / "b")
    generate(SynthConfig(persons=3000, seed=6), tmp_path / "c")
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    a = pl.read_parquet(tmp_path / "a" / "ssis_persons.parquet")
    c = pl.read_parquet(tmp_path / "c" / "ssis_persons.parquet")
    assert not a.equals(c)


@pytest.mark.parametrize("persons", [-3, 0])
def test_non_positive_persons_is_refused(tmp_path: Path, persons: int) -> None:
    with pytest.raises(SynthError) as error:
        generate(SynthConfig(persons=persons), tmp_path / "out")
    assert "--persons" in error.value.korean and "--persons" in error.value.english
    assert not (tmp_path / "out").exists()


def test_unwritable_output_is_refused_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(SynthError) as error:
        generate(SynthConfig(persons=100), blocker / "out")
    assert "출력" in error.value.korean and "output" in error.value.english
    with pytest.raises(SynthError):
        generate(SynthConfig(persons=100), blocker)


def test_bad_shares_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SynthError, match="--overlap"):
        generate(SynthConfig(persons=100, overlap=1.5), tmp_path)
    with pytest.raises(SynthError, match="too large"):
        generate(SynthConfig(persons=100, overlap=0.95), tmp_path / "x")


def test_failed_run_leaves_previous_output_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(SynthConfig(persons=500, seed=1), out)
    before = _digests(out)

    import gamyeong.engine.synth.writer as writer

    def broken(self: writer.Staging, manifest: dict[str, object], name: str = "") -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer.Staging, "publish", broken)
    with pytest.raises(OSError):
        generate(SynthConfig(persons=800, seed=2), out)
    assert _digests(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".synth-")]
