"""Application pages: the list and work queue, a new application, an application's page (its
status, who owns the next step and by when, the applicant's sections, the documents, the
decisions of each party, the history and comments) and the inbox.

Every change goes through :mod:`gamyeong.applications.services`; an application is visible only
to its parties (anyone else gets 404). Documents are served only to them, as attachments.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamyeong.accounts.models import Organisation
from gamyeong.applications import access, guards, services
from gamyeong.applications.models import Application, Document, Notification, PurposeCategory
from gamyeong.applications.workflows import WORKFLOWS, Party, State
from gamyeong.catalog.models import Dataset
from gamyeong.combination.errors import CombinationError
from gamyeong.governance import audit
from gamyeong.processing.models import Run
from gamyeong.web.bilingual import message

FORM_GUARDS = frozenset({"items_decided", "run_fits"})  # decided by the form's own inputs


def get_visible(request: HttpRequest, reference: str) -> Application:
    application = access.visible_to(request.user).filter(reference=reference).first()
    if application is None or not access.can_view(request.user, application):
        raise Http404
    return application


def _error(request: HttpRequest, exc: services.WorkflowError | CombinationError) -> None:
    messages.error(request, message(exc.korean, exc.english))
    for korean, english in getattr(exc, "problems", []):
        messages.warning(request, message(korean, english))


# -- list, queue, new ------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    visible = list(access.visible_to(request.user))
    own = [a for a in visible if access.is_own(request.user, a)]
    state = request.GET.get("state", "")
    workflow = request.GET.get("workflow", "")
    overdue = request.GET.get("overdue") == "1"
    now = timezone.now()
    queue = []
    for application in visible:
        if application in own or application.ended:
            continue
        if application.owner not in access.parties_of(request.user, application):
            continue
        if state and application.state != state:
            continue
        if workflow and application.workflow != workflow:
            continue
        if overdue and not (application.due_at and application.due_at < now):
            continue
        queue.append(application)
    queue.sort(key=lambda a: (a.due_at is None, a.due_at or now))
    others = [a for a in visible if a not in own and a not in queue]
    context = {
        "own": own,
        "queue": queue,
        "others": others,
        "now": now,
        "states": State.choices,
        "workflows": Application.Kind.choices,
        "filters": {"state": state, "workflow": workflow, "overdue": overdue},
        "can_apply": request.user.has_perm("applications.apply"),
    }
    return render(request, "applications/home.html", context)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("applications.apply"):
        raise PermissionDenied("applications.apply")
    if request.method == "POST":
        try:
            application = services.create(
                request.user,
                workflow=request.POST.get("workflow", ""),
                title=request.POST.get("title", ""),
            )
        except services.WorkflowError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, _("Application %(ref)s created.") % {"ref": application.reference}
            )
            return redirect("applications:detail", application.reference)
    return render(request, "applications/new.html", {"workflows": WORKFLOWS.values()})


# -- the application's page -----------------------------------------------------------------------


def _item_rows(application: Application, user: Any) -> list[dict[str, Any]]:
    chosen = {row.item_id: row for row in application.items.all()}
    datasets = Dataset.objects.filter(published=True).select_related("provider")
    editable = application.author_id == user.pk and application.state in services.EDITABLE
    if not editable:
        datasets = datasets.filter(pk__in={row.item.dataset_id for row in chosen.values()})
    rows = []
    for dataset in datasets.prefetch_related("items"):
        items = [
            {"item": item, "row": chosen.get(item.pk)}
            for item in dataset.items.all()
            if editable or item.pk in chosen
        ]
        rows.append({"dataset": dataset, "items": items})
    return rows


def _context(request: HttpRequest, application: Application) -> dict[str, Any]:
    user = request.user
    parties = access.parties_of(user, application)
    actions = access.manual_actions(user, application)
    own_org = getattr(user, "organisation_id", None)
    decided = set(
        application.provider_decisions.filter(version=application.version).values_list(
            "organisation_id", flat=True
        )
    )
    runs = []
    if Party.PROVIDER in parties and application.state == State.PSEUDONYMIZATION:
        runs = list(
            Run.objects.filter(
                policy__dataset__provider_id=own_org,
                policy__dataset__in=application.items.filter(approved=True).values("item__dataset"),
                status=Run.Status.SUCCEEDED,
            ).select_related("policy__dataset")
        )
    problems = {  # what is missing now; the checks of what the form itself sends wait for it
        action.code: guards.problems(action.guard, application, user)
        for action in actions
        if action.guard not in FORM_GUARDS
    }
    return {
        "application": application,
        "flow": application.flow,
        "parties": sorted(parties),
        "is_author": application.author_id == user.pk,
        "editable": application.author_id == user.pk and application.state in services.EDITABLE,
        "actions": actions,
        "problems": {code: [message(k, e) for k, e in found] for code, found in problems.items()},
        "items": _item_rows(application, user),
        "own_items": application.items.filter(item__dataset__provider_id=own_org)
        if Party.PROVIDER in parties
        else [],
        "documents": application.documents.select_related("organisation", "uploaded_by"),
        "document_kinds": Document.Kind.choices,
        "comments": application.comments.select_related("author"),
        "transitions": application.transitions.select_related("actor"),
        "co_researchers": application.co_researchers.select_related("user"),
        "purposes": PurposeCategory.choices,
        "agencies": Organisation.objects.filter(kind=Organisation.Kind.COMBINATION_AGENCY),
        "waiting_providers": [
            org
            for org in Organisation.objects.filter(pk__in=access.provider_ids(application))
            if org.pk not in decided
        ],
        "own_decided": own_org in decided,
        "runs": runs,
        "chosen_runs": list(application.runs.select_related("policy__dataset", "review")),
        "workspace": getattr(application, "workspace", None),
        "divisions": access.divisions(application),
        "now": timezone.now(),
        "can_register": Party.AGENCY in parties
        and application.state == State.COMBINATION_REVIEW
        and application.combination_id is None,
        "provider_datasets": Dataset.objects.filter(
            provider_id=own_org,
            pk__in=application.items.filter(approved=True).values("item__dataset"),
        )
        if Party.PROVIDER in parties
        else [],
    }


@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    return render(request, "applications/detail.html", _context(request, application))


def _date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise services.WorkflowError(
            f"날짜 형식이 아닙니다: {value} (YYYY-MM-DD)", f"not a date: {value} (YYYY-MM-DD)"
        ) from None


def _back(reference: str, anchor: str = "") -> HttpResponse:
    response = redirect("applications:detail", reference)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
def edit(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    post = request.POST
    try:
        values: dict[str, Any] = {
            "title": post.get("title", application.title),
            "purpose_category": post.get("purpose_category", application.purpose_category),
            "purpose": post.get("purpose", application.purpose),
            "analysis_plan": post.get("analysis_plan", application.analysis_plan),
            "preconsult_notes": post.get("preconsult_notes", application.preconsult_notes),
            "period_start": _date(post.get("period_start", "")),
            "period_end": _date(post.get("period_end", "")),
        }
        if values["purpose_category"] and values["purpose_category"] not in PurposeCategory.values:
            raise services.WorkflowError("이용 목적 구분이 잘못되었습니다", "unknown purpose")
        if application.workflow == Application.Kind.COMBINATION and post.get("agency"):
            values["agency"] = Organisation.objects.filter(
                pk=int(post["agency"]) if post["agency"].isdigit() else 0,
                kind=Organisation.Kind.COMBINATION_AGENCY,
            ).first()
        services.update(request.user, application, **values)
        if post.get("pledge") == "on":
            services.accept_pledge(request.user, application)
    except services.WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return _back(reference, "basics")


@require_POST
def items(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    chosen = [int(v) for v in request.POST.getlist("item") if v.isdigit()]
    notes = {
        int(key.split("-", 1)[1]): str(value)
        for key, value in request.POST.items()
        if key.startswith("why-") and key.split("-", 1)[1].isdigit()
    }
    try:
        services.set_items(request.user, application, chosen, notes)
    except services.WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            ngettext("%(n)s item selected.", "%(n)s items selected.", len(chosen))
            % {"n": len(chosen)},
        )
    return _back(reference, "items")


@require_POST
def co_researchers(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    try:
        if request.POST.get("remove"):
            services.remove_co_researcher(request.user, application, request.POST["remove"])
        else:
            services.add_co_researcher(request.user, application, request.POST.get("username", ""))
    except services.WorkflowError as exc:
        _error(request, exc)
    return _back(reference, "co-researchers")


@require_POST
def upload(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file to upload."))
        return _back(reference, "documents")
    try:
        services.upload(
            request.user,
            application,
            kind=request.POST.get("kind", ""),
            name=uploaded.name or "",
            stream=uploaded,
        )
    except services.WorkflowError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Document uploaded."))
    return _back(reference, "documents")


@require_GET
def document(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    application = get_visible(request, reference)
    response: HttpResponseBase = services.document_response(
        request.user, application, pk, via="page"
    )
    return response


@require_POST
def comment(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_visible(request, reference)
    try:
        services.comment(request.user, application, request.POST.get("text", ""))
    except services.WorkflowError as exc:
        _error(request, exc)
    return _back(reference, "comments")


@require_POST
def act(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    application = get_visible(request, reference)
    post = request.POST
    version = post.get("version", "")
    if not version.isdigit():
        messages.error(request, _("The form is out of date; reload the page."))
        return _back(reference)
    try:
        outcome = services.take(
            request.user,
            application,
            code,
            version=int(version),
            reason=post.get("reason", ""),
            missing=[line for line in post.get("missing", "").splitlines() if line.strip()],
            approved_items=[int(v) for v in post.getlist("approved") if v.isdigit()]
            if code == "approve_items"
            else None,
            runs=[int(v) for v in post.getlist("run") if v.isdigit()]
            if code == "submit_run"
            else None,
        )
    except services.ConflictError as exc:
        messages.warning(request, message(exc.korean, exc.english))
    except services.WorkflowError as exc:
        _error(request, exc)
    else:
        if outcome.duplicate:
            messages.info(request, _("This decision was already recorded."))
        elif outcome.waiting_for:
            messages.success(
                request,
                _("Your organisation's decision is recorded; waiting for: %(orgs)s")
                % {"orgs": ", ".join(outcome.waiting_for)},
            )
        else:
            messages.success(
                request,
                _("Done: the application is now at “%(state)s”.")
                % {"state": outcome.application.get_state_display()},
            )
    return _back(reference)


@require_POST
def register_combination(request: HttpRequest, reference: str) -> HttpResponse:
    from gamyeong.applications import links

    application = get_visible(request, reference)
    if Party.AGENCY not in access.parties_of(request.user, application):
        raise PermissionDenied("only the combination agency registers the combination")
    if application.state != State.COMBINATION_REVIEW:
        messages.error(request, _("The combination is registered during the agency's review."))
        return _back(reference)
    try:
        combination = links.register_combination(application, request.user)
    except CombinationError as exc:
        _error(request, exc)
    else:
        audit.record(
            "applications.combination_registered",
            request=request,
            target=application,
            summary=f"{application.reference} → {combination.slug}",
        )
        messages.success(request, _("Combination %(id)s registered.") % {"id": combination.slug})
    return _back(reference)


# -- inbox ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk).select_related("application")
    if request.method == "POST":
        chosen = mine.filter(read_at__isnull=True)
        if request.POST.get("id", "").isdigit():
            chosen = chosen.filter(pk=int(request.POST["id"]))
        chosen.update(read_at=timezone.now())
        return redirect("applications:inbox")
    return render(
        request,
        "applications/inbox.html",
        {"notifications": mine[:200], "unread": mine.filter(Q(read_at__isnull=True)).count()},
    )
