"""When test beds are free: per-day free places for one test bed, and the catalogue's search
for test beds with enough consecutive free days.

Days are whole dates; ranges are half-open ``[start, end)``. A day is *full* when the
confirmed bookings on it reach the test bed's capacity, or when a blackout covers it.
Pending requests hold nothing. The booking rules narrow the window per test bed: the
first day must be at least ``notice_days`` after today, the last day at most
``horizon_days`` after today, and a trial must last ``min_days`` to ``max_days``.

The search reads each test bed's *free runs* — maximal stretches of days with a free
place, kept in ``FreeRun`` by the services whenever bookings, closures or capacity
change. Rebuilding a test bed's runs is one SQL statement: a sweep over its confirmed
bookings (+1 at each start, −1 at each end, a running sum) with closures adding a full
day's capacity; the gaps between busy stretches are the runs. The search itself then
asks, per candidate test bed, whether one run overlaps the window by enough days once
the bed's own notice, horizon and length rules are applied. Nothing loops over
bookings in Python.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from core.cache import bump_page_version

from .models import Blackout, Booking, FreeRun, TestBed

EPOCH = datetime.date(1970, 1, 1)


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


class _Dialect:
    """The few SQL spellings that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def day(self, column: str) -> str:
        """A date column as a whole number of days since 1970-01-01."""
        if self.postgres:
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgres else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.postgres else f"MIN({a}, {b})"


FOREVER = 1_000_000_000  # a free run's open end, in days


def _rebuild_sql(dialect: _Dialect, beds_sql: str) -> str:
    """Recompute free runs: busy days are those whose confirmed bookings reach capacity
    or that are closed (a closure adds `capacity` to the day's level)."""
    day = dialect.day
    return f"""
    WITH beds AS (
        SELECT t.id, t.capacity FROM testbeds_testbed t WHERE t.id IN ({beds_sql})
    ),
    events AS (
        SELECT b.testbed_id AS tb, {day("b.start")} AS d, 1 AS delta
        FROM testbeds_booking b JOIN beds ON beds.id = b.testbed_id
        WHERE b.status = 'confirmed' AND b."end" > %(since)s
        UNION ALL
        SELECT b.testbed_id, {day('b."end"')}, -1
        FROM testbeds_booking b JOIN beds ON beds.id = b.testbed_id
        WHERE b.status = 'confirmed' AND b."end" > %(since)s
        UNION ALL
        SELECT x.testbed_id, {day("x.start")}, beds.capacity
        FROM testbeds_blackout x JOIN beds ON beds.id = x.testbed_id
        WHERE x."end" > %(since)s
        UNION ALL
        SELECT x.testbed_id, {day('x."end"')}, -beds.capacity
        FROM testbeds_blackout x JOIN beds ON beds.id = x.testbed_id
        WHERE x."end" > %(since)s
    ),
    daily AS (SELECT tb, d, SUM(delta) AS delta FROM events GROUP BY tb, d),
    levels AS (
        SELECT tb, d,
               SUM(delta) OVER (PARTITION BY tb ORDER BY d ROWS UNBOUNDED PRECEDING) AS level,
               LEAD(d) OVER (PARTITION BY tb ORDER BY d) AS next_d
        FROM daily
    ),
    busy AS (
        SELECT l.tb, l.d, l.next_d
        FROM levels l JOIN beds ON beds.id = l.tb
        WHERE l.level >= beds.capacity AND l.next_d IS NOT NULL
    ),
    ordered AS (
        SELECT tb, d, next_d, LAG(next_d) OVER (PARTITION BY tb ORDER BY d) AS prev_end
        FROM busy
    )
    INSERT INTO testbeds_freerun (testbed_id, first_day, end_day)
    SELECT tb, COALESCE(prev_end, -{FOREVER}), d FROM ordered
    WHERE prev_end IS NULL OR prev_end < d
    UNION ALL
    SELECT tb, MAX(next_d), {FOREVER} FROM busy GROUP BY tb
    UNION ALL
    SELECT beds.id, -{FOREVER}, {FOREVER} FROM beds
    WHERE NOT EXISTS (SELECT 1 FROM busy WHERE busy.tb = beds.id)
    """


def rebuild_free_runs(testbeds: Iterable[int] | None = None) -> None:
    """Recompute the free runs of some test beds (all when None).

    Call it inside the transaction that changed their bookings, closures or capacity,
    after the change and with the test bed locked — the services do. Anything that
    writes bookings behind the services' back (bulk loads, tests) must call it too.
    Cached anonymous pages (calendars, free-dates searches) are forgotten on commit.
    """
    bump_page_version()
    dialect = _Dialect(connection.vendor)
    since = timezone.localdate() - datetime.timedelta(days=1)
    with connection.cursor() as cursor:
        if testbeds is None:
            cursor.execute("DELETE FROM testbeds_freerun")
            beds_sql, params = "SELECT id FROM testbeds_testbed", []
        else:
            ids = sorted({int(pk) for pk in testbeds})
            if not ids:
                return
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM testbeds_freerun WHERE testbed_id IN ({marks})", ids)
            beds_sql, params = marks, ids
        sql, values = _named_to_positional(
            _rebuild_sql(dialect, beds_sql), {"since": since}, params
        )
        cursor.execute(sql, values)


def _search_sql(dialect: _Dialect, candidates_sql: str) -> str:
    gr, le = dialect.greatest, dialect.least
    return f"""
    SELECT t.id FROM testbeds_testbed t
    WHERE t.id IN ({candidates_sql}) AND t.max_days >= %(days)s
      AND EXISTS (
        SELECT 1 FROM testbeds_freerun r
        WHERE r.testbed_id = t.id AND r.end_day > %(ws)s AND r.first_day < %(we)s
          AND {le("r.end_day", le("%(we)s", "%(today)s + t.horizon_days + 1"))}
              - {gr("r.first_day", gr("%(ws)s", "%(today)s + t.notice_days"))}
              >= {gr("%(days)s", "t.min_days")}
      )
    """


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s")


def _named_to_positional(sql: str, named: dict, extra_params: Iterable) -> tuple[str, list]:
    """Django's cursor wants one parameter style; the candidates' SQL brings its own %s."""
    params: list = []
    extra = iter(list(extra_params))

    def positional(match: re.Match) -> str:
        params.append(named[match.group(1)] if match.group(1) else next(extra))
        return "%s"

    return _PLACEHOLDER.sub(positional, sql), params


def testbeds_available(
    *,
    start: datetime.date,
    end: datetime.date,
    days: int,
    candidates: QuerySet[TestBed] | None = None,
    region: str | None = None,
    today: datetime.date | None = None,
) -> list[int]:
    """Ids of test beds with at least ``days`` consecutive bookable days inside [start, end).

    Capacity, blackouts and each test bed's notice, horizon and length rules count.
    """
    today = today or timezone.localdate()
    testbeds = (
        candidates
        if candidates is not None
        else TestBed.objects.filter(status=TestBed.Status.PUBLISHED)
    )
    if region:
        testbeds = testbeds.filter(region=region)
    candidates_sql, candidate_params = testbeds.order_by().values("id").query.sql_with_params()
    dialect = _Dialect(connection.vendor)
    named = {
        "ws": day_number(start),
        "we": day_number(end),
        "today": day_number(today),
        "days": max(days, 1),
    }
    sql, params = _named_to_positional(
        _search_sql(dialect, candidates_sql), named, candidate_params
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def available_filter(
    testbeds: QuerySet[TestBed],
    *,
    start: datetime.date,
    end: datetime.date,
    days: int,
    today: datetime.date | None = None,
) -> QuerySet[TestBed]:
    """``testbeds`` narrowed to those ``testbeds_available`` would find, as an EXISTS on the
    free runs inside the query itself: a page of 20 and a capped count read only as many
    test beds as they need, instead of every match being worked out first."""
    today = today or timezone.localdate()
    ws, we, now = day_number(start), day_number(end), day_number(today)
    days = max(days, 1)
    number = IntegerField()
    runs = (
        FreeRun.objects.filter(testbed=OuterRef("pk"), end_day__gt=ws, first_day__lt=we)
        .alias(
            usable=Least(
                F("end_day"),
                Value(we, output_field=number),
                Value(now + 1, output_field=number) + OuterRef("horizon_days"),
                output_field=number,
            )
            - Greatest(
                F("first_day"),
                Value(ws, output_field=number),
                Value(now, output_field=number) + OuterRef("notice_days"),
                output_field=number,
            ),
            needed=Greatest(Value(days, output_field=number), OuterRef("min_days")),
        )
        .filter(usable__gte=F("needed"))
    )
    return testbeds.filter(Exists(runs), max_days__gte=days)


@dataclass(frozen=True)
class Day:
    date: datetime.date
    booked: int  # confirmed bookings on the day
    free: int  # places left (0 when closed)
    closed_reason: str  # blackout reason, "" when open
    bookable: bool  # within notice and horizon, open and with a free place
    # Why a day with a free place still cannot be booked: "past", "notice" (inside the
    # notice period), "horizon" (beyond how far ahead bookings go), or "" when it can.
    not_bookable_because: str = ""
    today: bool = False


def confirmed_bookings(
    testbed: TestBed, start: datetime.date, end: datetime.date
) -> QuerySet[Booking]:
    """The test bed's confirmed bookings that share a day with [start, end)."""
    return Booking.objects.filter(
        testbed=testbed, status=Booking.Status.CONFIRMED, start__lt=end, end__gt=start
    )


def day_loads(testbed: TestBed, start: datetime.date, end: datetime.date) -> list[int]:
    """Confirmed bookings on each day of [start, end). Reads one test bed's bookings only."""
    return loads_of(confirmed_bookings(testbed, start, end).values_list("start", "end"), start, end)


def loads_of(
    spans: Iterable[tuple[datetime.date, datetime.date]], start: datetime.date, end: datetime.date
) -> list[int]:
    """How many of the [first, end) ``spans`` cover each day of [start, end)."""
    size = (end - start).days
    deltas = [0] * (size + 1)
    for b_start, b_end in spans:
        if b_start >= end or b_end <= start:
            continue
        deltas[max((b_start - start).days, 0)] += 1
        deltas[min((b_end - start).days, size)] -= 1
    loads, running = [], 0
    for delta in deltas[:size]:
        running += delta
        loads.append(running)
    return loads


def closures(testbed: TestBed, start: datetime.date, end: datetime.date) -> list[str]:
    """The blackout reason for each day of [start, end), "" when open."""
    size = (end - start).days
    reasons = [""] * size
    # Ordered by start alone: the model's ordering (test bed, then start) joins the test beds.
    for b_start, b_end, reason in (
        Blackout.objects.filter(testbed=testbed, start__lt=end, end__gt=start)
        .order_by("start")
        .values_list("start", "end", "reason")
    ):
        for index in range(max((b_start - start).days, 0), min((b_end - start).days, size)):
            reasons[index] = reason
    return reasons


def bookable_range(testbed: TestBed, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[first, end) of the days the rules allow a trial to use."""
    first = today + datetime.timedelta(days=testbed.notice_days)
    end = today + datetime.timedelta(days=testbed.horizon_days + 1)
    return first, end


def calendar_days(
    testbed: TestBed, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[Day]:
    """Per-day free places for one test bed over [start, end)."""
    today = today or timezone.localdate()
    first, last_end = bookable_range(testbed, today)
    loads = day_loads(testbed, start, end)
    reasons = closures(testbed, start, end)
    days = []
    for offset, (load, reason) in enumerate(zip(loads, reasons, strict=True)):
        date = start + datetime.timedelta(days=offset)
        free = 0 if reason else max(testbed.capacity - load, 0)
        because = ""
        if date < today:
            because = "past"
        elif date < first:
            because = "notice"
        elif date >= last_end:
            because = "horizon"
        days.append(
            Day(
                date=date,
                booked=load,
                free=free,
                closed_reason=reason,
                bookable=free > 0 and not because,
                not_bookable_because=because,
                today=date == today,
            )
        )
    return days


def nearest_free_windows(
    testbed: TestBed,
    *,
    start: datetime.date,
    days: int,
    count: int = 3,
    today: datetime.date | None = None,
    search_days: int = 366,
    ignore: Booking | None = None,
    others: list[tuple[datetime.date, datetime.date]] | None = None,
) -> list[tuple[datetime.date, datetime.date]]:
    """Up to ``count`` windows [start, end) of ``days`` bookable days nearest to ``start``,
    read from the test bed's free runs (or, when a booking's own days should count as
    free — ``ignore`` —, worked out from the bookings around: ``others``, the other
    bookings' [start, end) over ``search_window``, if the caller has read them)."""
    today = today or timezone.localdate()
    window_start, window_end = search_window(testbed, start, days, today, search_days)
    lo, hi = day_number(window_start), day_number(window_end)
    wanted = day_number(start)
    placements: list[int] = []
    for run_first, run_end in _runs(testbed, lo, hi, ignore, others):
        begin, finish = max(run_first, lo), min(run_end, hi)
        if finish - begin < days:
            continue
        nearest = min(max(wanted, begin), finish - days)
        placements += [
            p for p in (nearest, nearest - days, nearest + days) if begin <= p <= finish - days
        ]
    placements.sort(key=lambda p: (abs(p - wanted), p))
    chosen: list[int] = []
    for placement in placements:
        if all(abs(placement - other) >= days for other in chosen):
            chosen.append(placement)
        if len(chosen) == count:
            break
    return sorted(
        (EPOCH + datetime.timedelta(days=p), EPOCH + datetime.timedelta(days=p + days))
        for p in chosen
    )


def search_window(
    testbed: TestBed, start: datetime.date, days: int, today: datetime.date, search_days: int = 366
) -> tuple[datetime.date, datetime.date]:
    """[first, end) of the days ``nearest_free_windows`` looks through."""
    first, last_end = bookable_range(testbed, today)
    return (
        max(first, start - datetime.timedelta(days=search_days)),
        min(last_end, start + datetime.timedelta(days=search_days + days)),
    )


def _runs(
    testbed: TestBed,
    lo: int,
    hi: int,
    ignore: Booking | None,
    others: list[tuple[datetime.date, datetime.date]] | None = None,
) -> list[tuple[int, int]]:
    """Free runs (as day numbers) that overlap [lo, hi)."""
    from .models import FreeRun

    if ignore is None:
        runs = FreeRun.objects.filter(testbed=testbed, end_day__gt=lo, first_day__lt=hi)
        return list(runs.values_list("first_day", "end_day"))
    if hi <= lo:
        return []
    start, end = EPOCH + datetime.timedelta(days=lo), EPOCH + datetime.timedelta(days=hi)
    if others is None:
        others = confirmed_bookings(testbed, start, end).exclude(pk=ignore.pk)
        others = others.values_list("start", "end")
    loads = loads_of(others, start, end)
    reasons = closures(testbed, start, end)
    runs: list[tuple[int, int]] = []
    run_start = None
    for offset, (load, reason) in enumerate(zip(loads, reasons, strict=True)):
        free = load < testbed.capacity and not reason
        if free and run_start is None:
            run_start = lo + offset
        elif not free and run_start is not None:
            runs.append((run_start, lo + offset))
            run_start = None
    if run_start is not None:
        runs.append((run_start, hi))
    return runs


@dataclass(frozen=True)
class Month:
    first: datetime.date
    weeks: list[list[Day | None]]  # Monday first; None pads days outside the month
    previous: datetime.date
    next: datetime.date


def month_calendar(
    testbed: TestBed, month: datetime.date, today: datetime.date | None = None
) -> Month:
    """One month of a test bed's free places, as weeks for a calendar table."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    days = calendar_days(testbed, first, following, today)
    weeks: list[list[Day | None]] = []
    week: list[Day | None] = [None] * first.weekday()
    for entry in days:
        week.append(entry)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return Month(first=first, weeks=weeks, previous=previous, next=following)


@dataclass(frozen=True)
class FreeWindow:
    """Days [first, last] (inclusive) inside a searched period on which a test bed has at
    least ``places`` free places every day."""

    first: datetime.date
    last: datetime.date
    places: int


def free_windows(
    testbeds: Iterable[TestBed],
    *,
    start: datetime.date,
    end: datetime.date,
    days: int = 1,
    today: datetime.date | None = None,
    per_testbed: int = 3,
) -> dict[int, list[FreeWindow]]:
    """For the result cards of a free-dates search: per test bed, up to ``per_testbed``
    stretches of at least ``days`` bookable days inside [start, end), each with the places
    free on every one of its days. Two queries for the whole page (runs, bookings)."""
    from .models import FreeRun

    today = today or timezone.localdate()
    beds = {testbed.pk: testbed for testbed in testbeds}
    if not beds or end <= start:
        return {}
    lo, hi = day_number(start), day_number(end)
    runs: dict[int, list[tuple[int, int]]] = {pk: [] for pk in beds}
    for pk, first, run_end in (
        FreeRun.objects.filter(testbed_id__in=beds, end_day__gt=lo, first_day__lt=hi)
        .values_list("testbed_id", "first_day", "end_day")
        .order_by("testbed_id", "first_day")
    ):
        runs[pk].append((first, run_end))
    spans: dict[int, list[tuple[datetime.date, datetime.date]]] = {pk: [] for pk in beds}
    for pk, b_start, b_end in (
        Booking.objects.filter(
            testbed_id__in=beds, status=Booking.Status.CONFIRMED, start__lt=end, end__gt=start
        )
        .values_list("testbed_id", "start", "end")
        .order_by()
    ):
        spans[pk].append((b_start, b_end))
    found: dict[int, list[FreeWindow]] = {}
    for pk, testbed in beds.items():
        first_ok, end_ok = bookable_range(testbed, today)
        begin_limit, end_limit = max(lo, day_number(first_ok)), min(hi, day_number(end_ok))
        windows = []
        for run_first, run_end in runs[pk]:
            begin, finish = max(run_first, begin_limit), min(run_end, end_limit)
            if finish - begin < max(days, 1):
                continue
            first_day = EPOCH + datetime.timedelta(days=begin)
            end_day = EPOCH + datetime.timedelta(days=finish)
            loads = loads_of(spans[pk], first_day, end_day)
            places = max(testbed.capacity - max(loads, default=0), 1)
            windows.append(FreeWindow(first_day, end_day - datetime.timedelta(days=1), places))
            if len(windows) == per_testbed:
                break
        found[pk] = windows
    return found
