"""Pages under load: requests per second under gunicorn, each page beside a trivial view.

    .venv/bin/python bench/http_pages.py [--size large] [--seconds 8] [--rounds 3] [--json PATH]

Serves the project with gunicorn (2 sync workers, DEBUG=0, PostgreSQL bench database of
``--size``, seeded by ``seed_bench`` if needed) on 127.0.0.1 and loads each URL with ``wrk``
(Debian package ``wrk``; one thread, ``--connections`` connections, ``--seconds`` per round,
after a 2-second warm-up), rounds interleaved so drift hits every page alike. Two servers run
side by side (only one is loaded at a time): one as in production, one with the anonymous
page cache off (``ANONYMOUS_PAGE_SECONDS=0``) and trial page bodies never kept
(``TRIAL_PAGE_SECONDS=0``), each with its own ``/healthz`` floor:

- ``/healthz`` — the floor: a trivial view (one ``SELECT 1``) through the same middleware;
- anonymous (cached for a minute in production, and uncached): the catalogue, a test bed
  page, the API list;
- signed in as the bench start-up's admin: the catalogue, the catalogue with a search, a test
  bed page, ``/trials/``, a trial page (its body kept between changes, as in production, and
  built afresh on every request); the API list with a Bearer token and with the session;
- signed in as the bench public body's admin: the provider dashboard, the approval queue.

The median over rounds of each URL's requests/s is reported, with its ratio to the floor of
the same server and the target of issue 20 (signed-in pages ≥ 0.10×, signed-in API ≥ 0.15×).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    SIZES,
    Result,
    database_url,
    prepare_database,
    print_table,
    setup_django,
    write_results,
)
from server import api_token, gunicorn, session_cookie  # noqa: E402

CACHED, UNCACHED = "cached", "uncached"
#: The server with the anonymous page cache off and no trial page body kept.
SERVER_ENV = {CACHED: {}, UNCACHED: {"ANONYMOUS_PAGE_SECONDS": "0", "TRIAL_PAGE_SECONDS": "0"}}
SIGNED_IN, API = 0.10, 0.15


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: tuple[str, ...] = ()
    server: str = CACHED
    target: float | None = None

    @property
    def is_floor(self) -> bool:
        return self.path == "/healthz"


def pages(startup: str, provider: str, token: str) -> list[Page]:
    """Every URL to load; ``startup``/``provider`` are Cookie headers, ``token`` a Bearer token."""
    from seed_bench_data import bench_testbed, bench_trial

    testbed = f"/testbeds/{bench_testbed().slug}/"
    signed_in = (f"Cookie: {startup}",)
    return [
        Page("floor (healthz)", "/healthz"),
        Page("catalogue, anonymous (cached)", "/testbeds/", target=0.25),
        Page("test bed page, anonymous (cached)", testbed),
        Page("api list, anonymous (cached)", "/api/v1/testbeds/", target=0.35),
        Page("catalogue, signed in", "/testbeds/", signed_in, target=SIGNED_IN),
        Page("catalogue search, signed in", "/testbeds/?q=robotics", signed_in, target=SIGNED_IN),
        Page("test bed page, signed in", testbed, signed_in, target=SIGNED_IN),
        Page("trials list, signed in", "/trials/", signed_in, target=SIGNED_IN),
        Page("trial page, signed in", f"/trials/{bench_trial().pk}/", signed_in, target=SIGNED_IN),
        Page("provider dashboard", "/dashboard/", (f"Cookie: {provider}",), target=SIGNED_IN),
        Page("approval queue", "/trials/requests/", (f"Cookie: {provider}",), target=SIGNED_IN),
        Page(
            "api list, token",
            "/api/v1/testbeds/",
            (f"Authorization: Bearer {token}",),
            target=API,
        ),
        Page("api list, session", "/api/v1/testbeds/", signed_in, target=API),
        Page("floor (healthz), cache off", "/healthz", server=UNCACHED),
        Page("catalogue, anonymous, uncached", "/testbeds/", server=UNCACHED),
        Page("test bed page, anonymous, uncached", testbed, server=UNCACHED),
        Page("api list, anonymous, uncached", "/api/v1/testbeds/", server=UNCACHED),
        Page(
            "trial page, signed in, body built each time",
            f"/trials/{bench_trial().pk}/",
            signed_in,
            server=UNCACHED,
        ),
    ]


def header_dict(headers: tuple[str, ...]) -> dict[str, str]:
    return dict(header.split(": ", 1) for header in headers)


def check(base: str, page: Page) -> int:
    """Fetch once: the page must answer 200 (not a redirect to the login page)."""
    request = urllib.request.Request(base + page.path, headers=header_dict(page.headers))
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200 or response.url != base + page.path:
            raise SystemExit(f"{page.path} answered {response.status} at {response.url}")
        return len(response.read())


def wrk(url: str, headers: tuple[str, ...], seconds: int, connections: int) -> float:
    """Requests per second wrk measured; every response must be 2xx."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", url]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(
    size: str, seconds: int, rounds: int, connections: int, only: str | None = None
) -> list[Result]:
    url = database_url(size)
    setup_django(url)

    from seed_bench_data import bench_provider, bench_user

    prepare_database(size)
    targets = pages(
        session_cookie(bench_user()), session_cookie(bench_provider()), api_token(bench_user())
    )
    if only:
        targets = [page for page in targets if page.is_floor or only in page.name]
    servers = {page.server for page in targets if not page.is_floor}
    targets = [page for page in targets if page.server in servers]
    rates: dict[str, list[float]] = {page.name: [] for page in targets}
    with ExitStack() as stack:
        bases = {
            name: stack.enter_context(gunicorn(url, extra_env=env)).base
            for name, env in SERVER_ENV.items()
            if name in servers
        }
        for page in targets:
            base = bases[page.server]
            size_bytes = check(base, page)
            wrk(base + page.path, page.headers, 2, connections)
            print(f"{page.name:<36} {page.path:<44} {size_bytes:>7,} bytes", flush=True)
        for round_number in range(rounds):
            for page in targets:
                rate = wrk(bases[page.server] + page.path, page.headers, seconds, connections)
                rates[page.name].append(rate)
                print(f"round {round_number + 1}: {page.name:<36} {rate:8.1f} req/s", flush=True)
    return results_of(targets, rates)


def results_of(targets: list[Page], rates: dict[str, list[float]]) -> list[Result]:
    medians = {name: statistics.median(values) for name, values in rates.items()}
    floors = {page.server: medians[page.name] for page in targets if page.is_floor}
    results = []
    for page in targets:
        rate = medians[page.name]
        spread = f"rounds: {', '.join(f'{v:.0f}' for v in rates[page.name])}"
        results.append(Result("http", f"{page.name} requests/s", rate, "req/s", note=spread))
        if page.is_floor:
            continue
        ratio = rate / floors[page.server]
        target = page.target
        results.append(
            Result(
                "http",
                f"{page.name} / floor",
                ratio,
                "×",
                f"≥ {target}×" if target else "",
                ratio >= target if target else None,
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--only", help="load only the pages whose name contains this (the floors always)"
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    results = measure(args.size, args.seconds, args.rounds, args.connections, args.only)
    print_table(results)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
