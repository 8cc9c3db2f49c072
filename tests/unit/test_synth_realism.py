"""The synthetic data follow the programme rules and look like Korea's population."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from gamyeong.engine.synth.identifiers import is_valid_rrn, rrn_check_digit
from gamyeong.engine.synth.rules import PROGRAMMES, ProgrammeRules, median_income

RULES = ProgrammeRules()
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def persons(synth_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(synth_dir / "ssis_persons.parquet")


@pytest.fixture(scope="module")
def eligibility(synth_dir: Path, persons: pl.DataFrame) -> pl.DataFrame:
    rows = pl.read_parquet(synth_dir / "ssis_eligibility.parquet")
    return rows.join(
        persons.select("person_id", "age", "birth_date", "household_size", "disability"),
        on="person_id",
    )


def test_nobody_under_65_gets_the_basic_pension(eligibility: pl.DataFrame) -> None:
    pension = eligibility.filter(pl.col("programme") == "basic_pension")
    assert pension.height > 0
    assert pension["age"].min() >= 65


def test_income_and_assets_only_for_means_tested_programmes(eligibility: pl.DataFrame) -> None:
    money = ["income_krw", "assets_krw", "recognized_income_krw"]
    for programme in PROGRAMMES:
        rows = eligibility.filter(pl.col("programme") == programme.code)
        assert rows.height > 0, programme.code
        nulls = rows.select(pl.col(money).null_count()).row(0)
        if programme.means_tested:
            assert nulls == (0, 0, 0), programme.code
        else:
            assert nulls == (rows.height,) * 3, programme.code


def _threshold(share: float) -> pl.Expr:
    table = {size: int(median_income(size) * share) for size in range(1, 16)}
    return pl.col("household_size").replace_strict(table, return_dtype=pl.Int64)


def test_livelihood_payment_is_threshold_minus_recognised_income(
    eligibility: pl.DataFrame,
) -> None:
    rows = eligibility.filter(pl.col("programme") == "livelihood")
    rep = rows.filter(pl.col("is_representative"))
    assert rep.height > 0
    expected = rep.select(_threshold(RULES.livelihood_share) - pl.col("recognized_income_krw"))
    assert rep["payment_amount_krw"].to_list() == expected.to_series().to_list()
    assert (rep["payment_amount_krw"] >= 0).all()
    # Household benefits are paid once: other members' rows carry no payment.
    assert rows.filter(~pl.col("is_representative"))["payment_amount_krw"].null_count() == (
        rows.height - rep.height
    )


@pytest.mark.parametrize(
    ("code", "share"),
    [
        ("livelihood", RULES.livelihood_share),
        ("medical", RULES.medical_share),
        ("housing", RULES.housing_share),
        ("education", RULES.education_share),
        ("near_poor", RULES.near_poor_share),
        ("single_parent", RULES.single_parent_share),
    ],
)
def test_household_programmes_respect_their_income_threshold(
    eligibility: pl.DataFrame, code: str, share: float
) -> None:
    rows = eligibility.filter(pl.col("programme") == code)
    assert rows.height > 0
    over = rows.filter(pl.col("recognized_income_krw") > _threshold(share))
    assert over.height == 0


def test_payment_amounts_within_the_rules(eligibility: pl.DataFrame) -> None:
    def amounts(code: str) -> pl.Series:
        return eligibility.filter(pl.col("programme") == code)["payment_amount_krw"].drop_nulls()

    pension = amounts("basic_pension")
    assert pension.max() <= RULES.basic_pension_max
    assert pension.min() >= RULES.basic_pension_max * RULES.basic_pension_floor_share - 10
    assert set(amounts("child_allowance").unique()) == {RULES.child_allowance}
    allowed_parent = {1_000_000, 500_000, 1_000_000 - 584_000, 0}
    assert set(amounts("parent_benefit").unique()) <= allowed_parent
    assert set(amounts("education").unique()) <= set(RULES.education_annual)
    housing_max = max(max(row) for row in RULES.housing_reference_rent)
    assert amounts("housing").max() <= housing_max
    assert amounts("single_parent").min() >= RULES.single_parent_per_child
    assert (
        eligibility.filter(pl.col("programme") == "medical")["payment_amount_krw"].null_count()
        == eligibility.filter(pl.col("programme") == "medical").height
    )


def test_programme_ages(eligibility: pl.DataFrame) -> None:
    def ages(code: str) -> pl.Series:
        return eligibility.filter(pl.col("programme") == code)["age"]

    assert ages("child_allowance").max() <= RULES.child_allowance_max_age
    assert ages("parent_benefit").max() <= 1
    assert ages("education").min() >= 7 and ages("education").max() <= 18
    disability = eligibility.filter(pl.col("programme") == "disability_pension")
    assert disability["age"].min() >= 18
    assert set(disability["disability"].unique()) == {"심한 장애"}


def test_acquisition_dates_are_possible(eligibility: pl.DataFrame) -> None:
    assert (eligibility["acquisition_date"] <= AS_OF).all()
    assert (eligibility["acquisition_date"] >= eligibility["birth_date"]).all()
    for code, start in RULES.programme_start.items():
        rows = eligibility.filter(pl.col("programme") == code)
        assert rows["acquisition_date"].min() >= start, code
    pension = eligibility.filter(pl.col("programme") == "basic_pension")
    early = pension.filter(
        pl.col("acquisition_date") < pl.col("birth_date").dt.offset_by("65y").dt.offset_by("-1d")
    )
    assert early.height == 0


def test_surname_shares_match_the_census(persons: pl.DataFrame) -> None:
    share = persons["name"].str.slice(0, 1).value_counts(normalize=True)
    lookup = dict(zip(share["name"], share["proportion"], strict=True))
    assert lookup["김"] == pytest.approx(0.215, abs=0.015)
    assert lookup["이"] == pytest.approx(0.147, abs=0.015)
    assert lookup["박"] == pytest.approx(0.084, abs=0.01)
    assert persons["name"].n_unique() < persons.height * 0.5  # names collide, as in Korea


def test_population_structure(persons: pl.DataFrame) -> None:
    old = (persons["age"] >= 65).mean()
    assert 0.15 <= old <= 0.25
    assert 0.45 <= (persons["sex"] == 1).mean() <= 0.55
    households = persons.unique("household_id")
    assert 2.0 <= persons.height / households.height <= 2.5
    one_person = (households["household_type"] == "1인가구").mean()
    assert 0.30 <= one_person <= 0.42
    assert persons["sido_code"].n_unique() == 17
    assert persons["sigungu_code"].n_unique() >= 200
    assert set(households["household_type"].unique()) >= {
        "1인가구",
        "부부가구",
        "한부모가구",
        "조손가구",
        "3세대 이상 가구",
    }
    seoul = (persons["sido_name"] == "서울특별시").mean()
    assert 0.15 <= seoul <= 0.21


def test_no_generated_id_is_a_valid_resident_number(persons: pl.DataFrame) -> None:
    rrns = persons["rrn"].to_list()
    assert all(len(r) == 14 and r[6] == "-" for r in rrns)
    assert not any(is_valid_rrn(r) for r in rrns)


def test_the_resident_number_validator_accepts_a_real_shape() -> None:
    digits = np.array([[8, 0, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6]])
    valid = "800101-123456" + str(int(rrn_check_digit(digits)[0]))
    assert is_valid_rrn(valid)
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert not is_valid_rrn(wrong)


def test_phones_are_in_unassigned_blocks(persons: pl.DataFrame) -> None:
    phones = persons["phone"].drop_nulls()
    assert phones.str.contains(r"^010-[01]\d{3}-\d{4}$").all()
    assert persons.filter(pl.col("age") < 10)["phone"].null_count() == (persons["age"] < 10).sum()


def test_manifest_describes_every_file_and_column(synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {d["name"] for d in manifest["datasets"]} == {
        "ssis_persons",
        "ssis_eligibility",
        "keis_employment",
    }
    polars_type = {"string": pl.String, "date": pl.Date, "boolean": pl.Boolean}
    for dataset in manifest["datasets"]:
        frame = pl.read_parquet(synth_dir / dataset["file"])
        assert frame.height == dataset["rows"]
        assert [c["name"] for c in dataset["columns"]] == frame.columns
        for column in dataset["columns"]:
            assert column["class"] in {
                "direct_identifier",
                "quasi_identifier",
                "sensitive",
                "other",
            }
            assert column["label_ko"] and column["label_en"]
            dtype = frame.schema[column["name"]]
            if column["type"] == "integer":
                assert dtype.is_integer(), column["name"]
            else:
                assert dtype == polars_type[column["type"]], column["name"]
    truth = manifest["ground_truth"]
    assert (synth_dir / truth["file"]).exists()
    assert {"name", "phone", "rrn", "address"} <= {
        c["name"] for c in manifest["datasets"][0]["columns"] if c["class"] == "direct_identifier"
    }
