"""The approval certificate (반출 승인서), a one-page Korean PDF made with WeasyPrint."""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils import timezone

from gamyeong.exports.models import ExportRequest


def certificate_pdf(request: ExportRequest) -> bytes:
    from weasyprint import HTML

    application: Any = request.workspace.application
    reviews = request.reviews.filter(round=request.round).select_related("reviewer")
    committee = request.committee_decisions.filter(round=request.round).first()
    rows = "".join(
        f"<tr><td>{escape(f.name)}</td><td>{f.size:,}</td><td class='hash'>{f.sha256}</td></tr>"
        for f in request.files.all()
    )
    reviewers = ", ".join(escape(str(r.reviewer)) for r in reviews)
    decided = timezone.localtime(request.decided_at or timezone.now()).strftime("%Y-%m-%d %H:%M")
    head = (
        f"<p>반출심사위원회 심의 후 기관장 결정: {escape(committee.get_decision_display())}</p>"
        if committee
        else ""
    )
    html = f"""<html lang="ko"><head><meta charset="utf-8"><style>
    @page {{ size: A4; margin: 20mm; }}
    body {{ font-family: 'NanumGothic', sans-serif; font-size: 10.5pt; }}
    h1 {{ font-size: 18pt; text-align: center; }}
    table {{ width: 100%; border-collapse: collapse; }}
    td, th {{ border: 0.5pt solid #555; padding: 3pt; font-size: 9pt; }}
    .hash {{ font-family: monospace; font-size: 7pt; word-break: break-all; }}
    </style></head><body>
    <h1>가명정보 결과물 반출 승인서</h1>
    <p>반출 번호: {escape(request.reference)}<br>
    과제: {escape(application.reference)} {escape(application.title)}<br>
    신청자: {escape(str(request.researcher))}<br>
    승인 일시: {decided}</p>
    <p>아래 결과물은 두 명의 심사자({reviewers})가 독립적으로 검토하여 반출을 승인하였습니다.</p>
    {head}
    <table><thead><tr><th>파일</th><th>크기(바이트)</th><th>SHA-256</th></tr></thead>
    <tbody>{rows}</tbody></table>
    <p>반출된 결과물은 승인된 목적으로만 이용하며, 재식별을 시도하지 않습니다.</p>
    <p>(This certificate records the approval of the export {escape(request.reference)}.)</p>
    </body></html>"""
    return bytes(HTML(string=html).write_pdf())
