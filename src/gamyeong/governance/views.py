"""Safe management pages: the public case register and the audit trail with its verification."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from gamyeong.governance import audit
from gamyeong.governance.actions import ACTIONS
from gamyeong.governance.models import AuditEvent, CaseRegisterEntry
from gamyeong.web.middleware import public

AUDIT_PAGE_SIZE = 50
VERIFY_RESULT_KEY = "gamyeong.audit.verify_result"

# ---- case register --------------------------------------------------------------------------


@dataclass(frozen=True)
class YearGroup:
    year: int
    entries: list[CaseRegisterEntry]

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Register:
    kind: str
    title: Promise
    years: list[YearGroup]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.years)


def case_register(kind: str, title: Promise) -> Register:
    """One register (provision or combination) with its entries grouped by year."""
    entries = CaseRegisterEntry.objects.filter(kind=kind).order_by("year", "number")
    years = [
        YearGroup(year, list(group)) for year, group in groupby(entries, key=attrgetter("year"))
    ]
    return Register(kind, title, years)


@public
def cases(request: HttpRequest) -> HttpResponse:
    Kind = CaseRegisterEntry.Kind
    registers = [
        case_register(Kind.PROVISION, _("Pseudonymized-data provision cases")),
        case_register(Kind.COMBINATION, _("Pseudonymized-data combination cases")),
    ]
    return render(request, "governance/cases.html", {"registers": registers})


# ---- audit trail ----------------------------------------------------------------------------


def _action_choices() -> list[tuple[str, Any]]:
    return [("", _("All actions"))] + [
        (code, f"{code} · {description}") for code, description in ACTIONS.items()
    ]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    actor = forms.CharField(label=_("Actor (user ID)"), required=False, max_length=150)


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent

    @property
    def description(self) -> Promise | str:
        return ACTIONS.get(self.event.action, "")

    @property
    def roles(self) -> list[str]:
        return [role for role in self.event.actor_roles.split(",") if role]


def filter_events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-seq")
    if not form.is_bound:
        return events
    form.is_valid()  # fills cleaned_data with the fields that are valid
    if action := form.cleaned_data.get("action"):
        events = events.filter(action=action)
    if actor := (form.cleaned_data.get("actor") or "").strip():
        events = events.filter(actor__icontains=actor)
    return events


def _query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string ending in "&", for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return f"{query}&" if query else ""


def _events_page(request: HttpRequest, form: AuditFilterForm) -> Page[AuditEvent]:
    paginator = Paginator(filter_events(form), AUDIT_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _audit_page(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = _events_page(request, form)
    context = {
        "form": form,
        "filtered": bool(request.GET.get("action") or request.GET.get("actor")),
        "page": page,
        "rows": [EventRow(event) for event in page.object_list],
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": _query_without_page(request),
        "verify_result": request.session.pop(VERIFY_RESULT_KEY, None),
    }
    return render(request, "governance/audit.html", context)


def _verify(request: HttpRequest) -> HttpResponse:
    """Walk the hash chain, record that it was checked, and show the result once."""
    report = audit.verify_chain()
    problem = report.problem
    result: dict[str, Any] = {
        "ok": report.ok,
        "events_checked": report.events_checked,
        "head_seq": report.head_seq,
    }
    if problem is not None:
        result.update(
            kind=problem.kind,
            seq=problem.seq,
            message_ko=problem.message_ko,
            message_en=problem.message_en,
        )
    summary = "ok" if problem is None else problem.message_en
    audit.record("audit.verified", request=request, summary=summary, detail=result)
    request.session[VERIFY_RESULT_KEY] = result
    return redirect("governance:audit")


@permission_required("governance.view_auditevent", raise_exception=True)
@require_http_methods(["GET", "POST"])
def audit_trail(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _verify(request)
    return _audit_page(request)
