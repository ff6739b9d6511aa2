"""Booking contention: 50 start-ups ask for the same days of a capacity-3 test bed at once;
then 50 changes of dates onto the same free days of a capacity-1 test bed are approved at once.

    .venv/bin/python bench/contention.py [--size large] [--repeat 3] [--threads 1] [--json PATH]

Through HTTP against gunicorn (2 workers, DEBUG=0, PostgreSQL): a fresh capacity-3 test bed
that confirms without approval, 50 start-up admins (each of another bench start-up, each
with its own session and CSRF token), one connection each, opened first; a barrier releases
the 50 ``POST /api/v1/trials/`` together. Exactly 3 must answer 201 and 47 answer 409; the
database must then hold exactly 3 confirmed bookings. Latency is from sending the request to
reading the whole answer. ``--repeat`` runs the burst again on a fresh test bed; p50/p95 are
over all requests of all bursts. The test bed, its bookings and trials are removed at the end.

The change-request burst: a fresh capacity-1 test bed that needs approval; each of the 50
start-ups has an approved trial on days of its own and asks (through the service) to move it
onto the same free days; the test bed's provider then sends the 50
``POST /api/v1/change-requests/{id}/approve/`` together (one connection each). Exactly one
must answer 200 and 49 answer 409; no day may then hold more than one confirmed booking.

Warm-up: a production server has served requests before a burst comes, while the bench's
is freshly started (each worker then pays for its first imports, templates and database
connection inside the first timed burst). So before the first timed burst, untimed: two
bursts of 10 booking requests onto a separate capacity-3 test bed (3 confirmed, the rest
refused) and two of 5 change approvals onto a separate capacity-1 test bed (1 approved,
the rest refused), enough for both workers to have served each kind. They are not counted
in any figure; the timed bursts are exactly as before.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    SIZES,
    Result,
    database_url,
    percentile,
    prepare_database,
    print_table,
    setup_django,
    write_results,
)
from server import gunicorn, session_cookie  # noqa: E402

CAPACITY = 3
TARGET_P95_MS = 250


def one_request(
    base: str,
    cookie: str,
    body: bytes,
    barrier: threading.Barrier,
    out: list,
    index: int,
    path: str = "/api/v1/trials/",
) -> None:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.connect()
    token = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"{cookie}; csrftoken={token}",
        "X-CSRFToken": token,
    }
    barrier.wait()
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    out[index] = (response.status, (time.perf_counter() - started) * 1000)
    connection.close()


def burst(
    base: str, cookies: list[str], body: bytes, paths: list[str] | None = None
) -> list[tuple[int, float]]:
    barrier = threading.Barrier(len(cookies))
    out: list = [None] * len(cookies)
    paths = paths or ["/api/v1/trials/"] * len(cookies)
    threads = [
        threading.Thread(target=one_request, args=(base, cookie, body, barrier, out, i, paths[i]))
        for i, cookie in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return out


def request_body(slug: str) -> bytes:
    from django.utils import timezone
    from seed_bench_data import contention_days

    first, last = contention_days(timezone.localdate())
    return json.dumps(
        {
            "testbed": slug,
            "title": "Contention benchmark",
            "summary": "Fifty start-ups want the same fortnight.",
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
        }
    ).encode()


def confirmed_count(slug: str) -> int:
    from testbeds.models import Booking

    return Booking.objects.filter(testbed__slug=slug, status=Booking.Status.CONFIRMED).count()


def change_requests(contenders: list, slug: str | None = None) -> tuple[str, list[int], str]:
    """A fresh capacity-1 test bed with one open change per contender, all onto the same
    free days; returns its slug, the change ids and the provider's session cookie."""
    import datetime

    import seed_bench_data as data
    from django.test.utils import override_settings
    from django.utils import timezone

    from accounts.models import Organisation
    from trials import services

    testbed = data.changes_testbed(slug or data.CHANGES_SLUG)
    provider = data.changes_provider(testbed)
    today = timezone.localdate()
    wanted = today + datetime.timedelta(days=20)
    ids = []
    with override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    ):
        for index, user in enumerate(contenders):
            organisation = Organisation.objects.filter(
                memberships__user=user, kind=Organisation.Kind.START_UP
            ).first()
            first = today + datetime.timedelta(days=40 + index * 4)
            trial = services.trial_request(
                actor=user,
                organisation=organisation,
                testbed=testbed,
                title=f"Change burst {index}",
                summary="Asks to move onto the same days as everyone.",
                first_day=first,
                last_day=first + datetime.timedelta(days=2),
            )
            services.trial_approve(actor=provider, trial=trial)
            change = services.change_request_create(
                actor=user,
                trial=trial,
                first_day=wanted,
                last_day=wanted + datetime.timedelta(days=2),
                reason="Benchmark",
            )
            ids.append(change.pk)
    return testbed.slug, ids, session_cookie(provider)


def most_on_one_day(slug: str) -> int:
    import datetime

    from django.utils import timezone

    from testbeds.availability import day_loads
    from testbeds.models import TestBed

    today = timezone.localdate()
    testbed = TestBed.objects.get(slug=slug)
    return max(day_loads(testbed, today, today + datetime.timedelta(days=400)), default=0)


def measure_changes(server, contenders: list, repeat: int) -> tuple[list[float], int]:
    import seed_bench_data as data

    latencies: list[float] = []
    bursts_right = 0
    try:
        for number in range(repeat):
            slug, ids, cookie = change_requests(contenders)
            paths = [f"/api/v1/change-requests/{pk}/approve/" for pk in ids]
            answers = burst(server.base, [cookie] * len(ids), b"{}", paths)
            statuses = [status for status, _ in answers]
            most = most_on_one_day(slug)
            right = statuses.count(200) == 1 and statuses.count(409) == len(ids) - 1 and most == 1
            bursts_right += right
            latencies += [ms for _, ms in answers]
            print(
                f"change burst {number + 1}: {statuses.count(200)} × 200, "
                f"{statuses.count(409)} × 409, other {sorted(set(statuses) - {200, 409})}; "
                f"at most {most} booking a day; p50 "
                f"{statistics.median(ms for _, ms in answers):.0f} ms, "
                f"max {max(ms for _, ms in answers):.0f} ms"
            )
    finally:
        data.remove_contention_testbed(data.CHANGES_SLUG)
    return latencies, bursts_right


WARM_SLUG = "benchmark-contention-warm-up"
WARM_CHANGES_SLUG = "benchmark-contention-warm-up-changes"


def warm_up(server, cookies: list[str], contenders: list) -> None:
    """Untimed: both workers serve confirmed and refused bookings and change approvals
    once before the timed bursts (see the module docstring)."""
    import seed_bench_data as data

    for _ in range(2):
        testbed = data.contention_testbed(WARM_SLUG)
        burst(server.base, cookies[:10], request_body(testbed.slug))
        _slug, ids, cookie = change_requests(contenders[:5], WARM_CHANGES_SLUG)
        burst(
            server.base,
            [cookie] * len(ids),
            b"{}",
            [f"/api/v1/change-requests/{pk}/approve/" for pk in ids],
        )
    data.remove_contention_testbed(WARM_SLUG)
    data.remove_contention_testbed(WARM_CHANGES_SLUG)


def measure(size: str, repeat: int, threads: int) -> list[Result]:
    url = database_url(size)
    setup_django(url)

    import seed_bench_data as data

    prepare_database(size)
    contenders = data.contenders()
    cookies = [session_cookie(user) for user in contenders]
    latencies: list[float] = []
    bursts_right = 0
    try:
        with gunicorn(url, threads=threads) as server:
            warm_up(server, cookies, contenders)
            for number in range(repeat):
                testbed = data.contention_testbed()
                answers = burst(server.base, cookies, request_body(testbed.slug))
                statuses = [status for status, _ in answers]
                held = confirmed_count(testbed.slug)
                right = (
                    statuses.count(201) == CAPACITY
                    and statuses.count(409) == len(cookies) - CAPACITY
                    and held == CAPACITY
                )
                bursts_right += right
                latencies += [ms for _, ms in answers]
                print(
                    f"burst {number + 1}: {statuses.count(201)} × 201, {statuses.count(409)} × "
                    f"409, other {sorted(set(statuses) - {201, 409})}; {held} confirmed in the "
                    f"database; p50 {statistics.median(ms for _, ms in answers):.0f} ms, "
                    f"max {max(ms for _, ms in answers):.0f} ms"
                )
            # Second, on the same (now warm) server: the change-request bursts.
            change_latencies, changes_right = measure_changes(server, contenders, repeat)
    finally:
        data.remove_contention_testbed()
        data.remove_contention_testbed(WARM_SLUG)
        data.remove_contention_testbed(WARM_CHANGES_SLUG)
    return results_of(latencies, bursts_right, repeat) + change_results_of(
        change_latencies, changes_right, repeat, len(contenders)
    )


def change_results_of(
    latencies: list[float], bursts_right: int, repeat: int, count: int
) -> list[Result]:
    p95 = percentile(latencies, 0.95)
    return [
        Result(
            "contention",
            f"change bursts with exactly 1 × 200 and {count - 1} × 409",
            bursts_right,
            f"of {repeat}",
            f"{repeat} of {repeat}",
            bursts_right == repeat,
        ),
        Result("contention", "change approval latency p50", statistics.median(latencies), "ms"),
        Result(
            "contention",
            "change approval latency p95",
            p95,
            "ms",
            f"≤ {TARGET_P95_MS} ms",
            p95 <= TARGET_P95_MS,
        ),
    ]


def results_of(latencies: list[float], bursts_right: int, repeat: int) -> list[Result]:
    p95 = percentile(latencies, 0.95)
    return [
        Result(
            "contention",
            f"bursts with exactly {CAPACITY} × 201 and 47 × 409",
            bursts_right,
            f"of {repeat}",
            f"{repeat} of {repeat}",
            bursts_right == repeat,
        ),
        Result("contention", "latency p50", statistics.median(latencies), "ms"),
        Result(
            "contention",
            "latency p95",
            p95,
            "ms",
            f"≤ {TARGET_P95_MS} ms",
            p95 <= TARGET_P95_MS,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = measure(args.size, args.repeat, args.threads)
    print_table(results)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
