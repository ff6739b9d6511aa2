"""Candidate shapes of the availability search, measured beside testbeds/availability.py.

Nothing here is used by the service. ``single_pass_sql`` is the same sweep as
``testbeds.availability._search_sql`` with two changes, on PostgreSQL only:

1. the confirmed bookings overlapping the window are read once (the ``overlapping`` CTE,
   used twice for the +1 and -1 events, so PostgreSQL materialises it) instead of twice;
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
    WITH beds AS (
        SELECT t.id, t.capacity,
               GREATEST(%(ws)s, %(today)s + t.notice_days) AS lo,
               LEAST(%(we)s, %(today)s + t.horizon_days + 1) AS hi,
               GREATEST(%(days)s, t.min_days) AS needed
        FROM testbeds_testbed t
        WHERE t.id IN ({candidates_sql}) AND t.max_days >= %(days)s
    ),
    overlapping AS (
        SELECT b.testbed_id AS tb,
               GREATEST(b.start - {DAY}, beds.lo) AS s,
               LEAST(b."end" - {DAY}, beds.hi) AS e
        FROM testbeds_booking b JOIN beds ON beds.id = b.testbed_id
        WHERE b.status = 'confirmed' AND b.start < %(we_date)s AND b."end" > %(ws_date)s
          AND b."end" - {DAY} > beds.lo AND b.start - {DAY} < beds.hi
    ),
    events AS (
        SELECT tb, s AS d, 1 AS delta FROM overlapping
        UNION ALL
        SELECT tb, e, -1 FROM overlapping
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


# Precomputed free runs --------------------------------------------------------------------

#: Day numbers standing for "no bound" at either end of a free run.
FOREVER = 1_000_000_000

FREE_RUNS_TABLE = f"""
CREATE TEMP TABLE bench_free_run AS
WITH events AS (
    SELECT testbed_id AS tb, start - {DAY} AS d, 1 AS delta
    FROM testbeds_booking WHERE status = 'confirmed'
    UNION ALL
    SELECT testbed_id, "end" - {DAY}, -1 FROM testbeds_booking WHERE status = 'confirmed'
    UNION ALL
    SELECT x.testbed_id, x.start - {DAY}, t.capacity
    FROM testbeds_blackout x JOIN testbeds_testbed t ON t.id = x.testbed_id
    UNION ALL
    SELECT x.testbed_id, x."end" - {DAY}, -t.capacity
    FROM testbeds_blackout x JOIN testbeds_testbed t ON t.id = x.testbed_id
),
daily AS (SELECT tb, d, SUM(delta) AS delta FROM events GROUP BY tb, d),
levels AS (
    SELECT tb, d,
           SUM(delta) OVER (PARTITION BY tb ORDER BY d ROWS UNBOUNDED PRECEDING) AS level,
           LEAD(d) OVER (PARTITION BY tb ORDER BY d) AS next_d
    FROM daily
),
busy AS (
    SELECT l.tb, l.d, l.next_d,
           LAG(l.next_d) OVER (PARTITION BY l.tb ORDER BY l.d) AS prev_end
    FROM levels l JOIN testbeds_testbed t ON t.id = l.tb
    WHERE l.level >= t.capacity AND l.next_d IS NOT NULL
)
SELECT tb AS testbed_id, COALESCE(prev_end, -{FOREVER}) AS first_day, d AS end_day
FROM busy WHERE prev_end IS NULL OR prev_end < d
UNION ALL
SELECT tb, MAX(next_d), {FOREVER} FROM busy GROUP BY tb
UNION ALL
SELECT t.id, -{FOREVER}, {FOREVER} FROM testbeds_testbed t
WHERE NOT EXISTS (SELECT 1 FROM busy WHERE busy.tb = t.id);
CREATE INDEX ON bench_free_run (testbed_id, end_day, first_day);
CREATE INDEX ON bench_free_run USING gist (int4range(first_day, end_day));
ANALYZE bench_free_run;
"""


def build_free_runs() -> int:
    """The free runs of every test bed (maximal stretches of days with a place), in a temp
    table of this connection; what a booking service would keep up to date per test bed."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_free_run")
        cursor.execute(FREE_RUNS_TABLE)
        cursor.execute("SELECT count(*) FROM bench_free_run")
        return cursor.fetchone()[0]


def free_runs_sql(candidates_sql: str) -> str:
    """Test beds with a free run long enough inside their own bookable part of the window.

    The candidates are read once (an ``IN`` over the same table would scan it twice).
    """
    return f"""
    SELECT t.id FROM testbeds_testbed t
    WHERE {candidates_sql} AND t.max_days >= %(days)s
      AND EXISTS (
        SELECT 1 FROM bench_free_run r
        WHERE r.testbed_id = t.id
          AND int4range(r.first_day, r.end_day) && int4range(%(ws)s, %(we)s)
          AND LEAST(r.end_day, %(we)s, %(today)s + t.horizon_days + 1)
              - GREATEST(r.first_day, %(ws)s, %(today)s + t.notice_days)
              >= GREATEST(%(days)s, t.min_days)
      )
    """


def free_runs_statement(
    *, start: datetime.date, end: datetime.date, days: int, region: str | None, today
) -> tuple[str, list]:
    where, extra = "t.status = %s", [TestBed.Status.PUBLISHED]
    if region:
        where, extra = where + " AND t.region = %s", [*extra, region]
    return _named_to_positional(free_runs_sql(where), search_params(start, end, days, today), extra)


def free_runs_available(
    *, start: datetime.date, end: datetime.date, days: int, region: str | None, today
) -> list[int]:
    sql, params = free_runs_statement(start=start, end=end, days=days, region=region, today=today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
