"""Matching runs: the match report (결합률), mock combination (모의결합), extraction (추출) and the
linking information (결합키연계정보). Only the KMA's staff start runs that write files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from gamyeong.kma.auth import Role, require_party_of, require_role
from gamyeong.kma.endpoints.combinations import ERRORS
from gamyeong.kma.models import Combination, LinkingRun
from gamyeong.kma.schemas import MatchReportOut, MockIn, RunIn, RunOut
from gamyeong.kma.services import runs
from gamyeong.kma.services.combinations import get_combination
from gamyeong.kma.store import kma_store
from gamyeong.kma.trail import Outcome, audited

router = Router(tags=["linking"])
Kind = LinkingRun.Kind


@router.get(
    "/combinations/{combination_id}/match-report",
    response={200: MatchReportOut, **ERRORS},
    summary="결합률 확인 / match report per provider (its providers, its agency, KMA staff)",
    description=(
        "The match rate (결합률 = matched / records), collisions and unmatched records per "
        "provider, computed from the key files alone — before any payload exists."
    ),
)
@audited("kma.match_report")
def match_report(request: HttpRequest, combination_id: str, query: Query[RunIn]) -> Outcome:
    combination = get_combination(combination_id)
    require_party_of(request, combination)
    return _outcome(combination, Kind.REPORT, key_set=query.key_set, body="report")


@router.post(
    "/combinations/{combination_id}/mock",
    response={200: MatchReportOut, **ERRORS},
    summary="모의결합 / mock combination on a share of the keys (KMA staff)",
)
@audited("kma.mock_combination")
def mock(request: HttpRequest, combination_id: str, body: MockIn) -> Outcome:
    require_role(request, Role.KMA_STAFF)
    combination = get_combination(combination_id)
    return _outcome(
        combination, Kind.MOCK, key_set=body.key_set, fraction=body.fraction, body="report"
    )


@router.post(
    "/combinations/{combination_id}/extract",
    response={200: RunOut, **ERRORS},
    summary="가명정보 추출 / matched serials for each provider (KMA staff)",
)
@audited("kma.extracted")
def extract(request: HttpRequest, combination_id: str, body: RunIn) -> Outcome:
    require_role(request, Role.KMA_STAFF)
    combination = get_combination(combination_id)
    return _outcome(combination, Kind.EXTRACT, key_set=body.key_set)


@router.post(
    "/combinations/{combination_id}/link",
    response={200: RunOut, **ERRORS},
    summary="결합키연계정보 생성 / linking information for the combination agency (KMA staff)",
)
@audited("kma.linked")
def link(request: HttpRequest, combination_id: str, body: RunIn) -> Outcome:
    require_role(request, Role.KMA_STAFF)
    combination = get_combination(combination_id)
    return _outcome(combination, Kind.LINK, key_set=body.key_set)


def _outcome(
    combination: Combination,
    kind: str,
    *,
    key_set: str | None,
    fraction: float | None = None,
    body: str = "run",
) -> Outcome:
    store = kma_store()
    done = runs.run(store, combination, kind, key_set=key_set, fraction=fraction)
    row = done.run

    def save() -> None:
        row.save()
        if kind == Kind.LINK:
            combination.status = Combination.Status.LINKED
            combination.save(update_fields=["status"])

    def undo() -> None:
        for path in done.written:
            store.remove(path)

    report = row.report
    rates = {p["provider"]: p["match_rate"] for p in report["providers"]}
    return Outcome(
        body=report if body == "report" else _run_body(row),
        summary=f"{kind} {row.key_set}: linked {report['linked']:,}",
        object_id=combination.id,
        detail={
            "kind": kind,
            "key_set": row.key_set,
            "linked": report["linked"],
            "match_rates": rates,
            "mock_fraction": report.get("mock_fraction"),
            "outputs": row.outputs,
        },
        save=save,
        undo=undo,
    )


def _run_body(row: LinkingRun) -> dict[str, Any]:
    store = kma_store()
    return {
        "combination_id": row.combination_id,
        "kind": row.kind,
        "key_set": row.key_set,
        "report": row.report,
        "files": runs.describe_outputs(store, row),
        "created_at": row.created_at,
    }
