"""A programme of 10,000 trials over 1,000 test beds: the funnel and utilisation figures, and
the public /regions/ page and the catalogue (with its map) against the /healthz floor.

    .venv/bin/python bench/bench_programmes.py [--runs 11] [--seconds 5] [--rounds 3] [--json PATH]

Runs against its own PostgreSQL database (BENCH_DB_PROGRAMMES, default tbx_bench_programmes on
127.0.0.1, created, migrated and seeded once): ``seed_bench`` with 1,000 test beds and 10,000
bookings, every booking a trial, all of them in one bench programme, with the times of each step
(decided, completed, evidence accepted) set from their status. The figures are computed
in-process (median ms over ``--runs``, with the query count, which the tests assert does not
grow with the number of trials: tests/programmes/test_funnel.py, test_utilisation.py). The
pages are served by gunicorn (2 workers) and loaded with wrk, as in http_pages.py: /healthz,
/regions/ and /testbeds/ as anonymous visitors get them (cached for a minute), and uncached —
each request with a query string of its own, so the page cache never answers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    PG,
    Result,
    ensure_database,
    setup_in_process,
    summary,
    timed_runs,
    write_results,
)

TESTBEDS, TRIALS = 1_000, 10_000
PROGRAMME = "Bench programme: 10,000 trials"
OFFICER = "bench-officer@bench.test"
#: Each request its own query string: the anonymous page cache keys on it, so it never hits.
UNCACHED_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?bench=" .. counter)
end
"""


def database_url() -> str:
    return os.environ.get("BENCH_DB_PROGRAMMES", f"{PG}/tbx_bench_programmes")


def seed():
    """The bench programme with every bench trial in it, and its officer (made once)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from accounts.models import Membership, Organisation, Programme, User
    from trials.models import Trial, TrialStatus

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_bench", testbeds=TESTBEDS, bookings=TRIALS, trials=TRIALS)
    programme = Programme.objects.filter(name=PROGRAMME).first()
    if programme is None:
        team = Organisation.objects.create(
            kind="programme_team", name="Bench programme team", slug="bench-programme-team"
        )
        programme = Programme.objects.create(
            team=team,
            name=PROGRAMME,
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2030, 12, 31),
        )
        officer = User.objects.create_user(OFFICER, "bench", full_name="Bench Officer")
        Membership.objects.create(user=officer, organisation=team, role="admin")
    trials = Trial.objects.filter(testbed__slug__startswith="bench-")
    if trials.exclude(programme=programme).exists():
        trials.update(programme=programme)
        # Half the completed trials had their evidence accepted.
        trials.filter(status=TrialStatus.COMPLETED).annotate(odd=F("pk") % 2).filter(odd=1).update(
            status=TrialStatus.ACCEPTED
        )
        day = datetime.timedelta(days=1)
        decided = trials.exclude(status__in=[TrialStatus.REQUESTED, TrialStatus.WITHDRAWN])
        decided.update(decided_at=F("created_at") + 3 * day)
        done = [TrialStatus.COMPLETED, TrialStatus.SUBMITTED, TrialStatus.ACCEPTED]
        trials.filter(status__in=done).update(completed_at=F("created_at") + 40 * day)
        trials.filter(status=TrialStatus.ACCEPTED).update(accepted_at=F("created_at") + 55 * day)
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would keep
            cursor.execute("ANALYZE")
    return programme, User.objects.get(email=OFFICER)


def figures(programme, officer, runs: int) -> list[Result]:
    from django.db import connection
    from django.test import Client

    from programmes.filters import FigureFilter, UtilisationFilterForm
    from programmes.funnel import programme_funnel
    from programmes.utilisation import programme_utilisation

    def utilisation():
        form = UtilisationFilterForm({})
        form.is_valid()
        return programme_utilisation(programme, form.to_filter())

    client = Client()
    client.force_login(officer)
    work = {
        "funnel figures": lambda: programme_funnel(programme, FigureFilter()),
        "utilisation figures": utilisation,
        "funnel page (officer)": lambda: client.get(f"/programmes/{programme.pk}/funnel/"),
        "utilisation page (officer)": lambda: client.get(
            f"/programmes/{programme.pk}/utilisation/"
        ),
    }
    results = []
    requested = programme_funnel(programme, FigureFilter()).requested
    print(f"programme of {requested:,} trials")
    for name, call in work.items():
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # Counted by a wrapper: the test client empties connection.queries at each request.
        with connection.execute_wrapper(count):
            answer = call()
        if hasattr(answer, "status_code"):
            assert answer.status_code == 200, (name, answer.status_code)
        timings = timed_runs(call, runs, warmup=1)
        print(f"{name:<28} {summary(timings)}, {len(queries)} queries")
        results.append(
            Result(
                "programmes",
                f"{name}, {requested:,} trials",
                statistics.median(timings),
                "ms",
                note=f"{len(queries)} queries",
            )
        )
    return results


def wrk(url: str, seconds: int, script: str | None) -> float:
    import re

    command = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", url]
    if script:
        command += ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def pages(url: str, seconds: int, rounds: int) -> list[Result]:
    from server import gunicorn

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(UNCACHED_LUA)
    loads = {
        "floor (healthz)": ("/healthz", None),
        "/regions/ cached": ("/regions/", None),
        "/regions/ uncached": ("/regions/", lua.name),
        "catalogue with map cached": ("/testbeds/", None),
        "catalogue with map uncached": ("/testbeds/", lua.name),
    }
    rates: dict[str, list[float]] = {name: [] for name in loads}
    try:
        with gunicorn(url) as server:
            for path, script in loads.values():
                wrk(server.base + path, 2, script)
            for round_number in range(rounds):
                for name, (path, script) in loads.items():
                    rates[name].append(wrk(server.base + path, seconds, script))
                    print(f"round {round_number + 1}: {name:<28} {rates[name][-1]:8.1f} req/s")
    finally:
        os.unlink(lua.name)
    floor = statistics.median(rates["floor (healthz)"])
    results = []
    for name, values in rates.items():
        rate = statistics.median(values)
        note = f"rounds: {', '.join(f'{v:.0f}' for v in values)}"
        results.append(Result("programmes", f"{name} requests/s", rate, "req/s", note=note))
        if name != "floor (healthz)":
            results.append(Result("programmes", f"{name} / floor", rate / floor, "×"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    options = parser.parse_args()
    url = database_url()
    ensure_database(url)
    in_process = setup_in_process(url)
    programme, officer = seed()
    with in_process:
        results = figures(programme, officer, options.runs)
    results += pages(url, options.seconds, options.rounds)
    write_results(options.json, results)


if __name__ == "__main__":
    main()
