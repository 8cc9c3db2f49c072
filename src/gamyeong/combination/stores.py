"""Each party's own store (``engine.linkage.stores.PartyStore``) and the paths of a combination's
files in it. A party's store belongs to its organisation and role; no two parties share one:
``<DATA_DIR>/parties/<role>-<organisation slug>-<organisation id>``. The combined data goes to the
combination's project store (the closed room of the applicant), ``<DATA_DIR>/parties/project-<id>``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from gamyeong.accounts.models import Organisation
from gamyeong.combination.models import Combination, CombinationProvider
from gamyeong.engine.linkage.artifacts import AGENCY, KMA, PROJECT, PROVIDER
from gamyeong.engine.linkage.stores import PartyStore, check_apart


def parties_dir() -> Path:
    return Path(settings.DATA_DIR) / "parties"


def store_of(role: str, organisation: Organisation) -> PartyStore:
    """The store of ``organisation`` acting as ``role`` (provider, key_agency, combination_agency)."""
    slug = slugify(organisation.name, allow_unicode=True) or "org"
    return PartyStore(role, organisation.name, parties_dir() / f"{role}-{slug}-{organisation.pk}")


def provider_store(part: CombinationProvider) -> PartyStore:
    return store_of(PROVIDER, part.organisation)


def kma_store(combination: Combination) -> PartyStore:
    return store_of(KMA, combination.key_agency)


def agency_store(combination: Combination) -> PartyStore:
    return store_of(AGENCY, combination.agency)


def project_store(combination: Combination) -> PartyStore:
    """The combination's project store: where the agency puts the combined data (the applicant's
    data in the closed room), named after the combination."""
    return PartyStore(PROJECT, combination.slug, parties_dir() / f"project-{combination.slug}")


def all_stores(combination: Combination) -> list[PartyStore]:
    stores = [provider_store(p) for p in combination.parts.select_related("organisation")]
    stores += [kma_store(combination), agency_store(combination), project_store(combination)]
    check_apart(stores)
    return stores


def outbox(store: PartyStore, combination: Combination) -> Path:
    """The folder of this combination's files in a party's outbox."""
    folder = store.outbox / combination.slug
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def data_path(part: CombinationProvider) -> Path:
    return Path(settings.DATA_DIR) / part.dataset.file


def relative(path: Path) -> str:
    """A path as recorded (relative to the data directory when inside it); never shown."""
    try:
        return str(path.resolve().relative_to(Path(settings.DATA_DIR).resolve()))
    except ValueError:
        return str(path)


def absolute(recorded: str) -> Path:
    path = Path(recorded)
    return path if path.is_absolute() else Path(settings.DATA_DIR) / path
