"""Transfer artifacts: every hand-over between parties is a file plus a manifest.

The manifest (``<file>.manifest.json``) records the kind of artifact, the SHA-256 and row count
of the file, its columns, the sender and receiver, the purpose, the combination it belongs to and
the time (UTC). :func:`receive` verifies all of it before the receiver may read the file, and
refuses an artifact of a kind its receiver must never hold (the key-management agency never
receives payload columns; the combination agency never receives combination keys or identifiers).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError

# Artifact kinds and the parties that may receive each.
KEYS = "combination_keys"  # provider → key-management agency: (serial, key …)
PAYLOAD = "payload"  # provider → combination agency: (serial, pseudonymized attributes)
LINKING = "linking_info"  # key-management agency → combination agency: (linking_id, serial_<p> …)
SALT = "salt"  # key-management agency → providers
MATCHED = "matched_serials"  # key-management agency → one provider (extraction, 추출)
COMBINED = "combined"  # combination agency → the combination project's store

PROVIDER, KMA, AGENCY, PROJECT = "provider", "key_agency", "combination_agency", "project"
ALLOWED: dict[str, set[str]] = {
    KMA: {KEYS},
    AGENCY: {PAYLOAD, LINKING},
    PROVIDER: {SALT, MATCHED},
    PROJECT: {COMBINED},
}
KEY_COLUMN_PREFIX = "key"  # key columns are "key" or "key_<variant>"
SERIAL = "serial"


@dataclass(frozen=True)
class Manifest:
    kind: str
    file: str  # the file's name, next to the manifest
    sha256: str
    rows: int
    columns: list[str]
    sender: str  # party role and organisation, e.g. "provider:한국사회보장정보원"
    receiver: str
    purpose: str
    combination_id: str
    created_at: str
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific (key specs, providers …)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def role_of(party: str) -> str:
    return party.split(":", 1)[0]


def write_manifest(
    path: Path,
    *,
    kind: str,
    sender: str,
    receiver: str,
    purpose: str,
    combination_id: str,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """Describe the finished file at ``path`` and write its manifest atomically."""
    if kind not in {k for kinds in ALLOWED.values() for k in kinds}:
        raise EngineError(f"알 수 없는 전송물 종류: {kind}", f"unknown artifact kind: {kind}")
    if kind not in ALLOWED.get(role_of(receiver), set()):
        raise _forbidden(kind, receiver)
    columns, rows = _shape(path)
    manifest = Manifest(
        kind=kind,
        file=path.name,
        sha256=sha256_file(path),
        rows=rows,
        columns=columns,
        sender=sender,
        receiver=receiver,
        purpose=purpose,
        combination_id=combination_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        extra=extra or {},
    )
    _atomic_text(manifest_path(path), manifest.to_json())
    return manifest


def _shape(path: Path) -> tuple[list[str], int]:
    if path.suffix == ".parquet":
        frame = pl.scan_parquet(path)
        return list(frame.collect_schema()), int(frame.select(pl.len()).collect().item())
    return [], 0


def _forbidden(kind: str, receiver: str) -> EngineError:
    return EngineError(
        f"{receiver}은(는) '{kind}' 전송물을 받을 수 없습니다 (결합 절차의 역할 분리)",
        f"{receiver} may not receive a {kind!r} artifact (separation of duties in combination)",
    )


def receive(path: Path, *, receiver: str, kind: str, combination_id: str | None = None) -> Manifest:
    """Verify an artifact before reading it: manifest present, kind allowed for the receiver and
    as expected, addressed to this receiver, same combination, checksum and row count match."""
    mpath = manifest_path(path)
    try:
        manifest = Manifest(**json.loads(mpath.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise EngineError(
            f"전송물의 매니페스트가 없습니다: {mpath}", f"the artifact has no manifest: {mpath}"
        ) from None
    except (ValueError, TypeError) as exc:
        raise EngineError(
            f"매니페스트를 읽을 수 없습니다: {mpath} ({exc})",
            f"unreadable manifest {mpath} ({exc})",
        ) from None
    if manifest.kind not in ALLOWED.get(role_of(receiver), set()):
        raise _forbidden(manifest.kind, receiver)
    problems = _check(manifest, path, receiver, kind, combination_id)
    if problems:
        ko, en = problems
        raise EngineError(f"{path.name}: {ko}", f"{path.name}: {en}")
    return manifest


def _check(
    manifest: Manifest, path: Path, receiver: str, kind: str, combination_id: str | None
) -> tuple[str, str] | None:
    if manifest.kind != kind:
        return (
            f"'{kind}'이(가) 아니라 '{manifest.kind}'입니다",
            f"expected {kind!r}, got {manifest.kind!r}",
        )
    if manifest.receiver != receiver:
        return (
            f"받는 곳이 {manifest.receiver}입니다 ({receiver} 아님)",
            f"addressed to {manifest.receiver}, not {receiver}",
        )
    if combination_id is not None and manifest.combination_id != combination_id:
        return (
            f"다른 결합({manifest.combination_id})의 전송물입니다",
            f"belongs to combination {manifest.combination_id!r}, not {combination_id!r}",
        )
    if not path.is_file() or sha256_file(path) != manifest.sha256:
        return (
            "파일이 없거나 SHA-256이 맞지 않습니다(변조 또는 손상)",
            "missing file or SHA-256 mismatch (altered or damaged)",
        )
    columns, rows = _shape(path)
    if path.suffix == ".parquet" and (rows != manifest.rows or columns != manifest.columns):
        return "행 수 또는 열이 매니페스트와 다릅니다", "rows or columns differ from the manifest"
    return None


def deliver(path: Path, inbox: Path) -> Path:
    """Copy an artifact and its manifest into a receiver's inbox (atomically, file then
    manifest) and return the delivered file's path."""
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / path.name
    for source, dest in ((path, target), (manifest_path(path), manifest_path(target))):
        handle, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=inbox)
        os.close(handle)
        try:
            shutil.copyfile(source, tmp)
            Path(tmp).replace(dest)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target


def _atomic_text(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)
