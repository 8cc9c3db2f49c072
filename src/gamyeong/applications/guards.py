"""The checks an action needs before it may move an application (the ``guard`` of an action).

Each check returns what is missing as (Korean, English) pairs; an empty list lets the action
through. ``provider_document:KIND`` and ``document:KIND`` take the document kind after the colon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings

from gamyeong.applications.models import Application, Document
from gamyeong.processing.models import AdequacyReview, Run

Problem = tuple[str, str]
Check = Callable[[Application, Any], list[Problem]]

COMBINATION_DOCUMENTS = (
    Document.Kind.APPLICATION_FORM,
    Document.Kind.BUSINESS_REGISTRATION,
    Document.Kind.PURPOSE_EVIDENCE,
    Document.Kind.DATA_DESCRIPTION,
    Document.Kind.INTERNAL_PLAN,
)


def _kind_label(kind: str) -> str:
    return str(Document.Kind(kind).label)


def _has_document(application: Application, kind: str, organisation_id: int | None) -> bool:
    documents = application.documents.filter(kind=kind)
    if organisation_id is not None:
        documents = documents.filter(organisation_id=organisation_id)
    return documents.exists()


def purpose(application: Application, user: Any) -> list[Problem]:
    found: list[Problem] = []
    if not application.title.strip():
        found.append(("과제명이 없습니다", "the project title is missing"))
    if not application.purpose_category:
        found.append(("이용 목적 구분이 없습니다", "the purpose category is missing"))
    if not application.purpose.strip():
        found.append(("이용 목적이 없습니다", "the purpose is missing"))
    if application.pledge_accepted_at is None or application.terms_accepted_at is None:
        found.append(
            ("서약서와 이용약관 동의가 필요합니다", "the pledge and the terms must be accepted")
        )
    return found


def period(application: Application, user: Any) -> list[Problem]:
    start, end = application.period_start, application.period_end
    if start is None or end is None:
        return [("이용 기간이 없습니다", "the requested period is missing")]
    if end < start:
        return [("이용 기간의 끝이 시작보다 앞섭니다", "the period ends before it starts")]
    longest = int(settings.GAMYEONG_MAX_PERIOD_DAYS)
    if (end - start).days > longest:
        return [
            (
                f"이용 기간은 {longest}일을 넘을 수 없습니다",
                f"the period may not be longer than {longest} days",
            )
        ]
    return []


def provision_items(application: Application, user: Any) -> list[Problem]:
    providers = set(application.items.values_list("item__dataset__provider_id", flat=True))
    if not providers:
        return [("신청 항목이 없습니다", "no items are requested")]
    if len(providers) > 1:
        return [
            (
                "단일기관 제공은 한 기관의 항목만 신청할 수 있습니다 (결합 신청을 쓰세요)",
                "a single-source provision asks for one provider's items (apply for a combination)",
            )
        ]
    return []


def combination_items(application: Application, user: Any) -> list[Problem]:
    providers = set(application.items.values_list("item__dataset__provider_id", flat=True))
    if len(providers) < 2:
        return [
            (
                "결합에는 둘 이상의 기관의 항목이 필요합니다",
                "a combination needs items of at least two providers",
            )
        ]
    return []


def research_plan(application: Application, user: Any) -> list[Problem]:
    if _has_document(application, Document.Kind.RESEARCH_PLAN, application.organisation_id):
        return []
    return [("연구계획서를 올려야 합니다", "the research plan must be uploaded")]


def preconsult_notes(application: Application, user: Any) -> list[Problem]:
    if application.preconsult_notes.strip():
        return []
    return [("사전 협의 내용이 없습니다", "the pre-consultation notes are missing")]


def submission(application: Application, user: Any) -> list[Problem]:
    found = purpose(application, user) + period(application, user)
    found += research_plan(application, user)
    if application.workflow == Application.Kind.PROVISION:
        found += provision_items(application, user)
        if application.ministry_id is None:
            found.append(("승인할 부처가 정해지지 않았습니다", "no approving ministry is set"))
    else:
        found += combination_items(application, user) + preconsult_notes(application, user)
        if application.agency_id is None:
            found.append(("결합전문기관을 고르세요", "choose the combination agency"))
        for kind in COMBINATION_DOCUMENTS:
            if not _has_document(application, kind, application.organisation_id):
                found.append(
                    (f"서류가 없습니다: {_kind_label(kind)}", f"missing: {_kind_label(kind)}")
                )
    return found


def items_decided(application: Application, user: Any) -> list[Problem]:
    own = application.items.filter(item__dataset__provider_id=user.organisation_id)
    if not own.filter(approved=True).exists():
        return [
            (
                "승인한 항목이 하나도 없습니다 (모두 거절하려면 반려하세요)",
                "no item is approved (reject the application to refuse them all)",
            )
        ]
    return []


def run_columns(run: Run) -> list[str]:
    from gamyeong.processing.services import output_path

    return list(pq.read_schema(output_path(run)).names)


def run_fits(application: Application, user: Any) -> list[Problem]:
    """Every dataset with approved items has one finished run, and no run keeps a column that
    was not approved (the minimization the provider decided)."""
    found: list[Problem] = []
    approved: dict[int, set[str]] = {}
    for dataset_id, name in application.items.filter(approved=True).values_list(
        "item__dataset_id", "item__name"
    ):
        approved.setdefault(dataset_id, set()).add(name)
    runs = {run.policy.dataset_id: run for run in application.runs.select_related("policy")}
    for dataset_id, names in approved.items():
        run = runs.get(dataset_id)
        if run is None:
            found.append(
                ("가명처리 결과가 선택되지 않은 데이터셋이 있습니다", "a dataset has no run")
            )
            continue
        if run.status != Run.Status.SUCCEEDED:
            found.append(
                (f"처리 #{run.pk}가 끝나지 않았습니다", f"run #{run.pk} has not succeeded")
            )
            continue
        extra = sorted(set(run_columns(run)) - names)
        if extra:
            found.append(
                (
                    f"처리 #{run.pk}에 승인되지 않은 항목이 남아 있습니다: {', '.join(extra)}",
                    f"run #{run.pk} keeps items that were not approved: {', '.join(extra)}",
                )
            )
    return found


def adequate_run(application: Application, user: Any) -> list[Problem]:
    runs = list(application.runs.all())
    adequate = AdequacyReview.objects.filter(
        run__in=runs, decision=AdequacyReview.Decision.ADEQUATE
    ).count()
    if not runs or adequate != len(runs):
        return [
            (
                "적정성 검토에서 적정 결정을 받지 않은 처리가 있습니다",
                "not every run has been reviewed as adequate",
            )
        ]
    return []


def destruction_certificate(application: Application, user: Any) -> list[Problem]:
    if application.documents.filter(kind=Document.Kind.DESTRUCTION_CERTIFICATE).exists():
        return []
    return [("파기 확인서를 올려야 합니다", "the destruction certificate must be uploaded")]


def combination_registered(application: Application, user: Any) -> list[Problem]:
    if application.combination_id is not None:
        return []
    return [
        (
            "결합 건이 아직 등록되지 않았습니다 (결합 등록을 먼저 하세요)",
            "the combination is not registered yet (register it first)",
        )
    ]


def provider_document(kind: str) -> Check:
    def check(application: Application, user: Any) -> list[Problem]:
        if _has_document(application, kind, user.organisation_id):
            return []
        return [(f"기관의 서류가 없습니다: {_kind_label(kind)}", f"missing: {_kind_label(kind)}")]

    return check


def document(kind: str) -> Check:
    def check(application: Application, user: Any) -> list[Problem]:
        if _has_document(application, kind, application.organisation_id):
            return []
        return [(f"서류가 없습니다: {_kind_label(kind)}", f"missing: {_kind_label(kind)}")]

    return check


CHECKS: dict[str, Check] = {
    "purpose": purpose,
    "combination_items": combination_items,
    "research_plan": research_plan,
    "preconsult_notes": preconsult_notes,
    "submission": submission,
    "items_decided": items_decided,
    "run_fits": run_fits,
    "adequate_run": adequate_run,
    "destruction_certificate": destruction_certificate,
    "combination_registered": combination_registered,
}


def resolve(name: str) -> Check:
    if ":" in name:
        family, kind = name.split(":", 1)
        Document.Kind(kind)  # an unknown kind fails loudly
        return provider_document(kind) if family == "provider_document" else document(kind)
    return CHECKS[name]


def problems(name: str, application: Application, user: Any) -> list[Problem]:
    return resolve(name)(application, user) if name else []
