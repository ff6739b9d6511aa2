"""Pages under load: requests per second under gunicorn, each page beside a trivial view.

    .venv/bin/python bench/http_pages.py [--size large] [--seconds 8] [--rounds 3] [--json PATH]

Serves the project with gunicorn (2 sync workers, DEBUG=0, PostgreSQL bench database of
``--size``, seeded by ``seed_bench`` if needed) on 127.0.0.1 and loads each URL with ``wrk``
(Debian package ``wrk``; one thread, ``--connections`` connections, ``--seconds`` per round,
after a 2-second warm-up), rounds interleaved so drift hits every page alike:

- ``/healthz`` — the floor: a trivial view (one ``SELECT 1``) through the same middleware;
- ``/testbeds/`` — the catalogue, first page of every published test bed;
- ``/testbeds/<slug>/`` — a test bed page with its month calendar;
- ``/trials/<id>/`` — a trial page, signed in as its start-up;
- ``/api/v1/testbeds/`` — the API list, anonymous.

The median over rounds of each URL's requests/s is reported, with its ratio to the floor.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    SIZES,
    Result,
    database_url,
    prepare_database,
    print_table,
    setup_django,
    write_results,
)  # noqa: E402
from server import gunicorn, session_cookie  # noqa: E402

TARGETS = {"catalogue": 0.25, "api list": 0.35}


def pages(cookie: str) -> dict[str, tuple[str, str]]:
    """Name → (path, Cookie header) of each page to load."""
    from seed_bench_data import bench_testbed, bench_trial

    return {
        "floor (healthz)": ("/healthz", ""),
        "catalogue": ("/testbeds/", ""),
        "test bed page": (f"/testbeds/{bench_testbed().slug}/", ""),
        "trial page": (f"/trials/{bench_trial().pk}/", cookie),
        "api list": ("/api/v1/testbeds/", ""),
    }


def check(base: str, path: str, cookie: str) -> int:
    """Fetch once: the page must answer 200 (not a redirect to the login page)."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200 or response.url != base + path:
            raise SystemExit(f"{path} answered {response.status} at {response.url}")
        return len(response.read())


def wrk(url: str, cookie: str, seconds: int, connections: int) -> float:
    """Requests per second wrk measured; every response must be 2xx."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", url]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(size: str, seconds: int, rounds: int, connections: int) -> list[Result]:
    url = database_url(size)
    setup_django(url)

    from seed_bench_data import bench_user

    prepare_database(size)
    cookie = session_cookie(bench_user())
    targets = pages(cookie)
    rates: dict[str, list[float]] = {name: [] for name in targets}
    with gunicorn(url) as server:
        for name, (path, page_cookie) in targets.items():
            size_bytes = check(server.base, path, page_cookie)
            wrk(server.base + path, page_cookie, 2, connections)
            print(f"{name:<16} {path:<44} {size_bytes:>7,} bytes of HTML/JSON")
        for round_number in range(rounds):
            for name, (path, page_cookie) in targets.items():
                rate = wrk(server.base + path, page_cookie, seconds, connections)
                rates[name].append(rate)
                print(f"round {round_number + 1}: {name:<16} {rate:8.1f} requests/s")
    return results_of(rates)


def results_of(rates: dict[str, list[float]]) -> list[Result]:
    medians = {name: statistics.median(values) for name, values in rates.items()}
    floor = medians["floor (healthz)"]
    results = []
    for name, rate in medians.items():
        spread = f"rounds: {', '.join(f'{v:.0f}' for v in rates[name])}"
        results.append(Result("http", f"{name} requests/s", rate, "req/s", note=spread))
        if name.startswith("floor"):
            continue
        target = TARGETS.get(name)
        results.append(
            Result(
                "http",
                f"{name} / floor",
                rate / floor,
                "×",
                f"≥ {target}×" if target else "",
                rate / floor >= target if target else None,
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    results = measure(args.size, args.seconds, args.rounds, args.connections)
    print_table(results)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
