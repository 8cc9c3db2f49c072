"""The adequacy-review report (적정성 검토 결과서) as HTML and PDF, and its class-size chart."""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from gamyeong.catalog.models import Dataset
from gamyeong.governance.models import AuditEvent
from gamyeong.processing import report, services
from gamyeong.processing.checklist import CHECKLIST_CODES
from gamyeong.processing.models import Run
from tests.integration.test_processing_pages import (
    finished_run,
    prepare_data,
    signed_in,
    staff,
    text,
)

pytestmark = pytest.mark.django_db
KOREAN_HEADINGS = (
    "가명정보 적정성 검토 결과서",
    "데이터 및 처리 목적",
    "가명처리 방법 및 수준",
    "식별 위험성 평가 결과",
    "적정성 검토 항목",
    "유용성 평가",
    "검토 결과",
)


@pytest.fixture
def data(settings: Any, tmp_path: Path, synth_dir: Path) -> Dataset:
    return prepare_data(settings, tmp_path, synth_dir)


def reviewed_run(dataset: Dataset) -> tuple[Run, Any]:
    run = finished_run(dataset, staff("alice").user)
    carol = staff("carol", "adequacy_reviewer")
    checklist = {code: {"ok": True, "note": ""} for code in CHECKLIST_CODES}
    checklist["outliers_handled"] = {"ok": False, "note": "85세 이상 범주가 작음"}
    services.decide_adequacy(
        run,
        reviewer=carol.user,
        decision="inadequate",
        reason="연령 상단 구간의 동질집합이 작음",
        required_action="additional_processing",
        checklist=checklist,
    )
    return run, carol


def test_the_html_report_is_korean_with_the_decision_and_is_audited(data: Dataset) -> None:
    run, carol = reviewed_run(data)
    client = signed_in(carol)
    client.cookies["django_language"] = "en"  # the report stays a Korean document
    response = client.get(reverse("processing:report_html", args=[run.pk]))
    page = text(response)
    assert response.status_code == 200 and '<html lang="ko">' in page
    for heading in KOREAN_HEADINGS:
        assert heading in page, heading
    assert "부적정 (INADEQUATE)" in page and "연령 상단 구간의 동질집합이 작음" in page
    assert "추가 가명처리" in page and "85세 이상 범주가 작음" in page
    assert carol.user.full_name in page and run.requested_by.full_name in page
    assert run.policy.sha256 in page and run.output_sha256 in page
    assert "<svg" in page and "NanumGothic" in page and "hmac(secret=person_key" in page
    assert "<script" not in page and "style=" not in page and "<style" not in page
    event = AuditEvent.objects.filter(action="processing.report_viewed").get()
    assert (event.object_id, event.actor) == (str(run.pk), carol.user.username)


def test_a_report_before_the_review_says_so(data: Dataset) -> None:
    alice = staff("alice")
    run = finished_run(data, alice.user)
    page = text(signed_in(alice).get(reverse("processing:report_html", args=[run.pk])))
    assert "검토 전" in page and "INADEQUATE" not in page and "(ADEQUATE)" not in page


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (enough to find font names, no parser)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(match.group(1)))
    return b"".join(parts)


def test_the_pdf_report_is_an_a4_pdf_in_the_korean_font(data: Dataset) -> None:
    run, carol = reviewed_run(data)
    response = signed_in(carol).get(reverse("processing:report_pdf", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF") and len(content) > 10_000
    objects = inflated(content)
    assert b"NanumGothic" in objects  # the Korean font is embedded
    assert re.search(rb"/MediaBox \[0 0 595\.\d+ 841\.\d+\]", objects)  # A4 in points
    event = AuditEvent.objects.filter(action="processing.report_viewed").get()
    assert json.loads(event.detail_json)["format"] == "pdf"


def test_researchers_cannot_read_the_report(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    from tests.integration.helpers import make_user

    client = signed_in(make_user("bob"))
    assert client.get(reverse("processing:report_html", args=[run.pk])).status_code == 403
    assert client.get(reverse("processing:report_pdf", args=[run.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="processing.report_viewed").exists()


def test_the_class_sizes_agree_with_the_risk_figures(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    buckets = report.class_sizes(run)
    assert buckets is not None and buckets[0].label == "1"
    risk = run.risk
    assert sum(b.records for b in buckets) == risk["records"]
    assert sum(b.classes for b in buckets) == risk["classes"]
    assert buckets[0].classes == risk["uniques"]
    below_k = [b for b in buckets if b.high is not None and b.high < risk["k"]]  # k = 5
    assert sum(b.records for b in below_k) == risk["records_below_k"]
    assert {b.state for b in below_k} <= {"below"}


def test_the_chart_is_well_formed_svg_with_a_title(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    chart = report.chart(run)
    assert chart is not None
    svg = ET.fromstring(str(chart["svg"]))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg" and svg.get("role") == "img"
    assert svg.find(f"{ns}title") is not None
    assert len(svg.findall(f"{ns}rect")) == 2 * len(report.BUCKETS)
    assert "style" not in str(chart["svg"])  # the content-security policy forbids inline style
