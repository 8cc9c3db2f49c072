"""``/combinations``: register a combination (and issue its salt), read it, fetch the salt."""

from __future__ import annotations

import shutil
from typing import Any

from django.http import HttpRequest
from ninja import Router

from gamyeong.kma.auth import (
    Role,
    client_of,
    require_party_of,
    require_provider_of,
    require_role,
)
from gamyeong.kma.models import Combination
from gamyeong.kma.schemas import CombinationIn, CombinationOut, ErrorOut, SaltOut
from gamyeong.kma.services import combinations as service
from gamyeong.kma.services.runs import missing_providers
from gamyeong.kma.store import kma_store
from gamyeong.kma.trail import Outcome, audited

router = Router(tags=["combinations"])
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


def describe(combination: Combination) -> dict[str, Any]:
    saved = not combination._state.adding  # a new combination is saved with its audit event
    files = list(combination.key_files.all()) if saved else []
    return {
        "id": combination.id,
        "purpose": combination.purpose,
        "providers": combination.providers,
        "agency": combination.agency,
        "key_agency": kma_store().organisation,
        "salt_id": combination.salt_id,
        "status": combination.status,
        "created_at": combination.created_at,
        "key_files": [
            {
                "provider": f.provider,
                "sha256": f.sha256,
                "rows": f.rows,
                "key_sets": [str(s.get("name")) for s in f.key_specs],
                "received_at": f.received_at,
            }
            for f in files
        ],
        "missing_providers": missing_providers(combination) if saved else combination.providers,
    }


@router.post(
    "/combinations",
    response={201: CombinationOut, **ERRORS},
    summary="결합 등록과 솔트 발급 / register a combination and issue its salt (KMA staff)",
)
@audited("kma.combination_created")
def create_combination(request: HttpRequest, body: CombinationIn) -> Outcome:
    require_role(request, Role.KMA_STAFF)
    store = kma_store()
    new = service.create(
        store,
        combination_id=body.id,
        purpose=body.purpose,
        providers=body.providers,
        agency=body.agency,
    )
    combination = new.combination
    return Outcome(
        body=describe(combination),
        status=201,
        summary=f"{combination.id}: {', '.join(combination.providers)} → {combination.agency}",
        object_id=combination.id,
        detail={
            "salt_id": combination.salt_id,
            "providers": combination.providers,
            "agency": combination.agency,
            "purpose": combination.purpose,
        },
        save=lambda: combination.save(force_insert=True),
        undo=lambda: shutil.rmtree(new.folder, ignore_errors=True),
    )


@router.get(
    "/combinations",
    response={200: list[CombinationOut], **ERRORS},
    summary="결합 목록 / the combinations you take part in (KMA staff: all)",
)
@audited("kma.combination_viewed")
def list_combinations(request: HttpRequest) -> Outcome:
    client = client_of(request)
    found = [
        c
        for c in Combination.objects.prefetch_related("key_files")
        if client.role == Role.KMA_STAFF
        or (client.role == Role.PROVIDER and client.organisation in c.providers)
        or (client.role == Role.COMBINATION_AGENCY and client.organisation == c.agency)
    ]
    return Outcome(
        body=[describe(c) for c in found],
        summary=f"{len(found)} combinations",
        detail={"combinations": [c.id for c in found]},
    )


@router.get(
    "/combinations/{combination_id}",
    response={200: CombinationOut, **ERRORS},
    summary="결합 상태 / a combination's state (its parties and KMA staff)",
)
@audited("kma.combination_viewed")
def read_combination(request: HttpRequest, combination_id: str) -> Outcome:
    combination = service.get_combination(combination_id)
    require_party_of(request, combination)
    return Outcome(body=describe(combination), summary=combination.status, object_id=combination.id)


@router.get(
    "/combinations/{combination_id}/salt",
    response={200: SaltOut, **ERRORS},
    summary="솔트 받기 / the provider's salt artifact (a provider of the combination)",
)
@audited("kma.salt_downloaded")
def download_salt(request: HttpRequest, combination_id: str) -> Outcome:
    combination = service.get_combination(combination_id)
    client = require_provider_of(request, combination)
    salt = service.salt_artifact(kma_store(), combination, client.organisation)
    return Outcome(
        body=salt,
        summary=f"{combination.salt_id} → {client.organisation}",
        object_id=combination.id,
        detail={"salt_id": combination.salt_id, "provider": client.organisation},
    )
