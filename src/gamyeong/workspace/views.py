"""The closed analysis environment, as the public sees it: the rooms and their rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamyeong.web.middleware import public
from gamyeong.workspace import bookings
from gamyeong.workspace.models import AnalysisRoom, Booking


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


def _bilingual(korean: str, english: str) -> str:
    return english if (get_language() or "ko").startswith("en") else korean


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
        messages.error(request, _bilingual("날짜 형식이 아닙니다", "not a date (YYYY-MM-DD)"))
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
        messages.error(request, _bilingual(exc.korean, exc.english))
    else:
        messages.success(
            request,
            _("Seat %(seat)s booked on %(day)s.") % {"seat": made[0].seat, "day": day},
        )
    return redirect(f"{reverse('workspace:calendar')}?week={day.isoformat()}")


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk, researcher_id=request.user.pk)
    try:
        bookings.cancel(request.user, booking)
    except bookings.BookingError as exc:
        messages.error(request, _bilingual(exc.korean, exc.english))
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
        messages.error(request, _bilingual(exc.korean, exc.english))
    return redirect("workspace:operator")
