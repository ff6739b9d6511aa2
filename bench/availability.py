"""Availability search at scale: test beds free for 14 consecutive days in a 90-day window.

    .venv/bin/python bench/availability.py [--size small|large|both] [--runs 30] [--json PATH]

Runs ``testbeds.availability.testbeds_available`` in-process on PostgreSQL against the bench
databases (``tbx_bench_small``: 1,000 test beds / 100,000 bookings; ``tbx_bench_large``:
10,000 / 1,000,000; seeded with ``seed_bench`` when their counts differ), with and without a
region filter: median and p95 after warm-up, the EXPLAIN (ANALYZE, BUFFERS) plan (written to
``bench/out/explain-<size>.txt``) and whether it reads the bookings through an index. With
``--size both`` (the default) it also prints the growth factor from small to large.

The same searches are timed with the two candidate query shapes in
``bench/availability_variants.py`` (results checked equal to the service's), so the gain of
each proposed change is measured side by side. Each series stops early once it has used its
time budget (``--budget`` seconds), so a slow query cannot make the run unbounded.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH,
    PYTHON,
    SIZES,
    Result,
    database_url,
    percentile,
    prepare_database,
    print_table,
    read_results,
    setup_django,
    write_results,
)

REGION = "north-west"
WINDOW_DAYS, NEEDED_DAYS, LEAD_DAYS = 90, 14, 30
TARGET_MS = 50
SHAPES = ("service", "single-pass", "free-runs", "catalogue page")
#: The growth target is the catalogue page's: a capped count and one page of 20, which is what
#: a person waits for (issue 20). "service" returns every match, so it grows with them.
GROWTH_TARGET_SHAPE = "catalogue page"


def timings(work: Callable[[], object], runs: int, budget: float) -> list[float]:
    """Up to ``runs`` wall times in ms after 2 warm-up calls; stops when ``budget`` s are used."""
    for _ in range(2):
        work()
    spent, out = 0.0, []
    while len(out) < runs and (spent < budget or len(out) < 5):
        started = time.perf_counter()
        work()
        out.append((time.perf_counter() - started) * 1000)
        spent += out[-1] / 1000
    return out


def explain(sql: str, params: list) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def index_use(plan: str) -> str:
    """How the plan reads testbeds_booking: the index names, or a sequential scan."""
    lines = [line for line in plan.splitlines() if "testbeds_booking" in line]
    indexes = sorted({line.split(" using ")[1].split()[0] for line in lines if " using " in line})
    seq = any("Seq Scan on testbeds_booking" in line for line in lines)
    if seq:
        return "SEQUENTIAL scan of testbeds_booking"
    return "bookings read through " + ", ".join(indexes) if indexes else "bookings not read"


def service_statement(window: dict, region: str | None) -> tuple[str, list]:
    from availability_variants import candidates, search_params
    from django.db import connection

    from testbeds import availability as service

    candidates_sql, candidate_params = (
        candidates(region).order_by().values("id").query.sql_with_params()
    )
    sql = service._search_sql(service._Dialect(connection.vendor), candidates_sql)
    params = search_params(window["start"], window["end"], NEEDED_DAYS, window["today"])
    return service._named_to_positional(sql, params, candidate_params)


def searches(window: dict) -> dict[str, Callable[[str | None], list[int]]]:
    import availability_variants as variants

    from testbeds.availability import testbeds_available

    def service(region: str | None) -> list[int]:
        return testbeds_available(days=NEEDED_DAYS, region=region, **window)

    def single_pass(region: str | None) -> list[int]:
        return variants.single_pass_available(days=NEEDED_DAYS, region=region, **window)

    def free_runs(region: str | None) -> list[int]:
        return variants.free_runs_available(days=NEEDED_DAYS, region=region, **window)

    return {"service": service, "single-pass": single_pass, "free-runs": free_runs}


def measure_size(size: str, runs: int, budget: float) -> list[Result]:
    """All series on one database (run in its own process: one DATABASE_URL per process)."""
    setup_django(database_url(size))
    import availability_variants as variants
    from django.db import connection
    from django.utils import timezone

    prepare_database(size)
    today = timezone.localdate()
    start = today + datetime.timedelta(days=LEAD_DAYS)
    window = {"start": start, "end": start + datetime.timedelta(days=WINDOW_DAYS), "today": today}
    built = time.perf_counter()
    runs_count = variants.build_free_runs()
    print(f"[{size}] free-run table: {runs_count:,} rows in {time.perf_counter() - built:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    results = []
    for region in (None, REGION):
        label = f"region={region}" if region else "all regions"
        expected = set(searches(window)["service"](region))
        for shape, search in searches(window).items():
            found = set(search(region))
            if found != expected:
                raise SystemExit(f"{shape} disagrees with the service ({label}, {size})")
            series = timings(lambda s=search, r=region: s(r), runs, budget)
            median, p95 = statistics.median(series), percentile(series, 0.95)
            print(
                f"[{size}] {shape:<11} {label:<22} {len(found):>5} test beds: median "
                f"{median:.1f} ms, p95 {p95:.1f} ms ({len(series)} runs)"
            )
            results += series_results(size, shape, label, median, p95)
        page_count, page_ids = catalogue_page(window, region)
        cap = page_cap()
        if not set(page_ids) <= expected or page_count != min(len(expected), cap + 1):
            raise SystemExit(f"the catalogue page disagrees with the service ({label}, {size})")
        series = timings(lambda r=region: catalogue_page(window, r), runs, budget)
        median, p95 = statistics.median(series), percentile(series, 0.95)
        print(
            f"[{size}] catalogue page {label:<22} count {page_count:>5} (cap {cap}), "
            f"{len(page_ids)} rows: median {median:.1f} ms, p95 {p95:.1f} ms ({len(series)} runs)"
        )
        results += series_results(size, "catalogue page", label, median, p95)
        plan = explain(*service_statement(window, region))
        out = BENCH / "out" / f"explain-{size}-{'region' if region else 'all'}.txt"
        out.parent.mkdir(exist_ok=True)
        out.write_text(plan + "\n")
        execution = next(line for line in plan.splitlines() if "Execution Time" in line)
        print(f"[{size}] service plan ({label}, jit={jit}): {index_use(plan)}; {execution.strip()}")
        print(f"[{size}]   plan written to {out.relative_to(BENCH.parent)}")
    return results


def page_cap() -> int:
    from core.pagination import PAGES_AHEAD

    return (1 + PAGES_AHEAD) * 20


def catalogue_page(window: dict, region: str | None) -> tuple[int, list[int]]:
    """What the catalogue runs for a free-dates search: its capped count and the first 20
    test beds by name (EXISTS on the free runs inside the paged query)."""
    from core.pagination import CappedPaginator
    from testbeds.selectors import CatalogueQuery, catalogue_search

    query = CatalogueQuery(
        region=[region] if region else [],
        available_from=window["start"],
        available_to=window["end"] - datetime.timedelta(days=1),
        min_days=NEEDED_DAYS,
        sort="name",
    )
    paginator = CappedPaginator(catalogue_search(query), 20, cap=page_cap())
    page = paginator.get_page(1)
    return paginator.count, [testbed.pk for testbed in page]


def series_results(size: str, shape: str, label: str, median: float, p95: float) -> list[Result]:
    testbeds, bookings = SIZES[size]
    scale = f"{testbeds // 1000}k/{bookings // 1000}k".replace("1000k", "1M")
    target = (
        f"≤ {TARGET_MS} ms" if size == "large" and shape in ("service", GROWTH_TARGET_SHAPE) else ""
    )
    met = median <= TARGET_MS if target else None
    return [
        Result("availability", f"{shape} {scale} {label} median", median, "ms", target, met),
        Result("availability", f"{shape} {scale} {label} p95", p95, "ms"),
    ]


def growth(results: list[Result]) -> list[Result]:
    """Large median / small median for each shape and filter."""
    medians = {r.measure: r.value for r in results if r.measure.endswith("median")}
    out = []
    for shape in SHAPES:
        for label in ("all regions", f"region={REGION}"):
            small = medians.get(f"{shape} 1k/100k {label} median")
            large = medians.get(f"{shape} 10k/1M {label} median")
            if small and large:
                factor = large / small
                target, met = ("≤ 2×", factor <= 2) if shape == GROWTH_TARGET_SHAPE else ("", None)
                measure = f"{shape} growth 1k/100k → 10k/1M {label}"
                out.append(Result("availability", measure, factor, "×", target, met))
    return out


def both(runs: int, budget: float) -> list[Result]:
    results: list[Result] = []
    for size in SIZES:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [PYTHON, __file__, "--size", size, "--runs", str(runs)]
            command += ["--budget", str(budget), "--json", out.name]
            subprocess.run(command, check=True)
            results += read_results(Path(out.name))
    return results + growth(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[*SIZES, "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--budget", type=float, default=40, help="seconds per series")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.size == "both":
        results = both(args.runs, args.budget)
        print_table(results)
    else:
        results = measure_size(args.size, args.runs, args.budget)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
