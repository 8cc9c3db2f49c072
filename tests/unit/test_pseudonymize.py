"""Applying a policy end to end: output, separation of the vault, no output on error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy import load_policy
from gamyeong.engine.pseudonymize import pseudonymize
from gamyeong.engine.vault import Vault

ROOT = Path(__file__).resolve().parents[2]


def run(
    name: str, synth_dir: Path, tmp_path: Path, **kwargs: object
) -> tuple[pl.DataFrame, object]:
    policy = load_policy(ROOT / "examples" / "policies" / f"{name}.yaml")
    out = tmp_path / "out" / f"{name}.parquet"
    result = pseudonymize(
        synth_dir / f"{name}.parquet", policy, out, vault=Vault(tmp_path / "vault"), **kwargs
    )
    return pl.read_parquet(out), result


def test_persons_lose_their_identifiers_and_reach_k(synth_dir: Path, tmp_path: Path) -> None:
    data, result = run("ssis_persons", synth_dir, tmp_path)
    for column in ("name", "rrn", "phone", "address", "birth_date", "sigungu_code"):
        assert column not in data.columns
    original = pl.read_parquet(synth_dir / "ssis_persons.parquet")
    assert not set(data["person_id"].to_list()) & set(original["person_id"].to_list())
    assert data["age"].str.contains(r"^\d+-\d+$|^85\+$").all()
    sizes = data.group_by(["sex", "age", "sido_code", "household_type"]).len()
    assert sizes["len"].min() >= 5
    assert result.rows_out == data.height <= original.height  # type: ignore[attr-defined]


def test_eligibility_values_follow_the_policy(synth_dir: Path, tmp_path: Path) -> None:
    data, _ = run("ssis_eligibility", synth_dir, tmp_path)
    original = pl.read_parquet(synth_dir / "ssis_eligibility.parquet")
    assert data.height == original.height
    assert (data["payment_amount_krw"].drop_nulls() % 10_000 == 0).all()
    assert data["acquisition_date"].drop_nulls().str.contains(r"^\d{4}-Q[1-4]$").all()
    assert data["income_krw"].max() <= 10_000_000
    assert data["person_id"].str.len_chars().unique().to_list() == [32]
    tokens = Vault(tmp_path / "vault").read_table("household_tokens")
    assert tokens is not None and tokens.height == original["household_id"].n_unique()


def test_a_policy_naming_a_missing_column_writes_nothing(synth_dir: Path, tmp_path: Path) -> None:
    policy = load_policy(ROOT / "examples" / "policies" / "ssis_persons.yaml")
    out = tmp_path / "out" / "x.parquet"
    with pytest.raises(EngineError, match="no column 'person_id'"):
        pseudonymize(
            synth_dir / "keis_employment.parquet", policy, out, vault=Vault(tmp_path / "v")
        )
    assert not out.exists()
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_output_may_not_sit_beside_the_vault(synth_dir: Path, tmp_path: Path) -> None:
    policy = load_policy(ROOT / "examples" / "policies" / "keis_employment.yaml")
    vault = Vault(tmp_path / "vault")
    with pytest.raises(EngineError, match="kept apart"):
        pseudonymize(
            synth_dir / "keis_employment.parquet",
            policy,
            tmp_path / "vault" / "o.parquet",
            vault=vault,
        )
    with pytest.raises(EngineError, match="kept apart"):
        pseudonymize(
            synth_dir / "keis_employment.parquet", policy, tmp_path / "o.parquet", vault=vault
        )


def test_csv_output_and_same_tokens_across_datasets(synth_dir: Path, tmp_path: Path) -> None:
    persons, _ = run("ssis_persons", synth_dir, tmp_path)
    eligibility, _ = run("ssis_eligibility", synth_dir, tmp_path)
    # The same key and token table give the same pseudonyms in both datasets, so they still link.
    linked = eligibility.join(persons, on="person_id", suffix="_p")
    assert linked.height > 0.9 * eligibility.height
    assert (linked["household_id"] == linked["household_id_p"]).all()
    policy = load_policy(ROOT / "examples" / "policies" / "keis_employment.yaml")
    out = tmp_path / "csv" / "keis.csv"
    pseudonymize(
        synth_dir / "keis_employment.parquet",
        policy,
        out,
        vault=Vault(tmp_path / "vault"),
        fmt="csv",
    )
    back = pl.read_csv(out)
    assert back.height > 0 and back["name"].str.ends_with("**").all()
