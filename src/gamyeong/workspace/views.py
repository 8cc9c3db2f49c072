"""The closed analysis environment, as the public sees it: the rooms and their rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamyeong.governance import audit
from gamyeong.web.bilingual import message
from gamyeong.web.middleware import public
from gamyeong.workspace import bookings, files, jobs
from gamyeong.workspace.models import AnalysisJob, AnalysisRoom, Booking, Workspace
from gamyeong.workspace.record import processing_record


@public
def rooms(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/rooms.html", {"rooms": list(AnalysisRoom.objects.all())})


# -- seat bookings -------------------------------------------------------------------------------


def _monday(value: str) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The week's seats (rooms × seats × working days × half-days) and the booking form."""
    user = request.user
    mine = bookings.workspaces_of(user)
    if request.method == "POST":
        return _book(request, mine)
    monday = _monday(request.GET.get("week", ""))
    days = [monday + timedelta(days=i) for i in range(5)]
    operator = user.has_perm("workspace.operate_room")
    taken = {
        (b.seat_id, b.date, b.half): b
        for b in Booking.objects.filter(date__in=days, status=Booking.Status.BOOKED).select_related(
            "researcher", "workspace"
        )
    }
    rooms = []
    for room in AnalysisRoom.objects.prefetch_related("seat_set"):
        rows = []
        for seat in room.seat_set.all():
            cells = []
            for day in days:
                for half in (Booking.Half.AM, Booking.Half.PM):
                    booking = taken.get((seat.pk, day, half))
                    cells.append(
                        {
                            "booking": booking,
                            "mine": booking is not None and booking.researcher_id == user.pk,
                            "who": str(booking.researcher) if booking and operator else "",
                        }
                    )
            rows.append({"seat": seat, "cells": cells})
        rooms.append({"room": room, "rows": rows})
    context = {
        "days": days,
        "rooms": rooms,
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "workspaces": mine,
        "all_rooms": AnalysisRoom.objects.all(),
        "my_bookings": Booking.objects.filter(
            researcher_id=user.pk, status=Booking.Status.BOOKED, date__gte=timezone.localdate()
        ).select_related("seat__room", "workspace"),
        "can_book": user.has_perm("workspace.book_seat"),
        "operator": operator,
    }
    return render(request, "workspace/calendar.html", context)


def _book(request: HttpRequest, mine: Any) -> HttpResponse:
    post = request.POST
    workspace = mine.filter(code=post.get("workspace", "")).first()
    room = AnalysisRoom.objects.filter(code=post.get("room", "")).first()
    seat = post.get("seat", "")
    try:
        day = date.fromisoformat(post.get("date", ""))
    except ValueError:
        messages.error(request, message("날짜 형식이 아닙니다", "not a date (YYYY-MM-DD)"))
        return redirect("workspace:calendar")
    if workspace is None or room is None:
        messages.error(request, _("Choose one of your projects and a room."))
        return redirect("workspace:calendar")
    try:
        made = bookings.book(
            request.user,
            bookings.Request(
                workspace=workspace,
                room=room,
                day=day,
                span=post.get("span", "day"),
                seat=int(seat) if seat.isdigit() else None,
            ),
        )
    except bookings.BookingError as exc:
        messages.error(request, message(exc.korean, exc.english))
    else:
        messages.success(
            request,
            _("Seat %(seat)s of the %(room)s booked on %(day)s.")
            % {"seat": made[0].seat.number, "room": made[0].seat.room.name, "day": day},
        )
    return redirect(f"{reverse('workspace:calendar')}?week={day.isoformat()}")


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk, researcher_id=request.user.pk)
    try:
        bookings.cancel(request.user, booking)
    except bookings.BookingError as exc:
        messages.error(request, message(exc.korean, exc.english))
    else:
        messages.success(request, _("Booking cancelled."))
    return redirect("workspace:calendar")


@require_GET
def operator_day(request: HttpRequest) -> HttpResponse:
    """The room operator's list of the day's bookings, with check-in and check-out."""
    if not request.user.has_perm("workspace.operate_room"):
        raise PermissionDenied("workspace.operate_room")
    today = timezone.localdate()
    day_bookings = Booking.objects.filter(date=today, status=Booking.Status.BOOKED).select_related(
        "seat__room", "researcher", "workspace__application"
    )
    return render(request, "workspace/operator.html", {"bookings": day_bookings, "today": today})


@require_POST
def attendance(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk)
    try:
        if what == "in":
            bookings.check_in(request.user, booking)
        elif what == "out":
            bookings.check_out(request.user, booking)
        else:
            raise Http404
    except bookings.BookingError as exc:
        messages.error(request, message(exc.korean, exc.english))
    return redirect("workspace:operator")


# -- project workspaces ----------------------------------------------------------------------------


def _mine(request: HttpRequest, code: str) -> Workspace:
    """The workspace if the user is a researcher of its project (404 otherwise)."""
    workspace = bookings.workspaces_of(request.user).filter(code=code).first()
    if workspace is None:
        raise Http404
    return workspace


def in_room(user: Any, workspace: Workspace) -> bool:
    """Whether ``user`` is checked in to a seat for this project now (logs are shown only then:
    a script may print rows of data into its log)."""
    return Booking.objects.filter(
        workspace=workspace,
        researcher_id=user.pk,
        date=timezone.localdate(),
        status=Booking.Status.BOOKED,
        checked_in_at__isnull=False,
        checked_out_at__isnull=True,
    ).exists()


@require_http_methods(["GET", "POST"])
def workspace_page(request: HttpRequest, code: str) -> HttpResponse:
    workspace = _mine(request, code)
    if request.method == "POST":
        upload = request.FILES.get("file")
        script = request.POST.get("script", "")
        name = request.POST.get("name", "")
        if upload is not None:
            if upload.size and upload.size > jobs.MAX_SCRIPT:
                messages.error(request, _("The script is too long."))
                return redirect("workspace:workspace", code)
            script = upload.read().decode("utf-8", errors="replace")
            name = name or upload.name or "script"
        try:
            job = jobs.submit(
                request.user,
                workspace,
                language=request.POST.get("language", ""),
                name=name,
                script=script,
            )
        except jobs.JobError as exc:
            messages.error(request, message(exc.korean, exc.english))
            return redirect("workspace:workspace", code)
        messages.success(request, _("Job #%(id)s submitted.") % {"id": job.pk})
        return redirect("workspace:job", code, job.pk)
    context = {
        "workspace": workspace,
        "application": workspace.application,
        "data_files": workspace.files.get("data", {}).get("files", []),
        "dummy_files": workspace.files.get("dummy", {}).get("files", []),
        "outputs": files.outputs(workspace),
        "jobs": workspace.jobs.select_related("researcher")[:50],
        "in_room": in_room(request.user, workspace),
        "can_run": jobs.may_run(request.user, workspace),
    }
    return render(request, "workspace/workspace.html", context)


@require_GET
def job_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workspace = _mine(request, code)
    job = get_object_or_404(AnalysisJob, pk=pk, workspace=workspace)
    shown = in_room(request.user, workspace)
    log = jobs.log_tail(job) if shown else ""
    if shown:
        audit.record(
            "workspace.log_viewed",
            request=request,
            target=workspace,
            summary=f"{workspace.code} #{job.pk}",
            detail={"job": job.pk},
        )
    template = "workspace/includes/job_status.html" if request.htmx else "workspace/job.html"  # type: ignore[attr-defined]
    return render(
        request, template, {"workspace": workspace, "job": job, "log": log, "in_room": shown}
    )


@require_POST
def job_action(request: HttpRequest, code: str, pk: int, what: str) -> HttpResponse:
    workspace = _mine(request, code)
    job = get_object_or_404(AnalysisJob, pk=pk, workspace=workspace)
    try:
        if what == "cancel":
            jobs.cancel(request.user, job)
            messages.success(request, _("Cancellation asked."))
        elif what == "rerun":
            job = jobs.rerun(request.user, job)
            messages.success(request, _("Job #%(id)s submitted.") % {"id": job.pk})
        else:
            raise Http404
    except jobs.JobError as exc:
        messages.error(request, message(exc.korean, exc.english))
    return redirect("workspace:job", code, job.pk)


@require_GET
def dummy_file(request: HttpRequest, code: str, name: str) -> HttpResponseBase:
    """A file of the dummy data (synthetic, no real row): the one thing that may be taken out."""
    workspace = _mine(request, code)
    listed = {f["path"] for f in workspace.files.get("dummy", {}).get("files", [])}
    base = files.dummy_dir(workspace).resolve()
    path = (base / name).resolve()
    if name not in listed or path.parent != base or not path.is_file():
        raise Http404
    audit.record(
        "workspace.dummy_downloaded",
        request=request,
        target=workspace,
        summary=f"{workspace.code}: {name}",
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def record_page(request: HttpRequest, code: str) -> HttpResponse:
    """The project's processing record (처리 기록)."""
    workspace = Workspace.objects.filter(code=code).select_related("application").first()
    if workspace is None:
        raise Http404
    researcher = bookings.workspaces_of(request.user).filter(pk=workspace.pk).exists()
    officer = request.user.has_perm("governance.view_auditevent")
    if not (researcher or officer):
        raise Http404
    return render(request, "workspace/record.html", {"record": processing_record(workspace)})
