"""``gamyeong check-output``: tables from microdata in every input format, results.json and
folders, the JSON report, differencing, remedies, and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from gamyeong import analysis as ga
from gamyeong.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
ACRO_DATA = ROOT / "tests" / "data" / "acro" / "test_data.dta"  # a copy of shared/reference/acro


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check-output", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def frame() -> pl.DataFrame:
    """시도 × 성별: (부산, 여) has 3 persons, one of whom has two rows; the rest 12 or more."""
    rows = [("서울", "남", f"s{i}", 100.0 + i) for i in range(12)]
    rows += [("서울", "여", f"t{i}", 200.0 + i) for i in range(15)]
    rows += [("부산", "남", f"u{i}", 50.0 + i) for i in range(14)]
    rows += [("부산", "여", p, 70.0) for p in ("v0", "v0", "v1", "v2")]
    return pl.DataFrame(rows, schema=["sido", "sex", "pid", "income"], orient="row")


@pytest.fixture
def data(tmp_path: Path, frame: pl.DataFrame) -> Path:
    path = tmp_path / "data.parquet"
    frame.write_parquet(path)
    return path


def table_args(path: Path, *more: str) -> list[str | Path]:
    return ["--data", path, "--rows", "sido", "--cols", "sex", *more]


def test_json_report_per_cell(data: Path) -> None:
    code, out, _ = invoke(*table_args(data, "--unit", "pid", "--json"))
    assert code == 1
    report = json.loads(out)  # nothing but the JSON object on stdout
    assert report["status"] == "fail" and report["profile"]["name"] == "gamyeong"
    assert report["summary"] == {"threshold": 1, "zeros": 0}
    assert len(report["cells"]) == 4
    failing = [c for c in report["cells"] if c["failed"]]
    assert failing == [
        {
            "keys": {"sido": "부산", "sex": "여"},
            "count": 3,
            "failed": ["threshold"],
            "output": "data",
            "block": "count",
            "position": [0, 1],
            "margin": False,
            "records": 4,
            "persons": 3,
            "value": 4,
            "reasons": {"threshold": "인원 3명 < 10 / 3 persons < 10"},
        }
    ]
    assert report["outputs"][0]["table"]["unit"] == "pid"


def test_magnitude_table_and_profiles(data: Path) -> None:
    code, out, _ = invoke(
        *table_args(data, "--values", "income", "--agg", "mean", "--unit", "pid", "--json")
    )
    report = json.loads(out)
    assert code == 1 and report["summary"]["threshold"] == 1
    assert {"nk", "p_percent", "missing", "negative"} <= set(report["summary"])
    code, out, _ = invoke(*table_args(data, "--profile", "korean", "--unit", "pid", "--json"))
    assert code == 1 and json.loads(out)["summary"]["threshold"] == 1  # 3 persons < 5
    code, out, _ = invoke(
        *table_args(
            data, "--profile", "korean", "--set", "safe_threshold=3", "--unit", "pid", "--json"
        )
    )
    assert code == 0 and json.loads(out)["status"] == "pass"


def test_pass_and_readable_summary(data: Path) -> None:
    code, out, _ = invoke(*table_args(data, "--profile", "acro", "--set", "safe_threshold=4"))
    assert code == 0
    assert "통과 pass" in out and "exit 0" in out
    code, out, _ = invoke(*table_args(data, "--unit", "pid"))
    assert code == 1
    assert "부산" in out and "threshold" in out and "persons" in out and "exit 1" in out


def test_margins_suggest_and_structural_zero(data: Path) -> None:
    code, out, _ = invoke(*table_args(data, "--unit", "pid", "--margins", "--suggest", "--json"))
    report = json.loads(out)
    assert code == 1 and report["summary"]["margins"] == 3  # the cell and its two totals
    (remedies,) = report["remedies"]
    assert remedies["secondary"] == 3
    assert [s["keys"] for s in remedies["suppress"] if s["role"] == "primary"] == [
        {"sido": "부산", "sex": "여"}
    ]
    code, out, _ = invoke(
        *table_args(data, "--unit", "pid", "--structural-zero", "sido=부산,sex=여", "--json")
    )
    declared = [c for c in json.loads(out)["cells"] if c.get("structural_zero")]
    assert [c["keys"] for c in declared] == [{"sido": "부산", "sex": "여"}]


@pytest.mark.parametrize("kind", ["csv", "cp949", "xlsx", "sav", "dta"])
def test_every_input_format(tmp_path: Path, frame: pl.DataFrame, kind: str) -> None:
    path = tmp_path / f"data.{'csv' if kind == 'cp949' else kind}"
    if kind == "csv":
        frame.write_csv(path)
    elif kind == "cp949":
        path.write_bytes(frame.write_csv().encode("cp949"))
    elif kind == "xlsx":
        frame.write_excel(path)
    else:
        pyreadstat = pytest.importorskip("pyreadstat")
        writer = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
        writer(frame.to_pandas(), str(path))
    code, out, err = invoke(*table_args(path, "--unit", "pid", "--json"))
    assert code == 1, err
    report = json.loads(out)
    assert report["summary"]["threshold"] == 1
    assert {tuple(c["keys"].values()) for c in report["cells"] if c["failed"]} == {("부산", "여")}


def test_acro_reference_data_with_the_acro_profile() -> None:
    if not ACRO_DATA.exists():
        pytest.skip("tests/data/acro/test_data.dta is not there")
    args = [
        "--data",
        ACRO_DATA,
        "--rows",
        "year",
        "--cols",
        "grant_type",
        "--profile",
        "acro",
        "--json",
    ]
    code, out, _ = invoke(*args, "--values", "inc_grants", "--agg", "mean")
    report = json.loads(out)
    assert code == 1 and report["summary"] == {"threshold": 6, "nk": 1, "p_percent": 2}
    nk = [c["position"] for c in report["cells"] if "nk" in c["failed"]]
    assert nk == [[0, 3]]


@pytest.fixture
def outputs(tmp_path: Path, frame: pl.DataFrame) -> Path:
    """A gamyeong.analysis session: a table with totals, a histogram, a small regression."""
    folder = tmp_path / "outputs"
    session = ga.Session(folder)
    session.save(
        "by_sido", ga.crosstab(frame, "sido", "sex", margins=True, unit="pid", session=session)
    )
    session.save("income", ga.histogram(frame, "income", bins=4, unit="pid", session=session))
    session.save("model", ga.regression(frame, "income ~ C(sex)", unit="pid", session=session))
    session.finalise()
    return folder


def test_results_json_and_folder(outputs: Path) -> None:
    code, out, _ = invoke(outputs / "results.json", "--json")
    report = json.loads(out)
    assert code == 1
    assert [(o["output"], o["kind"], o["status"]) for o in report["outputs"]] == [
        ("by_sido", "table", "fail"),
        ("income", "histogram", "fail"),
        ("model", "regression", "pass"),
    ]
    assert {c["output"] for c in report["cells"]} == {"by_sido", "income", "model"}
    (outputs / "extra.png").write_bytes(b"\x89PNG\r\n")
    code, out, _ = invoke(outputs, "--json")
    names = [o["output"] for o in json.loads(out)["outputs"]]
    assert names[-1] == "extra.png" and json.loads(out)["summary"]["graph_counts"] == 1


def test_differencing_against_an_earlier_release(
    outputs: Path, tmp_path: Path, frame: pl.DataFrame
) -> None:
    # the earlier release suppressed (부산, 여); totals by sido released now give it away
    by_sido = tmp_path / "by_sido.csv"
    frame.select("sido", "pid").write_csv(by_sido)
    code, out, _ = invoke(
        "--data", by_sido, "--rows", "sido", "--unit", "pid", "--earlier", outputs, "--json"
    )
    report = json.loads(out)
    assert code == 1 and report["summary"]["differencing"] == 1
    (finding,) = report["differencing"]
    assert (finding["kind"], finding["earlier"], finding["keys"]) == (
        "margin",
        "by_sido",
        {"sido": "부산"},
    )
    # the same table on a subset (one person fewer) differs from the earlier one by one person
    subset = tmp_path / "subset.csv"
    frame.filter(pl.col("pid") != "s0").write_csv(subset)
    code, out, _ = invoke(*table_args(subset, "--unit", "pid", "--earlier", outputs, "--json"))
    found = json.loads(out)["differencing"]
    assert [(d["kind"], d["keys"]) for d in found] == [("subset", {"sido": "서울", "sex": "남"})]
    assert "the difference from by_sido is 1 < 10" in found[0]["detail"]


def test_bad_input_exits_2_in_korean_and_english(data: Path, tmp_path: Path) -> None:
    code, out, err = invoke(*table_args(data, "--unit", "pdi", "--json"))
    assert code == 2 and out == ""
    assert "데이터에 없는 열입니다: pdi" in err and "column(s) not in the data: pdi" in err
    assert "sido, sex, pid, income" in err  # the available columns
    assert "data.parquet: " in err  # and the file
    cases: list[tuple[list[Any], str]] = [
        ([tmp_path / "nope.parquet", "--rows", "sido"], "no such file"),
        (["--data", tmp_path / "nope.parquet", "--rows", "sido"], "no such file"),
        (["--data", data], "--data needs --rows"),
        ([], "give a results.json or folder"),
        ([data, "--data", data, "--rows", "sido"], "not both"),
        ([*table_args(data, "--values", "income")], "values and agg go together"),
        ([*table_args(data, "--profile", "strict")], "unknown profile: strict"),
        ([*table_args(data, "--set", "threshold=5")], "unknown rule: threshold"),
        (
            [*table_args(data, "--set", "safe_threshold=five")],
            "invalid value for rule safe_threshold",
        ),
        ([*table_args(data, "--structural-zero", "sido")], "--structural-zero takes column=value"),
        ([*table_args(data, "--agg", "mean", "--values", "pid")], "not numeric"),
        ([*table_args(data, "--agg", "mean", "--values", "sido")], "used twice"),
        ([*table_args(data, "--agg", "mad", "--values", "income")], "unknown aggregation: mad"),
        ([*table_args(data, "--percent", "rows")], "percent must be one of"),
    ]
    for args, english in cases:
        code, _, err = invoke(*args)
        assert code == 2, (args, err)
        assert english in err and "오류" in err, (args, err)
    broken = tmp_path / "results.json"
    broken.write_text('{"results": {"a": ', encoding="utf-8")
    code, _, err = invoke(broken)
    assert code == 2 and "results.json at line 1" in err and "JSON 형식 오류" in err


def test_empty_data_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pl.DataFrame({"sido": []}, schema={"sido": pl.String}).write_parquet(path)
    code, _, err = invoke("--data", path, "--rows", "sido")
    assert code == 2 and "no rows" in err and "행이 없습니다" in err


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["check-output", "--help"])
    assert result.exit_code == 0
    assert (
        "--profile" in result.output and "노출" in result.output and "disclosure" in result.output
    )
    assert "check-output" in runner.invoke(app, ["--help"]).output
