"""`gamyeong pseudonymize` as a user runs it: inputs in the formats Korean agencies use, and
bad input that gets a clear error (Korean and English) and leaves no output file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyreadstat
import pytest
from typer.testing import CliRunner

from gamyeong.cli import app

runner = CliRunner()
POLICY = """
dataset: people
environment: closed_room
quasi_identifiers: [sex, age]
items:
  name:
    technique: mask
  sex: keep
  age:
    technique: band
    width: 10
  income:
    technique: round
    base: 1000
"""
ROWS = [
    ("홍길동", "1", 34, 1234),
    ("김철수", "1", 36, 2345),
    ("이영희", "2", 41, 3456),
    ("박민지", "2", 45, 4567),
    ("최수진", "2", 47, 5678),
    ("정우성", "1", 38, 6789),
]


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def frame() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=["name", "sex", "age", "income"], orient="row")


def run(data: Path, policy: Path, out: Path, *extra: str) -> object:
    args = ["pseudonymize", str(data), "--policy", str(policy), "--out", str(out)]
    return runner.invoke(app, [*args, "--vault", str(out.parent.parent / "vault"), *extra])


def csv_text() -> str:
    return "name,sex,age,income\n" + "".join(f"{n},{s},{a},{i}\n" for n, s, a, i in ROWS)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_csv_in_every_korean_encoding(tmp_path: Path, policy: Path, encoding: str) -> None:
    data = tmp_path / "people.csv"
    data.write_bytes(csv_text().encode(encoding))
    out = tmp_path / "out" / "people.parquet"
    result = run(data, policy, out, "--json")
    assert result.exit_code == 0, result.output
    written = pl.read_parquet(out)
    assert written["name"].to_list()[0] == "홍**"
    assert written["age"].to_list()[:2] == ["30-39", "30-39"]
    summary = json.loads(result.output)
    assert summary["risk"]["k_min"] == 3 and summary["utility"]["mean_loss"] > 0


def test_excel_spss_and_stata_inputs(tmp_path: Path, policy: Path) -> None:
    data = frame()
    xlsx = tmp_path / "people.xlsx"
    data.write_excel(xlsx)
    sav, dta = tmp_path / "people.sav", tmp_path / "people.dta"
    pyreadstat.write_sav(data.to_pandas(), str(sav))
    pyreadstat.write_dta(data.to_pandas(), str(dta))
    for source in (xlsx, sav, dta):
        out = tmp_path / "out" / f"{source.suffix[1:]}.parquet"
        result = run(source, policy, out)
        assert result.exit_code == 0, (source, result.output)
        assert pl.read_parquet(out).height == len(ROWS)


def test_wrong_encoding_is_refused(tmp_path: Path, policy: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_bytes(csv_text().encode("cp949"))
    out = tmp_path / "out" / "people.parquet"
    result = run(data, policy, out, "--encoding", "utf-8")
    assert result.exit_code == 2
    assert "오류" in result.output and "line 2" in result.output
    assert not out.exists()


def test_ragged_row_names_its_line(tmp_path: Path, policy: Path) -> None:
    data = tmp_path / "people.csv"
    text = csv_text().splitlines()
    text[3] += ",extra"
    data.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "people.parquet"
    result = run(data, policy, out)
    assert result.exit_code == 2
    assert "line 4" in result.output and "4번째 줄" in result.output
    assert not out.exists()


def test_empty_file_is_refused(tmp_path: Path, policy: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_bytes(b"")
    out = tmp_path / "out" / "people.parquet"
    result = run(data, policy, out)
    assert result.exit_code == 2 and "empty" in result.output
    assert not out.exists()


def test_policy_naming_a_missing_column_writes_nothing(tmp_path: Path, policy: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_text(csv_text().replace("income", "wage"), encoding="utf-8")
    out = tmp_path / "out" / "people.parquet"
    result = run(data, policy, out)
    assert result.exit_code == 2
    assert "income" in result.output and "available: name, sex, age, wage" in result.output
    assert not out.exists()


def test_hostile_file_names_work(tmp_path: Path, policy: Path) -> None:
    data = tmp_path / "-사람 목록 '최종'.csv"
    data.write_text(csv_text(), encoding="utf-8")
    out = tmp_path / "out" / "결과 $(rm -rf).parquet"
    result = run(data, policy, out)
    assert result.exit_code == 0, result.output
    assert out.exists()
