"""Taking delivery of a provider's key file over HTTP: only ``serial`` and key columns, ever.

Everything that can be checked is checked before a byte reaches the KMA's store: the manifest
(kind ``combination_keys``, sent by the calling provider, for this combination, with this
combination's salt, key columns only) and the uploaded file's real columns (read from the Parquet
footer, so a manifest that hides a payload column is caught too). Only then is the upload staged
in the store's ``work/`` and admitted with ``PartyStore.admit`` (which checks again and verifies
the copy's SHA-256, rows and columns); the staging copy is always removed. A refused upload
leaves nothing in the store.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.uploadedfile import UploadedFile

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import KEYS, PROVIDER, Manifest, manifest_path
from gamyeong.engine.linkage.kma_inputs import screen_key_file
from gamyeong.engine.linkage.stores import PartyStore, file_safe
from gamyeong.kma.errors import bad_request, conflict, forbidden, refused_input
from gamyeong.kma.models import ApiClient, Combination

MAX_MANIFEST_BYTES = 1 << 20


@dataclass(frozen=True)
class Delivered:
    path: Path  # in the KMA's inbox, verified
    manifest: Manifest

    @property
    def key_sets(self) -> list[str]:
        return [str(spec.get("name")) for spec in self.manifest.extra.get("key_specs", [])]


def receive_keys(
    store: PartyStore,
    combination: Combination,
    client: ApiClient,
    upload: UploadedFile,
    manifest_upload: UploadedFile,
) -> Delivered:
    if combination.status == Combination.Status.LINKED:
        raise conflict(
            f"결합 {combination.id}은(는) 이미 연계되었습니다. 결합키를 더 받지 않습니다",
            f"combination {combination.id} is already linked; no more keys are taken",
        )
    raw = _read_manifest(manifest_upload)
    manifest = _parse(raw)
    _check_manifest(manifest, combination, client)
    columns = _parquet_columns(upload)
    if columns != manifest.columns:
        _screen(replace(manifest, columns=columns))
        raise bad_request(
            f"업로드한 파일의 열이 매니페스트와 다릅니다: {', '.join(columns)}",
            f"the uploaded file's columns differ from its manifest: {', '.join(columns)}",
        )
    return _admit(store, combination, upload, raw, manifest)


def _read_manifest(upload: UploadedFile) -> bytes:
    if (upload.size or 0) > MAX_MANIFEST_BYTES:
        raise bad_request("매니페스트가 너무 큽니다", "the manifest is too large")
    return b"".join(upload.chunks())


def _parse(raw: bytes) -> Manifest:
    try:
        data: Any = json.loads(raw.decode("utf-8"))
        return Manifest(**data)
    except (UnicodeDecodeError, ValueError, TypeError):
        raise bad_request(
            "매니페스트(JSON)를 읽을 수 없습니다: 결합키 파일의 <파일>.manifest.json을 보내세요",
            "unreadable manifest (JSON): send the key file's <file>.manifest.json",
        ) from None


def _check_manifest(manifest: Manifest, combination: Combination, client: ApiClient) -> None:
    party = f"{PROVIDER}:{client.organisation}"
    if manifest.sender != party:
        raise forbidden(
            f"매니페스트의 보낸 곳({manifest.sender})이 이 토큰의 기관({party})과 다릅니다",
            f"the manifest's sender ({manifest.sender}) is not this token's party ({party})",
        )
    if manifest.kind != KEYS:
        raise bad_request(
            f"결합키관리기관은 결합키 파일({KEYS})만 받습니다. '{manifest.kind}'은(는) 받지 "
            "않습니다 (속성 데이터는 결합전문기관으로 보내세요)",
            f"the key-management agency takes only key files ({KEYS}), not {manifest.kind!r} "
            "(attribute data goes to the combination agency)",
        )
    if manifest.combination_id != combination.id:
        raise bad_request(
            f"다른 결합({manifest.combination_id})의 결합키 파일입니다",
            f"the key file belongs to combination {manifest.combination_id!r}, "
            f"not {combination.id!r}",
        )
    _screen(manifest)
    salts = {str(spec.get("salt_id")) for spec in manifest.extra.get("key_specs", [])}
    if salts != {combination.salt_id}:
        raise bad_request(
            f"결합키가 이 결합의 솔트({combination.salt_id})로 만들어지지 않았습니다: "
            f"{', '.join(sorted(salts))}",
            f"the keys were not made with this combination's salt ({combination.salt_id}): "
            f"{', '.join(sorted(salts))}",
        )


def _screen(manifest: Manifest) -> None:
    try:
        screen_key_file(manifest)
    except EngineError as exc:
        raise refused_input(exc) from None


def _parquet_columns(upload: UploadedFile) -> list[str]:
    """The columns in the upload's Parquet footer (nothing is written anywhere)."""
    try:
        upload.seek(0)
        names = list(pq.ParquetFile(upload.file).schema_arrow.names)
    except (pa.ArrowException, OSError, ValueError):
        raise bad_request(
            "업로드한 결합키 파일이 Parquet 파일이 아닙니다", "the uploaded key file is not Parquet"
        ) from None
    finally:
        upload.seek(0)
    return names


def _admit(
    store: PartyStore,
    combination: Combination,
    upload: UploadedFile,
    raw_manifest: bytes,
    manifest: Manifest,
) -> Delivered:
    name = file_safe(f"{combination.id}.keys.{manifest.sha256[:16]}.parquet")
    staging = Path(tempfile.mkdtemp(prefix="upload-", dir=store.work))
    try:
        staged = staging / name
        with staged.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        manifest_path(staged).write_bytes(raw_manifest)
        path, verified = store.admit(
            staged, KEYS, combination_id=combination.id, screen=screen_key_file
        )
    except EngineError as exc:
        raise refused_input(exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Delivered(path, verified)
