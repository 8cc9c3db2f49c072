"""The combination's salt as a provider receives it.

The key-management agency issues one 32-byte random salt per combination, as a ``salt`` artifact
(``<salt_id>.salt`` and its manifest). A provider reads it with :func:`receive_salt`, which
verifies the artifact (addressed to this provider, for this combination, checksum intact) and
takes the salt id from the manifest. A bare salt file without a manifest is accepted too; its id
is then the first 16 hex characters of its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import PROVIDER, SALT, manifest_path, receive, role_of

SALT_BYTES = 32


@dataclass(frozen=True)
class Salt:
    value: bytes = field(repr=False)
    salt_id: str


@dataclass(frozen=True)
class ReceivedSalt:
    """A salt and, when it came as an artifact, who sent it to whom for which combination."""

    salt: Salt
    provider: str | None = None  # the receiver's organisation
    key_agency: str | None = None  # the sender's organisation
    combination_id: str | None = None


def salt_id_of(value: bytes) -> str:
    """A salt's id when no manifest names it: the first 16 hex characters of its SHA-256."""
    return hashlib.sha256(value).hexdigest()[:16]


def check_salt(value: bytes, where: str = "salt") -> bytes:
    if len(value) != SALT_BYTES:
        raise EngineError(
            f"솔트는 {SALT_BYTES}바이트여야 합니다: {where}은(는) {len(value)}바이트입니다",
            f"a salt must be {SALT_BYTES} bytes: {where} has {len(value)} bytes",
        )
    return value


def read_salt(path: Path, salt_id: str | None = None) -> Salt:
    """The salt in ``path`` (raw bytes) with ``salt_id`` (default: from its SHA-256)."""
    try:
        value = path.read_bytes()
    except FileNotFoundError:
        raise EngineError(f"솔트 파일이 없습니다: {path}", f"no such salt file: {path}") from None
    except OSError as exc:
        raise EngineError(
            f"솔트 파일을 읽을 수 없습니다: {path} ({exc.strerror})",
            f"cannot read the salt file {path} ({exc.strerror})",
        ) from None
    check_salt(value, str(path))
    return Salt(value, salt_id or salt_id_of(value))


def receive_salt(
    path: Path, *, provider: str | None = None, combination_id: str | None = None
) -> ReceivedSalt:
    """Read the salt at ``path``, verifying its artifact first when it has a manifest:
    addressed to ``provider`` (an organisation or ``provider:<organisation>``; default: the
    manifest's receiver), for ``combination_id`` when given, checksum intact."""
    if not manifest_path(path).exists():
        return ReceivedSalt(read_salt(path))
    receiver = _declared_receiver(path)
    if provider is not None:
        receiver = provider if ":" in provider else f"{PROVIDER}:{provider}"
    manifest = receive(path, receiver=receiver, kind=SALT, combination_id=combination_id)
    declared = manifest.extra.get("salt_id")
    return ReceivedSalt(
        read_salt(path, str(declared) if declared else None),
        provider=manifest.receiver.split(":", 1)[1],
        key_agency=manifest.sender.split(":", 1)[-1],
        combination_id=manifest.combination_id,
    )


def _declared_receiver(path: Path) -> str:
    try:
        declared = json.loads(manifest_path(path).read_text(encoding="utf-8"))["receiver"]
    except (OSError, ValueError, KeyError, TypeError):
        declared = None
    if not isinstance(declared, str) or role_of(declared) != PROVIDER:
        raise EngineError(
            f"솔트의 매니페스트를 읽을 수 없거나 정보보유기관 앞이 아닙니다: {manifest_path(path)}",
            f"the salt's manifest is unreadable or not addressed to a provider: "
            f"{manifest_path(path)}",
        )
    return declared
