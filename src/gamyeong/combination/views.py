"""Combination pages: the list of the user's organisation's combinations, a combination's page
with its stage timeline, the steps a party asks for (POST) and the status fragment htmx polls.

A combination is visible only to its parties (anyone else gets 404); a step only to the party
that does it, with the step's permission (403 otherwise). Every state change goes through
:mod:`gamyeong.combination.services`; no view serves a data file.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gamyeong.combination import access, pages, services
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.example import create_example
from gamyeong.combination.forms import STEP_FORMS
from gamyeong.combination.models import Combination, Step
from gamyeong.combination.timeline import Timeline
from gamyeong.web.bilingual import message

VIEW = "combination.view_combination"


def get_visible(request: HttpRequest, slug: str) -> Combination:
    """The combination if the user's organisation is one of its parties, else 404 (its
    existence is not disclosed to anyone else)."""
    combination = access.visible_to(request.user).filter(slug=slug).first()
    if combination is None:
        raise Http404
    return combination


@permission_required(VIEW, raise_exception=True)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    rows = [
        {"combination": c, "parties": sorted(access.parties_of(request.user, c))}
        for c in access.visible_to(request.user)
    ]
    return render(request, "combination/home.html", {"rows": rows})


@permission_required("combination.add_combination", raise_exception=True)
@require_POST
def example(request: HttpRequest) -> HttpResponse:
    try:
        combination = create_example(request.user)
    except CombinationError as exc:
        messages.error(request, message(exc.korean, exc.english))
        return redirect("combination:home")
    messages.success(
        request, _("The example combination %(id)s was registered.") % {"id": combination.slug}
    )
    return redirect("combination:detail", combination.slug)


@permission_required(VIEW, raise_exception=True)
@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    combination = get_visible(request, slug)
    return render(request, "combination/detail.html", pages.context(combination, request.user))


def _params(request: HttpRequest, code: str) -> dict[str, Any] | None:
    form_class = STEP_FORMS.get(code)
    if form_class is None:
        return {}
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return None
    return form.params()


@permission_required(VIEW, raise_exception=True)
@require_POST
def step(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    combination = get_visible(request, slug)
    if code not in Step.Code.values or not access.may_do(request.user, combination, code):
        raise PermissionDenied
    params = _params(request, code)
    if params is not None:
        try:
            services.request_step(combination, code, user=request.user, params=params)
        except CombinationError as exc:
            messages.error(request, message(exc.korean, exc.english))
        else:
            label = Step.Code(code).label
            messages.success(request, _("Asked for: %(step)s.") % {"step": label})
    return redirect("combination:detail", combination.slug)


@permission_required(VIEW, raise_exception=True)
@require_GET
def status(request: HttpRequest, slug: str) -> HttpResponse:
    """The progress fragment htmx polls while a step is in progress; once none is, the page
    reloads itself (HX-Refresh) to show the results."""
    combination = get_visible(request, slug)
    timeline = Timeline(combination, request.user)
    response = render(
        request,
        "combination/includes/progress.html",
        {"combination": combination, "pending": timeline.pending},
    )
    if not timeline.pending and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response
