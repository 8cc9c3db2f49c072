"""The key-management agency as its own service: its own database (alias ``kma``), store, audit
trail and HTTP API (``gamyeong kma serve``). It never receives a payload column."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connections
from django.test import Client
from typer.testing import CliRunner

from gamyeong.cli import app
from gamyeong.engine.linkage.agency import combine
from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    KEYS,
    LINKING,
    MATCHED,
    PAYLOAD,
    PROVIDER,
    manifest_path,
    write_manifest,
)
from gamyeong.engine.synth import SynthConfig, generate
from gamyeong.governance.audit import verify_chain
from gamyeong.governance.models import AuditEvent
from gamyeong.kma import service_settings
from gamyeong.kma.clients import disable_client, find_client, hash_token
from gamyeong.kma.models import ApiClient, Combination, LinkingRun, ReceivedKeyFile
from gamyeong.kma.store import kma_store
from tests.integration.kma_api import AGENCY_ORG, KMA_ORG, Files, Kma, register_clients

pytestmark = pytest.mark.django_db(databases=["default", "kma"])
runner = CliRunner()
C = "C-API-1"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kma-synth")
    generate(SynthConfig(persons=3000, seed=23), out)
    return out


@pytest.fixture
def kma(settings: Any, tmp_path: Path) -> Kma:
    """The KMA service as `gamyeong kma serve` runs it (its URLconf, middleware, templates), its
    store in a temporary folder, and one API client per party."""
    settings.ROOT_URLCONF = service_settings.ROOT_URLCONF
    settings.MIDDLEWARE = service_settings.MIDDLEWARE
    settings.TEMPLATES = service_settings.TEMPLATES
    settings.GAMYEONG_KMA_STORE = tmp_path / "kma"
    settings.GAMYEONG_KMA_ORG = KMA_ORG
    service = Kma(Client(), tmp_path)
    register_clients(service)
    return service


def ready(kma: Kma, synth: Path, combination: str = C) -> dict[str, Files]:
    """A combination created by staff; both providers fetched their salts and sent their keys."""
    assert kma.create(combination).status_code == 201
    files = {p: kma.make_keys(combination, p, synth) for p in ("ssis", "keis")}
    for provider, made in files.items():
        response = kma.upload(combination, provider, made.keys)
        assert response.status_code == 201, response.content
    return files


def store_files() -> list[str]:
    """Every file in the KMA's store except its salts (outbox/<id>/salts, the vault)."""
    store = kma_store()
    return sorted(
        str(p.relative_to(store.root))
        for p in store.root.rglob("*")
        if p.is_file() and "salts" not in p.parts and "vault" not in p.parts
    )


def kma_actions() -> list[str]:
    return list(AuditEvent.objects.using("kma").order_by("seq").values_list("action", flat=True))


# --- the whole flow ------------------------------------------------------------------------


def test_a_whole_combination_through_the_api(kma: Kma, synth: Path) -> None:
    created = kma.create(C)
    assert created.status_code == 201, created.content
    assert created.json()["salt_id"].startswith("salt-")
    assert created.json()["missing_providers"] == ["ssis", "keis"]

    files = {p: kma.make_keys(C, p, synth) for p in ("ssis", "keis")}
    first = kma.upload(C, "ssis", files["ssis"].keys)
    assert first.status_code == 201, first.content
    assert first.json()["missing_providers"] == ["keis"]
    second = kma.upload(C, "keis", files["keis"].keys)
    assert second.json()["status"] == "keys_complete"
    assert Combination.objects.get(pk=C).status == "keys_complete"
    assert ReceivedKeyFile.objects.filter(combination_id=C).count() == 2

    # 결합률 확인, before any payload exists: the same figures for every party that may see them
    reports = [
        kma.call("get", f"/combinations/{C}/match-report", who).json()
        for who in ("ssis", "agency", "staff")
    ]
    report = reports[0]
    truth = pl.read_parquet(synth / "ground_truth" / "partner_overlap.parquet")
    clean = truth.filter(pl.col("typo_field").is_null())
    assert report["linked"] == clean.height > 0
    assert all(r["providers"] == report["providers"] for r in reports)
    ssis = next(p for p in report["providers"] if p["provider"] == "ssis")
    assert ssis["records"] == 3000 and ssis["matched"] == report["linked"]
    assert ssis["match_rate"] == round(report["linked"] / 3000, 6)
    assert ssis["unmatched"] == 3000 - report["linked"]

    mock = kma.call("post", f"/combinations/{C}/mock", "staff", {"fraction": 0.5})
    assert mock.status_code == 200, mock.content
    assert mock.json()["mock_fraction"] == 0.5 and 0 < mock.json()["linked"] < report["linked"]

    extracted = kma.call("post", f"/combinations/{C}/extract", "staff", {})
    assert extracted.status_code == 200, extracted.content
    assert {f["party"] for f in extracted.json()["files"]} == {"provider:ssis", "provider:keis"}
    assert all(f["rows"] == report["linked"] for f in extracted.json()["files"])
    ssis_store = kma.store(PROVIDER, "ssis")
    serials = kma.download(f"/combinations/{C}/matched-serials", "ssis", ssis_store, MATCHED)
    own = set(pl.read_parquet(files["ssis"].keys)["serial"])
    assert set(pl.read_parquet(serials)["serial"]) <= own

    linked = kma.call("post", f"/combinations/{C}/link", "staff", {})
    assert linked.status_code == 200, linked.content
    assert linked.json()["files"][0]["party"] == f"{AGENCY}:{AGENCY_ORG}"
    assert Combination.objects.get(pk=C).status == "linked"
    assert set(LinkingRun.objects.filter(combination_id=C).values_list("kind", flat=True)) == {
        "report",
        "mock",
        "extract",
        "link",
    }

    # the combination agency downloads the linking information and combines the payloads
    agency = kma.store(AGENCY, AGENCY_ORG)
    link = kma.download(f"/combinations/{C}/linking-info", "agency", agency, LINKING)
    payloads = [agency.admit(f.payload, PAYLOAD)[0] for f in files.values()]
    out = kma.root / "project" / "combined.parquet"
    combined = combine(agency, payloads, link, out=out)
    pairs = pl.read_parquet(out).select(
        pl.col("ssis_record").alias("person_id"), pl.col("keis_record").alias("insured_id")
    )
    assert combined.rows == report["linked"]
    assert pairs.sort("person_id").equals(clean.select("person_id", "insured_id").sort("person_id"))


def test_the_kma_never_holds_a_payload_file(kma: Kma, synth: Path) -> None:
    ready(kma, synth)
    kma.call("post", f"/combinations/{C}/link", "staff", {})
    store = kma_store()
    assert store.vault.read_table("salts") is not None  # its own vault: salt_id, combination_id
    for path in (p for p in store.root.rglob("*.parquet") if "vault" not in p.parts):
        columns = pl.read_parquet_schema(path).names()
        assert all(c == "serial" or c.startswith(("key", "serial_", "linking_id")) for c in columns)
        assert not {"name", "age", "sido_code", "industry"} & set(columns), path


# --- permissions ---------------------------------------------------------------------------


def test_no_token_or_a_bad_token_is_401(kma: Kma) -> None:
    kma.create(C)
    for headers in ({}, {"Authorization": "Bearer gmk_not-a-token"}, {"Authorization": "Basic x"}):
        response = kma.client.get(f"/kma/api/combinations/{C}", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == "unauthorized" and "인증" in body["ko"] and "token" in body["en"]


def test_a_disabled_client_is_401(kma: Kma) -> None:
    kma.create(C)
    disable_client("ssis")
    assert kma.call("get", f"/combinations/{C}/salt", "ssis").status_code == 401


def test_the_wrong_role_is_403(kma: Kma, synth: Path) -> None:
    denied = kma.call("post", "/combinations", "ssis", {"purpose": "x", "providers": ["a", "b"]})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert "provider" in denied.json()["en"] and "kma_staff" in denied.json()["ko"]
    files = ready(kma, synth)
    assert kma.upload(C, "agency", files["ssis"].keys).status_code == 403
    for action in ("mock", "extract", "link"):
        body = {"fraction": 0.5} if action == "mock" else {}
        assert kma.call("post", f"/combinations/{C}/{action}", "ssis", body).status_code == 403
    assert kma.call("get", f"/combinations/{C}/salt", "staff").status_code == 403


def test_only_the_listed_parties_may_read(kma: Kma, synth: Path) -> None:
    ready(kma, synth)
    assert kma.call("get", f"/combinations/{C}/salt", "nhis").status_code == 403
    assert kma.call("get", f"/combinations/{C}/match-report", "nhis").status_code == 403
    assert kma.call("get", f"/combinations/{C}/match-report", "other-agency").status_code == 403
    assert kma.call("get", "/combinations", "nhis").json() == []
    assert [c["id"] for c in kma.call("get", "/combinations", "ssis").json()] == [C]


def test_a_provider_cannot_read_another_providers_serials_or_the_linking_info(
    kma: Kma, synth: Path
) -> None:
    ready(kma, synth)
    kma.call("post", f"/combinations/{C}/extract", "staff", {})
    kma.call("post", f"/combinations/{C}/link", "staff", {})
    own = kma.call("get", f"/combinations/{C}/matched-serials", "ssis")
    assert own.json()["manifest"]["receiver"] == "provider:ssis"
    assert (
        kma.call("get", f"/combinations/{C}/matched-serials?provider=ssis", "ssis").status_code
        == 200
    )
    for path in ("matched-serials?provider=keis", "matched-serials/file?provider=keis"):
        refused = kma.call("get", f"/combinations/{C}/{path}", "ssis")
        assert refused.status_code == 403 and "keis" in refused.json()["en"]
    for who in ("ssis", "keis", "staff", "other-agency"):
        for path in ("linking-info", "linking-info/file"):
            assert kma.call("get", f"/combinations/{C}/{path}", who).status_code == 403
    assert kma.call("get", f"/combinations/{C}/matched-serials", "agency").status_code == 403


def test_downloads_before_the_run_are_404(kma: Kma, synth: Path) -> None:
    ready(kma, synth)
    missing = kma.call("get", f"/combinations/{C}/linking-info", "agency")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert kma.call("get", f"/combinations/{C}/matched-serials", "ssis").status_code == 404
    assert kma.call("get", "/combinations/C-NONE/salt", "ssis").status_code == 404


def test_runs_wait_for_every_providers_keys(kma: Kma, synth: Path) -> None:
    kma.create(C)
    made = kma.make_keys(C, "ssis", synth)
    kma.upload(C, "ssis", made.keys)
    waiting = kma.call("get", f"/combinations/{C}/match-report", "staff")
    assert waiting.status_code == 409 and "keis" in waiting.json()["en"]


# --- never a payload -----------------------------------------------------------------------


def forged_keys(kma: Kma, made: Files, extra: dict[str, Any], declared: list[str] | None) -> Path:
    """The provider's key file with attribute columns added; the manifest declares ``declared``
    columns (default: the real ones)."""
    frame = pl.read_parquet(made.keys).with_columns(**{k: pl.lit(v) for k, v in extra.items()})
    path = made.keys.with_name("forged.parquet")
    frame.write_parquet(path)
    original = json.loads(manifest_path(made.keys).read_text(encoding="utf-8"))
    manifest = write_manifest(
        path,
        kind=KEYS,
        sender=original["sender"],
        receiver=original["receiver"],
        purpose="forged",
        combination_id=original["combination_id"],
        extra=original["extra"],
    )
    if declared is not None:
        data = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        data["columns"] = declared
        manifest_path(path).write_text(json.dumps(data), encoding="utf-8")
    assert manifest.columns[-1] in extra
    return path


@pytest.mark.parametrize("lying_manifest", [False, True])
def test_a_key_file_with_payload_columns_is_refused_and_not_kept(
    kma: Kma, synth: Path, lying_manifest: bool
) -> None:
    kma.create(C)
    made = kma.make_keys(C, "ssis", synth)
    declared = ["serial", "key_main"] if lying_manifest else None
    forged = forged_keys(kma, made, {"age": 42, "sido_code": "11"}, declared)
    response = kma.upload(C, "ssis", forged)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "refused" and "age" in body["en"] and "결합키" in body["ko"]
    assert store_files() == []
    assert not ReceivedKeyFile.objects.exists()
    assert kma_actions()[-1] == "kma.request_refused"


def test_a_payload_artifact_is_refused(kma: Kma, synth: Path) -> None:
    kma.create(C)
    made = kma.make_keys(C, "ssis", synth)
    payload_manifest = json.loads(manifest_path(made.payload).read_text(encoding="utf-8"))
    payload_manifest["receiver"] = f"key_agency:{KMA_ORG}"
    fake = made.payload.with_name("payload.manifest.json")
    fake.write_text(json.dumps(payload_manifest), encoding="utf-8")
    response = kma.upload(C, "ssis", made.payload, fake)
    assert response.status_code == 400 and "payload" in response.json()["en"]
    assert store_files() == []


def test_a_provider_cannot_send_keys_as_another(kma: Kma, synth: Path) -> None:
    kma.create(C)
    made = kma.make_keys(C, "keis", synth)
    response = kma.upload(C, "ssis", made.keys)
    assert response.status_code == 403 and "provider:keis" in response.json()["en"]
    assert store_files() == []


def test_a_provider_may_replace_its_keys_until_linked(kma: Kma, synth: Path) -> None:
    files = ready(kma, synth)
    again = kma.upload(C, "ssis", files["ssis"].keys)
    assert again.status_code == 201 and again.json()["replaced"] is True
    assert len([f for f in store_files() if f.endswith(".parquet") and "inbox" in f]) == 2
    kma.call("post", f"/combinations/{C}/link", "staff", {})
    late = kma.upload(C, "ssis", files["ssis"].keys)
    assert late.status_code == 409


def test_a_malformed_request_is_422_with_details(kma: Kma) -> None:
    response = kma.call("post", "/combinations", "staff", {"purpose": "x", "providers": ["a"]})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["errors"]


# --- its own database and audit trail -----------------------------------------------------


def test_the_kma_tables_live_only_in_the_kma_database() -> None:
    kma_tables = set(connections["kma"].introspection.table_names())
    portal_tables = set(connections["default"].introspection.table_names())
    assert {"kma_combination", "kma_apiclient", "governance_auditevent"} <= kma_tables
    assert not {"accounts_user", "django_session", "governance_caseregisterentry"} & kma_tables
    assert not {t for t in portal_tables if t.startswith("kma_")}


def test_the_kma_audit_trail_is_its_own(kma: Kma, synth: Path) -> None:
    ready(kma, synth)
    kma.call("get", f"/combinations/{C}/match-report", "ssis")
    kma.client.get(f"/kma/api/combinations/{C}")  # refused: no token
    actions = kma_actions()
    for action in (
        "kma.client_added",
        "kma.combination_created",
        "kma.salt_downloaded",
        "kma.keys_received",
        "kma.match_report",
        "kma.request_refused",
    ):
        assert action in actions
    refused = AuditEvent.objects.using("kma").filter(action="kma.request_refused").last()
    assert refused is not None and json.loads(refused.detail_json)["status"] == 401
    keys = AuditEvent.objects.using("kma").filter(action="kma.keys_received").first()
    assert keys is not None and keys.actor == "api:ssis" and keys.object_id == C
    assert not AuditEvent.objects.using("default").filter(action__startswith="kma.").exists()
    assert verify_chain(using="kma").ok and verify_chain(using="kma").events_checked == len(actions)
    result = runner.invoke(app, ["audit", "verify", "--database", "kma"])
    assert result.exit_code == 0, result.output
    assert str(len(actions)) in result.output


def test_a_run_whose_audit_event_fails_leaves_nothing(
    kma: Kma, synth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gamyeong.kma import trail

    ready(kma, synth)
    original = trail.record_request

    def failing(request: Any, action: str, **kwargs: Any) -> Any:
        if action == "kma.linked":
            raise RuntimeError("the audit trail is unavailable")
        return original(request, action, **kwargs)

    monkeypatch.setattr(trail, "record_request", failing)
    before = store_files()
    response = kma.call("post", f"/combinations/{C}/link", "staff", {})
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert store_files() == before  # the linking information it wrote was removed again
    assert not LinkingRun.objects.filter(kind="link").exists()
    assert Combination.objects.get(pk=C).status == "keys_complete"
    assert kma_actions()[-1] == "kma.request_failed"


def test_no_token_is_ever_stored_or_audited(kma: Kma) -> None:
    tokens = set(kma.tokens.values())
    assert {c.token_hash for c in ApiClient.objects.all()} == {hash_token(t) for t in tokens}
    kma.create(C)
    trail = " ".join(AuditEvent.objects.using("kma").values_list("detail_json", flat=True))
    assert not any(token in trail for token in tokens)


def test_audit_verify_refuses_an_unknown_database() -> None:
    result = runner.invoke(app, ["audit", "verify", "--database", "nowhere"])
    assert result.exit_code == 2 and "nowhere" in result.output


# --- command line --------------------------------------------------------------------------


def test_client_add_prints_the_token_once_and_list_hides_it(kma: Kma) -> None:
    added = runner.invoke(
        app,
        ["kma", "client", "add", "nps", "--role", "provider", "--org", "국민연금공단", "--json"],
    )
    assert added.exit_code == 0, added.output
    token = json.loads(added.output)["token"]
    assert find_client(token) is not None and find_client(token).organisation == "국민연금공단"  # type: ignore[union-attr]
    listed = runner.invoke(app, ["kma", "client", "list", "--json"])
    assert listed.exit_code == 0 and token not in listed.output
    assert "nps" in [c["name"] for c in json.loads(listed.output)]
    staff = runner.invoke(app, ["kma", "client", "add", "staff2", "--role", "kma_staff", "--json"])
    assert json.loads(staff.output)["organisation"] == KMA_ORG
    bad = runner.invoke(app, ["kma", "client", "add", "x", "--role", "admin", "--org", "y"])
    assert bad.exit_code == 2 and "kma_staff" in bad.output


def test_serve_with_an_unreachable_kma_database(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["GAMYEONG_KMA_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:9/nowhere"
    env["GAMYEONG_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "gamyeong", "kma", "serve", "--port", "8798"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "데이터베이스에 연결할 수 없습니다" in result.stderr
    assert "cannot connect to the database" in result.stderr
    assert "GAMYEONG_KMA_DATABASE_URL" in result.stderr
    assert "127.0.0.1:9/nowhere" in result.stderr
    assert not (tmp_path / "gamyeong.sqlite3").exists()  # the portal's database is never opened


def test_the_api_docs_are_served(kma: Kma) -> None:
    docs = kma.client.get("/kma/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    schema = kma.client.get("/kma/api/openapi.json").json()
    for path in (
        "/combinations",
        "/combinations/{combination_id}/keys",
        "/combinations/{combination_id}/linking-info",
    ):
        assert f"/kma/api{path}" in schema["paths"]
    assert "kma.docs_viewed" in kma_actions()
