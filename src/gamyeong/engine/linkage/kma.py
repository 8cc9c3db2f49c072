"""The key-management agency (결합키관리기관, e.g. KISA).

It issues a salt per combination, receives only ``(serial, key)`` files from providers, and
turns them into:

- a match report (결합률 확인): :func:`match_report`;
- a mock combination (모의결합) on a reproducible sample of keys: :func:`mock_combination`;
- the matched serials for each provider (가명정보 추출), so providers send only matched rows:
  :func:`extract`;
- the linking information (결합키연계정보) for the combination agency: :func:`link`.

Keys shared by more than one record within a provider are excluded from linking and reported
(:mod:`gamyeong.engine.linkage.report`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    KMA,
    LINKING,
    MATCHED,
    PROVIDER,
    SALT,
    Manifest,
    role_of,
    write_manifest,
)
from gamyeong.engine.linkage.kma_inputs import (
    SALTS_TABLE,
    KeyInputs,
    receive_key_files,
)
from gamyeong.engine.linkage.matching import Match, match, random_hex, serial_column
from gamyeong.engine.linkage.report import MatchReport
from gamyeong.engine.linkage.salt import SALT_BYTES
from gamyeong.engine.linkage.stores import PartyStore, file_safe, write_parquet


@dataclass(frozen=True)
class IssuedSalt:
    salt_id: str
    paths: dict[str, Path]  # provider party → its salt artifact


@dataclass(frozen=True)
class Linked:
    report: MatchReport
    path: Path
    manifest: Manifest


def issue_salt(
    store: PartyStore,
    combination_id: str,
    providers: Sequence[str],
    *,
    out: Path | None = None,
) -> IssuedSalt:
    """Make a 32-byte random salt for ``combination_id``, keep it in the KMA's vault and write
    one ``salt`` artifact (``<salt_id>.salt`` + manifest) per provider under ``out`` (default:
    the KMA's outbox), in a folder per provider. ``providers`` are party names
    (``provider:<organisation>``) or organisations."""
    _require_kma(store)
    _check_combination_id(combination_id)
    parties = [p if ":" in p else f"{PROVIDER}:{p}" for p in providers]
    if not parties or any(role_of(p) != PROVIDER for p in parties):
        raise EngineError(
            "솔트를 받을 정보보유기관을 하나 이상 지정하세요 (provider:<기관>)",
            "name at least one provider to receive the salt (provider:<organisation>)",
        )
    salt_id = f"salt-{secrets.token_hex(8)}"
    salt = store.vault.secret(salt_id, SALT_BYTES)
    _record_salt(store, salt_id, combination_id)
    paths: dict[str, Path] = {}
    for party in parties:
        folder = (out or store.outbox) / file_safe(party.split(":", 1)[1])
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{salt_id}.salt"
        _write_bytes(path, salt)
        write_manifest(
            path,
            kind=SALT,
            sender=store.party,
            receiver=party,
            purpose="결합키 생성용 솔트 / salt for combination keys",
            combination_id=combination_id,
            extra={"salt_id": salt_id},
        )
        paths[party] = path
    return IssuedSalt(salt_id, paths)


def match_report(
    store: PartyStore,
    key_files: Sequence[Path],
    *,
    key_set: str | None = None,
    combination_id: str | None = None,
) -> MatchReport:
    """결합률 확인: the per-provider match report, nothing written."""
    return run(store, key_files, key_set=key_set, combination_id=combination_id)[1].report


def mock_combination(
    store: PartyStore,
    key_files: Sequence[Path],
    fraction: float,
    *,
    key_set: str | None = None,
    combination_id: str | None = None,
) -> MatchReport:
    """모의결합: the match report on the keys of a reproducible ``fraction`` of the key space."""
    return run(store, key_files, key_set=key_set, combination_id=combination_id, sample=fraction)[
        1
    ].report


def extract(
    store: PartyStore,
    key_files: Sequence[Path],
    *,
    out: Path | None = None,
    key_set: str | None = None,
    combination_id: str | None = None,
) -> dict[str, Path]:
    """가명정보 추출: one ``matched_serials`` artifact per provider (its matched serials)."""
    inputs, result = run(store, key_files, key_set=key_set, combination_id=combination_id)
    return write_extraction(store, inputs, result, out or store.outbox)


def link(
    store: PartyStore,
    key_files: Sequence[Path],
    *,
    out: Path,
    agency: str,
    key_set: str | None = None,
    combination_id: str | None = None,
    sample: float | None = None,
) -> Linked:
    """결합키연계정보: link the providers' keys and write the linking information (a
    ``linking_info`` artifact addressed to ``agency``, the match report in its manifest)."""
    inputs, result = run(
        store, key_files, key_set=key_set, combination_id=combination_id, sample=sample
    )
    return write_linking(store, inputs, result, out=out, agency=agency)


def run(
    store: PartyStore,
    key_files: Sequence[Path],
    *,
    key_set: str | None = None,
    combination_id: str | None = None,
    sample: float | None = None,
) -> tuple[KeyInputs, Match]:
    """Receive, check and match once (the CLI writes several artifacts from one run)."""
    inputs = receive_key_files(store, key_files, key_set=key_set, combination_id=combination_id)
    return inputs, _timed(inputs, sample)


def write_linking(
    store: PartyStore, inputs: KeyInputs, result: Match, *, out: Path, agency: str
) -> Linked:
    receiver = agency if ":" in agency else f"{AGENCY}:{agency}"
    frame = result.linked.with_columns(random_hex(result.linked.height).alias("linking_id")).select(
        "linking_id", *(serial_column(f.provider) for f in inputs.files)
    )
    path = write_parquet(frame, out)
    manifest = write_manifest(
        path,
        kind=LINKING,
        sender=store.party,
        receiver=receiver,
        purpose="결합키연계정보 / linking information",
        combination_id=inputs.combination_id,
        extra={
            "providers": [f.provider for f in inputs.files],
            "key_set": inputs.key_set,
            "key_items": list(inputs.spec["items"]),
            "match_report": result.report.to_dict(),
            "mock_fraction": result.report.mock_fraction,
        },
    )
    return Linked(result.report, path, manifest)


def write_extraction(
    store: PartyStore, inputs: KeyInputs, result: Match, out: Path
) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for file in inputs.files:
        name = f"{inputs.combination_id}.{file.provider}.matched_serials.parquet"
        path = out / file_safe(name)
        serials = result.serials(file.provider).alias("serial").sort()
        write_parquet(serials.to_frame(), path)
        write_manifest(
            path,
            kind=MATCHED,
            sender=store.party,
            receiver=file.party,
            purpose="가명정보 추출: 결합 대상 일련번호 / extraction: matched serials",
            combination_id=inputs.combination_id,
            extra={"provider": file.provider},
        )
        paths[file.party] = path
    return paths


def _timed(inputs: KeyInputs, sample: float | None) -> Match:
    started = time.perf_counter()
    result = match(inputs, sample=sample)
    report = replace(result.report, seconds=round(time.perf_counter() - started, 3))
    return Match(report, result.linked)


def _require_kma(store: PartyStore) -> None:
    if store.role != KMA:
        raise EngineError(
            f"솔트는 결합키관리기관만 발급합니다 ({store.party})",
            f"only the key-management agency issues salts ({store.party})",
        )


def _check_combination_id(combination_id: str) -> None:
    if not combination_id.strip() or len(combination_id) > 128 or not combination_id.isprintable():
        raise EngineError(
            f"결합 ID가 올바르지 않습니다: {combination_id!r}",
            f"invalid combination id {combination_id!r}",
        )


def _record_salt(store: PartyStore, salt_id: str, combination_id: str) -> None:
    row = pl.DataFrame(
        {
            "salt_id": [salt_id],
            "combination_id": [combination_id],
            "issued_at": [datetime.now(UTC).isoformat(timespec="seconds")],
        }
    )
    issued = store.vault.read_table(SALTS_TABLE)
    store.vault.write_table(SALTS_TABLE, row if issued is None else pl.concat([issued, row]))


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)
