"""Separation of the parties (korea-process §2): every forbidden read fails with EngineError.

Each test is named after the rule it proves.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.agency import combine
from gamyeong.engine.linkage.agency_checks import screen_payload
from gamyeong.engine.linkage.artifacts import (
    KEYS,
    LINKING,
    PAYLOAD,
    PROVIDER,
    SALT,
    manifest_path,
    write_manifest,
)
from gamyeong.engine.linkage.kma import link
from gamyeong.engine.linkage.kma_inputs import receive_key_files, screen_key_file
from gamyeong.engine.linkage.stores import PartyStore, check_apart
from tests.linkage_helpers import (
    COMBINATION,
    Parties,
    deliver_keys,
    keys_for,
    parties,
    ready_to_combine,
    serials,
    spec,
    write_keys,
    write_payload,
)

PEOPLE = {"ssis": [f"p{i}" for i in range(6)], "keis": [f"p{i}" for i in range(3, 9)]}


@pytest.fixture
def world(tmp_path: Path) -> Parties:
    return parties(tmp_path)


def payload_for(world: Parties, receiver: PartyStore, **extra: object) -> Path:
    frame = pl.DataFrame({"serial": serials(2), "age": [30, 40], **extra})
    return write_payload(world.providers["ssis"], frame, receiver)


# --- what each role may receive -----------------------------------------------------------


def test_kma_cannot_receive_a_payload(world: Parties) -> None:
    path = write_payload(
        world.providers["ssis"], pl.DataFrame({"serial": serials(1)}), world.agency
    )
    with pytest.raises(EngineError, match="may not receive a 'payload'"):
        world.kma.admit(path, PAYLOAD)
    copied = world.kma.inbox / path.name  # even a copy placed in its inbox by hand
    copied.write_bytes(path.read_bytes())
    manifest_path(copied).write_bytes(manifest_path(path).read_bytes())
    with pytest.raises(EngineError, match="may not receive a 'payload'"):
        world.kma.receive(copied, PAYLOAD)


def test_agency_cannot_receive_combination_keys(world: Parties) -> None:
    keys = write_keys(
        world.providers["ssis"], keys_for(["a"], world.salt), world.kma, specs=[spec("s")]
    )
    with pytest.raises(EngineError, match="may not receive a 'combination_keys'"):
        world.agency.admit(keys, KEYS)
    assert not list(world.agency.inbox.iterdir())


def test_agency_cannot_be_sent_combination_keys(world: Parties) -> None:
    keys = world.providers["ssis"].outbox / "k.parquet"
    keys_for(["a"], world.salt).write_parquet(keys)
    with pytest.raises(EngineError, match="may not receive a 'combination_keys'"):
        write_manifest(
            keys,
            kind=KEYS,
            sender=world.providers["ssis"].party,
            receiver=world.agency.party,
            purpose="x",
            combination_id=COMBINATION,
        )


def test_only_the_kma_links_keys(world: Parties) -> None:
    paths = deliver_keys(world, PEOPLE)
    with pytest.raises(EngineError, match="only the key-management agency receives keys"):
        receive_key_files(world.agency, paths)


def test_only_the_agency_combines(world: Parties) -> None:
    link_path, payloads = ready_to_combine(world, PEOPLE)
    with pytest.raises(EngineError, match="only the combination agency combines"):
        combine(world.kma, payloads, link_path, out=world.project.root / "c.parquet")


# --- vaults --------------------------------------------------------------------------------


def test_kma_cannot_open_a_provider_vault(world: Parties) -> None:
    with pytest.raises(EngineError, match="may not open the vault of provider:ssis"):
        world.kma.open_vault(world.providers["ssis"])


def test_agency_cannot_open_a_provider_vault(world: Parties) -> None:
    with pytest.raises(EngineError, match="may not open the vault of provider:ssis"):
        world.agency.open_vault(world.providers["ssis"])


def test_agency_has_no_vault_of_its_own(world: Parties) -> None:
    with pytest.raises(EngineError, match="holds no vault"):
        _ = world.agency.vault


def test_a_provider_opens_only_its_own_vault(world: Parties) -> None:
    ssis = world.providers["ssis"]
    assert ssis.open_vault(ssis).path == ssis.vault.path
    with pytest.raises(EngineError, match="may not open the vault of provider:keis"):
        ssis.open_vault(world.providers["keis"])


def test_no_party_reads_a_file_in_another_party_vault(world: Parties) -> None:
    ssis = world.providers["ssis"]
    ssis.vault.write_table("serial_map", pl.DataFrame({"serial": ["x"], "name": ["홍길동"]}))
    with pytest.raises(EngineError, match="outside its own inbox"):
        world.kma.receive(ssis.vault.table_path("serial_map"), KEYS)


# --- inboxes -------------------------------------------------------------------------------


def salt_for(world: Parties, provider: str) -> Path:
    """The salt artifact the KMA issued to ``provider`` (in the KMA's outbox)."""
    return next(p for p in world.kma.outbox.rglob("*.salt") if p.parent.name == provider)


def test_provider_cannot_read_another_providers_inbox(world: Parties) -> None:
    in_ssis_inbox = world.providers["ssis"].admit(salt_for(world, "ssis"), SALT)[0]
    with pytest.raises(EngineError, match="outside its own inbox"):
        world.providers["keis"].receive(in_ssis_inbox, SALT)


def test_an_artifact_addressed_to_another_party_is_refused(world: Parties) -> None:
    to_ssis = salt_for(world, "ssis")
    with pytest.raises(EngineError, match="addressed to provider:ssis, not provider:keis"):
        world.providers["keis"].admit(to_ssis, SALT)
    assert not list(world.providers["keis"].inbox.iterdir())


def test_a_tampered_artifact_is_refused_and_not_kept(world: Parties) -> None:
    path = write_keys(
        world.providers["ssis"], keys_for(["a", "b"], world.salt), world.kma, specs=[spec("s")]
    )
    pl.read_parquet(path).head(1).write_parquet(path)  # altered after its manifest was written
    with pytest.raises(EngineError, match="SHA-256 mismatch"):
        world.kma.admit(path, KEYS)
    assert not list(world.kma.inbox.iterdir())


def test_an_artifact_without_a_manifest_is_refused(world: Parties) -> None:
    path = world.providers["ssis"].outbox / "loose.parquet"
    keys_for(["a"], world.salt).write_parquet(path)
    with pytest.raises(EngineError, match="has no manifest"):
        world.kma.admit(path, KEYS)


def test_party_stores_must_be_apart(tmp_path: Path) -> None:
    outer = PartyStore(PROVIDER, "a", tmp_path / "a")
    inner = PartyStore(PROVIDER, "b", tmp_path / "a" / "b")
    with pytest.raises(EngineError, match="must be apart"):
        check_apart([outer, inner])
    check_apart([outer, PartyStore(PROVIDER, "c", tmp_path / "c")])


# --- columns -------------------------------------------------------------------------------


def test_kma_refuses_key_files_with_payload_columns(world: Parties) -> None:
    frame = keys_for(["a"], world.salt).with_columns(income=pl.lit(1000))
    path = write_keys(world.providers["ssis"], frame, world.kma, specs=[spec(world.salt_id)])
    with pytest.raises(EngineError, match="refuses other columns: income"):
        world.kma.admit(path, KEYS, screen=screen_key_file)
    assert not list(world.kma.inbox.iterdir())  # refused before a byte was copied


def test_agency_refuses_a_payload_with_a_key_column_before_copying(world: Parties) -> None:
    path = payload_for(world, world.agency, key_basic=["ab", "cd"])
    with pytest.raises(EngineError, match="no key or identifier column: key_basic"):
        world.agency.admit(path, PAYLOAD, screen=lambda m: screen_payload(m, []))
    assert not list(world.agency.inbox.iterdir())


@pytest.mark.parametrize("column", ["name", "성명", "Phone", "linking_id", "serial_ssis", "key"])
def test_agency_refuses_identifier_and_linking_columns(world: Parties, column: str) -> None:
    path = payload_for(world, world.agency, **{column: ["x", "y"]})
    with pytest.raises(EngineError, match=f"no key or identifier column: {column}"):
        world.agency.admit(path, PAYLOAD, screen=lambda m: screen_payload(m, ["name", "phone"]))


def test_a_payload_with_a_key_item_named_column_already_in_the_inbox_is_removed(
    world: Parties,
) -> None:
    link_path, payloads = ready_to_combine(world, PEOPLE, {"keis": {"phone": "01012345678"}})
    with pytest.raises(EngineError, match="removed from the agency's store"):
        combine(world.agency, payloads, link_path, out=world.project.root / "c.parquet")
    assert not payloads[1].exists()


def test_linking_info_must_come_from_the_kma(world: Parties) -> None:
    keys = deliver_keys(world, PEOPLE)
    linked = link(world.kma, keys, out=world.kma.outbox / "l.parquet", agency=world.agency.party)
    manifest = json.loads(manifest_path(linked.path).read_text())
    manifest["sender"] = "provider:ssis"  # a provider cannot forge linking information
    manifest_path(linked.path).write_text(json.dumps(manifest))
    link_in = world.agency.admit(linked.path, LINKING)[0]
    with pytest.raises(EngineError, match="not linking information made by the key-management"):
        combine(world.agency, [], link_in, out=world.project.root / "c.parquet")


def test_no_party_but_a_provider_ever_holds_keys_with_attributes(world: Parties) -> None:
    """After a whole combination: the KMA's files hold serials and keys only; the agency's store
    holds nothing; the project's combined data holds no serial, key or linking id."""
    link_path, payloads = ready_to_combine(world, PEOPLE)
    combine(world.agency, payloads, link_path, out=world.project.root / "c.parquet")
    for path in world.kma.root.rglob("*.parquet"):
        if "vault" in path.parts:
            continue
        names = pl.read_parquet_schema(path).names()
        assert set(names) <= {"serial", "key", "linking_id", "serial_ssis", "serial_keis"}
    assert not list(world.agency.root.rglob("*.parquet"))
    combined = pl.read_parquet_schema(world.project.root / "c.parquet").names()
    assert not [c for c in combined if c.startswith(("serial", "key", "linking"))]


def test_a_key_file_with_payload_columns_already_in_the_kma_inbox_is_removed(
    world: Parties,
) -> None:
    frame = keys_for(["a"], world.salt).with_columns(income=pl.lit(1000))
    path = write_keys(world.providers["ssis"], frame, world.kma, specs=[spec(world.salt_id)])
    copied = world.kma.inbox / path.name  # placed in the inbox without the channel's screen
    copied.write_bytes(path.read_bytes())
    manifest_path(copied).write_bytes(manifest_path(path).read_bytes())
    other = deliver_keys(world, {"keis": ["a"]})
    with pytest.raises(EngineError, match="removed from the KMA's store"):
        receive_key_files(world.kma, [copied, *other])
    assert not copied.exists()
