"""Policy files: validated with the line of each mistake and what is allowed or available."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy import check_against, load_policy

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = {"id": pl.String(), "age": pl.Int64(), "name": pl.String(), "joined": pl.Date()}


def policy(text: str) -> object:
    return load_policy(text=text, source="p.yaml")


def error(text: str, schema: dict[str, pl.DataType] | None = None) -> EngineError:
    with pytest.raises(EngineError) as caught:
        loaded = load_policy(text=text, source="p.yaml")
        if schema is not None:
            check_against(loaded, schema)
    return caught.value


BASE = "environment: closed_room\nitems:\n  id: keep\n  age: keep\n  name: delete\n  joined: keep\n"


def test_a_valid_policy_loads_with_the_environment_threshold() -> None:
    loaded = load_policy(text=BASE, source="p.yaml")
    assert loaded.k == 3 and loaded.environment == "closed_room"
    check_against(loaded, SCHEMA)
    assert loaded.output_columns == ["id", "age", "joined"]
    third = load_policy(text=BASE.replace("closed_room", "third_party"), source="p.yaml")
    assert third.k == 5


def test_unknown_technique_names_the_line_and_lists_techniques() -> None:
    text = BASE.replace("  age: keep\n", "  age:\n    technique: blur\n")
    err = error(text)
    assert "line 5" in err.english and "5행" in err.korean  # the line that says "blur"
    assert "blur" in err.english and "band" in err.english and "hmac" in err.english


def test_wrong_parameter_type_is_named() -> None:
    text = BASE.replace("  age: keep\n", "  age:\n    technique: band\n    width: five\n")
    err = error(text)
    assert "width" in err.english and "number" in err.english and "line" in err.english


def test_unknown_parameter_lists_the_allowed_ones() -> None:
    text = BASE.replace("  age: keep\n", "  age:\n    technique: round\n    bass: 10\n")
    err = error(text)
    assert "bass" in err.english and "base" in err.english and "mode" in err.english


def test_a_column_the_data_does_not_have_lists_the_columns() -> None:
    text = BASE + "  income: keep\n"
    err = error(text, SCHEMA)
    assert "line 7" in err.english and "income" in err.english
    assert "available: id, age, name, joined" in err.english


def test_every_column_must_be_decided() -> None:
    text = BASE.replace("  joined: keep\n", "")
    err = error(text, SCHEMA)
    assert "joined" in err.english and "keep" in err.english


def test_technique_must_suit_the_column_type() -> None:
    text = BASE.replace("  name: delete\n", "  name:\n    technique: round\n    base: 10\n")
    err = error(text, SCHEMA)
    assert "round" in err.english and "name" in err.english and "string" in err.english


def test_environment_and_yaml_errors() -> None:
    assert "closed_room, third_party" in error(BASE.replace("closed_room", "cloud")).english
    assert "line" in error("environment: closed_room\nitems: [\n").english
    assert "twice" in error(BASE + "  age: delete\n").english


def test_quasi_identifiers_must_be_in_the_output() -> None:
    text = BASE + "quasi_identifiers: [age, name]\n"
    err = error(text, SCHEMA)
    assert "name" in err.english and "not in the output" in err.english


def test_chains_and_record_rules() -> None:
    text = (
        BASE.replace(
            "  age: keep\n",
            "  age:\n    - technique: top_code\n      above: 90\n    - technique: band\n      width: 10\n",
        )
        + "records:\n  - technique: delete_records\n    column: age\n    op: '>='\n    value: 100\n"
    )
    loaded = load_policy(text=text, source="p.yaml")
    check_against(loaded, SCHEMA)
    assert loaded.items["age"].describe().startswith("top_code(above=90")
    bad = text.replace("op: '>='", "op: '=>'")
    assert "=>" in error(bad).english and ">=" in error(bad).english


@pytest.mark.parametrize("name", ["ssis_persons", "ssis_eligibility", "keis_employment"])
def test_example_policies_fit_the_synthetic_datasets(name: str, synth_dir: Path) -> None:
    loaded = load_policy(ROOT / "examples" / "policies" / f"{name}.yaml")
    schema = pl.scan_parquet(synth_dir / f"{name}.parquet").collect_schema()
    check_against(loaded, dict(schema))
    assert loaded.dataset == name


def test_hierarchy_files_are_found_beside_the_policy_or_in_search_dirs(tmp_path: Path) -> None:
    text = BASE.replace("  name: delete\n", "  name:\n    technique: hierarchy\n    file: h.csv\n")
    with pytest.raises(EngineError) as caught:
        load_policy(text=text, source="p.yaml", search_dirs=[tmp_path])
    assert "line 6" in caught.value.english and "h.csv" in caught.value.english
    (tmp_path / "h.csv").write_text("value,level1\na,b\n", encoding="utf-8")
    loaded = load_policy(text=text, source="p.yaml", search_dirs=[tmp_path])
    assert loaded.items["name"].steps[0].params["file"] == str((tmp_path / "h.csv").resolve())
