"""Seat bookings: the rules, the database's one-booking-per-seat-and-half-day (also under
concurrent requests), cancellation, and check-in/out by the room operator."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from gamyeong.accounts.models import Organisation
from gamyeong.governance.models import AuditEvent
from gamyeong.workspace import bookings
from gamyeong.workspace.models import AnalysisRoom, Booking, Workspace
from tests.integration.applications_helpers import World, build_world, provide
from tests.integration.helpers import make_user

pytestmark = pytest.mark.django_db


def next_weekday(start: date, offset: int = 1) -> date:
    day = start + timedelta(days=offset)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    return build_world(settings, tmp_path, synth_dir)


@pytest.fixture
def workspace(world: World) -> Workspace:
    app = provide(world)
    ws = Workspace.objects.get(application=app)
    today = timezone.localdate()
    ws.period_start, ws.period_end = today, today + timedelta(days=60)
    ws.save()
    return ws


def room(code: str = "analysis-room") -> AnalysisRoom:
    return AnalysisRoom.objects.get(code=code)


def request(ws: Workspace, day: date, **kwargs: Any) -> bookings.Request:
    return bookings.Request(workspace=ws, room=kwargs.pop("room", room()), day=day, **kwargs)


def test_a_researcher_books_a_day_and_cancels(world: World, workspace: Workspace) -> None:
    day = next_weekday(timezone.localdate())
    made = bookings.book(world.researcher, request(workspace, day, seat=2))
    assert [b.half for b in made] == ["am", "pm"] and made[0].seat.number == 2
    assert AuditEvent.objects.filter(action="workspace.booked").count() == 1
    bookings.cancel(world.researcher, made[0])
    again = bookings.book(world.researcher, request(workspace, day, span="am", seat=2))
    assert again[0].half == "am"


def test_the_rules_refuse_what_is_not_allowed(world: World, workspace: Workspace) -> None:
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    cases = {
        "past": (world.researcher, request(workspace, today - timedelta(days=1))),
        "outside the period": (
            world.researcher,
            request(workspace, next_weekday(today, 90)),
        ),
        "weekend": (world.researcher, request(workspace, saturday)),
        "no such seat": (world.researcher, request(workspace, next_weekday(today), seat=7)),
    }
    for what, (user, req) in cases.items():
        with pytest.raises(bookings.BookingError):
            bookings.book(user, req)
        assert not Booking.objects.exists(), what
    for user in (world.outsider, world.mohw, world.ssis):
        with pytest.raises(PermissionDenied):
            bookings.book(user, request(workspace, next_weekday(today)))


def test_a_room_must_be_allowed_to_host_the_data(world: World, workspace: Workspace) -> None:
    day = next_weekday(timezone.localdate())
    workspace.data_class = AnalysisRoom.DataClasses.PSEUDONYMIZED_AND_PERSONAL
    workspace.save()
    with pytest.raises(bookings.BookingError, match="may not host"):
        bookings.book(world.researcher, request(workspace, day))
    made = bookings.book(world.researcher, request(workspace, day, room=room("innovation-zone")))
    assert made[0].seat.room.code == "innovation-zone"


def test_one_booking_per_seat_and_half_day(world: World, workspace: Workspace) -> None:
    day = next_weekday(timezone.localdate())
    from gamyeong.applications.models import CoResearcher

    CoResearcher.objects.create(application=workspace.application, user=world.co_researcher)
    bookings.book(world.researcher, request(workspace, day, span="am", seat=1))
    with pytest.raises(bookings.BookingError, match="already booked"):
        bookings.book(world.co_researcher, request(workspace, day, span="day", seat=1))
    assert Booking.objects.count() == 1  # all or nothing: the free afternoon was not kept
    # the same researcher cannot hold two seats at once
    with pytest.raises(bookings.BookingError):
        bookings.book(world.researcher, request(workspace, day, span="am", seat=3))
    # without a seat number, the first free seat
    made = bookings.book(world.co_researcher, request(workspace, day, span="am"))
    assert made[0].seat.number == 2


def reseed() -> None:
    """A transactional test's flush removed the migrations' rows: put back what this test uses."""
    import importlib

    from gamyeong.catalog.models import SourceSystem
    from gamyeong.catalog.reference import load_source_systems

    load_source_systems(SourceSystem)
    rooms = importlib.import_module("gamyeong.workspace.migrations.0002_rooms").ROOMS
    for spec in rooms:
        made, _created = AnalysisRoom.objects.update_or_create(code=spec["code"], defaults=spec)
        for number in range(1, made.seats + 1):
            made.seat_set.get_or_create(number=number)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_seat_one_wins(
    settings: Any, tmp_path: Path, synth_dir: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (runs on PostgreSQL in CI)")
    reseed()
    world = build_world(settings, tmp_path, synth_dir)
    ws = Workspace.objects.get(application=provide(world))
    today = timezone.localdate()
    ws.period_start, ws.period_end = today, today + timedelta(days=60)
    ws.save()
    second = make_user("res2", ("researcher",), Organisation.Kind.USER_ORG, "한국보건사회연구원")
    from gamyeong.applications.models import CoResearcher

    CoResearcher.objects.create(application=ws.application, user=second.user)
    day = next_weekday(today)
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def attempt(user: Any) -> None:
        barrier.wait()
        try:
            bookings.book(user, request(ws, day, seat=4))
            outcome.append("booked")
        except bookings.BookingError:
            outcome.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (world.researcher, second.user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome) == ["booked", "taken"]
    assert Booking.objects.filter(seat__number=4, date=day).count() == 2  # one day = AM + PM


def test_the_room_operator_records_check_in_and_out(world: World, workspace: Workspace) -> None:
    operator = make_user(
        "room", ("room_operator",), Organisation.Kind.PROVIDER, "한국사회보장정보원"
    )
    today = timezone.localdate()
    booking = Booking.objects.create(
        workspace=workspace,
        researcher=world.researcher,
        seat=room().seat_set.get(number=1),
        date=today,
        half="am",
    )
    with pytest.raises(PermissionDenied):
        bookings.check_in(world.researcher, booking)
    with pytest.raises(bookings.BookingError):
        bookings.check_out(operator.user, booking)
    bookings.check_in(operator.user, booking)
    with pytest.raises(bookings.BookingError):
        bookings.cancel(world.researcher, booking)  # used: no longer cancellable
    bookings.check_out(operator.user, booking)
    booking.refresh_from_db()
    assert booking.checked_in_by == operator.user and booking.checked_out_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"workspace.checked_in", "workspace.checked_out"} <= actions


def test_booking_through_the_calendar_page(world: World, workspace: Workspace) -> None:
    from django.test import Client

    from tests.integration.helpers import login

    day = next_weekday(timezone.localdate())
    c = Client()
    login(c, world.logins["researcher"])
    page = c.get("/rooms/calendar/").content.decode()
    assert workspace.code in page
    response = c.post(
        "/rooms/calendar/",
        {
            "workspace": workspace.code,
            "room": "analysis-room",
            "date": day.isoformat(),
            "span": "am",
        },
        follow=True,
    )
    assert Booking.objects.filter(researcher=world.researcher, date=day).count() == 1
    week = c.get(f"/rooms/calendar/?week={day.isoformat()}").content.decode()
    assert "is-mine" in week
    # a project that is not yours cannot be chosen; the operator page is the operator's
    other = Client()
    login(other, world.logins["outsider"])
    other.post(
        "/rooms/calendar/",
        {"workspace": workspace.code, "room": "analysis-room", "date": day.isoformat()},
    )
    assert Booking.objects.count() == 1
    assert other.get("/rooms/operator/").status_code == 403
    assert response.status_code == 200
