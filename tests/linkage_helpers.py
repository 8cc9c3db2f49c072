"""Small fixtures for the combination tests: party stores, key files and payloads made by hand
(random serials, keys from ``hashlib``) in the formats of docs/combination.md."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    KEYS,
    KMA,
    PAYLOAD,
    PROJECT,
    PROVIDER,
    write_manifest,
)
from gamyeong.engine.linkage.kma import issue_salt
from gamyeong.engine.linkage.stores import PartyStore

COMBINATION = "C-2026-001"
ITEMS = ["name", "birth_date", "phone"]


@dataclass
class Parties:
    kma: PartyStore
    agency: PartyStore
    project: PartyStore
    providers: dict[str, PartyStore]
    salt_id: str
    salt: bytes


def parties(root: Path, names: Sequence[str] = ("ssis", "keis")) -> Parties:
    """A KMA, a combination agency, a project store and providers, each in its own store; the
    KMA has issued a salt for :data:`COMBINATION` to every provider."""
    kma = PartyStore(KMA, "KISA", root / "kma")
    agency = PartyStore(AGENCY, "SSIS-agency", root / "agency")
    project = PartyStore(PROJECT, COMBINATION, root / "project")
    providers = {name: PartyStore(PROVIDER, name, root / f"provider-{name}") for name in names}
    issued = issue_salt(kma, COMBINATION, [p.party for p in providers.values()])
    salt = kma.vault.secret(issued.salt_id, 32)
    return Parties(kma, agency, project, providers, issued.salt_id, salt)


def key_of(person: str, salt: bytes) -> str:
    return hmac.new(salt, person.encode(), hashlib.sha256).hexdigest()


def serials(count: int) -> list[str]:
    return [secrets.token_hex(16) for _ in range(count)]


def spec(salt: str, name: str = "basic", **changes: Any) -> dict[str, Any]:
    """A key spec (``changes`` override version, algorithm, salt_id or items)."""
    return {
        "name": name,
        "version": "1",
        "algorithm": "hmac-sha256",
        "salt_id": salt,
        "items": ITEMS,
        **changes,
    }


def write_keys(
    provider: PartyStore,
    frame: pl.DataFrame,
    receiver: PartyStore,
    *,
    specs: list[dict[str, Any]],
    combination_id: str = COMBINATION,
    excluded_rows: int = 0,
) -> Path:
    """A key file (``serial``, key columns) in the provider's outbox, with its manifest."""
    path = provider.outbox / f"keys-{provider.organisation}.parquet"
    frame.write_parquet(path)
    write_manifest(
        path,
        kind=KEYS,
        sender=provider.party,
        receiver=receiver.party,
        purpose="test keys",
        combination_id=combination_id,
        extra={
            "key_specs": specs,
            "excluded_rows": excluded_rows,
            "provider": provider.organisation,
        },
    )
    return path


def keys_for(people: Sequence[str | None], salt: bytes) -> pl.DataFrame:
    """``serial`` + ``key`` for people (``None``: a record that could not be keyed)."""
    keys = [None if p is None else key_of(p, salt) for p in people]
    return pl.DataFrame({"serial": serials(len(people)), "key": keys})


def deliver_keys(world: Parties, people: dict[str, Sequence[str | None]]) -> list[Path]:
    """Key files for each provider's people, delivered into the KMA's inbox."""
    paths = []
    for name, persons in people.items():
        path = write_keys(
            world.providers[name],
            keys_for(persons, world.salt),
            world.kma,
            specs=[spec(world.salt_id)],
        )
        paths.append(world.kma.admit(path, KEYS)[0])
    return paths


def write_payload(
    provider: PartyStore,
    frame: pl.DataFrame,
    receiver: PartyStore,
    *,
    combination_id: str = COMBINATION,
) -> Path:
    path = provider.outbox / f"payload-{provider.organisation}.parquet"
    frame.write_parquet(path)
    write_manifest(
        path,
        kind=PAYLOAD,
        sender=provider.party,
        receiver=receiver.party,
        purpose="test payload",
        combination_id=combination_id,
        extra={"provider": provider.organisation, "policy_sha256": "0" * 64},
    )
    return path


def age_of(person: str) -> int:
    """An attribute both providers hold for the same person: proves rows joined correctly."""
    return 20 + int(person.removeprefix("p")) % 50


def ready_to_combine(
    world: Parties,
    people: dict[str, list[str]],
    columns: dict[str, dict[str, Any]] | None = None,
) -> tuple[Path, list[Path]]:
    """Keys linked by the KMA; the linking information and one payload per provider (``serial``,
    ``age`` from :func:`age_of`, ``sex``, plus ``columns``) delivered into the agency's inbox."""
    from gamyeong.engine.linkage.artifacts import LINKING
    from gamyeong.engine.linkage.kma import link

    key_files = deliver_keys(world, people)
    linked = link(
        world.kma, key_files, out=world.kma.outbox / "link.parquet", agency=world.agency.party
    )
    link_path = world.agency.admit(linked.path, LINKING)[0]
    payloads = []
    for (name, persons), key_file in zip(people.items(), key_files, strict=True):
        frame = (
            pl.read_parquet(key_file)
            .select("serial")
            .with_columns(
                age=pl.Series([age_of(p) for p in persons]),
                sex=pl.Series(["1" if int(p[1:]) % 2 else "2" for p in persons]),
                **{c: pl.lit(v) for c, v in (columns or {}).get(name, {}).items()},
            )
        )
        path = write_payload(world.providers[name], frame, world.agency)
        payloads.append(world.agency.admit(path, PAYLOAD)[0])
    return link_path, payloads
