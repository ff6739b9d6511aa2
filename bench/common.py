"""What every benchmark shares: Django set-up, timing statistics, results and the machine.

Each bench is a script that can run alone and, with ``--json PATH``, writes its results for
``bench/run.py`` to gather into one table.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432"
SIZES = {"small": (1_000, 100_000), "large": (10_000, 1_000_000)}
#: Shared by the bench processes and the gunicorn they start, so sessions made in one are
#: valid in the other. Benchmark databases only.
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"


def database_url(size: str) -> str:
    """The bench database of a size: BENCH_DB_SMALL / BENCH_DB_LARGE, or tbx_bench_<size>."""
    return os.environ.get(f"BENCH_DB_{size.upper()}", f"{PG}/tbx_bench_{size}")


def setup_django(url: str | None = None) -> None:
    """Django configured for the benchmarks (the given database; bench-only secrets)."""
    sys.path.insert(0, str(ROOT))
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("EMAIL_URL", "dummy://")
    os.environ["SECRET_KEY"] = SECRET_KEY
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it is missing."""
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_in_process(url: str) -> contextlib.AbstractContextManager:
    """Django set up for pages fetched in-process with the test client: its host allowed, no
    HTTPS redirect, and static URLs unhashed (no collectstatic, as in DEBUG)."""
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    setup_django(url)
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return override_settings(STORAGES=plain)


def prepare_database(size: str) -> None:
    """Migrate the bench database of ``size`` and seed it (both no-ops when already done)."""
    from django.core.management import call_command

    testbeds, bookings = SIZES[size]
    ensure_database(database_url(size))  # a new machine has none
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_bench", testbeds=testbeds, bookings=bookings)


@dataclass
class Result:
    """One line of the summary table."""

    bench: str
    measure: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "–"
        size = abs(self.value)
        precision = 3 if size < 1 else 2 if size < 10 else 1 if size < 100 else 0
        return f"{self.value:,.{precision}f} {self.unit}".strip()

    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0–1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_runs(work: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Wall times in ms of ``runs`` calls after ``warmup`` untimed ones."""
    import time

    for _ in range(warmup):
        work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> str:
    return (
        f"median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms over {len(timings)} runs"
    )


def write_results(path: str | None, results: list[Result]) -> None:
    if path:
        Path(path).write_text(json.dumps([asdict(r) for r in results], indent=1))


def read_results(path: Path) -> list[Result]:
    return [Result(**item) for item in json.loads(path.read_text())]


def print_table(results: list[Result]) -> None:
    rows = [("bench", "measure", "measured", "target", "")] + [
        (r.bench, r.measure, r.shown(), r.target, r.verdict()) for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "postgresql": _postgres_version(),
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _postgres_version() -> str:
    try:
        out = subprocess.run(
            ["psql", f"{PG}/postgres", "-Atc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"
