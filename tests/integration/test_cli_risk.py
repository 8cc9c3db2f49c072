"""``gamyeong risk``: JSON report, readable summary, exit codes 0 / 1 / 2, per-record risk."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from gamyeong.cli import app

runner = CliRunner()

BASE_KEYS = {
    "records", "classes", "k", "qi", "k_min", "records_below_k", "uniques",
    "prosecutor_risk_max", "prosecutor_risk_avg", "marketer_risk", "outliers",
}  # fmt: skip
DIVERSITY_KEYS = {"l_distinct_min", "l_entropy_min", "t_closeness_max", "sensitive"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Three classes over (sex, band): (M,20) × 3, (F,20) × 2, (F,30) × 1."""
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "sex": ["M", "M", "M", "F", "F", "F"],
            "band": [20, 20, 20, 20, 20, 30],
            "dis": ["A", "B", "A", "A", "C", "B"],
            "pay": [10, 20, 30, 40, 50, 60],
        }
    ).write_parquet(path)
    return path


@pytest.fixture
def population(tmp_path: Path) -> Path:
    path = tmp_path / "population.csv"
    path.write_text("sex,band,people\nM,20,30\nF,20,10\nF,30,4\nM,30,50\n", encoding="utf-8")
    return path


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["risk", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_json_has_exactly_the_documented_keys(data: Path, population: Path) -> None:
    code, out, _ = invoke(
        data, "--qi", "sex,band", "--sensitive", "dis", "--k", "2", "--json",
        "--population", population, "--population-count", "people",
    )  # fmt: skip
    assert code == 1  # the (F,30) class has one record, below k = 2
    report = json.loads(out)  # nothing but the JSON object on stdout
    assert set(report) == BASE_KEYS | DIVERSITY_KEYS | {"journalist_risk_max"}
    assert report["k"] == 2 and report["qi"] == ["sex", "band"]
    assert (report["records"], report["classes"], report["k_min"]) == (6, 3, 1)
    assert report["records_below_k"] == 1 and report["uniques"] == 1
    assert report["journalist_risk_max"] == pytest.approx(1 / 4)  # F for (F,30) is 4
    # marketer = (3/30 + 2/10 + 1/4) / 6
    assert report["marketer_risk"] == pytest.approx((0.1 + 0.2 + 0.25) / 6)
    assert set(report["sensitive"]["dis"]) == {"l_distinct_min", "l_entropy_min", "t_closeness_max"}
    assert set(report["outliers"]) == {"rare_values", "extreme_rule", "extreme_amounts"}


def test_json_without_sensitive_or_population(data: Path) -> None:
    code, out, _ = invoke(data, "--qi", "sex", "--k", "3", "--json")
    assert code == 0  # M 3, F 3
    assert set(json.loads(out)) == BASE_KEYS


def test_summary_shows_pass_or_fail_against_k(data: Path) -> None:
    code, out, _ = invoke(data, "--qi", "sex,band", "--sensitive", "dis")
    assert code == 1
    assert "k_min" in out and "미달 fail" in out and "exit 1" in out
    code, out, _ = invoke(data, "--qi", "sex", "--k", "3")
    assert code == 0
    assert "통과 pass" in out and "exit 0" in out


def test_bad_column_exits_2_in_korean_and_english(data: Path) -> None:
    code, out, err = invoke(data, "--qi", "sex,agee", "--json")
    assert code == 2
    assert out == ""
    assert "데이터에 없는 열입니다: agee" in err
    assert "column(s) not in the data: agee" in err
    assert "sex, band, dis, pay" in err  # the available columns
    code, _, err = invoke(data, "--qi", "sex", "--sensitive", "disability")
    assert code == 2 and "disability" in err and "오류" in err


def test_bad_k_and_missing_files_exit_2(data: Path, tmp_path: Path) -> None:
    code, _, err = invoke(data, "--qi", "sex", "--k", "0")
    assert code == 2 and "k는 1 이상의 정수" in err and "k must be an integer" in err
    code, _, err = invoke(tmp_path / "nope.parquet", "--qi", "sex")
    assert code == 2 and "파일이 없습니다" in err and "no such file" in err
    code, _, err = invoke(data, "--qi", "sex", "--population", tmp_path / "nope.csv")
    assert code == 2 and "no such file" in err


def test_population_count_without_population_exits_2(data: Path) -> None:
    code, _, err = invoke(data, "--qi", "sex", "--population-count", "people")
    assert code == 2 and "needs a population table" in err


def test_empty_data_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pl.DataFrame({"sex": []}, schema={"sex": pl.String}).write_parquet(path)
    code, _, err = invoke(path, "--qi", "sex")
    assert code == 2 and "no rows" in err and "행이 없습니다" in err


def test_record_risk_is_written(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "risk" / "records.parquet"
    code, _, _ = invoke(data, "--qi", "sex,band", "--k", "1", "--record-risk", out)
    assert code == 0
    risk = pl.read_parquet(out)
    assert risk.columns == ["row_nr", "class_size", "prosecutor_risk"]
    assert risk["class_size"].to_list() == [3, 3, 3, 2, 2, 1]
    assert not list(out.parent.glob(".*"))  # no temporary file left behind


def test_csv_input(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("sex,age\nM,30\nM,30\nF,40\n", encoding="utf-8")
    code, out, _ = invoke(path, "--qi", "sex,age", "--k", "2", "--json")
    assert code == 1
    assert json.loads(out)["k_min"] == 1


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["risk", "--help"])
    assert result.exit_code == 0
    assert "--qi" in result.output and "준식별자" in result.output
    assert "quasi-identifier" in result.output
