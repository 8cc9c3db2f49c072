"""Registering a combination with the KMA: check the parties, issue the salt (engine
``issue_salt``: 32 random bytes kept in the KMA's vault, one ``salt`` artifact per provider)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage import kma as engine
from gamyeong.engine.linkage.artifacts import manifest_path
from gamyeong.engine.linkage.stores import PartyStore, file_safe
from gamyeong.kma.errors import bad_request, conflict, not_found, refused_input
from gamyeong.kma.models import Combination
from gamyeong.kma.store import salt_folder

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class NewCombination:
    combination: Combination  # not saved yet
    folder: Path  # the salts written for it (removed again if the save fails)


def new_id() -> str:
    """``C<yyyymmdd>-<8 random hex>``, like ``C20260301-1a2b3c4d``."""
    return f"C{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def get_combination(combination_id: str) -> Combination:
    combination = Combination.objects.filter(pk=combination_id).first()
    if combination is None:
        raise not_found(
            f"결합이 없습니다: {combination_id}", f"no such combination: {combination_id}"
        )
    return combination


def create(
    store: PartyStore,
    *,
    combination_id: str | None,
    purpose: str,
    providers: list[str],
    agency: str,
) -> NewCombination:
    """Check the request and issue the salt; the caller saves the combination."""
    combination_id = combination_id or new_id()
    if not SLUG.match(combination_id):
        raise bad_request(
            f"결합 ID는 영문자·숫자·'-'·'_'로 된 64자 이하여야 합니다: {combination_id!r}",
            f"a combination id is up to 64 letters, digits, '-' or '_': {combination_id!r}",
        )
    names = [_organisation(p) for p in providers]
    if len(names) < 2 or len(set(names)) != len(names):
        raise bad_request(
            "결합에는 서로 다른 정보보유기관이 둘 이상 필요합니다",
            "a combination needs at least two different providers",
        )
    agency = _organisation(agency)
    if Combination.objects.filter(pk=combination_id).exists():
        raise conflict(
            f"이미 등록된 결합입니다: {combination_id}",
            f"the combination {combination_id} already exists",
        )
    folder = salt_folder(store, combination_id)
    try:
        issued = engine.issue_salt(store, combination_id, names, out=folder)
    except EngineError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise refused_input(exc) from None
    combination = Combination(
        id=combination_id,
        purpose=purpose.strip(),
        providers=names,
        agency=agency,
        salt_id=issued.salt_id,
    )
    return NewCombination(combination, folder)


def salt_artifact(store: PartyStore, combination: Combination, provider: str) -> dict[str, Any]:
    """The provider's salt artifact: the 32 bytes (base64) and the manifest addressed to it."""
    path = salt_folder(store, combination.id) / file_safe(provider) / f"{combination.salt_id}.salt"
    try:
        value = path.read_bytes()
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise not_found(
            f"결합 {combination.id}의 솔트 전송물을 찾을 수 없습니다 ({provider})",
            f"the salt artifact of combination {combination.id} is missing ({provider})",
        ) from None
    return {
        "combination_id": combination.id,
        "salt_id": combination.salt_id,
        "file": path.name,
        "content_base64": base64.b64encode(value).decode("ascii"),
        "manifest": manifest,
    }


def _organisation(name: str) -> str:
    """An organisation's name as parties are named in manifests (``<role>:<organisation>``)."""
    name = name.strip()
    if not name or ":" in name or len(name) > 200:
        raise bad_request(
            f"기관 이름이 올바르지 않습니다: {name!r}", f"invalid organisation name {name!r}"
        )
    return name
