"""The key-management agency service's own party store and the paths of its files.

The store (``GAMYEONG_KMA_STORE``) is a :class:`PartyStore` of role ``key_agency`` with its vault
inside (the salts). Paths kept in the database are relative to the store's root, so the store can
move with its database.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import KMA
from gamyeong.engine.linkage.stores import PartyStore, file_safe


def kma_store() -> PartyStore:
    """The KMA's store, made (mode 0700) on first use."""
    return PartyStore(KMA, settings.GAMYEONG_KMA_ORG, Path(settings.GAMYEONG_KMA_STORE))


def combination_outbox(store: PartyStore, combination_id: str) -> Path:
    """Where the KMA writes what it makes for one combination (salts, matched serials, linking
    information): a folder of its outbox."""
    return store.outbox / file_safe(combination_id)


def salt_folder(store: PartyStore, combination_id: str) -> Path:
    return combination_outbox(store, combination_id) / "salts"


def relative(store: PartyStore, path: Path) -> str:
    """``path`` relative to the store's root (what the database keeps)."""
    return str(path.resolve().relative_to(store.root))


def absolute(store: PartyStore, stored: str) -> Path:
    """A path kept in the database, back in the store; anything leading outside is refused."""
    path = (store.root / stored).resolve()
    if store.root not in path.parents:
        raise EngineError(
            f"결합키관리기관 저장소 밖의 경로입니다: {stored}",
            f"a path outside the key-management agency's store: {stored}",
        )
    return path
