"""The combination agency (결합전문기관): joining payloads through linking information, new ids,
clashing names, deletion of serials and linking info, risk review and additional processing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.agency import combine
from gamyeong.engine.linkage.artifacts import (
    COMBINED,
    KEYS,
    LINKING,
    PAYLOAD,
    SALT,
    receive,
    write_manifest,
)
from gamyeong.engine.linkage.kma import link
from gamyeong.engine.linkage.provider import Parties as Names
from gamyeong.engine.linkage.provider import make_combination_files
from gamyeong.engine.linkage.salt import receive_salt
from gamyeong.engine.policy import load_policy
from tests.linkage_helpers import (
    COMBINATION,
    Parties,
    age_of,
    parties,
    ready_to_combine,
    write_payload,
)

EVERYONE = [f"p{i}" for i in range(40)]
PEOPLE = {"ssis": EVERYONE[:30], "keis": EVERYONE[10:]}  # 20 shared


@pytest.fixture
def world(tmp_path: Path) -> Parties:
    return parties(tmp_path)


def parquet_columns(root: Path) -> dict[str, list[str]]:
    return {str(p): pl.read_parquet_schema(p).names() for p in root.rglob("*.parquet")}


def test_combined_rows_join_the_same_person(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE, {"keis": {"wage": 3_000_000}})
    out = world.project.root / "combined.parquet"
    result = combine(world.agency, payloads, link, out=out)
    frame = pl.read_parquet(out)
    assert result.rows == frame.height == 20
    assert frame.columns == ["combined_id", "ssis_age", "ssis_sex", "keis_age", "keis_sex", "wage"]
    assert (frame["ssis_age"] == frame["keis_age"]).all()  # joined on the same person
    assert sorted(frame["ssis_age"]) == sorted(age_of(p) for p in EVERYONE[10:30])
    assert result.renamed == {
        "ssis": {"age": "ssis_age", "sex": "ssis_sex"},
        "keis": {"age": "keis_age", "sex": "keis_sex"},
    }


def test_combined_data_has_no_serial_key_or_identifier_column(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    out = world.project.root / "combined.parquet"
    combine(world.agency, payloads, link, out=out)
    frame = pl.read_parquet(out)
    assert not [c for c in frame.columns if "serial" in c or "key" in c or c == "linking_id"]
    ids = frame["combined_id"]
    assert ids.str.contains("^[0-9a-f]{32}$").all() and ids.n_unique() == frame.height
    manifest = receive(out, receiver=world.project.party, kind=COMBINED)
    assert manifest.extra["providers"] == ["ssis", "keis"]


def test_combined_ids_are_new(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    old = set(pl.read_parquet(link).to_series(0)) | {
        s for p in payloads for s in pl.read_parquet(p)["serial"]
    }
    out = world.project.root / "c.parquet"
    combine(world.agency, payloads, link, out=out)
    assert not old & set(pl.read_parquet(out)["combined_id"])


def test_the_agency_store_keeps_no_serials_or_linking_info(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    result = combine(world.agency, payloads, link, out=world.project.root / "c.parquet")
    assert parquet_columns(world.agency.root) == {}
    assert not list(world.agency.inbox.iterdir())
    deleted = {d.file: d for d in result.deleted}
    assert set(deleted) == {"payload-ssis.parquet", "payload-keis.parquet", "link.parquet"}
    assert deleted["link.parquet"].kind == "linking_info" and deleted["link.parquet"].rows == 20
    assert deleted["payload-ssis.parquet"].columns == ["serial", "age", "sex"]
    assert len(deleted["payload-keis.parquet"].sha256) == 64


def test_risk_is_reviewed_on_the_combined_data(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    out = world.project.root / "c.parquet"
    result = combine(world.agency, payloads, link, out=out, qi=["ssis_sex", "keis_age"], k=2)
    assert result.risk["records"] == 20 and result.risk["qi"] == ["ssis_sex", "keis_age"]
    assert result.risk["k_min"] == 1  # every age is its own class
    manifest = receive(out, receiver=world.project.party, kind=COMBINED)
    assert manifest.extra["risk"]["k_min"] == 1


def test_additional_processing_with_a_policy(world: Parties, tmp_path: Path) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    policy = load_policy(
        text=(
            "dataset: combined\nenvironment: closed_room\nk: 2\n"
            "quasi_identifiers: [ssis_sex, ssis_age]\n"
            "items:\n  combined_id: keep\n  ssis_sex: keep\n"
            "  ssis_age:\n    technique: band\n    width: 50\n"
            "  keis_age: delete\n  keis_sex: delete\n"
        ),
        source="combined.yaml",
    )
    out = world.project.root / "c.parquet"
    result = combine(world.agency, payloads, link, out=out, policy=policy, qi=["ssis_age"])
    assert result.processed is not None
    processed = pl.read_parquet(result.processed.output)
    assert processed.columns == ["combined_id", "ssis_sex", "ssis_age"]
    assert result.processed.risk["k_min"] >= 2
    assert result.processed.output.endswith("c.processed.parquet")
    manifest = receive(Path(result.processed.output), receiver=world.project.party, kind=COMBINED)
    assert manifest.extra["combined_sha256"] == result.sha256


def test_a_policy_must_decide_every_combined_column(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    policy = load_policy(
        text="environment: closed_room\nitems:\n  ssis_sex: keep\n", source="p.yaml"
    )
    with pytest.raises(EngineError, match="no rule for column"):
        combine(world.agency, payloads, link, out=world.project.root / "c.parquet", policy=policy)
    assert len(list(world.agency.inbox.rglob("*.parquet"))) == 3  # nothing deleted


def test_a_keyed_technique_is_refused_the_agency_has_no_vault(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    policy = load_policy(
        text="environment: closed_room\nitems:\n  combined_id:\n    technique: hmac\n"
        "  ssis_sex: keep\n"
        "  ssis_age: keep\n  keis_age: keep\n  keis_sex: keep\n",
        source="p.yaml",
    )
    with pytest.raises(EngineError, match="has no vault"):
        combine(world.agency, payloads, link, out=world.project.root / "c.parquet", policy=policy)


def test_unknown_quasi_identifier_is_refused_before_writing(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    out = world.project.root / "c.parquet"
    with pytest.raises(EngineError, match="not a column of the combined data: age"):
        combine(world.agency, payloads, link, out=out, qi=["age"])
    assert not out.exists()


def test_names_held_by_one_provider_only_keep_their_name(world: Parties) -> None:
    link, payloads = ready_to_combine(
        world, PEOPLE, {"ssis": {"programme": "livelihood"}, "keis": {"wage": 1}}
    )
    out = world.project.root / "c.parquet"
    result = combine(world.agency, payloads, link, out=out)
    assert "programme" in result.columns and "wage" in result.columns


def test_a_prefixed_name_that_is_taken_is_an_error(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE, {"keis": {"ssis_age": 1}})
    with pytest.raises(EngineError, match="clash after combining: ssis_age"):
        combine(world.agency, payloads, link, out=world.project.root / "c.parquet")


def test_every_linked_provider_needs_one_payload(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    with pytest.raises(EngineError, match="missing: keis"):
        combine(world.agency, payloads[:1], link, out=world.project.root / "c.parquet")


def test_a_repeated_serial_is_refused(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    frame = pl.read_parquet(payloads[0])
    world.agency.remove(payloads[0])
    linked = frame.filter(pl.col("serial").is_in(pl.read_parquet(link)["serial_ssis"].implode()))
    doubled = pl.concat([frame, linked.head(1)])
    path = write_payload(world.providers["ssis"], doubled, world.agency)
    again = world.agency.admit(path, PAYLOAD)[0]
    out = world.project.root / "c.parquet"
    with pytest.raises(EngineError, match="serials must be unique"):
        combine(world.agency, [again, payloads[1]], link, out=out)
    assert not out.exists()


def test_extracted_payloads_combine_to_the_same_rows(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    matched = set(pl.read_parquet(link)["serial_ssis"])
    frame = pl.read_parquet(payloads[0]).filter(pl.col("serial").is_in(list(matched)))
    world.agency.remove(payloads[0])
    extracted = world.agency.admit(
        write_payload(world.providers["ssis"], frame, world.agency), PAYLOAD
    )[0]
    result = combine(
        world.agency, [extracted, payloads[1]], link, out=world.project.root / "c.parquet"
    )
    assert result.rows == 20 and result.payload_rows == {"ssis": 20, "keis": 30}


def test_the_combined_data_never_goes_to_the_agency_inbox(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE)
    with pytest.raises(EngineError, match="not the agency's inbox"):
        combine(world.agency, payloads, link, out=world.agency.inbox / "c.parquet")


def test_a_quasi_identifier_key_item_may_travel_as_an_attribute(world: Parties) -> None:
    link, payloads = ready_to_combine(world, PEOPLE, {"ssis": {"birth_date": "1980"}})
    result = combine(world.agency, payloads, link, out=world.project.root / "c.parquet")
    assert "birth_date" in result.columns


# --- end to end through the provider module -----------------------------------------------

PROVIDER_INPUTS = {
    "ssis": ("ssis_persons.parquet", "person_id", ["sido_code", "age"]),
    "keis": ("keis_employment.parquet", "insured_id", ["industry", "monthly_wage_krw"]),
}
KEY_ITEMS = {"name": "name", "birth_date": "birth_date", "sex": "sex", "phone": "phone"}


def provider_payload_and_keys(world: Parties, synth_dir: Path, name: str) -> tuple[Path, Path]:
    """The provider receives the KMA's salt and makes its files with the provider module; a
    tracer column (its own record id) rides along in the payload to check the join."""
    provider = world.providers[name]
    file, record, attributes = PROVIDER_INPUTS[name]
    table = pl.read_parquet(synth_dir / file).select(
        *KEY_ITEMS.values(), pl.col(record).alias(f"{name}_record"), *attributes
    )
    table.write_parquet(provider.work / "table.parquet")
    issued = next(world.kma.outbox.rglob(f"{name}/*.salt"))
    salt = receive_salt(provider.admit(issued, SALT)[0], provider=provider.party).salt
    made = make_combination_files(
        provider.work / "table.parquet",
        KEY_ITEMS,
        salt=salt,
        vault=provider.vault,
        out_keys=provider.outbox / f"keys-{name}.parquet",
        out_payload=provider.outbox / f"payload-{name}.parquet",
        parties=Names(provider.party, world.kma.party, world.agency.party),
        combination_id=COMBINATION,
    )
    return Path(made.keys), Path(made.payload)


def test_a_whole_combination_from_provider_tables_links_exactly_the_true_pairs(
    world: Parties, synth_dir: Path
) -> None:
    files = {name: provider_payload_and_keys(world, synth_dir, name) for name in PROVIDER_INPUTS}
    keys = [world.kma.admit(k, KEYS)[0] for k, _ in files.values()]
    linked = link(world.kma, keys, out=world.kma.outbox / "l.parquet", agency=world.agency.party)
    link_path = world.agency.admit(linked.path, LINKING)[0]
    payloads = [world.agency.admit(p, PAYLOAD)[0] for _, p in files.values()]
    out = world.project.root / "combined.parquet"
    result = combine(world.agency, payloads, link_path, out=out, qi=["sido_code", "industry"])
    pairs = pl.read_parquet(out).select(
        pl.col("ssis_record").alias("person_id"), pl.col("keis_record").alias("insured_id")
    )
    truth = pl.read_parquet(synth_dir / "ground_truth" / "partner_overlap.parquet")
    clean = truth.filter(pl.col("typo_field").is_null()).select("person_id", "insured_id")
    assert pairs.sort("person_id").equals(clean.sort("person_id"))
    assert result.rows == linked.report.linked == clean.height
    assert linked.report.provider("ssis").records == 20_000
    assert "serial" not in result.columns and "name" not in result.columns
    assert not list(world.agency.root.rglob("*.parquet"))


def test_a_serial_repeated_in_the_linking_information_is_refused(world: Parties) -> None:
    link_path, payloads = ready_to_combine(world, PEOPLE)
    frame = pl.read_parquet(link_path)
    doubled = pl.concat([frame, frame.head(1).with_columns(linking_id=pl.lit("f" * 32))])
    forged = world.kma.outbox / "forged.parquet"
    doubled.write_parquet(forged)
    manifest = receive(link_path, receiver=world.agency.party, kind=LINKING)
    write_manifest(
        forged,
        kind=LINKING,
        sender=manifest.sender,
        receiver=manifest.receiver,
        purpose="x",
        combination_id=manifest.combination_id,
        extra=manifest.extra,
    )
    forged_in = world.agency.admit(forged, LINKING)[0]
    out = world.project.root / "c.parquet"
    with pytest.raises(EngineError, match="more than once in the linking information"):
        combine(world.agency, payloads, forged_in, out=out)
    assert not out.exists() and payloads[0].exists()  # nothing written, nothing deleted
