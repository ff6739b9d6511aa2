"""Capacity and booking rules: the part of the service that must never double-book.

Call these inside a transaction, after ``lock_testbed``. On PostgreSQL the lock is
``SELECT … FOR UPDATE`` on the test bed row, so every request, approval and
cancellation for one test bed runs one at a time, in any process; on SQLite the
IMMEDIATE transaction already serialises writers. A confirmed booking then holds a
*unit* (1…capacity) and PostgreSQL's exclusion constraint refuses two confirmed
bookings on the same unit on overlapping days — a backstop for any code path that
forgets the lock.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import Conflict

from .availability import (
    bookable_range,
    closures,
    confirmed_bookings,
    day_loads,
    loads_of,
    nearest_free_windows,
    rebuild_free_runs,
    search_window,
)
from .models import Blackout, Booking, TestBed

ONE_DAY = datetime.timedelta(days=1)


def lock_testbed(testbed: TestBed | int) -> TestBed:
    """The test bed row, locked until the transaction ends; 404 if it went meanwhile."""
    pk = testbed.pk if isinstance(testbed, TestBed) else testbed
    locked = TestBed.objects.select_for_update().filter(pk=pk).first()
    if locked is None:  # deleted between the caller's read and the lock
        raise Http404
    return locked


def day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def windows_text(windows: list[tuple[datetime.date, datetime.date]]) -> str:
    return "; ".join(f"{day(start)} to {day(end - ONE_DAY)}" for start, end in windows)


def windows_json(windows: list[tuple[datetime.date, datetime.date]]) -> list[dict]:
    return [
        {"first_day": start.isoformat(), "last_day": (end - ONE_DAY).isoformat()}
        for start, end in windows
    ]


def _broken(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_rules(
    testbed: TestBed,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> None:
    """Refuse dates that break the test bed's rules, saying which rule and what would fit."""
    today = today or timezone.localdate()
    _check_open(testbed)
    _check_order(start, end)
    _check_notice(testbed, start, today)
    _check_horizon(testbed, end, today)
    _check_length(testbed, start, end)
    message = closed_message(testbed, start, end, today=today)
    if message:
        raise _broken("first_day", message, "closed")


def check_change_rules(
    testbed: TestBed,
    booking: Booking,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> None:
    """Refuse new dates for a held booking that break the rules.

    Only what the change adds is held to the rules a new request meets: notice for a
    different first day, the horizon for a later end, closures on the added days; the
    length rules hold for the whole new span.
    """
    today = today or timezone.localdate()
    if added_spans(booking, start, end):
        _check_open(testbed)
    _check_order(start, end)
    if start != booking.start:
        _check_notice(testbed, start, today)
    if end > booking.end:
        _check_horizon(testbed, end, today)
    _check_length(testbed, start, end)
    for added_start, added_end in added_spans(booking, start, end):
        message = closed_message(testbed, added_start, added_end, today=today)
        if message:
            raise _broken("first_day", message, "closed")


def added_spans(
    booking: Booking, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The parts of [start, end) the booking does not hold yet."""
    return _minus((start, end), (booking.start, booking.end))


def freed_spans(
    booking: Booking, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The parts of the booking's days that [start, end) gives back."""
    return _minus((booking.start, booking.end), (start, end))


def _minus(
    span: tuple[datetime.date, datetime.date], other: tuple[datetime.date, datetime.date]
) -> list[tuple[datetime.date, datetime.date]]:
    (start, end), (o_start, o_end) = span, other
    if o_end <= start or o_start >= end:
        return [(start, end)]
    return [(a, b) for a, b in ((start, o_start), (o_end, end)) if a < b]


def _check_open(testbed: TestBed) -> None:
    if testbed.status != TestBed.Status.PUBLISHED:
        raise _broken(
            "testbed", _("This test bed is not taking requests at the moment."), "not_published"
        )


def _check_order(start: datetime.date, end: datetime.date) -> None:
    if end <= start:
        raise _broken("last_day", _("The last day must be on or after the first day."), "dates")


def _check_notice(testbed: TestBed, start: datetime.date, today: datetime.date) -> None:
    earliest, _bookable_end = bookable_range(testbed, today)
    if start < earliest:
        raise _broken(
            "first_day",
            ngettext(
                "This test bed needs %(n)s day's notice: the earliest first day is %(date)s.",
                "This test bed needs %(n)s days' notice: the earliest first day is %(date)s.",
                testbed.notice_days,
            )
            % {"n": testbed.notice_days, "date": day(earliest)},
            "notice",
        )


def _check_horizon(testbed: TestBed, end: datetime.date, today: datetime.date) -> None:
    _earliest, bookable_end = bookable_range(testbed, today)
    latest_last = bookable_end - ONE_DAY
    if end - ONE_DAY > latest_last:
        raise _broken(
            "last_day",
            _(
                "Trials here can be booked up to %(n)s days ahead: the last day can be %(date)s "
                "at the latest."
            )
            % {"n": testbed.horizon_days, "date": day(latest_last)},
            "horizon",
        )


def _check_length(testbed: TestBed, start: datetime.date, end: datetime.date) -> None:
    length = (end - start).days
    if length < testbed.min_days:
        suggestion = start + datetime.timedelta(days=testbed.min_days - 1)
        raise _broken(
            "last_day",
            _(
                "Trials here last at least %(min)s days; your dates give %(n)s. "
                "Starting on %(start)s, the last day would be %(end)s or later."
            )
            % {"min": testbed.min_days, "n": length, "start": day(start), "end": day(suggestion)},
            "too_short",
        )
    if length > testbed.max_days:
        suggestion = start + datetime.timedelta(days=testbed.max_days - 1)
        raise _broken(
            "last_day",
            _(
                "Trials here last at most %(max)s days; your dates give %(n)s. "
                "Starting on %(start)s, the last day would be %(end)s at the latest."
            )
            % {"max": testbed.max_days, "n": length, "start": day(start), "end": day(suggestion)},
            "too_long",
        )


def closed_message(
    testbed: TestBed,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> str:
    """What to say when the test bed is closed on some of [start, end); "" when it is open."""
    closure = (
        Blackout.objects.filter(testbed=testbed, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if not closure:
        return ""
    windows = nearest_free_windows(testbed, start=start, days=(end - start).days, today=today)
    message = _("The test bed is closed from %(first)s to %(last)s (%(reason)s).") % {
        "first": day(closure.start),
        "last": day(closure.last_day),
        "reason": closure.reason,
    }
    if windows:
        message += " " + _("These dates would fit: %(windows)s.") % {
            "windows": windows_text(windows)
        }
    return message


def fits(testbed: TestBed, start: datetime.date, end: datetime.date) -> bool:
    """True if the test bed is open on every day of [start, end), each with a free place."""
    if Blackout.objects.filter(testbed=testbed, start__lt=end, end__gt=start).exists():
        return False
    return has_room(testbed, start, end)


def has_room(testbed: TestBed, start: datetime.date, end: datetime.date) -> bool:
    """True if every day of [start, end) has a free place (closures not looked at: for a
    caller that has just passed ``check_rules``, which refuses closed days)."""
    return max(day_loads(testbed, start, end), default=0) < testbed.capacity


def free_unit_if_room(testbed: TestBed, start: datetime.date, end: datetime.date) -> int | None:
    """With the test bed locked: 0 if some day of [start, end) is full, else the unit a
    booking of those days would take (``confirm(…, unit=…)``), or None when the units
    must be re-packed first. One query: the loads and the units come from the same rows."""
    rows = list(confirmed_bookings(testbed, start, end).values_list("start", "end", "unit"))
    loads = loads_of(((b_start, b_end) for b_start, b_end, _unit in rows), start, end)
    if max(loads, default=0) >= testbed.capacity:
        return 0
    taken = {unit for _start, _end, unit in rows}
    return next((unit for unit in range(1, testbed.capacity + 1) if unit not in taken), None)


def room_and_own_booking(
    testbed: TestBed, start: datetime.date, end: datetime.date, organisation_id: int
) -> tuple[bool, bool]:
    """(``has_room``, whether the organisation holds a pending or confirmed booking sharing
    a day with [start, end)), in one query: what a booking request asks before the lock."""
    rows = Booking.objects.filter(
        testbed=testbed,
        status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED],
        start__lt=end,
        end__gt=start,
    ).values_list("start", "end", "status", "organisation_id")
    confirmed, own = [], False
    for b_start, b_end, status, organisation in rows:
        if status == Booking.Status.CONFIRMED:
            confirmed.append((b_start, b_end))
        own = own or organisation == organisation_id
    return max(loads_of(confirmed, start, end), default=0) < testbed.capacity, own


def pending_that_fit(
    bookings: Sequence[Booking], capacities: dict[int, int] | None = None
) -> set[int]:
    """Ids of the pending ``bookings`` that would still fit (see ``fits``), in three queries,
    or two when the caller has read the test beds' ``capacities`` already (id → capacity)."""
    if not bookings:
        return set()
    testbed_ids = {booking.testbed_id for booking in bookings}
    capacity = capacities if capacities is not None else {}
    if not testbed_ids <= capacity.keys():
        capacity = dict(TestBed.objects.filter(pk__in=testbed_ids).values_list("pk", "capacity"))
    first_start = min(booking.start for booking in bookings)
    last_end = max(booking.end for booking in bookings)
    confirmed: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for testbed_id, start, end in Booking.objects.filter(
        testbed_id__in=testbed_ids,
        status=Booking.Status.CONFIRMED,
        start__lt=last_end,
        end__gt=first_start,
    ).values_list("testbed_id", "start", "end"):
        confirmed[testbed_id].append((start, end))
    closed: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for testbed_id, start, end in Blackout.objects.filter(
        testbed_id__in=testbed_ids, start__lt=last_end, end__gt=first_start
    ).values_list("testbed_id", "start", "end"):
        closed[testbed_id].append((start, end))
    return {
        booking.pk
        for booking in bookings
        if not any(loads_of(closed[booking.testbed_id], booking.start, booking.end))
        and max(loads_of(confirmed[booking.testbed_id], booking.start, booking.end), default=0)
        < capacity[booking.testbed_id]
    }


def capacity_conflict(testbed: TestBed, start: datetime.date, end: datetime.date) -> Conflict:
    """The refusal for full days, with the nearest windows of the same length."""
    length = (end - start).days
    windows = nearest_free_windows(testbed, start=start, days=length)
    message = _("%(name)s is fully booked on some of these days.") % {"name": testbed.name}
    if windows:
        message += " " + _("The nearest free dates of the same length: %(windows)s.") % {
            "windows": windows_text(windows)
        }
    else:
        message += " " + _("There are no free dates of the same length within a year.")
    return Conflict(message, code="capacity", nearest_free_windows=windows_json(windows))


def confirm(booking: Booking, *, checked: bool = False, unit: int | None = None) -> Booking:
    """Hold a place for a booking. The caller holds the test bed lock.

    Picks the lowest unit free on all of the booking's days. When places are free on
    every day but no single unit is (bookings fragment the units), the overlapping
    confirmed bookings are re-packed: interval graphs colour optimally in start order.
    ``checked``: the caller has checked, under the same lock in the same transaction,
    that the days are open and fit (a request confirmed at once), so they are not read
    again while everyone else waits for the lock; ``unit``: the free unit it found then
    (``free_unit_if_room``), so the units are not read again either.
    """
    testbed = booking.testbed
    if not checked:
        closed = closed_message(testbed, booking.start, booking.end)
        if closed:
            raise Conflict(closed, code="closed")
        if not fits(testbed, booking.start, booking.end):
            raise capacity_conflict(testbed, booking.start, booking.end)
    if unit is None:
        unit = _free_unit(testbed, booking.start, booking.end)
    if unit is None:
        unit = _repack(testbed, booking)
    booking.unit = unit
    booking.status = Booking.Status.CONFIRMED
    booking.decided_at = timezone.now()
    booking.save(update_fields=["unit", "status", "decided_at"])
    rebuild_free_runs([testbed.pk])
    return booking


def release(booking: Booking) -> Booking:
    """Give the booking's days back. Pending requests held nothing to give back."""
    held = booking.status == Booking.Status.CONFIRMED
    booking.status = Booking.Status.RELEASED
    booking.unit = None
    booking.decided_at = booking.decided_at or timezone.now()
    booking.save(update_fields=["unit", "status", "decided_at"])
    if held:
        rebuild_free_runs([booking.testbed_id])
    return booking


def shorten(booking: Booking, end: datetime.date) -> Booking:
    """End a confirmed booking early (the trial finished); the days after are free again."""
    booking.end = end
    booking.save(update_fields=["end"])
    rebuild_free_runs([booking.testbed_id])
    return booking


class Full(Exception):
    """The days are full. Raised under the test bed lock; the caller words the refusal
    (``change_conflict``, with the nearest dates that fit) once the lock is let go."""


def change_dates(
    booking: Booking, start: datetime.date, end: datetime.date, *, checked: bool = False
) -> Booking:
    """Move a confirmed booking to [start, end). The caller holds the test bed lock.

    The booking keeps its own days while the others are counted, so an extension needs
    places only on the added days; full days raise ``Full``. It keeps its unit when that
    unit is free on the new days, else takes a free one, else the overlapping bookings are
    re-packed, as in ``confirm``; PostgreSQL's exclusion constraint is the backstop either
    way. ``checked``: the caller has checked the added days are open (``check_change_rules``)
    under the same lock, so they are not read again while everyone else waits.
    """
    testbed = booking.testbed
    if not checked:
        for added_start, added_end in added_spans(booking, start, end):
            closed = closed_message(testbed, added_start, added_end)
            if closed:
                raise Conflict(closed, code="closed")
    others = list(
        confirmed_bookings(testbed, start, end)
        .exclude(pk=booking.pk)
        .values_list("start", "end", "unit")
    )
    loads = loads_of(((b_start, b_end) for b_start, b_end, _unit in others), start, end)
    if max(loads, default=0) >= testbed.capacity:
        raise Full
    taken = {unit for _start, _end, unit in others}
    booking.start, booking.end = start, end
    if booking.unit in taken:
        unit = next((u for u in range(1, testbed.capacity + 1) if u not in taken), None)
        booking.unit = unit if unit is not None else _repack(testbed, booking)
    booking.revision += 1
    booking.save(update_fields=["start", "end", "unit", "revision"])
    rebuild_free_runs([testbed.pk])
    return booking


def change_refusal(
    testbed: TestBed, booking: Booking, start: datetime.date, end: datetime.date
) -> Conflict | None:
    """The refusal of new days already full (``change_conflict``), else None. The booking's
    own days count as free; closures are not looked at (``check_change_rules`` does).

    The other bookings around are read once: they say both whether the new days have room
    and, moving, which dates nearby would fit (issue 20: the 49 refused of 50 approvals at
    once each read them twice).
    """
    window_start, window_end = search_window(
        testbed, start, (end - start).days, timezone.localdate()
    )
    others = list(
        confirmed_bookings(testbed, min(start, window_start), max(end, window_end))
        .exclude(pk=booking.pk)
        .values_list("start", "end")
    )
    if max(loads_of(others, start, end), default=0) < testbed.capacity:
        return None
    return change_conflict(testbed, booking, start, end, others=others)


def change_conflict(
    testbed: TestBed,
    booking: Booking,
    start: datetime.date,
    end: datetime.date,
    *,
    others: list[tuple[datetime.date, datetime.date]] | None = None,
) -> Conflict:
    """The refusal for a change onto full days, with the nearest dates that would fit.

    Keeping the first day (extending), that is the longest span that fits from it;
    moving, the nearest free spans of the same length. The booking's own days count
    as free. ``others``: the other bookings around (``change_refusal``), if read already.
    """
    if start == booking.start:
        latest = latest_end_from(testbed, booking, start, end)
        windows = [(start, latest)] if latest > booking.end else []
        message = _("%(name)s is fully booked on some of the added days.") % {"name": testbed.name}
        if windows:
            message += " " + _("The trial can run until %(date)s at the latest.") % {
                "date": day(latest - ONE_DAY)
            }
        else:
            message += " " + _("The trial cannot be extended: the next day is full.")
        return Conflict(message, code="capacity", nearest_free_windows=windows_json(windows))
    windows = nearest_free_windows(
        testbed, start=start, days=(end - start).days, ignore=booking, others=others
    )
    message = _("%(name)s is fully booked on some of these days.") % {"name": testbed.name}
    if windows:
        message += " " + _("The nearest free dates of the same length: %(windows)s.") % {
            "windows": windows_text(windows)
        }
    else:
        message += " " + _("There are no free dates of the same length within a year.")
    return Conflict(message, code="capacity", nearest_free_windows=windows_json(windows))


def latest_end_from(
    testbed: TestBed, booking: Booking, start: datetime.date, wanted_end: datetime.date
) -> datetime.date:
    """How far [start, …) can run, counting the booking's own days as free."""
    others = confirmed_bookings(testbed, start, wanted_end).exclude(pk=booking.pk)
    loads = loads_of(others.values_list("start", "end"), start, wanted_end)
    reasons = closures(testbed, start, wanted_end)
    for offset, (load, reason) in enumerate(zip(loads, reasons, strict=True)):
        held = start + datetime.timedelta(days=offset) < booking.end
        if (load >= testbed.capacity or reason) and not held:
            return start + datetime.timedelta(days=offset)
    return wanted_end


def _free_unit(testbed: TestBed, start: datetime.date, end: datetime.date) -> int | None:
    taken = set(confirmed_bookings(testbed, start, end).values_list("unit", flat=True))
    return next((unit for unit in range(1, testbed.capacity + 1) if unit not in taken), None)


def _cluster(testbed: TestBed, booking: Booking) -> list[Booking]:
    """Confirmed bookings linked to this one by a chain of overlaps (itself left out)."""
    start, end = booking.start, booking.end
    while True:
        members = list(
            confirmed_bookings(testbed, start, end)
            .exclude(pk=booking.pk)
            .order_by("start", "end", "id")
        )
        new_start = min([start, *(m.start for m in members)])
        new_end = max([end, *(m.end for m in members)])
        if (new_start, new_end) == (start, end):
            return members
        start, end = new_start, new_end


def _repack(testbed: TestBed, booking: Booking) -> int:
    members = _cluster(testbed, booking)
    everyone = sorted([*members, booking], key=lambda b: (b.start, b.end, b.pk or 0))
    active: list[tuple[datetime.date, int]] = []  # (end, unit) of bookings still running
    assignment: dict[int, int] = {}
    for item in everyone:
        active = [(end, unit) for end, unit in active if end > item.start]
        used = {unit for _end, unit in active}
        unit = next(u for u in range(1, testbed.capacity + 1) if u not in used)
        assignment[id(item)] = unit
        active.append((item.end, unit))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS booking_no_overlap_per_unit DEFERRED")
    for member in members:
        unit = assignment[id(member)]
        if member.unit != unit:
            member.unit = unit
            member.save(update_fields=["unit"])
    return assignment[id(booking)]
