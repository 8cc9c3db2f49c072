"""Driving the KMA service's API as its parties do, with the Django test client: KMA staff,
providers (their own stores, salts received over HTTP, keys made with the provider module) and
the combination agency."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.test import Client

from gamyeong.engine.linkage.artifacts import AGENCY, PROVIDER, SALT, manifest_path
from gamyeong.engine.linkage.provider import Parties as Names
from gamyeong.engine.linkage.provider import make_combination_files
from gamyeong.engine.linkage.salt import receive_salt
from gamyeong.engine.linkage.stores import PartyStore
from gamyeong.kma.clients import add_client

API = "/kma/api"
KMA_ORG = "한국인터넷진흥원"
AGENCY_ORG = "한국사회보장정보원"
KEY_ITEMS = {"name": "name", "birth_date": "birth_date", "sex": "sex", "phone": "phone"}
#: provider → (synthetic file, its record id (a tracer in the payload), attributes)
PROVIDER_INPUTS = {
    "ssis": ("ssis_persons.parquet", "person_id", ["sido_code", "age"]),
    "keis": ("keis_employment.parquet", "insured_id", ["industry", "monthly_wage_krw"]),
}


@dataclass
class Files:
    keys: Path
    payload: Path


@dataclass
class Kma:
    """A test client and one token per party (``staff``, ``ssis``, ``keis``, ``agency``, and
    ``nhis``: a provider of no combination here)."""

    client: Client
    root: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def call(
        self, method: str, path: str, who: str | None = None, body: Any = None, **extra: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        send = getattr(self.client, method)
        if body is not None and method == "post":
            return send(
                f"{API}{path}", json.dumps(body), content_type="application/json", headers=headers
            )
        return send(f"{API}{path}", headers=headers, **extra)

    def upload(self, combination: str, who: str, keys: Path, manifest: Path | None = None) -> Any:
        with keys.open("rb") as file, (manifest or manifest_path(keys)).open("rb") as mfile:
            return self.client.post(
                f"{API}/combinations/{combination}/keys",
                {"file": file, "manifest": mfile},
                headers={"Authorization": f"Bearer {self.tokens[who]}"},
            )

    def store(self, role: str, organisation: str) -> PartyStore:
        return PartyStore(role, organisation, self.root / f"{role}-{organisation}")

    def create(self, combination: str, providers: tuple[str, ...] = ("ssis", "keis")) -> Any:
        body = {"id": combination, "purpose": "연구", "providers": list(providers)}
        return self.call("post", "/combinations", "staff", {**body, "agency": AGENCY_ORG})

    def fetch_salt(self, combination: str, provider: str) -> Path:
        """The provider fetches its salt and takes it into its own store (verified there)."""
        response = self.call("get", f"/combinations/{combination}/salt", provider)
        assert response.status_code == 200, response.content
        data = response.json()
        store = self.store(PROVIDER, provider)
        folder = store.work / "download"
        folder.mkdir(exist_ok=True)
        path = folder / data["file"]
        path.write_bytes(base64.b64decode(data["content_base64"]))
        manifest_path(path).write_text(json.dumps(data["manifest"]), encoding="utf-8")
        return store.admit(path, SALT, combination_id=combination)[0]

    def make_keys(self, combination: str, provider: str, synth: Path) -> Files:
        """The provider module makes the key file and the payload from the synthetic data."""
        store = self.store(PROVIDER, provider)
        file, record, attributes = PROVIDER_INPUTS[provider]
        table = pl.read_parquet(synth / file).select(
            *KEY_ITEMS.values(), pl.col(record).alias(f"{provider}_record"), *attributes
        )
        table.write_parquet(store.work / "table.parquet")
        salt = receive_salt(self.fetch_salt(combination, provider), provider=provider).salt
        made = make_combination_files(
            store.work / "table.parquet",
            KEY_ITEMS,
            salt=salt,
            vault=store.vault,
            out_keys=store.outbox / f"keys-{combination}.parquet",
            out_payload=store.outbox / f"payload-{combination}.parquet",
            parties=Names(store.party, f"key_agency:{KMA_ORG}", f"{AGENCY}:{AGENCY_ORG}"),
            combination_id=combination,
        )
        return Files(Path(made.keys), Path(made.payload))

    def download(self, path: str, who: str, store: PartyStore, kind: str) -> Path:
        """Fetch an artifact's manifest, then its file, and take both into ``store``."""
        described = self.call("get", path, who)
        assert described.status_code == 200, described.content
        manifest = described.json()["manifest"]
        assert described.json()["download"].endswith(f"{path}/file")
        response = self.call("get", f"{path}/file", who)
        assert response.status_code == 200
        assert response["X-Content-SHA256"] == manifest["sha256"]
        folder = store.work / "download"
        folder.mkdir(exist_ok=True)
        target = folder / manifest["file"]
        target.write_bytes(b"".join(response.streaming_content))
        manifest_path(target).write_text(json.dumps(manifest), encoding="utf-8")
        return store.admit(target, kind)[0]


def register_clients(kma: Kma) -> None:
    for name, role, organisation in (
        ("staff", "kma_staff", KMA_ORG),
        ("ssis", "provider", "ssis"),
        ("keis", "provider", "keis"),
        ("nhis", "provider", "nhis"),
        ("agency", "combination_agency", AGENCY_ORG),
        ("other-agency", "combination_agency", "통계청"),
    ):
        kma.tokens[name] = add_client(name, role, organisation)[1]
