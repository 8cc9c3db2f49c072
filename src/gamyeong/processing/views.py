"""Pseudonymization pages for provider staff: policies, runs, adequacy reviews and the report.

Every state change goes through :mod:`gamyeong.processing.services`; these views check the
permission, show the result and never serve a data file (only aggregates and hashes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamyeong.catalog.models import Dataset
from gamyeong.engine.errors import EngineError
from gamyeong.engine.techniques import COLUMN_TECHNIQUES, RECORD_TECHNIQUES
from gamyeong.governance import audit
from gamyeong.processing import access, report, results, services
from gamyeong.processing.forms import PolicyForm, ReviewForm
from gamyeong.processing.models import Policy, Run
from gamyeong.web.bilingual import message

EXAMPLES_DIRS = (
    Path(settings.PROJECT_DIR) / "examples" / "policies",
    Path(__file__).resolve().parents[3] / "examples" / "policies",
)
RECENT_RUNS = 3
LINE_RE = re.compile(r"\bline (\d+)\b")


# ---- home ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetRow:
    dataset: Dataset
    policy: Policy | None
    runs: list[Run]


def latest_policy(dataset: Dataset) -> Policy | None:
    return Policy.objects.filter(dataset=dataset).order_by("-version").first()


def dataset_rows(user: Any) -> list[DatasetRow]:
    """The user's organisation's datasets (:mod:`gamyeong.processing.access`)."""
    rows = []
    datasets = access.datasets_of(user).select_related("provider")
    for dataset in datasets.order_by("provider__name", "name"):
        runs = Run.objects.filter(policy__dataset=dataset).select_related("policy", "review")
        rows.append(DatasetRow(dataset, latest_policy(dataset), list(runs[:RECENT_RUNS])))
    return rows


@permission_required("processing.view_run", raise_exception=True)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "processing/home.html", {"rows": dataset_rows(request.user)})


# ---- policy editor ------------------------------------------------------------------------------


def example_policy(dataset: Dataset) -> str:
    for directory in EXAMPLES_DIRS:
        path = directory / f"{dataset.name}.yaml"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def error_excerpt(text: str, message: str, context: int = 2) -> list[tuple[int, str, bool]]:
    """The lines around the one an engine error names: (number, text, is the error line)."""
    match = LINE_RE.search(message)
    lines = text.splitlines()
    if not match or not lines:
        return []
    line = int(match.group(1))
    first, last = max(1, line - context), min(len(lines), line + context)
    return [(n, lines[n - 1], n == line) for n in range(first, last + 1)]


def technique_rows() -> list[dict[str, Any]]:
    """The techniques a policy may name, for the help panel."""
    techniques: list[Any] = [*COLUMN_TECHNIQUES.values(), *RECORD_TECHNIQUES.values()]
    return [
        {
            "name": t.name,
            "family": t.family,
            "label_ko": t.label_ko,
            "label_en": t.label_en,
            "records": t.name in RECORD_TECHNIQUES,
            "params": t.params,
        }
        for t in techniques
    ]


def _editor(
    request: HttpRequest, dataset: Dataset, form: PolicyForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "dataset": dataset,
        "form": form,
        "latest": latest_policy(dataset),
        "techniques": technique_rows(),
        "items": dataset.items.order_by("position"),
        "max_kb": 256,
        "excerpt": [],
    }
    return render(request, "processing/policy_form.html", context | extra, status=status)


def _save_policy(request: HttpRequest, dataset: Dataset) -> HttpResponse:
    form = PolicyForm(request.POST, request.FILES)
    text = request.POST.get("yaml", "")
    excerpt: list[tuple[int, str, bool]] = []
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            policy = services.create_policy(
                dataset, text, title=form.cleaned_data["title"], user=request.user
            )
        except EngineError as exc:
            form.add_error(form.cleaned_data["source_field"], message(exc.korean, exc.english))
            excerpt = error_excerpt(text, exc.english)
        else:
            messages.success(request, _("Policy version %(v)s saved.") % {"v": policy.version})
            return redirect("processing:policy", policy.pk)
    return _editor(request, dataset, form, yaml_text=text, excerpt=excerpt, status=400)


@permission_required("processing.add_policy", raise_exception=True)
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest, name: str) -> HttpResponse:
    dataset = get_object_or_404(access.datasets_of(request.user), name=name)
    if request.method == "POST":
        return _save_policy(request, dataset)
    latest = latest_policy(dataset)
    text = latest.yaml if latest else example_policy(dataset)
    title = latest.title if latest else ""
    application = _application_for(request, dataset)
    if application is not None:  # start from the items approved for this application
        from gamyeong.applications.links import policy_from_items

        text, title = policy_from_items(application, dataset), application.title
    form = PolicyForm(initial={"title": title})
    return _editor(request, dataset, form, yaml_text=text)


def _application_for(request: HttpRequest, dataset: Dataset) -> Any:
    """The application named by ``?application=`` if the user is its provider for ``dataset``."""
    reference = request.GET.get("application", "")
    if not reference:
        return None
    from gamyeong.applications import access
    from gamyeong.applications.workflows import Party

    application = access.visible_to(request.user).filter(reference=reference).first()
    if application is None or Party.PROVIDER not in access.parties_of(request.user, application):
        return None
    if dataset.provider_id != getattr(request.user, "organisation_id", None):
        return None
    return application


# ---- policy page --------------------------------------------------------------------------------


@permission_required("processing.view_policy", raise_exception=True)
@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policies = access.policies_of(request.user).select_related("dataset", "created_by")
    policy = get_object_or_404(policies, pk=pk)
    parsed, error = results.parsed_policy(policy)
    context = {
        "policy": policy,
        "dataset": policy.dataset,
        "parsed": parsed,
        "policy_error": message(error.korean, error.english) if error else "",
        "rows": results.policy_rows(policy, parsed) if parsed else [],
        "versions": Policy.objects.filter(dataset=policy.dataset).select_related("created_by"),
        "runs": policy.runs.select_related("requested_by", "review"),
    }
    return render(request, "processing/policy.html", context)


@permission_required("processing.run_pseudonymization", raise_exception=True)
@require_POST
def policy_run(request: HttpRequest, pk: int) -> HttpResponse:
    # only the dataset's own provider runs it (a reviewer who may see the policy may not)
    own = Policy.objects.filter(dataset__in=access.datasets_of(request.user))
    policy = get_object_or_404(own.select_related("dataset"), pk=pk)
    try:
        run = services.request_run(policy, user=request.user)
    except services.ProcessingError as exc:
        messages.error(request, message(exc.korean, exc.english))
        return redirect("processing:policy", policy.pk)
    messages.success(request, _("Run #%(id)s was queued.") % {"id": run.pk})
    return redirect("processing:run", run.pk)


# ---- run page and adequacy review ---------------------------------------------------------------


def get_run(user: Any, pk: int) -> Run:
    """A run of ``user``'s organisation's datasets (404 otherwise)."""
    runs = access.runs_of(user).select_related("policy__dataset__provider", "requested_by")
    return get_object_or_404(runs, pk=pk)


def review_blocker(user: Any, run: Run) -> Promise | None:
    """Why the review form is not offered to ``user``, or None when it is."""
    if run.status != Run.Status.SUCCEEDED:
        return _("A run can be reviewed once it has succeeded.")
    if not user.has_perm("processing.review_adequacy"):
        return _("You do not have the permission to review adequacy.")
    if run.requested_by_id == user.pk:
        return _(
            "You ran this pseudonymization, so another person must review its adequacy: "
            "the roles of pseudonymizer and reviewer are kept apart."
        )
    return None


def status_context(run: Run) -> dict[str, Any]:
    return {
        "run": run,
        "percent": round(run.progress * 100),
        "stage": results.stage_label(run),
    }


def _run_page(request: HttpRequest, run: Run, form: ReviewForm, status: int = 200) -> HttpResponse:
    review = report.review_of(run)
    succeeded = run.status == Run.Status.SUCCEEDED
    context = status_context(run) | {
        "policy": run.policy,
        "dataset": run.policy.dataset,
        "results": results.results(run),
        "chart": report.chart(run) if succeeded else None,
        "review": review,
        "checklist": report.checklist_rows(review),
        "form": form,
        "blocker": None if review else review_blocker(request.user, run),
        "can_run": request.user.has_perm("processing.run_pseudonymization"),
    }
    return render(request, "processing/run.html", context, status=status)


def _review(request: HttpRequest, run: Run) -> HttpResponse:
    form = ReviewForm(request.POST, run=run)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_adequacy(
                run,
                reviewer=request.user,
                decision=data["decision"],
                reason=data["reason"],
                required_action=data["required_action"],
                checklist=form.checklist(),
            )
        except services.ProcessingError as exc:
            form.add_error(None, message(exc.korean, exc.english))
        else:
            messages.success(request, _("The adequacy review was recorded."))
            return redirect("processing:run", run.pk)
    return _run_page(request, run, form, status=400)


@permission_required("processing.view_run", raise_exception=True)
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run(request.user, pk)
    if request.method == "POST":
        if not request.user.has_perm("processing.review_adequacy"):
            raise PermissionDenied
        return _review(request, run)
    return _run_page(request, run, ReviewForm(run=run))


@permission_required("processing.view_run", raise_exception=True)
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment htmx polls; once the run is finished it has no trigger left, and the
    page reloads itself (HX-Refresh) to show the results."""
    run = get_run(request.user, pk)
    response = render(request, "processing/includes/run_status.html", status_context(run))
    if run.finished and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


# ---- the adequacy-review report ------------------------------------------------------------------


def _audit_report(request: HttpRequest, run: Run, kind: str) -> None:
    audit.record(
        "processing.report_viewed",
        request=request,
        target=run,
        summary=f"{run} ({kind})",
        detail={"format": kind},
    )


@permission_required("processing.view_run", raise_exception=True)
@require_GET
def report_html(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run(request.user, pk)
    html = report.render_report(request, run, pdf=False)
    _audit_report(request, run, "html")
    return HttpResponse(html)


@permission_required("processing.view_run", raise_exception=True)
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run(request.user, pk)
    pdf = report.render_pdf(report.render_report(request, run, pdf=True))
    _audit_report(request, run, "pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="adequacy-review-run-{run.pk}.pdf"'
    return response
