"""Example applications for the demo (`gamyeong demo`): one single-source application by the
demo researcher, submitted and waiting for the ministry's approval, so that a new user finds a
work queue to walk. Made through the services (audited), once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gamyeong.applications import services
from gamyeong.applications.models import Application, Document
from gamyeong.catalog.models import Item

TITLE = "가구유형별 기초생활보장 급여 수급 실태 연구 (예시)"
ITEMS = ("person_id", "sex", "age", "sido_code", "household_type", "disability", "has_livelihood")


def research_plan_pdf() -> bytes:
    """A one-page research plan (Korean) made with WeasyPrint."""
    from weasyprint import HTML

    html = f"""<html lang="ko"><head><meta charset="utf-8"><style>
    body {{ font-family: 'NanumGothic', sans-serif; font-size: 11pt; }}
    h1 {{ font-size: 16pt; }}</style></head><body>
    <h1>가명정보 처리 계획서 (연구계획서) — 예시</h1>
    <p>과제명: {TITLE}</p>
    <p>목적: 가구유형·지역별 기초생활보장 급여 수급 현황을 분석하여 사각지대를 파악한다
    (과학적 연구).</p>
    <p>필요 항목: {", ".join(ITEMS)} — 개인 식별정보는 요청하지 않는다.</p>
    <p>분석 환경: 한국사회보장정보원 가명정보 분석실 (폐쇄형).</p>
    <p>이 문서는 gamyeong 시연용 합성 문서입니다. (Synthetic demo document.)</p>
    </body></html>"""
    return bytes(HTML(string=html).write_pdf())


def ensure_example_application() -> Application | None:
    """The demo's submitted application (made once; None when the demo users are missing)."""
    existing = Application.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    researcher = get_user_model().objects.filter(username="researcher").first()
    if researcher is None or not Item.objects.filter(dataset__name="ssis_persons").exists():
        return None
    app = services.create(researcher, workflow="provision", title=TITLE)
    today = timezone.localdate()
    services.update(
        researcher,
        app,
        purpose_category="scientific_research",
        purpose="가구유형·지역별 기초생활보장 급여 수급 현황과 사각지대 분석",
        analysis_plan="가구유형×시도 교차표, 수급 여부 로지스틱 회귀",
        period_start=today + timedelta(days=14),
        period_end=today + timedelta(days=14 + 364),
    )
    services.accept_pledge(researcher, app)
    ids: list[Any] = list(
        Item.objects.filter(dataset__name="ssis_persons", name__in=ITEMS).values_list(
            "pk", flat=True
        )
    )
    services.set_items(researcher, app, ids, {})
    services.upload(
        researcher,
        app,
        kind=Document.Kind.RESEARCH_PLAN,
        name="연구계획서_예시.pdf",
        stream=io.BytesIO(research_plan_pdf()),
    )
    app.refresh_from_db()
    services.take(researcher, app, "submit", version=app.version)
    app.refresh_from_db()
    return app
