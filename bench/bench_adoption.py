"""The outcomes register and a programme's adoption figures at 10,000 accepted trials.

    .venv/bin/python bench/bench_adoption.py [--seconds 8] [--rounds 3] [--runs 15] [--json PATH]

Its own PostgreSQL database (``BENCH_DB_ADOPTION``, default ``tbx_bench_adoption``, created if
missing), seeded by ``seed_bench --testbeds 500 --bookings 20000 --trials 11000 --accepted
10000``: 10,000 accepted trials in one programme, with adoption records, decisions, 30,000
impact reports and 60 % of the outcomes published (6,000 rows in the register).

1. HTTP, under gunicorn (2 sync workers) with ``wrk`` as ``http_pages.py`` does, rounds
   interleaved: ``/healthz`` (the floor); ``/outcomes/`` and ``/api/v1/outcomes/`` anonymous
   (cached like the catalogue) and signed in (never cached: every request runs the queries).
   Requests/s and the ratio to the floor.
2. In-process: ``adoption.selectors.programme_adoption`` and ``programmes.funnel
   .programme_funnel`` for the programme's 10,000 trials, median and p95 ms of ``--runs``
   runs after 2 warm-ups, with their query counts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PG, Result, percentile, print_table, setup_django, write_results  # noqa: E402

ACCEPTED = 10_000


def database_url() -> str:
    return os.environ.get("BENCH_DB_ADOPTION", f"{PG}/tbx_bench_adoption")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_bench", testbeds=500, bookings=20_000, trials=11_000, accepted=ACCEPTED)


def timed(function, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        function()
    with CaptureQueriesContext(connection) as captured:
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(captured)


def in_process(runs: int) -> list[Result]:
    from adoption.selectors import programme_adoption
    from programmes.bench_adoption import bench_programme
    from programmes.filters import FigureFilter
    from programmes.funnel import programme_funnel
    from trials.models import Trial

    programme = bench_programme()
    trials = Trial.objects.filter(programme=programme)
    figures = programme_adoption(trials)
    print(
        f"programme: {figures['accepted']:,} accepted, {figures['decided']:,} decided, "
        f"{figures['adopted']:,} adopted, median {figures['median_days_to_decision']} days"
    )
    results = []
    for name, function in (
        ("programme adoption figures", lambda: programme_adoption(trials)),
        ("programme funnel", lambda: programme_funnel(programme, FigureFilter())),
    ):
        times, queries = timed(function, runs)
        median = statistics.median(times)
        results.append(
            Result(
                "adoption",
                f"{name} ({ACCEPTED:,} trials), median ms",
                median,
                "ms",
                note=f"p95 {percentile(times, 0.95):.0f} ms, {queries} queries",
            )
        )
        print(
            f"{name:<28} median {median:7.1f} ms  p95 {percentile(times, 0.95):7.1f} ms  "
            f"{queries} queries"
        )
    return results


def headers(cookie: str) -> tuple[str, ...]:
    return (f"Cookie: {cookie}",) if cookie else ()


def wrk(url: str, cookie: str, seconds: int, connections: int) -> float:
    from http_pages import wrk as run_wrk

    return run_wrk(url, headers(cookie), seconds, connections)


def over_http(url: str, seconds: int, rounds: int, connections: int) -> list[Result]:
    from http_pages import Page, check
    from seed_bench_data import bench_user
    from server import gunicorn, session_cookie

    cookie = session_cookie(bench_user())
    targets = {
        "floor (healthz)": ("/healthz", ""),
        "outcomes page, cached": ("/outcomes/", ""),
        "outcomes page, uncached": ("/outcomes/", cookie),
        "outcomes API, cached": ("/api/v1/outcomes/", ""),
        "outcomes API, uncached": ("/api/v1/outcomes/", cookie),
    }
    rates: dict[str, list[float]] = {name: [] for name in targets}
    with gunicorn(url) as server:
        for name, (path, page_cookie) in targets.items():
            size = check(server.base, Page(name, path, headers(page_cookie)))
            wrk(server.base + path, page_cookie, 2, connections)
            print(f"{name:<26} {path:<22} {size:>8,} bytes")
        for round_number in range(rounds):
            for name, (path, page_cookie) in targets.items():
                rate = wrk(server.base + path, page_cookie, seconds, connections)
                rates[name].append(rate)
                print(f"round {round_number + 1}: {name:<26} {rate:8.1f} requests/s")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    floor = medians["floor (healthz)"]
    results = []
    for name, rate in medians.items():
        spread = f"rounds: {', '.join(f'{v:.0f}' for v in rates[name])}"
        results.append(Result("adoption", f"{name} requests/s", rate, "req/s", note=spread))
        if not name.startswith("floor"):
            results.append(Result("adoption", f"{name} / floor", rate / floor, "×"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json")
    args = parser.parse_args()
    url = database_url()
    ensure_database(url)
    setup_django(url)
    prepare()
    results = in_process(args.runs)
    if shutil.which("wrk"):
        results += over_http(url, args.seconds, args.rounds, args.connections)
    else:
        print("wrk is not installed (apt-get install -y wrk): the HTTP part is left out")
    print_table(results)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
