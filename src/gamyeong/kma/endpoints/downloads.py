"""Downloads of what the KMA made, each for its receiver only: a provider's own matched serials,
and the linking information for the combination's agency. Two requests each: the manifest (JSON,
with the file's download URL), then the Parquet file itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router

from gamyeong.engine.linkage.artifacts import AGENCY, PROVIDER
from gamyeong.kma.auth import require_agency_of, require_provider_of
from gamyeong.kma.endpoints.combinations import ERRORS
from gamyeong.kma.errors import forbidden, not_found
from gamyeong.kma.models import Combination, LinkingRun
from gamyeong.kma.schemas import ArtifactOut
from gamyeong.kma.services import runs
from gamyeong.kma.services.combinations import get_combination
from gamyeong.kma.store import kma_store
from gamyeong.kma.trail import Outcome, audited

router = Router(tags=["downloads"])
Kind = LinkingRun.Kind
MATCHED_DESCRIPTION = (
    "Only your own file: a provider names no other. `?provider=` may name your own "
    "organisation; any other is refused with 403."
)


@router.get(
    "/combinations/{combination_id}/matched-serials",
    response={200: ArtifactOut, **ERRORS},
    summary="추출 결과(매니페스트) / your matched serials' manifest (a provider)",
    description=MATCHED_DESCRIPTION,
)
@audited("kma.matched_serials_downloaded")
def matched_serials(
    request: HttpRequest, combination_id: str, provider: str | None = None
) -> Outcome:
    combination, party = _own_serials(request, combination_id, provider)
    _, manifest = runs.artifact(kma_store(), _latest(combination, Kind.EXTRACT), party)
    return _manifest_outcome(request, combination, Kind.EXTRACT, party, manifest)


@router.get(
    "/combinations/{combination_id}/matched-serials/file",
    response={200: None, **ERRORS},
    summary="추출 결과(파일) / your matched serials, Parquet (a provider)",
    description=MATCHED_DESCRIPTION,
)
@audited("kma.matched_serials_downloaded")
def matched_serials_file(
    request: HttpRequest, combination_id: str, provider: str | None = None
) -> Outcome:
    combination, party = _own_serials(request, combination_id, provider)
    path, manifest = runs.artifact(kma_store(), _latest(combination, Kind.EXTRACT), party)
    return _file_outcome(combination, Kind.EXTRACT, party, path, manifest)


@router.get(
    "/combinations/{combination_id}/linking-info",
    response={200: ArtifactOut, **ERRORS},
    summary="결합키연계정보(매니페스트) / linking information's manifest (the agency)",
)
@audited("kma.linking_info_downloaded")
def linking_info(request: HttpRequest, combination_id: str) -> Outcome:
    combination, party = _agency(request, combination_id)
    _, manifest = runs.artifact(kma_store(), _latest(combination, Kind.LINK), party)
    return _manifest_outcome(request, combination, Kind.LINK, party, manifest)


@router.get(
    "/combinations/{combination_id}/linking-info/file",
    response={200: None, **ERRORS},
    summary="결합키연계정보(파일) / linking information, Parquet (the agency)",
)
@audited("kma.linking_info_downloaded")
def linking_info_file(request: HttpRequest, combination_id: str) -> Outcome:
    combination, party = _agency(request, combination_id)
    path, manifest = runs.artifact(kma_store(), _latest(combination, Kind.LINK), party)
    return _file_outcome(combination, Kind.LINK, party, path, manifest)


def _own_serials(
    request: HttpRequest, combination_id: str, provider: str | None
) -> tuple[Combination, str]:
    combination = get_combination(combination_id)
    client = require_provider_of(request, combination)
    if provider is not None and provider != client.organisation:
        raise forbidden(
            f"다른 정보보유기관({provider})의 일련번호는 받을 수 없습니다",
            f"a provider may not receive another provider's ({provider}) serials",
        )
    return combination, f"{PROVIDER}:{client.organisation}"


def _agency(request: HttpRequest, combination_id: str) -> tuple[Combination, str]:
    combination = get_combination(combination_id)
    client = require_agency_of(request, combination)
    return combination, f"{AGENCY}:{client.organisation}"


def _latest(combination: Combination, kind: str) -> LinkingRun:
    run = runs.latest(combination, kind)
    if run is None:
        what = ("추출", "extraction") if kind == Kind.EXTRACT else ("연계", "linking")
        raise not_found(
            f"결합 {combination.id}의 {what[0]}이(가) 아직 없습니다",
            f"combination {combination.id} has no {what[1]} yet",
        )
    return run


def _manifest_outcome(
    request: HttpRequest,
    combination: Combination,
    kind: str,
    party: str,
    manifest: dict[str, Any],
) -> Outcome:
    return Outcome(
        body={
            "combination_id": combination.id,
            "kind": manifest["kind"],
            "manifest": manifest,
            "download": request.build_absolute_uri(f"{request.path.rstrip('/')}/file"),
        },
        summary=f"{kind} manifest → {party}",
        object_id=combination.id,
        detail={"receiver": party, "file": manifest["file"], "sha256": manifest["sha256"]},
    )


def _file_outcome(
    combination: Combination, kind: str, party: str, path: Path, manifest: dict[str, Any]
) -> Outcome:
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["Content-Type"] = "application/vnd.apache.parquet"
    response["X-Content-SHA256"] = manifest["sha256"]
    return Outcome(
        body=response,
        summary=f"{kind} file → {party}",
        object_id=combination.id,
        detail={"receiver": party, "file": path.name, "sha256": manifest["sha256"]},
        undo=response.close,
    )
