"""What the key-management agency accepts: key files from providers, checked before use.

A key file (kind ``combination_keys``) holds ``serial`` and key columns only (``key`` for one key
set, ``key_<set>`` for several), each key column described by a key spec in the manifest. The
agency refuses any other column — it never receives attribute data — and refuses key files whose
specs for the chosen key set differ (version, algorithm, salt, items), or whose salt it did not
issue for this combination.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import (
    KEY_COLUMN_PREFIX,
    KEYS,
    KMA,
    PROVIDER,
    SERIAL,
    Manifest,
    role_of,
)
from gamyeong.engine.linkage.stores import PartyStore

SPEC_FIELDS = ("version", "algorithm", "salt_id", "items")
SALTS_TABLE = "salts"  # the KMA vault's record of issued salts: salt_id, combination_id


@dataclass(frozen=True)
class KeyFile:
    """One provider's received key file and the key column chosen for linking."""

    path: Path
    manifest: Manifest
    provider: str  # short name: manifest extra ``provider``, else the sender's organisation
    column: str
    spec: dict[str, Any]

    @property
    def party(self) -> str:
        return self.manifest.sender

    @property
    def excluded_rows(self) -> int:
        value = self.manifest.extra.get("excluded_rows", 0)
        return len(value) if isinstance(value, list) else int(value or 0)


@dataclass(frozen=True)
class KeyInputs:
    combination_id: str
    key_set: str
    spec: dict[str, Any]  # the agreed spec of the key set
    files: list[KeyFile]


def provider_name(manifest: Manifest) -> str:
    """A provider's short name: ``extra.provider`` or the organisation in ``sender``."""
    name = manifest.extra.get("provider") or manifest.sender.split(":", 1)[-1]
    return str(name)


def key_columns(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """Check a key file's columns (``serial`` and key columns only, each with a spec) and map
    each key column to its spec. Raises for any other column: the KMA takes no payload."""
    name = manifest.file
    others = [
        c
        for c in manifest.columns
        if c != SERIAL and c != KEY_COLUMN_PREFIX and not c.startswith(f"{KEY_COLUMN_PREFIX}_")
    ]
    if others:
        raise EngineError(
            f"{name}: 결합키 파일에는 serial과 결합키 열만 있어야 합니다. 결합키관리기관은 "
            f"다른 열을 받지 않습니다: {', '.join(others)}",
            f"{name}: a key file may hold only serial and key columns; the key-management "
            f"agency refuses other columns: {', '.join(others)}",
        )
    if SERIAL not in manifest.columns:
        raise EngineError(f"{name}: serial 열이 없습니다", f"{name}: no serial column")
    specs = _specs(manifest)
    mapping: dict[str, dict[str, Any]] = {}
    for column in (c for c in manifest.columns if c != SERIAL):
        wanted = column.removeprefix(f"{KEY_COLUMN_PREFIX}_")
        found = [s for s in specs if column == KEY_COLUMN_PREFIX or s.get("name") == wanted]
        if len(found) != 1:
            raise EngineError(
                f"{name}: 결합키 열 '{column}'에 맞는 key_specs 항목이 없습니다",
                f"{name}: key column {column!r} has no matching entry in key_specs",
            )
        mapping[column] = found[0]
    if not mapping:
        raise EngineError(f"{name}: 결합키 열이 없습니다", f"{name}: no key column")
    return mapping


def _specs(manifest: Manifest) -> list[dict[str, Any]]:
    specs = manifest.extra.get("key_specs")
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs) or not specs:
        raise EngineError(
            f"{manifest.file}: 매니페스트에 key_specs가 없습니다",
            f"{manifest.file}: the manifest has no key_specs",
        )
    return specs


def screen_key_file(manifest: Manifest) -> None:
    """A screen for :meth:`PartyStore.admit`: sender is a provider, columns are keys only."""
    if role_of(manifest.sender) != PROVIDER:
        raise EngineError(
            f"{manifest.file}: 결합키는 정보보유기관만 보낼 수 있습니다 (보낸 곳: {manifest.sender})",
            f"{manifest.file}: only a provider sends keys (sent by {manifest.sender})",
        )
    key_columns(manifest)


def receive_key_files(
    store: PartyStore,
    paths: Sequence[Path],
    *,
    key_set: str | None = None,
    combination_id: str | None = None,
) -> KeyInputs:
    """Verify the providers' key files in the KMA's inbox and agree on one key set."""
    if store.role != KMA:
        raise EngineError(
            f"결합키는 결합키관리기관만 받습니다 ({store.party})",
            f"only the key-management agency receives keys ({store.party})",
        )
    if len(paths) < 2:
        raise EngineError(
            "결합에는 둘 이상의 정보보유기관 결합키 파일이 필요합니다",
            "a combination needs key files from at least two providers",
        )
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:  # SHA-256 of each file at once
        manifests = list(pool.map(lambda path: store.receive(path, KEYS, combination_id), paths))
    for path, manifest in zip(paths, manifests, strict=True):
        try:
            screen_key_file(manifest)
        except EngineError as exc:  # the KMA's store must never keep attribute data
            store.remove(path)
            raise EngineError(
                f"{exc.korean} (파일을 결합키관리기관 저장소에서 지웠습니다)",
                f"{exc.english} (the file was removed from the KMA's store)",
            ) from None
    combination = _one_combination(manifests)
    _distinct_providers(manifests)
    chosen = key_set or _default_key_set(manifests)
    files = [_choose(path, m, chosen) for path, m in zip(paths, manifests, strict=True)]
    spec = _agreed_spec(files, chosen)
    _check_salt(store, str(spec["salt_id"]), combination)
    return KeyInputs(combination, chosen, spec, files)


def _one_combination(manifests: list[Manifest]) -> str:
    ids = sorted({m.combination_id for m in manifests})
    if len(ids) != 1:
        raise EngineError(
            f"결합키 파일들의 결합 ID가 다릅니다: {', '.join(ids)}",
            f"the key files belong to different combinations: {', '.join(ids)}",
        )
    return ids[0]


def _distinct_providers(manifests: list[Manifest]) -> None:
    names = [provider_name(m) for m in manifests]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise EngineError(
            f"같은 정보보유기관의 결합키 파일이 둘 이상입니다: {', '.join(repeated)}",
            f"more than one key file from the same provider: {', '.join(repeated)}",
        )


def _set_names(manifest: Manifest) -> list[str]:
    return [str(spec.get("name")) for spec in key_columns(manifest).values()]


def _default_key_set(manifests: list[Manifest]) -> str:
    names = [_set_names(m) for m in manifests]
    if all(len(n) == 1 for n in names) and len({n[0] for n in names}) == 1:
        return names[0][0]
    listed = "; ".join(f"{m.file}: {', '.join(n)}" for m, n in zip(manifests, names, strict=True))
    raise EngineError(
        f"결합키 세트를 골라 주세요(--key-set). 파일별 세트: {listed}",
        f"choose a key set (--key-set); sets per file: {listed}",
    )


def _choose(path: Path, manifest: Manifest, key_set: str) -> KeyFile:
    for column, spec in key_columns(manifest).items():
        if spec.get("name") == key_set:
            return KeyFile(path, manifest, provider_name(manifest), column, spec)
    raise EngineError(
        f"{manifest.file}: 결합키 세트 '{key_set}'이(가) 없습니다 "
        f"(있는 세트: {', '.join(_set_names(manifest))})",
        f"{manifest.file}: no key set {key_set!r} (sets: {', '.join(_set_names(manifest))})",
    )


def _agreed_spec(files: list[KeyFile], key_set: str) -> dict[str, Any]:
    """Every provider's spec of ``key_set`` must agree on version, algorithm, salt and items."""
    for field in SPEC_FIELDS:
        values = {f.provider: f.spec.get(field) for f in files}
        if (
            any(value is None for value in values.values())
            or len({repr(v) for v in values.values()}) > 1
        ):
            shown = ", ".join(f"{p}={v!r}" for p, v in values.items())
            raise EngineError(
                f"결합키 세트 '{key_set}'의 명세가 기관마다 다릅니다 ({field}: {shown})",
                f"the providers' specs of key set {key_set!r} differ ({field}: {shown})",
            )
    return {"name": key_set, **{field: files[0].spec[field] for field in SPEC_FIELDS}}


def _check_salt(store: PartyStore, salt_id: str, combination_id: str) -> None:
    issued = store.vault.read_table(SALTS_TABLE)
    known = issued is not None and (
        issued.filter(
            (issued["salt_id"] == salt_id) & (issued["combination_id"] == combination_id)
        ).height
        > 0
    )
    if not known:
        raise EngineError(
            f"솔트 {salt_id!r}은(는) 이 결합키관리기관이 결합 {combination_id!r}에 발급한 것이 "
            "아닙니다",
            f"salt {salt_id!r} was not issued by this key-management agency for combination "
            f"{combination_id!r}",
        )
