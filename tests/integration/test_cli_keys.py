"""`gamyeong keys make` as a provider runs it: Korean column names, a CP949 CSV, a salt artifact
from the key-management agency, several key sets, JSON output, and bad input that gets a clear
error in Korean and English and leaves nothing behind."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from gamyeong.cli import app
from gamyeong.engine.linkage.artifacts import KEYS, SALT, receive, write_manifest

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # no wrapping inside the summary table
ITEMS = "name=성명,birth_date=생년월일,sex=성별,phone=연락처"
CSV = (
    "성명,생년월일,성별,연락처,소득\n"
    "홍 길동,1980.01.02,남,010 1234 5678,100\n"
    "김철수,19900304,남,,200\n"
    "이영희,1975-07-07,여,010-3333-4444,300\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "provider" / "people.csv"
    data.parent.mkdir()
    data.write_bytes(CSV.encode("cp949"))
    salt = tmp_path / "provider" / "salt-1.salt"
    salt.write_bytes(os.urandom(32))
    return {
        "data": data,
        "salt": salt,
        "keys": tmp_path / "send" / "keys.parquet",
        "payload": tmp_path / "send" / "payload.parquet",
        "vault": tmp_path / "vault",
    }


def run(files: dict[str, Path], *extra: str) -> Any:
    args = ["keys", "make", str(files["data"]), "--items", ITEMS, "--salt-file", str(files["salt"])]
    args += ["--out-keys", str(files["keys"]), "--out-payload", str(files["payload"])]
    return runner.invoke(app, [*args, "--vault", str(files["vault"]), *extra], env=WIDE)


def test_make_prints_the_report(files: dict[str, Path]) -> None:
    result = run(files, "--provider", "테스트기관")
    assert result.exit_code == 0, result.output
    assert "3 행/rows" in result.output and "결합키 / combination keys" in result.output
    assert "phone 없음/missing 1" in result.output
    assert "without --policy" in result.output
    keys = pl.read_parquet(files["keys"])
    assert keys.columns == ["serial", "key"] and keys.height == 2
    assert pl.read_parquet(files["payload"]).columns == ["serial", "소득"]


def test_json_and_key_sets(files: dict[str, Path]) -> None:
    result = run(
        files,
        "--provider",
        "테스트기관",
        "--key-set",
        "main=name+birth_date+phone",
        "--key-set",
        "loose=name+birth_date+sex",
        "--combination-id",
        "C-cli",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["combination_id"] == "C-cli"
    sets = {s["name"]: s for s in report["report"]["key_sets"]}
    assert sets["main"]["keyed"] == 2 and sets["loose"]["keyed"] == 3
    assert sets["main"]["reasons"] == {"phone": {"missing": 1}}
    assert pl.read_parquet(files["keys"]).columns == ["serial", "key_main", "key_loose"]
    vault_table = files["vault"] / "tables" / "combination-C-cli-serials.parquet"
    assert pl.read_parquet(vault_table).get_column("name").to_list() == [
        "홍길동",
        "김철수",
        "이영희",
    ]


def test_salt_artifact_gives_the_defaults(files: dict[str, Path]) -> None:
    write_manifest(
        files["salt"],
        kind=SALT,
        sender="key_agency:한국인터넷진흥원",
        receiver="provider:한국고용정보원",
        purpose="salt",
        combination_id="C-2026-01",
        extra={"salt_id": "salt-1"},
    )
    result = run(files)
    assert result.exit_code == 0, result.output
    manifest = receive(files["keys"], receiver="key_agency:한국인터넷진흥원", kind=KEYS)
    assert manifest.combination_id == "C-2026-01"
    assert manifest.sender == "provider:한국고용정보원"
    assert manifest.extra["key_specs"][0]["salt_id"] == "salt-1"
    other = run(files, "--provider", "다른기관", "--combination-id", "C-other")
    assert other.exit_code == 2 and "addressed to" in other.output


@pytest.mark.parametrize(
    ("args", "korean", "english"),
    [
        (("--items", "nmae=성명"), "알 수 없는 결합키 항목", "allowed: name, birth_date"),
        (("--items", "name=이름"), "데이터에 없는 열", "available: 성명, 생년월일, 성별, 연락처"),
        (("--items", "name"), "항목=열", "item=column"),
        (("--key-set", "main=name+rrn"), "알 수 없는 항목", "unknown item(s) rrn"),
        (("--key-set", "main=name+phone", "--items", "name=성명"), "--items에", "does not map"),
        (("--algorithm", "md5"), "알고리즘", "allowed: hmac-sha256, sha256"),
    ],
)
def test_bad_input(
    files: dict[str, Path], args: tuple[str, ...], korean: str, english: str
) -> None:
    extra = list(args)
    if "--items" in extra:  # replace the default --items
        index = extra.index("--items")
        value = extra[index + 1]
        del extra[index : index + 2]
        result = _run_items(files, value, *extra, "--provider", "p")
    else:
        result = run(files, *extra, "--provider", "p")
    assert result.exit_code == 2, result.output
    assert korean in result.output and english in result.output
    assert not files["keys"].exists() and not files["payload"].exists()


def _run_items(files: dict[str, Path], items: str, *extra: str) -> Any:
    args = ["keys", "make", str(files["data"]), "--items", items, "--salt-file", str(files["salt"])]
    args += ["--out-keys", str(files["keys"]), "--out-payload", str(files["payload"])]
    return runner.invoke(app, [*args, "--vault", str(files["vault"]), *extra], env=WIDE)


def test_wrong_salt_size(files: dict[str, Path]) -> None:
    files["salt"].write_bytes(b"short")
    result = run(files, "--provider", "p")
    assert result.exit_code == 2
    assert "32바이트" in result.output and "has 5 bytes" in result.output
    assert not files["keys"].exists()


def test_outputs_in_the_vault_are_refused(files: dict[str, Path]) -> None:
    files["keys"] = files["vault"] / "keys.parquet"
    result = run(files, "--provider", "p")
    assert result.exit_code == 2 and "kept apart" in result.output
    assert not files["keys"].exists() and not files["payload"].exists()


def test_provider_needed_without_a_salt_manifest(files: dict[str, Path]) -> None:
    result = run(files)
    assert result.exit_code == 2 and "--provider" in result.output


def test_policy_for_the_payload(files: dict[str, Path], tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "dataset: people\nenvironment: closed_room\nitems:\n  소득:\n"
        "    technique: round\n    base: 1000\n",
        encoding="utf-8",
    )
    result = run(files, "--provider", "p", "--policy", str(policy), "--json")
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(files["payload"]).get_column("소득").to_list() == [0, 0]
    assert json.loads(result.output)["policy_sha256"]
