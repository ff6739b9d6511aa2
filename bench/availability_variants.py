"""Candidate shapes of the availability search, measured beside testbeds/availability.py.

Nothing here is used by the service. ``single_pass_sql`` is the same sweep as
``testbeds.availability._search_sql`` with two changes, on PostgreSQL only:

1. each confirmed booking is read once (a LATERAL pair of +1/-1 events) instead of twice;
2. the last step is a GROUP BY per test bed joined back by hash, instead of an EXISTS
   sub-plan over the whole ``ordered``/``gaps`` CTEs for every test bed, which made the
   search quadratic in the number of test beds.

It must return exactly the ids the service's query returns (``bench/availability.py``
checks that on every run).
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import QuerySet

from testbeds.availability import _named_to_positional, day_number
from testbeds.models import TestBed

DAY = "DATE '1970-01-01'"


def single_pass_sql(candidates_sql: str) -> str:
    return f"""
    WITH beds AS MATERIALIZED (
        SELECT t.id, t.capacity,
               GREATEST(%(ws)s, %(today)s + t.notice_days) AS lo,
               LEAST(%(we)s, %(today)s + t.horizon_days + 1) AS hi,
               GREATEST(%(days)s, t.min_days) AS needed
        FROM testbeds_testbed t
        WHERE t.id IN ({candidates_sql}) AND t.max_days >= %(days)s
    ),
    events AS (
        SELECT b.testbed_id AS tb, e.d, e.delta
        FROM testbeds_booking b
        JOIN beds ON beds.id = b.testbed_id
        CROSS JOIN LATERAL (
            VALUES (GREATEST(b.start - {DAY}, beds.lo), 1),
                   (LEAST(b."end" - {DAY}, beds.hi), -1)
        ) AS e(d, delta)
        WHERE b.status = 'confirmed' AND b.start < %(we_date)s AND b."end" > %(ws_date)s
          AND b."end" - {DAY} > beds.lo AND b.start - {DAY} < beds.hi
    ),
    daily AS (
        SELECT tb, d, SUM(delta) AS delta FROM events GROUP BY tb, d
    ),
    levels AS (
        SELECT tb, d,
               SUM(delta) OVER (PARTITION BY tb ORDER BY d ROWS UNBOUNDED PRECEDING) AS level,
               LEAD(d) OVER (PARTITION BY tb ORDER BY d) AS next_d
        FROM daily
    ),
    busy AS (
        SELECT l.tb, l.d AS bs, l.next_d AS be
        FROM levels l JOIN beds ON beds.id = l.tb
        WHERE l.level >= beds.capacity AND l.next_d IS NOT NULL
        UNION ALL
        SELECT x.testbed_id, GREATEST(x.start - {DAY}, beds.lo), LEAST(x."end" - {DAY}, beds.hi)
        FROM testbeds_blackout x JOIN beds ON beds.id = x.testbed_id
        WHERE x.start < %(we_date)s AND x."end" > %(ws_date)s
          AND x."end" - {DAY} > beds.lo AND x.start - {DAY} < beds.hi
    ),
    ordered AS (
        SELECT tb, bs, be,
               MAX(be) OVER (PARTITION BY tb ORDER BY bs, be
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM busy
    ),
    best AS (
        SELECT o.tb,
               MAX(o.bs - GREATEST(COALESCE(o.prev_end, beds.lo), beds.lo)) AS inner_gap,
               MAX(o.be) AS last_end
        FROM ordered o JOIN beds ON beds.id = o.tb
        GROUP BY o.tb
    )
    SELECT beds.id FROM beds LEFT JOIN best ON best.tb = beds.id
    WHERE beds.hi - beds.lo >= beds.needed
      AND (
        best.tb IS NULL
        OR best.inner_gap >= beds.needed
        OR beds.hi - GREATEST(best.last_end, beds.lo) >= beds.needed
      )
    """


def search_params(
    start: datetime.date, end: datetime.date, days: int, today: datetime.date
) -> dict:
    return {
        "ws": day_number(start),
        "we": day_number(end),
        "today": day_number(today),
        "days": max(days, 1),
        "ws_date": start,
        "we_date": end,
    }


def candidates(region: str | None) -> QuerySet[TestBed]:
    testbeds = TestBed.objects.filter(status=TestBed.Status.PUBLISHED)
    return testbeds.filter(region=region) if region else testbeds


def statement(
    sql_of, *, start: datetime.date, end: datetime.date, days: int, region: str | None, today
) -> tuple[str, list]:
    """The SQL and positional parameters of one search with a given query shape."""
    candidates_sql, candidate_params = (
        candidates(region).order_by().values("id").query.sql_with_params()
    )
    return _named_to_positional(
        sql_of(candidates_sql), search_params(start, end, days, today), candidate_params
    )


def single_pass_available(
    *, start: datetime.date, end: datetime.date, days: int, region: str | None, today
) -> list[int]:
    sql, params = statement(
        single_pass_sql, start=start, end=end, days=days, region=region, today=today
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
