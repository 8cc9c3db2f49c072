"""Party stores (기관별 저장소): each party of a combination keeps its files in its own store.

A :class:`PartyStore` is a directory with ``inbox/`` (artifacts delivered to the party),
``outbox/`` (artifacts it made for others) and ``work/`` (its own scratch files), all mode 0700.
Providers and the key-management agency also have a ``vault/`` (추가정보 보관소: salts, serial ↔
identifier maps); the combination agency and a project store have none.

The only ways in are :meth:`PartyStore.admit` (the transfer channel: check the manifest before a
byte is copied, copy into the inbox — a folder per sender — and verify) and :meth:`PartyStore.receive` (verify an artifact
that is already in the inbox with :func:`artifacts.receive`, as this party). A path outside the
party's own inbox is refused, and only the owning party may open a vault. Together with the
per-role list of artifact kinds in :data:`artifacts.ALLOWED` this keeps the invariant of
korea-process §2: no party other than a provider ever holds keys or identifiers together with
attribute data.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage import artifacts
from gamyeong.engine.linkage.artifacts import AGENCY, ALLOWED, KMA, PROVIDER, Manifest
from gamyeong.engine.vault import Vault

ROLES_WITH_VAULT = (PROVIDER, KMA)
UNSAFE = re.compile(r"[^\w.-]+")
ROLE_NAMES = {
    PROVIDER: ("정보보유기관", "provider"),
    KMA: ("결합키관리기관", "key-management agency"),
    AGENCY: ("결합전문기관", "combination agency"),
    artifacts.PROJECT: ("결합 과제 저장소", "project store"),
}

#: Checks an artifact's manifest before it is copied into the inbox (raise to refuse).
Screen = Callable[[Manifest], object]


@dataclass(frozen=True)
class DeletedFile:
    """A file removed from a store, with what it held (recorded before removal)."""

    file: str
    kind: str
    sha256: str
    rows: int
    columns: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "sha256": self.sha256,
            "rows": self.rows,
            "columns": self.columns,
        }


class PartyStore:
    """One party's own directories (and vault): ``PartyStore("key_agency", "KISA", root)``."""

    def __init__(self, role: str, organisation: str, root: Path) -> None:
        if role not in ALLOWED:
            raise EngineError(
                f"알 수 없는 기관 역할: {role!r} (가능: {', '.join(ALLOWED)})",
                f"unknown party role {role!r} (one of {', '.join(ALLOWED)})",
            )
        if not organisation.strip() or ":" in organisation:
            raise EngineError(
                f"기관 이름이 올바르지 않습니다: {organisation!r} (비어 있거나 ':' 포함)",
                f"invalid organisation name {organisation!r} (empty or contains ':')",
            )
        self.role, self.organisation = role, organisation
        self.root = root.resolve()
        for folder in (self.root, self.inbox, self.outbox, self.work):
            _private_dir(folder)

    def __repr__(self) -> str:
        return f"PartyStore({self.party!r}, {self.root})"

    @property
    def party(self) -> str:
        """The party's name in manifests: ``<role>:<organisation>``."""
        return f"{self.role}:{self.organisation}"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def vault(self) -> Vault:
        """The party's own vault; a combination agency or a project store has none."""
        if self.role not in ROLES_WITH_VAULT:
            ko, en = ROLE_NAMES[self.role]
            raise EngineError(
                f"{ko}({self.party})은(는) 추가정보 보관소를 가질 수 없습니다",
                f"a {en} ({self.party}) holds no vault of additional information",
            )
        return Vault(self.root / "vault")

    def open_vault(self, owner: PartyStore) -> Vault:
        """``owner``'s vault, for ``owner`` itself only: no party opens another's vault."""
        if owner.party != self.party or owner.root != self.root:
            raise EngineError(
                f"{self.party}은(는) {owner.party}의 추가정보 보관소를 열 수 없습니다",
                f"{self.party} may not open the vault of {owner.party}",
            )
        return self.vault

    def receive(self, path: Path, kind: str, combination_id: str | None = None) -> Manifest:
        """Verify an artifact in this party's inbox, addressed to this party (see
        :func:`artifacts.receive`); anything outside the inbox is refused."""
        self._check_in_inbox(path)
        return artifacts.receive(
            path, receiver=self.party, kind=kind, combination_id=combination_id
        )

    def admit(
        self,
        path: Path,
        kind: str,
        *,
        combination_id: str | None = None,
        screen: Screen | None = None,
    ) -> tuple[Path, Manifest]:
        """Take delivery of an artifact: read its manifest (kind and receiver) and ``screen`` it
        before anything is copied, deliver file and manifest into the inbox, then verify the
        delivered copy; a copy that fails verification is removed again. A path already in the
        inbox is only verified and screened."""
        if not self._in_inbox(path):
            peeked = self._peek(path, kind)
            if screen is not None:
                screen(peeked)
            folder = self.inbox / file_safe(peeked.sender)  # senders never collide
            self._check_free(folder / path.name, peeked)
            delivered = artifacts.deliver(path, folder)
            try:
                return delivered, self.receive(delivered, kind, combination_id)
            except EngineError:
                self.remove(delivered)
                raise
        manifest = self.receive(path, kind, combination_id)
        if screen is not None:
            screen(manifest)
        return path.resolve(), manifest

    def remove(self, path: Path) -> DeletedFile:
        """Delete an artifact (file and manifest) from this store and say what it held."""
        path = path.resolve()
        if self.root not in path.parents:
            raise EngineError(
                f"{self.party}의 저장소 밖 파일은 지울 수 없습니다: {path}",
                f"{self.party} may not delete a file outside its store: {path}",
            )
        record = _describe(path)
        path.unlink(missing_ok=True)
        artifacts.manifest_path(path).unlink(missing_ok=True)
        folder = path.parent
        if self.inbox in folder.parents and not any(folder.iterdir()):
            folder.rmdir()  # a sender's folder in the inbox, now empty
        return record

    def _in_inbox(self, path: Path) -> bool:
        return self.inbox in path.resolve().parents

    def _check_in_inbox(self, path: Path) -> None:
        if not self._in_inbox(path):
            raise EngineError(
                f"{self.party}은(는) 자기 수신함({self.inbox}) 밖의 파일을 읽을 수 없습니다: {path}",
                f"{self.party} may not read a file outside its own inbox ({self.inbox}): {path}",
            )

    def _check_free(self, held: Path, incoming: Manifest) -> None:
        """Refuse to overwrite a different artifact of the same name in the inbox."""
        if not held.exists():
            return
        try:
            same = json.loads(artifacts.manifest_path(held).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            same = {}
        if same.get("sha256") != incoming.sha256:
            raise EngineError(
                f"{self.party}의 수신함에 이름이 같은 다른 전송물이 있습니다: {held}",
                f"the inbox of {self.party} already holds a different artifact at {held}",
            )

    def _peek(self, path: Path, kind: str) -> Manifest:
        """The manifest of an artifact not yet delivered, checked for kind and receiver only
        (the checksum is verified on the delivered copy)."""
        mpath = artifacts.manifest_path(path)
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
        if manifest.kind not in ALLOWED[self.role] or manifest.kind != kind:
            raise EngineError(
                f"{self.party}은(는) '{manifest.kind}' 전송물을 받을 수 없습니다: {path.name}",
                f"{self.party} may not receive a {manifest.kind!r} artifact: {path.name}",
            )
        if manifest.receiver != self.party:
            raise EngineError(
                f"{path.name}: 받는 곳이 {manifest.receiver}입니다 ({self.party} 아님)",
                f"{path.name}: addressed to {manifest.receiver}, not {self.party}",
            )
        return manifest


def file_safe(name: str) -> str:
    """``name`` as one file or folder name: anything but letters (any script), digits, ``.``,
    ``-`` and ``_`` becomes ``_``."""
    return UNSAFE.sub("_", name).strip("._") or "_"


def check_apart(stores: Sequence[PartyStore]) -> None:
    """Refuse two parties whose stores are the same directory or nested in one another."""
    for position, first in enumerate(stores):
        for second in stores[position + 1 :]:
            a, b = first.root, second.root
            if a == b or a in b.parents or b in a.parents:
                raise EngineError(
                    f"{first.party}와(과) {second.party}의 저장소는 분리되어야 합니다 ({a}, {b})",
                    f"the stores of {first.party} and {second.party} must be apart ({a}, {b})",
                )


def _describe(path: Path) -> DeletedFile:
    try:
        raw = json.loads(artifacts.manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    return DeletedFile(
        file=path.name,
        kind=str(raw.get("kind", "")),
        sha256=str(raw.get("sha256", "")),
        rows=int(raw.get("rows", 0)),
        columns=list(raw.get("columns", [])),
    )


def _private_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
    except OSError as exc:
        raise EngineError(
            f"저장소를 만들 수 없습니다: {folder} ({exc.strerror})",
            f"cannot create the store {folder} ({exc.strerror})",
        ) from None


def write_parquet(frame: pl.DataFrame, out: Path) -> Path:
    """Write a table of random hex ids (linking information, matched serials) atomically, like
    :func:`gamyeong.engine.io.write_table` (temporary file beside ``out``, fsync, rename, mode
    0600) but uncompressed: hex ids only halve under zstd, which would cost more time than the
    whole join; lz4 and snappy gain nothing on them. The manifest records its SHA-256."""
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as written:
            frame.write_parquet(written, compression="uncompressed")
            written.flush()
            os.fsync(written.fileno())
        tmp.replace(out)
    except (OSError, pl.exceptions.PolarsError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EngineError(
            f"{out}에 쓸 수 없습니다 ({reason})", f"cannot write {out} ({reason})"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out
