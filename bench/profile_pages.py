"""Where a request's time goes: SQL versus Python, per page, in-process on a bench database.

    .venv/bin/python bench/profile_pages.py [--size large] [--runs 20] [--top 15]

For the pages the HTTP bench loads, and for a refused booking request (a 409 on a full
capacity-3 test bed, what 47 of the contention bench's 50 requests get) and a refused change
approval (a 409: 49 of its 50 change approvals), through Django's
test client: the median wall time, the number of SQL queries and the share of time spent
in them (timed with ``connection.execute_wrapper``), the slowest queries, and cProfile's top
functions by cumulative time. Not part of ``make bench``: the notes in RESULTS.md come
from it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, SIZES, database_url, prepare_database, setup_django  # noqa: E402

# Its own full test beds, so that a contention bench running meanwhile keeps its own.
PROFILE_SLUG = f"benchmark-contention-profile-{os.getpid()}"
CHANGES_PROFILE_SLUG = f"benchmark-contention-changes-profile-{os.getpid()}"


class QueryTimer:
    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def profile(name: str, request: Callable[[], object], runs: int, top: int) -> None:
    from django.db import connection

    status = request().status_code
    if status not in (200, 409):
        raise SystemExit(f"{name} answered {status}")
    walls, sql_ms, counts = [], [], []
    slowest: dict[str, float] = {}
    for _ in range(runs):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            request()
            walls.append((time.perf_counter() - started) * 1000)
        sql_ms.append(sum(ms for ms, _ in timer.queries))
        counts.append(len(timer.queries))
        for ms, sql in timer.queries:
            slowest[sql[:160]] = max(ms, slowest.get(sql[:160], 0))
    wall = statistics.median(walls)
    sql = statistics.median(sql_ms)
    print(f"\n## {name}: median {wall:.1f} ms, {statistics.median(counts):.0f} queries, ")
    print(f"   SQL {sql:.1f} ms ({sql / wall:.0%}), Python {wall - sql:.1f} ms")
    for sql_text, ms in sorted(slowest.items(), key=lambda item: -item[1])[:4]:
        print(f"   {ms:6.1f} ms  {sql_text}")
    profiler = cProfile.Profile()
    profiler.enable()
    request()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    project = re.escape(str(ROOT)) + r"/(?!\.venv|bench)"
    stats.print_stats(project, top)  # the project's own functions
    stats.sort_stats("tottime").print_stats(top // 2)  # where the time itself is spent
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()[:1].isdigit()))


def requests(client, cookie_client, provider_client) -> dict[str, Callable[[], object]]:
    import seed_bench_data as data
    from django.utils import timezone

    full = data.contention_testbed(PROFILE_SLUG)
    body = json.loads(data_body(full.slug, timezone.localdate()))
    contenders = data.contenders(4)
    from django.test import Client

    fillers = [Client() for _ in contenders]
    for filler, user in zip(fillers, contenders, strict=True):
        filler.force_login(user)
        filler.post("/api/v1/trials/", body, content_type="application/json")
    refused_change = refused_change_path(contenders[:2])
    provider = Client()
    provider.force_login(data.changes_provider(data.bench_testbed()))
    testbed_page = f"/testbeds/{data.bench_testbed().slug}/"
    trial_page = f"/trials/{data.bench_trial().pk}/"
    return {
        "floor (healthz)": lambda: client.get("/healthz"),
        "catalogue": lambda: client.get("/testbeds/"),
        "api list": lambda: client.get("/api/v1/testbeds/"),
        "test bed page": lambda: client.get(testbed_page),
        "trial page": lambda: cookie_client.get(trial_page),
        "trial page, provider": lambda: provider_client.get(trial_page),
        "catalogue, signed in": lambda: cookie_client.get("/testbeds/"),
        "catalogue search, signed in": lambda: cookie_client.get("/testbeds/?q=robotics"),
        "test bed page, signed in": lambda: cookie_client.get(testbed_page),
        "trials list, signed in": lambda: cookie_client.get("/trials/"),
        "api list, session": lambda: cookie_client.get("/api/v1/testbeds/"),
        "provider dashboard": lambda: provider_client.get("/dashboard/"),
        "approval queue": lambda: provider_client.get("/trials/requests/"),
        "refused booking (409)": lambda: fillers[-1].post(
            "/api/v1/trials/", body, content_type="application/json"
        ),
        "refused change approval (409)": lambda: provider.post(
            refused_change, {}, content_type="application/json"
        ),
    }


def refused_change_path(users: list) -> str:
    """Two start-ups ask to move onto the same days of a capacity-1 test bed (the contention
    bench's set-up); the first change is approved, so approving the second is refused (and
    it stays open): the path of 49 of the contention bench's 50 change approvals."""
    import seed_bench_data as data
    from contention import change_requests
    from django.test.utils import override_settings

    from trials import services
    from trials.models import ChangeRequest

    _slug, ids, _cookie = change_requests(users, CHANGES_PROFILE_SLUG)
    first = ChangeRequest.objects.select_related("trial__testbed").get(pk=ids[0])
    provider = data.changes_provider(first.trial.testbed)
    with override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    ):
        services.change_request_approve(actor=provider, change=first)
    return f"/api/v1/change-requests/{ids[1]}/approve/"


def data_body(slug: str, today) -> str:
    from seed_bench_data import contention_days

    first, last = contention_days(today)
    return json.dumps(
        {
            "testbed": slug,
            "title": "Profile",
            "summary": "Profile",
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--only", help="profile only the pages whose name contains this")
    args = parser.parse_args()
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    setup_django(database_url(args.size))
    import seed_bench_data as data
    from django.test import Client
    from django.test.utils import override_settings

    prepare_database(args.size)
    client, cookie_client, provider_client = Client(), Client(), Client()
    cookie_client.force_login(data.bench_user())
    provider_client.force_login(data.bench_provider())
    unlimited = dict.fromkeys(("anon", "user", "ip", "write"), "1000000/min")
    from django.conf import settings

    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": unlimited}
    try:
        with override_settings(REST_FRAMEWORK=rest, ALLOWED_HOSTS=["testserver"]):
            for name, request in requests(client, cookie_client, provider_client).items():
                if args.only and args.only not in name:
                    continue
                profile(name, request, args.runs, args.top)
    finally:
        data.remove_contention_testbed(PROFILE_SLUG)
        data.remove_contention_testbed(CHANGES_PROFILE_SLUG)


if __name__ == "__main__":
    main()
