"""Registering a combination (결합 신청 접수, seed 3-2 → 4).

The combination agency registers a combination on behalf of the applicant (the requesting user
organisation) once the application is accepted: its providers with their datasets, the item
mapping each agreed for the key and its payload policy (the provider's pseudonymization method for
the attributes it sends), the key set, the key-management agency, and the risk review and
additional processing to come. Only a combination agency's staff register, and only for their own
agency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gamyeong.accounts.models import Organisation
from gamyeong.catalog.models import Dataset, Item
from gamyeong.combination import stores
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.models import Combination, CombinationProvider
from gamyeong.combination.work import parse_policy
from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.keys import KeySpec
from gamyeong.engine.linkage.normalize import ITEM_KINDS
from gamyeong.engine.linkage.payload import payload_policy
from gamyeong.engine.linkage.provider import new_combination_id
from gamyeong.engine.policy import Policy
from gamyeong.governance import audit

Kind = Organisation.Kind


@dataclass(frozen=True)
class ProviderEntry:
    organisation: Organisation
    dataset: Dataset
    items: Mapping[str, str]  # item kind → the dataset's column
    payload_policy: str = ""


@dataclass(frozen=True)
class NewCombination:
    title: str
    purpose: str
    applicant: Organisation
    key_agency: Organisation
    providers: Sequence[ProviderEntry]
    key_items: Sequence[str]
    algorithm: str = "hmac-sha256"
    qi: Sequence[str] = ()
    sensitive: Sequence[str] = ()
    k: int | None = None
    processing_policy: str = ""
    slug: str = field(default_factory=new_combination_id)


def create_combination(new: NewCombination, *, user: Any) -> Combination:
    if not user.has_perm("combination.add_combination"):
        raise PermissionDenied("combination.add_combination")
    agency = getattr(user, "organisation", None)
    if agency is None or agency.kind != Kind.COMBINATION_AGENCY:
        raise PermissionDenied("only a combination agency registers combinations")
    _check_parties(new)
    try:
        KeySpec("main", tuple(new.key_items), new.algorithm)
        for entry in new.providers:
            _check_provider(entry, new.key_items)
        if new.processing_policy.strip():
            parse_policy(new.processing_policy, "processing.yaml")
    except EngineError as exc:
        raise CombinationError(exc.korean, exc.english) from None
    with transaction.atomic():
        combination = _save(new, agency, user)
        stores.all_stores(combination)  # each party's own store, apart from the others
        audit.record(
            "combination.created",
            actor=user,
            target=combination,
            summary=f"{combination.slug} {combination.title}"[:500],
            detail={
                "applicant": str(new.applicant),
                "providers": [str(p.organisation) for p in new.providers],
                "datasets": [p.dataset.name for p in new.providers],
                "key_agency": str(new.key_agency),
                "agency": str(agency),
                "key_items": list(new.key_items),
            },
        )
    return combination


def _save(new: NewCombination, agency: Organisation, user: Any) -> Combination:
    combination = Combination.objects.create(
        slug=new.slug,
        title=new.title,
        purpose=new.purpose,
        applicant=new.applicant,
        key_agency=new.key_agency,
        agency=agency,
        key_items=[k for k in ITEM_KINDS if k in new.key_items],
        algorithm=new.algorithm,
        qi=list(new.qi),
        sensitive=list(new.sensitive),
        k=new.k or settings.GAMYEONG_K_CLOSED_ROOM,
        processing_policy=new.processing_policy,
        created_by=user,
    )
    for position, entry in enumerate(new.providers):
        CombinationProvider.objects.create(
            combination=combination,
            organisation=entry.organisation,
            dataset=entry.dataset,
            position=position,
            items=dict(entry.items),
            payload_policy=entry.payload_policy,
        )
    return combination


def _check_parties(new: NewCombination) -> None:
    if not new.title.strip() or not new.purpose.strip():
        raise CombinationError("제목과 결합 목적을 적으세요", "give a title and a purpose")
    if new.applicant.kind != Kind.USER_ORG:
        raise CombinationError(
            "결합신청자는 이용기관이어야 합니다", "the applicant must be a user organisation"
        )
    if new.key_agency.kind != Kind.KEY_AGENCY:
        raise CombinationError(
            "결합키관리기관을 지정하세요", "the key agency must be a key-management agency"
        )
    organisations = [p.organisation for p in new.providers]
    if len(organisations) < 2 or len(set(organisations)) != len(organisations):
        raise CombinationError(
            "서로 다른 정보보유기관이 둘 이상 있어야 합니다",
            "a combination needs at least two different providers",
        )
    for entry in new.providers:
        if entry.organisation.kind != Kind.PROVIDER or entry.dataset.provider != entry.organisation:
            raise CombinationError(
                f"{entry.dataset.name}은(는) {entry.organisation}의 데이터셋이 아닙니다",
                f"{entry.dataset.name} is not a dataset of the provider {entry.organisation}",
            )


def _check_provider(entry: ProviderEntry, key_items: Sequence[str]) -> None:
    name = entry.dataset.name
    path = Path(settings.DATA_DIR) / entry.dataset.file
    if not entry.dataset.file or not path.is_file():
        raise CombinationError(
            f"{name}의 데이터 파일이 없습니다", f"the data file of {name} is missing"
        )
    schema = dict(pl.scan_parquet(path).collect_schema())
    missing = [k for k in key_items if k not in entry.items]
    unknown = [c for c in entry.items.values() if c not in schema]
    bad_kinds = [k for k in entry.items if k not in ITEM_KINDS]
    if missing or unknown or bad_kinds:
        raise CombinationError(
            f"{name}: 결합키 항목 대응이 맞지 않습니다 (빠진 항목 {missing}, 없는 열 {unknown}, "
            f"모르는 항목 {bad_kinds})",
            f"{name}: the item mapping does not fit (key items not mapped {missing}, unknown "
            f"columns {unknown}, unknown item kinds {bad_kinds})",
        )
    policy = None
    if entry.payload_policy.strip():
        policy = parse_policy(entry.payload_policy, f"{name}.payload.yaml")
        payload_policy(policy, entry.items, schema)
    _check_identifiers(entry, policy)


def _check_identifiers(entry: ProviderEntry, policy: Policy | None) -> None:
    """The catalog's direct identifiers never travel as they are: each is a key item (left out of
    the payload) or deleted or transformed by the payload policy."""
    identifiers = Item.objects.filter(
        dataset=entry.dataset, item_class=Item.ItemClass.DIRECT_IDENTIFIER
    ).values_list("name", flat=True)
    leaking = []
    for column in identifiers:
        if column in entry.items.values():
            continue
        rule = policy.items.get(column) if policy else None
        if rule is None or rule.kept_as_is:
            leaking.append(column)
    if leaking:
        raise CombinationError(
            f"{entry.dataset.name}: 식별정보가 그대로 결합전문기관에 갑니다: {', '.join(leaking)} "
            "(결합대상정보 정책에서 삭제하거나 가명처리하세요)",
            f"{entry.dataset.name}: direct identifiers would reach the combination agency as they "
            f"are: {', '.join(leaking)} (delete or pseudonymize them in the payload policy)",
        )
