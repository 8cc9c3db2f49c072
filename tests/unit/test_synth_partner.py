"""The partner institution's register overlaps the SSIS persons as the ground truth says."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.conftest import SYNTH_PERSONS


@pytest.fixture(scope="module")
def frames(synth_dir: Path) -> dict[str, pl.DataFrame]:
    return {
        "persons": pl.read_parquet(synth_dir / "ssis_persons.parquet"),
        "partner": pl.read_parquet(synth_dir / "keis_employment.parquet"),
        "truth": pl.read_parquet(synth_dir / "ground_truth/partner_overlap.parquet"),
    }


def test_overlap_share_and_outsiders(frames: dict[str, pl.DataFrame]) -> None:
    truth, partner = frames["truth"], frames["partner"]
    assert truth.height == round(0.3 * SYNTH_PERSONS)
    assert truth["person_id"].is_unique().all() and truth["insured_id"].is_unique().all()
    outsiders = partner.height - truth.height
    assert outsiders == pytest.approx(partner.height * 0.1, rel=0.05)


def test_partner_uses_its_own_formats(frames: dict[str, pl.DataFrame]) -> None:
    partner = frames["partner"]
    assert partner["name"].str.contains(" ").mean() > 0.2
    dates = partner["birth_date"]
    assert dates.str.contains(r"^\d{4}\.\d{2}\.\d{2}$").any()
    assert dates.str.contains(r"^\d{8}$").any()
    assert dates.str.contains(r"^\d{4}-\d{2}-\d{2}$").any()
    assert partner["phone"].str.contains(" ").any() and partner["phone"].str.contains("-").any()
    assert set(partner["sex"].unique()) == {"남", "여"}


def test_ground_truth_pairs_are_the_same_people(frames: dict[str, pl.DataFrame]) -> None:
    joined = (
        frames["truth"]
        .join(frames["persons"], on="person_id")
        .join(frames["partner"], on="insured_id", suffix="_partner")
    )
    clean = joined.filter(pl.col("typo_field").is_null())
    normalised = clean.select(
        (pl.col("name") == pl.col("name_partner").str.replace_all(" ", "")).alias("name"),
        (
            pl.col("birth_date").dt.strftime("%Y%m%d")
            == pl.col("birth_date_partner").str.replace_all(r"[.\-]", "")
        ).alias("birth"),
        (
            pl.col("phone").str.replace_all("-", "")
            == pl.col("phone_partner").str.replace_all(r"[ \-]", "")
        ).alias("phone"),
    )
    assert normalised.select(pl.all().all()).row(0) == (True, True, True)
    typos = joined.filter(pl.col("typo_field").is_not_null())
    share = typos.height / joined.height
    assert 0.003 < share < 0.02
    name_typos = typos.filter(pl.col("typo_field") == "name")
    assert (name_typos["name"] != name_typos["name_partner"].str.replace_all(" ", "")).all()
