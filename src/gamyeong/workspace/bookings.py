"""Seat bookings in the closed analysis rooms (좌석 예약): the one place that books, cancels and
records check-in and check-out.

A researcher books a seat for a morning, an afternoon or a whole day (two half-days), only for
a project they take part in whose data is provided (its workspace active) and within its period,
only in a room that may host the workspace's data class, only on working days and not in the
past. The database keeps one live booking per seat and half-day: of two requests for the same
seat at once, one wins and the other is told the seat is taken. The room operator records
check-in and check-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gamyeong.errors import BilingualError
from gamyeong.governance import audit
from gamyeong.workspace.models import AnalysisRoom, Booking, Seat, Workspace

Half = Booking.Half
SPANS = {"day": (Half.AM, Half.PM), "am": (Half.AM,), "pm": (Half.PM,)}


class BookingError(BilingualError):
    pass


@dataclass(frozen=True)
class Request:
    workspace: Workspace
    room: AnalysisRoom
    day: date
    span: str = "day"  # day | am | pm
    seat: int | None = None  # a seat number, or the first free one


def workspaces_of(user: Any) -> QuerySet[Workspace]:
    """The active workspaces of the projects ``user`` wrote or co-researches."""
    return (
        Workspace.objects.filter(status=Workspace.Status.ACTIVE)
        .filter(Q(application__author_id=user.pk) | Q(application__co_researchers__user_id=user.pk))
        .distinct()
        .select_related("application")
    )


def _check(user: Any, request: Request) -> None:
    if not user.has_perm("workspace.book_seat"):
        raise PermissionDenied("workspace.book_seat")
    if not workspaces_of(user).filter(pk=request.workspace.pk).exists():
        raise PermissionDenied("not a researcher of this project")
    ws, day = request.workspace, request.day
    if request.span not in SPANS:
        raise BookingError(f"예약 단위가 잘못되었습니다: {request.span}", "span: day, am or pm")
    if day < timezone.localdate():
        raise BookingError("지난 날짜는 예약할 수 없습니다", "a past day cannot be booked")
    if not ws.period_start <= day <= ws.period_end:
        raise BookingError(
            f"과제의 이용 기간({ws.period_start}~{ws.period_end}) 밖의 날짜입니다",
            f"the day is outside the project's period ({ws.period_start} to {ws.period_end})",
        )
    if day.weekday() >= 5:
        raise BookingError("분석실은 평일에만 엽니다", "the rooms are open on working days only")
    if not request.room.hosts(ws.data_class):
        raise BookingError(
            f"{request.room.name_ko}에는 이 과제의 데이터({ws.get_data_class_display()})를 "
            "둘 수 없습니다",
            f"the {request.room.name_en} may not host this project's data ({ws.data_class})",
        )


def _free_seat(room: AnalysisRoom, day: date, halves: tuple[str, ...]) -> Seat:
    taken = Booking.objects.filter(
        seat__room=room, date=day, half__in=halves, status=Booking.Status.BOOKED
    ).values("seat_id")
    seat = room.seat_set.exclude(pk__in=taken).order_by("number").first()
    if seat is None:
        raise BookingError(
            f"{day} {room.name_ko}에 빈 좌석이 없습니다", f"no free seat in the room on {day}"
        )
    return seat


def book(user: Any, request: Request) -> list[Booking]:
    """Book (one or two half-days); all or nothing."""
    _check(user, request)
    halves = SPANS[request.span]
    if request.seat is None:
        seat = _free_seat(request.room, request.day, halves)
    else:
        found = request.room.seat_set.filter(number=request.seat).first()
        if found is None:
            raise BookingError(
                f"없는 좌석 번호입니다: {request.seat}", f"no such seat: {request.seat}"
            )
        seat = found
    try:
        with transaction.atomic():
            made = [
                Booking.objects.create(
                    workspace=request.workspace,
                    researcher=user,
                    seat=seat,
                    date=request.day,
                    half=half,
                )
                for half in halves
            ]
            audit.record(
                "workspace.booked",
                actor=user,
                target=request.workspace,
                summary=f"{seat} {request.day} {request.span}",
                detail={"seat": seat.pk, "date": request.day.isoformat(), "span": request.span},
            )
    except IntegrityError:
        raise BookingError(
            f"{seat} 좌석은 {request.day}에 이미 예약되었거나, 같은 시간에 다른 좌석을 "
            "예약하셨습니다",
            f"seat {seat.number} is already booked on {request.day}, or you hold another seat "
            "at that time",
        ) from None
    return made


def cancel(user: Any, booking: Booking) -> Booking:
    if booking.researcher_id != user.pk:
        raise PermissionDenied("only the researcher who booked cancels")
    if booking.status != Booking.Status.BOOKED or booking.checked_in_at is not None:
        raise BookingError(
            "입실했거나 이미 취소한 예약은 취소할 수 없습니다",
            "a booking already used or cancelled cannot be cancelled",
        )
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit.record(
        "workspace.booking_cancelled",
        actor=user,
        target=booking.workspace,
        summary=f"{booking}",
        detail={"booking": booking.pk},
    )
    return booking


def check_in(operator: Any, booking: Booking) -> Booking:
    """The room operator records that the researcher took the seat (on the booked day)."""
    _operator(operator)
    if booking.status != Booking.Status.BOOKED or booking.checked_in_at is not None:
        raise BookingError("입실을 기록할 수 없는 예약입니다", "this booking cannot be checked in")
    if booking.date != timezone.localdate():
        raise BookingError("예약한 날에만 입실할 수 있습니다", "check-in only on the booked day")
    booking.checked_in_at, booking.checked_in_by = timezone.now(), operator
    booking.save(update_fields=["checked_in_at", "checked_in_by"])
    audit.record(
        "workspace.checked_in",
        actor=operator,
        target=booking.workspace,
        summary=f"{booking.researcher} {booking}",
        detail={"booking": booking.pk, "researcher": booking.researcher_id},
    )
    return booking


def check_out(operator: Any, booking: Booking) -> Booking:
    _operator(operator)
    if booking.checked_in_at is None or booking.checked_out_at is not None:
        raise BookingError("입실 기록이 없거나 이미 퇴실했습니다", "not checked in, or already out")
    booking.checked_out_at, booking.checked_out_by = timezone.now(), operator
    booking.save(update_fields=["checked_out_at", "checked_out_by"])
    audit.record(
        "workspace.checked_out",
        actor=operator,
        target=booking.workspace,
        summary=f"{booking.researcher} {booking}",
        detail={"booking": booking.pk, "researcher": booking.researcher_id},
    )
    return booking


def _operator(user: Any) -> None:
    if not user.has_perm("workspace.operate_room"):
        raise PermissionDenied("workspace.operate_room")
