"""``gamyeong kma issue-salt``, ``gamyeong kma link`` and ``gamyeong combine`` as the parties run
them: a whole combination through the command line, and bad input that ends with exit code 2 and
a message in Korean and English."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from gamyeong.cli import app
from gamyeong.cli.kma import DEFAULT_AGENCY, DEFAULT_KMA
from gamyeong.engine.linkage.artifacts import AGENCY, KMA, PROVIDER, SALT, manifest_path
from gamyeong.engine.linkage.stores import PartyStore
from tests.linkage_helpers import key_of, serials, spec, write_keys, write_payload

runner = CliRunner()
COMBINATION = "C-CLI-1"
PEOPLE = {"ssis": [f"p{i}" for i in range(30)], "keis": [f"p{i}" for i in range(10, 40)]}


@dataclass
class Setup:
    root: Path
    kma: PartyStore
    agency: PartyStore
    providers: dict[str, PartyStore]
    salt_id: str
    key_files: list[Path]


def invoke(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def make_keys(setup: Setup, salt: bytes, **spec_changes: Any) -> list[Path]:
    paths = []
    for name, people in PEOPLE.items():
        frame = pl.DataFrame(
            {"serial": serials(len(people)), "key": [key_of(p, salt) for p in people]}
        )
        changes = spec_changes if name == "keis" else {}
        paths.append(
            write_keys(
                setup.providers[name],
                frame,
                setup.kma,
                specs=[spec(setup.salt_id, **changes)],
                combination_id=COMBINATION,
            )
        )
    return paths


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    kma = PartyStore(KMA, DEFAULT_KMA, tmp_path / "kma")
    agency = PartyStore(AGENCY, DEFAULT_AGENCY, tmp_path / "agency")
    providers = {n: PartyStore(PROVIDER, n, tmp_path / n) for n in PEOPLE}
    result = invoke(
        "kma", "issue-salt", "--combination-id", COMBINATION, "--out", tmp_path / "salts",
        "--provider", "ssis", "--provider", "keis", "--store", kma.root, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    salt_path, _ = providers["ssis"].admit(Path(issued["paths"]["provider:ssis"]), SALT)
    setup = Setup(tmp_path, kma, agency, providers, issued["salt_id"], [])
    setup.key_files = make_keys(setup, salt_path.read_bytes())
    return setup


def run_link(setup: Setup, *extra: object, keys: list[Path] | None = None) -> Any:
    return invoke(
        "kma", "link", *(keys or setup.key_files), "--out", setup.root / "link.parquet",
        "--report", setup.root / "report.json", "--store", setup.kma.root, *extra,
    )  # fmt: skip


def payloads(setup: Setup, **extra: Any) -> list[Path]:
    paths = []
    for (name, people), key_file in zip(PEOPLE.items(), setup.key_files, strict=True):
        frame = (
            pl.read_parquet(key_file)
            .select("serial")
            .with_columns(
                age=pl.Series([20 + int(p[1:]) for p in people]),
                sex=pl.Series(["1", "2"] * (len(people) // 2)),
                **({c: pl.lit(v) for c, v in extra.items()} if name == "keis" else {}),
            )
        )
        paths.append(
            write_payload(setup.providers[name], frame, setup.agency, combination_id=COMBINATION)
        )
    return paths


def run_combine(setup: Setup, files: list[Path], *extra: object) -> Any:
    return invoke(
        "combine", *files, "--linking-info", setup.root / "link.parquet",
        "--out", setup.root / "project" / "combined.parquet", "--store", setup.agency.root,
        *extra,
    )  # fmt: skip


def assert_bad_input(result: Any, english: str) -> None:
    assert result.exit_code == 2, result.output
    assert "오류" in result.stderr and "error" in result.stderr
    assert english in result.stderr.replace("\n", " ")


def test_a_whole_combination_through_the_cli(setup: Setup) -> None:
    result = run_link(setup, "--extract", setup.root / "extracted")
    assert result.exit_code == 0, result.output
    assert "결합률" in result.stdout and "match rate" in result.stdout
    report = json.loads((setup.root / "report.json").read_text(encoding="utf-8"))
    assert report["linked"] == 20
    assert [p["match_rate"] for p in report["providers"]] == [round(20 / 30, 6)] * 2
    assert len(list((setup.root / "extracted").glob("*.matched_serials.parquet"))) == 2
    result = run_combine(setup, payloads(setup), "--qi", "ssis_sex", "--k", "2")
    assert result.exit_code == 0, result.output
    assert "결합 완료 / combined" in result.stdout and "삭제 / deleted" in result.stdout
    combined = pl.read_parquet(setup.root / "project" / "combined.parquet")
    assert combined.height == 20 and (combined["ssis_age"] == combined["keis_age"]).all()
    assert not list(setup.agency.root.rglob("*.parquet"))


def test_json_output_of_link_and_combine(setup: Setup) -> None:
    result = run_link(setup, "--json", "--combination-id", COMBINATION)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["key_set"] == "basic"
    result = run_combine(setup, payloads(setup), "--json", "--qi", "ssis_sex")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 20 and summary["risk"]["k"] == 3  # closed-room default
    assert {d["kind"] for d in summary["deleted"]} == {"payload", "linking_info"}


def test_mock_combination_writes_a_report_on_a_sample(setup: Setup) -> None:
    result = run_link(setup, "--mock", "0.5", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mock_fraction"] == 0.5 and report["providers"][0]["records"] < 30


def test_additional_processing_through_the_cli(setup: Setup) -> None:
    assert run_link(setup).exit_code == 0
    policy = setup.root / "policy.yaml"
    policy.write_text(
        "environment: closed_room\nquasi_identifiers: [ssis_sex]\nitems:\n  combined_id: keep\n"
        "  ssis_sex: keep\n  ssis_age: delete\n  keis_age: delete\n  keis_sex: delete\n",
        encoding="utf-8",
    )
    result = run_combine(setup, payloads(setup), "--policy", policy)
    assert result.exit_code == 0, result.output
    assert "추가처리 / additional processing" in result.stdout
    assert (setup.root / "project" / "combined.processed.parquet").exists()


def test_mismatched_key_versions_exit_2(setup: Setup) -> None:
    salt = setup.kma.vault.secret(setup.salt_id, 32)
    keys = make_keys(setup, salt, version="2")
    assert_bad_input(run_link(setup, keys=keys), "differ (version: ssis='1', keis='2')")


def test_a_key_file_with_payload_columns_exits_2(setup: Setup) -> None:
    frame = pl.read_parquet(setup.key_files[0]).with_columns(income=pl.lit(1))
    path = write_keys(
        setup.providers["ssis"], frame, setup.kma, specs=[spec(setup.salt_id)],
        combination_id=COMBINATION,
    )  # fmt: skip
    assert_bad_input(run_link(setup, keys=[path, setup.key_files[1]]), "other columns: income")
    assert not list(setup.kma.inbox.rglob(path.name))


def test_a_payload_with_a_key_column_exits_2(setup: Setup) -> None:
    assert run_link(setup).exit_code == 0
    result = run_combine(setup, payloads(setup, key=("0" * 64)))
    assert_bad_input(result, "no key or identifier column: key")
    assert not list(setup.agency.inbox.rglob("payload-keis*"))


def test_a_tampered_artifact_exits_2(setup: Setup) -> None:
    frame = pl.read_parquet(setup.key_files[0])
    frame.head(10).write_parquet(setup.key_files[0])
    assert_bad_input(run_link(setup), "SHA-256 mismatch")


def test_an_artifact_for_another_receiver_exits_2(setup: Setup) -> None:
    manifest = json.loads(manifest_path(setup.key_files[0]).read_text(encoding="utf-8"))
    manifest["receiver"] = "key_agency:다른기관"
    manifest_path(setup.key_files[0]).write_text(json.dumps(manifest), encoding="utf-8")
    assert_bad_input(run_link(setup), "addressed to key_agency:다른기관")


def test_linking_info_for_another_agency_exits_2(setup: Setup) -> None:
    assert run_link(setup, "--agency", "통계청").exit_code == 0
    assert_bad_input(run_combine(setup, payloads(setup)), "addressed to combination_agency:통계청")


def test_mock_and_extract_together_exit_2(setup: Setup) -> None:
    assert_bad_input(
        run_link(setup, "--mock", "0.5", "--extract", setup.root / "x"), "--extract cannot"
    )


def test_an_unknown_quasi_identifier_exits_2(setup: Setup) -> None:
    assert run_link(setup).exit_code == 0
    assert_bad_input(run_combine(setup, payloads(setup), "--qi", "age"), "not a column")


def test_a_wrong_combination_id_exits_2(setup: Setup) -> None:
    assert_bad_input(run_link(setup, "--combination-id", "C-other"), "belongs to combination")


def test_the_whole_procedure_through_every_command(synth_dir: Path, tmp_path: Path) -> None:
    """issue-salt → keys make (each provider) → kma link → combine, on the synthetic SSIS
    persons and the partner's register: the combined rows are exactly the true pairs."""
    tables = {
        "ssis": ("ssis_persons.parquet", "person_id", ["sido_code", "age"]),
        "keis": ("keis_employment.parquet", "insured_id", ["industry", "monthly_wage_krw"]),
    }
    result = invoke(
        "kma", "issue-salt", "--combination-id", "C-E2E", "--out", tmp_path / "salts",
        "--provider", "ssis", "--provider", "keis", "--store", tmp_path / "kma", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    salts = json.loads(result.stdout)["paths"]
    for name, (file, record, attributes) in tables.items():
        data = tmp_path / f"{name}.parquet"
        pl.read_parquet(synth_dir / file).select(
            "name", "birth_date", "sex", "phone", pl.col(record).alias(f"{name}_record"),
            *attributes,
        ).write_parquet(data)  # fmt: skip
        send = tmp_path / "send" / name
        result = invoke(
            "keys", "make", data, "--items", "name=name,birth_date=birth_date,sex=sex,phone=phone",
            "--salt-file", salts[f"provider:{name}"], "--vault", tmp_path / f"vault-{name}",
            "--out-keys", send / "keys.parquet", "--out-payload", send / "payload.parquet",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = invoke(
        "kma", "link", tmp_path / "send/ssis/keys.parquet", tmp_path / "send/keis/keys.parquet",
        "--out", tmp_path / "link.parquet", "--report", tmp_path / "report.json",
        "--store", tmp_path / "kma",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(
        "combine", tmp_path / "send/ssis/payload.parquet", tmp_path / "send/keis/payload.parquet",
        "--linking-info", tmp_path / "link.parquet", "--out", tmp_path / "project" / "c.parquet",
        "--store", tmp_path / "agency", "--qi", "sido_code,industry", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pairs = pl.read_parquet(tmp_path / "project" / "c.parquet").select(
        pl.col("ssis_record").alias("person_id"), pl.col("keis_record").alias("insured_id")
    )
    truth = pl.read_parquet(synth_dir / "ground_truth" / "partner_overlap.parquet")
    clean = truth.filter(pl.col("typo_field").is_null()).select("person_id", "insured_id")
    assert pairs.sort("person_id").equals(clean.sort("person_id"))
    assert not list((tmp_path / "agency").rglob("*.parquet"))
