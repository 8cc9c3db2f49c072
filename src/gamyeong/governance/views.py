from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gamyeong.governance.models import AuditEvent, CaseRegisterEntry
from gamyeong.web.middleware import public


@public
def cases(request: HttpRequest) -> HttpResponse:
    entries = CaseRegisterEntry.objects.all()
    return render(request, "governance/cases.html", {"entries": entries})


@permission_required("governance.view_auditevent", raise_exception=True)
def audit_trail(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.order_by("-seq")[:200]
    return render(request, "governance/audit.html", {"events": events})
