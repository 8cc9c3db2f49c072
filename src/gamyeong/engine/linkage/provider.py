"""The provider's files for a combination (결합키 생성, seed step 4-1): one call, three outputs.

:func:`make_combination_files` reads the provider's table and writes

- the **key file** ``serial, key…`` (kind ``combination_keys``) for the key-management agency:
  rows with a key in at least one key set;
- the **payload** ``serial`` + the pseudonymized attributes (kind ``payload``) for the
  combination agency: the same rows, without the identifier columns used for keys (every column
  named in ``items``), the other columns through the policy when one is given;
- in the provider's **vault** only, the table ``combination-<id>-serials``: serial, row number and
  normalized identifiers of every row (additional information, 추가정보).

Both files are written under temporary names and renamed into place only when everything —
keys, payload and vault table — has succeeded, each with its manifest; on any error nothing is
left behind. Outputs inside the vault (or a vault inside an output's folder) are refused.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io import WrittenFile, open_table, write_table
from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    KEYS,
    KMA,
    PAYLOAD,
    PROVIDER,
    Manifest,
    manifest_path,
    role_of,
    write_manifest,
)
from gamyeong.engine.linkage.keys import KeyReport, KeyResult, KeySpec, default_spec, make_keys
from gamyeong.engine.linkage.payload import payload_frame, payload_policy
from gamyeong.engine.linkage.salt import Salt
from gamyeong.engine.policy import Policy
from gamyeong.engine.vault import NAME, Vault

DEFAULT_PURPOSE = "결합키 생성 및 결합 대상 가명정보 / combination keys and payload"
SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Parties:
    """Organisations (or full party names ``role:organisation``) of one combination."""

    provider: str
    key_agency: str
    agency: str

    def party(self, role: str) -> str:
        name = {PROVIDER: self.provider, KMA: self.key_agency, AGENCY: self.agency}[role]
        if ":" not in name:
            return f"{role}:{name}"
        if role_of(name) != role:
            raise EngineError(
                f"{name}은(는) {role} 역할이 아닙니다", f"{name} is not a {role} party"
            )
        return name

    @property
    def organisation(self) -> str:
        return self.party(PROVIDER).split(":", 1)[1]


@dataclass(frozen=True)
class CombinationFiles:
    combination_id: str
    salt_id: str
    keys: str
    keys_sha256: str
    keys_rows: int
    payload: str
    payload_sha256: str
    payload_rows: int
    payload_columns: list[str]
    policy_sha256: str | None
    vault_table: str
    report: KeyReport
    suppressed: dict[str, int]
    records_removed_by_policy: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_combination_id() -> str:
    return f"C{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def vault_table_name(combination_id: str) -> str:
    """``combination-<id>-serials``; an id with other characters (or too long) is made safe
    and suffixed with a short hash of itself, so two ids never share a table."""
    plain = f"combination-{combination_id}-serials"
    if NAME.match(plain):
        return plain
    digest = hashlib.sha256(combination_id.encode("utf-8")).hexdigest()[:8]
    safe = SAFE.sub("_", combination_id).strip("._")[:32]
    return f"combination-{safe}-{digest}-serials"


@dataclass(frozen=True)
class _Header:
    """What both manifests say."""

    parties: Parties
    combination_id: str
    purpose: str
    salt_id: str
    policy_sha256: str | None


def make_combination_files(
    data: Path,
    items: Mapping[str, str],
    *,
    salt: Salt,
    vault: Vault,
    out_keys: Path,
    out_payload: Path,
    parties: Parties,
    combination_id: str,
    specs: Sequence[KeySpec] = (),
    policy: Policy | None = None,
    purpose: str = DEFAULT_PURPOSE,
    encoding: str | None = None,
) -> CombinationFiles:
    """Make the key file, the payload and the vault's serial table for ``combination_id``.

    ``items`` maps item kinds to the provider's columns; ``specs`` are the key sets (default: one
    set ``main`` over every item); ``policy`` (optional) pseudonymizes the payload's columns."""
    started = time.perf_counter()
    specs = list(specs) or [default_spec(items)]
    _check_combination_id(combination_id)
    _check_outputs(vault, out_keys, out_payload)
    table_name = _free_vault_table(vault, combination_id)
    header = _Header(parties, combination_id, purpose, salt.salt_id, _policy_sha(policy))
    for role in (PROVIDER, KMA, AGENCY):
        parties.party(role)  # a party named with the wrong role fails before any work
    with open_table(data, encoding=encoding) as table:
        effective = payload_policy(policy, items, table.frame.collect_schema())
        result = make_keys(table.frame, items, specs, salt.value, salt.salt_id, rows=table.rows)
        payload, suppressed, removed = payload_frame(table.frame, result, items, effective, vault)
        keys, sent = _write_all(result, payload, (out_keys, out_payload), vault, table_name, header)
    return CombinationFiles(
        combination_id=combination_id,
        salt_id=salt.salt_id,
        keys=str(out_keys),
        keys_sha256=keys.sha256,
        keys_rows=keys.rows,
        payload=str(out_payload),
        payload_sha256=sent.sha256,
        payload_rows=sent.rows,
        payload_columns=pl.scan_parquet(out_payload).collect_schema().names(),
        policy_sha256=header.policy_sha256,
        vault_table=table_name,
        report=result.report,
        suppressed=suppressed,
        records_removed_by_policy=removed,
        seconds=round(time.perf_counter() - started, 3),
    )


def _check_combination_id(combination_id: str) -> None:
    if not combination_id.strip() or len(combination_id) > 128 or not combination_id.isprintable():
        raise EngineError(
            f"결합 ID가 올바르지 않습니다: {combination_id!r} (1~128자의 인쇄 가능한 문자)",
            f"invalid combination id {combination_id!r} (1 to 128 printable characters)",
        )


def _free_vault_table(vault: Vault, combination_id: str) -> str:
    """The vault table's name; refused when the vault already holds it (files made with that
    serial table may have been sent already)."""
    name = vault_table_name(combination_id)
    if vault.table_path(name).exists():
        raise EngineError(
            f"보관소에 결합 {combination_id!r}의 일련번호 표가 이미 있습니다: "
            f"{vault.table_path(name)} (새 결합 ID를 쓰거나, 보낸 파일이 없다면 이 표를 "
            "지운 뒤 다시 실행하세요)",
            f"the vault already holds the serial table of combination {combination_id!r}: "
            f"{vault.table_path(name)} (use a new combination id, or remove that table if "
            "no file made with it was sent)",
        )
    return name


def _write_all(
    result: KeyResult,
    payload: pl.LazyFrame,
    outputs: tuple[Path, Path],
    vault: Vault,
    table_name: str,
    header: _Header,
) -> tuple[WrittenFile, WrittenFile]:
    """Write both files under temporary names and the vault table (the three at once: Polars
    writes without holding the GIL); then rename the files into place and write their
    manifests. Any failure removes all three."""
    out_keys, out_payload = outputs
    with _staged(out_keys, out_payload) as (keys_tmp, payload_tmp):
        with ThreadPoolExecutor(3) as pool:
            keys_job = pool.submit(lambda: write_table(result.keys(), keys_tmp))
            payload_job = pool.submit(write_table, payload, payload_tmp)
            vault_job = pool.submit(vault.write_table, table_name, result.identifiers())
        for job in (keys_job, payload_job, vault_job):
            if (error := job.exception()) is not None:
                _remove(vault.table_path(table_name))
                raise error
        keys, payload_written = keys_job.result(), payload_job.result()
        try:
            keys_tmp.replace(out_keys)
            payload_tmp.replace(out_payload)
            _write_manifests(out_keys, out_payload, result, header)
        except BaseException:
            _remove(out_keys, out_payload, vault.table_path(table_name))
            raise
    return replace(keys, path=out_keys), replace(payload_written, path=out_payload)


def _check_outputs(vault: Vault, out_keys: Path, out_payload: Path) -> None:
    if out_keys.resolve() == out_payload.resolve():
        raise EngineError(
            f"결합키 파일과 결합대상정보 파일은 서로 달라야 합니다: {out_keys}",
            f"the key file and the payload must be different files: {out_keys}",
        )
    for out in (out_keys, out_payload):
        if out.suffix.lower() != ".parquet":
            raise EngineError(
                f"결합 전송 파일은 Parquet(.parquet)입니다: {out}",
                f"combination files are Parquet (.parquet): {out}",
            )
        vault.check_separate_from(out)


def _policy_sha(policy: Policy | None) -> str | None:
    return None if policy is None else hashlib.sha256(policy.text.encode("utf-8")).hexdigest()


@contextmanager
def _staged(*targets: Path) -> Iterator[tuple[Path, ...]]:
    """Temporary paths beside ``targets``, removed on exit unless renamed in the block."""
    token = secrets.token_hex(4)
    temps = tuple(t.with_name(f".{t.name}.{token}.staged.parquet") for t in targets)
    try:
        yield temps
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
        manifest_path(path).unlink(missing_ok=True)


def _write_manifests(
    out_keys: Path, out_payload: Path, result: KeyResult, header: _Header
) -> tuple[Manifest, Manifest]:
    report = result.report
    specs = [
        {**spec.describe(header.salt_id), "excluded_rows": report.key_set(spec.name).excluded}
        for spec in result.specs
    ]
    common = {
        "sender": header.parties.party(PROVIDER),
        "purpose": header.purpose,
        "combination_id": header.combination_id,
    }
    provider = header.parties.organisation
    keys = write_manifest(
        out_keys,
        kind=KEYS,
        receiver=header.parties.party(KMA),
        extra={"key_specs": specs, "excluded_rows": report.unkeyed_rows, "provider": provider},
        **common,
    )
    payload = write_manifest(
        out_payload,
        kind=PAYLOAD,
        receiver=header.parties.party(AGENCY),
        extra={"provider": provider, "policy_sha256": header.policy_sha256},
        **common,
    )
    return keys, payload
