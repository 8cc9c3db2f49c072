"""The adequacy-review report (적정성 검토 결과서) of one run, as HTML and as a PDF.

The report is a Korean document (English beside the headings). Its class-size chart is an SVG
drawn here from the output file's equivalence classes: only the number of classes and records
per size bucket is computed, never a data row. The PDF is drawn by WeasyPrint with the Nanum
Gothic font and a stylesheet read from this package: nothing is fetched over the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gamyeong.engine.policy import ENVIRONMENTS
from gamyeong.processing import results
from gamyeong.processing.checklist import CHECKLIST
from gamyeong.processing.models import AdequacyReview, Run

REPORT_CSS = Path(__file__).parent / "static" / "processing" / "report.css"

#: Class-size buckets: (smallest size, largest size or None for open, label).
BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 4, "3–4"),
    (5, 9, "5–9"),
    (10, 19, "10–19"),
    (20, 49, "20–49"),
    (50, None, "50+"),
)

HEADINGS: dict[str, Promise] = {
    "title": _("Adequacy review report"),
    "data": _("Data and purpose"),
    "policy": _("Pseudonymization method and level"),
    "risk": _("Identification-risk results"),
    "chart": _("Class sizes"),
    "checklist": _("Adequacy review checklist"),
    "utility": _("Utility"),
    "decision": _("Review decision"),
}


# ---- class sizes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    label: str
    low: int
    high: int | None
    classes: int
    records: int
    share: float  # of all records
    state: str  # "below" (every class < k), "partly" (some), "ok"

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.1f}%"


def _state(low: int, high: int | None, k: int) -> str:
    if high is not None and high < k:
        return "below"
    return "partly" if low < k else "ok"


def output_path(run: Run) -> Path | None:
    """The run's output file, if it is still there and inside the data directory."""
    if not run.output_file:
        return None
    root = Path(settings.DATA_DIR).resolve()
    path = (root / run.output_file).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def class_sizes(run: Run) -> list[Bucket] | None:
    """Classes and records per class-size bucket, over the run's quasi-identifiers."""
    qi, path = list(run.risk.get("qi") or []), output_path(run)
    if not qi or path is None:
        return None
    sizes = pl.scan_parquet(path).group_by(qi).agg(pl.len().alias("f")).collect()["f"]
    total = int(sizes.sum()) or 1
    k = int(run.risk.get("k") or run.policy.k)
    buckets = []
    for low, high, label in BUCKETS:
        inside = sizes.filter(sizes >= low if high is None else (sizes >= low) & (sizes <= high))
        records = int(inside.sum())
        buckets.append(
            Bucket(label, low, high, len(inside), records, records / total, _state(low, high, k))
        )
    return buckets


FILL = {"below": "#de3412", "partly": "#ffb114", "ok": "#256ef4"}
ROW, LEFT, BAR, TOP = 34, 96, 360, 44


def _bar(index: int, bucket: Bucket, records_word: str, classes_word: str) -> SafeString:
    y = TOP + index * ROW
    width = max(bucket.share * BAR, 1 if bucket.records else 0)
    text = f"{bucket.records:,} {records_word} · {bucket.classes:,} {classes_word}"
    return format_html(
        '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#1e2124">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="20" rx="3" fill="#e6e8ea"/>'
        '<rect x="{}" y="{}" width="{}" height="20" rx="3" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" fill="#464c53">{} ({})</text>',
        LEFT - 10,
        y + 15,
        bucket.label,
        LEFT,
        y,
        BAR,
        LEFT,
        y,
        f"{width:.1f}",
        FILL[bucket.state],
        LEFT + BAR + 10,
        y + 15,
        text,
        bucket.percent,
    )


def class_size_svg(buckets: list[Bucket], k: int, *, element_id: str = "class-sizes") -> SafeString:
    """A horizontal bar chart of the share of records in each class-size bucket."""
    height = TOP + len(buckets) * ROW + 30
    records_word, classes_word = gettext("records"), gettext("classes")
    bars = format_html_join(
        "", "{}", ((_bar(i, b, records_word, classes_word),) for i, b in enumerate(buckets))
    )
    title = gettext("Share of records by the size of their equivalence class")
    desc = gettext(
        "Red: classes smaller than k = %(k)s; yellow: buckets partly below k; blue: at least k."
    ) % {"k": k}
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-t {id}-d" class="gy-chart" '
        "font-family=\"'Pretendard GOV', NanumGothic, 'Noto Sans CJK KR', sans-serif\">"
        '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>'
        '<text x="0" y="18" font-size="13" font-weight="bold" fill="#1e2124">{axis}</text>'
        '<text x="{left}" y="18" font-size="13" font-weight="bold" fill="#1e2124">{title}</text>'
        "{bars}"
        '<text x="0" y="{legend_y}" font-size="12" fill="#464c53">{desc}</text></svg>',
        w=LEFT + BAR + 300,
        h=height,
        id=element_id,
        title=title,
        desc=desc,
        axis=gettext("Class size"),
        left=LEFT,
        bars=bars,
        legend_y=height - 8,
    )


def chart(run: Run, element_id: str = "class-sizes") -> dict[str, Any] | None:
    buckets = class_sizes(run)
    if buckets is None:
        return None
    k = int(run.risk.get("k") or run.policy.k)
    return {"buckets": buckets, "svg": class_size_svg(buckets, k, element_id=element_id), "k": k}


# ---- the report -------------------------------------------------------------------------------


def both_languages(text: Promise) -> dict[str, str]:
    with translation.override("ko"):
        korean = str(text)
    with translation.override("en"):
        english = str(text)
    return {"ko": korean, "en": english}


def review_of(run: Run) -> AdequacyReview | None:
    try:
        return run.review
    except AdequacyReview.DoesNotExist:
        return None


def checklist_rows(review: AdequacyReview | None) -> list[dict[str, Any]]:
    ticks = review.checklist if review else {}
    return [
        {
            "code": code,
            "label": label,
            "ok": (ticks.get(code) or {}).get("ok") if review else None,
            "note": (ticks.get(code) or {}).get("note", ""),
        }
        for code, label in CHECKLIST
    ]


def report_context(run: Run) -> dict[str, Any]:
    policy = run.policy
    parsed, error = results.parsed_policy(policy)
    review = review_of(run)
    return {
        "run": run,
        "policy": policy,
        "dataset": policy.dataset,
        "parsed": parsed,
        "policy_error": error,
        "policy_rows": results.policy_rows(policy, parsed) if parsed else [],
        "environment": ENVIRONMENTS.get(policy.environment, (policy.environment, ""))[0],
        "results": results.results(run),
        "chart": chart(run, "report-class-sizes") if run.status == Run.Status.SUCCEEDED else None,
        "review": review,
        "checklist": checklist_rows(review),
        "headings": {key: both_languages(text) for key, text in HEADINGS.items()},
        "generated_at": timezone.now(),
    }


def render_report(request: HttpRequest, run: Run, *, pdf: bool) -> str:
    """The report's HTML in Korean, whatever language the user reads the portal in."""
    with translation.override("ko"):
        context = report_context(run) | {"pdf": pdf}
        return render_to_string("processing/report.html", context, request=request)


def render_pdf(html: str) -> bytes:
    """An A4 PDF of the report; the stylesheet is passed in and no URL is fetched."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    stylesheet = CSS(string=REPORT_CSS.read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet])
    return pdf
