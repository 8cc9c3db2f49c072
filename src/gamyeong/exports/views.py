"""Export review pages: the researcher's requests and the reviewers' queue; a request's page
with its files and automatic checks, the pre-check before submission, the (blinded) reviews,
comments, the committee form and the release package's download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamyeong.exports import services
from gamyeong.exports.models import Comment, ExportRequest, Review
from gamyeong.exports.workflow import State
from gamyeong.web.bilingual import message
from gamyeong.workspace import files as workspace_files
from gamyeong.workspace.bookings import workspaces_of


def _say(request: HttpRequest, exc: services.ExportError) -> None:
    messages.error(request, message(exc.korean, exc.english))


def _get(request: HttpRequest, reference: str) -> ExportRequest:
    found: ExportRequest | None = (
        services.visible_to(request.user).filter(reference=reference).first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        workspace = workspaces_of(user).filter(code=request.POST.get("workspace", "")).first()
        if workspace is None:
            raise Http404
        try:
            made = services.create(user, workspace, kind=request.POST.get("kind", ""))
        except services.ExportError as exc:
            _say(request, exc)
            return redirect("exports:home")
        return redirect("exports:detail", made.reference)
    visible = list(services.visible_to(user))
    mine = [r for r in visible if r.researcher_id == user.pk]
    queue = [
        r
        for r in visible
        if (r.state == State.REVIEW and services.may_review(user, r))
        or (r.state == State.COMMITTEE and services.may_decide_committee(user, r))
    ]
    return render(
        request,
        "exports/home.html",
        {
            "mine": mine,
            "queue": queue,
            "workspaces": workspaces_of(user),
            "kinds": ExportRequest.Kind.choices,
        },
    )


def _context(request: HttpRequest, export: ExportRequest) -> dict[str, Any]:
    user = request.user
    editable = export.researcher_id == user.pk and export.state in (State.DRAFT, State.CHANGES)
    my_review = export.reviews.filter(round=export.round, reviewer_id=user.pk).first()
    return {
        "export": export,
        "files": list(export.files.all()),
        "editable": editable,
        "outputs": workspace_files.outputs(export.workspace) if editable else [],
        "chosen": set(export.files.values_list("name", flat=True)),
        "precheck": services.precheck(export) if editable else {},
        "reviews": services.reviews_visible(user, export),
        "comments": services.comments_visible(user, export),
        "can_review": export.state == State.REVIEW
        and services.may_review(user, export)
        and my_review is None,
        "can_committee": export.state == State.COMMITTEE
        and services.may_decide_committee(user, export),
        "is_researcher": export.researcher_id == user.pk,
        "is_staff_party": services.may_review(user, export)
        or services.may_decide_committee(user, export),
        "votes": Review.Vote.choices,
        "visibilities": Comment.Visibility.choices,
        "decisions": [
            ("approve", _("Approve the export")),
            ("reject", _("Reject the export")),
            ("changes", _("Process further and apply again")),
        ],
        "committee": export.committee_decisions.all(),
    }


@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    export = _get(request, reference)
    return render(request, "exports/detail.html", _context(request, export))


@require_POST
def act(request: HttpRequest, reference: str, what: str) -> HttpResponse:
    export = _get(request, reference)
    user, post = request.user, request.POST
    try:
        if what == "save":
            services.update(
                user,
                export,
                context=post.get("context", ""),
                controls=post.get("controls", ""),
                names=post.getlist("file"),
            )
            messages.success(request, _("Saved."))
        elif what == "submit":
            services.submit(user, export, version=int(post.get("version", "-1") or -1))
            messages.success(request, _("Submitted to the reviewers."))
        elif what == "withdraw":
            services.withdraw(user, export)
        elif what == "review":
            votes = {f.pk: post.get(f"vote-{f.pk}", "") for f in export.files.all()}
            services.review(user, export, version=export.version, votes=votes)
            for f in export.files.all():
                text = post.get(f"comment-{f.pk}", "").strip()
                if text:
                    services.comment(
                        user,
                        export,
                        text=text,
                        visibility=post.get(f"visibility-{f.pk}", Comment.Visibility.REVIEWERS),
                        file_id=f.pk,
                    )
            messages.success(request, _("Your review is recorded."))
        elif what == "comment":
            services.comment(
                user,
                export,
                text=post.get("text", ""),
                visibility=post.get("visibility", Comment.Visibility.RESEARCHER),
            )
        elif what == "committee":
            members = []
            for i in range(1, 6):
                name = post.get(f"member-{i}-name", "").strip()
                if name:
                    members.append(
                        {
                            "name": name,
                            "affiliation": post.get(f"member-{i}-affiliation", "").strip(),
                            "external": post.get(f"member-{i}-external") == "on",
                            "vote": post.get(f"member-{i}-vote", ""),
                        }
                    )
            services.committee(
                user,
                export,
                members=members,
                minutes=post.get("minutes", ""),
                decision=post.get("decision", ""),
                reason=post.get("reason", ""),
            )
        else:
            raise Http404
    except services.ExportError as exc:
        _say(request, exc)
    return redirect("exports:detail", reference)


@require_GET
def download(request: HttpRequest, reference: str) -> HttpResponseBase:
    export = _get(request, reference)
    try:
        path = services.download(request.user, export)
    except services.ExportError:
        raise Http404 from None
    except PermissionDenied:
        raise Http404 from None
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
