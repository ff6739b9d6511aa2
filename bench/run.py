"""Run the benchmarks and print one table: ``make bench``, or ``python bench/run.py [NAME…]``.

Names: availability, http, contention, pdf, images, weight, challenges, programmes, adoption
(all of them by default, in that order). Each bench runs in its own process, one after another
(never two at once: they would share the two cores), and writes its results as JSON; this
script gathers them, prints the machine and the summary table (measured value, target, met or
MISSED), and writes the table as Markdown to bench/out/summary.md for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, PYTHON, Result, machine, print_table, read_results  # noqa: E402

BENCHES = {
    "availability": ["availability.py", "--runs", "30", "--budget", "30"],
    "http": ["http_pages.py", "--seconds", "8", "--rounds", "5"],
    "contention": ["contention.py", "--repeat", "3"],
    "pdf": ["bench_pdf.py", "--runs", "11", "--weasy-runs", "5"],
    "images": ["bench_images.py", "--runs", "10"],
    "weight": ["page_weight.py"],
    "challenges": ["bench_challenges.py", "--runs", "15"],
    "programmes": ["bench_programmes.py", "--runs", "11"],
    "adoption": ["bench_adoption.py", "--seconds", "8", "--rounds", "3", "--runs", "15"],
}


def run_one(name: str) -> tuple[list[Result], float]:
    script, *arguments = BENCHES[name]
    print(f"\n=== {name} ({script}) ===", flush=True)
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [PYTHON, str(BENCH / script), *arguments, "--json", out.name]
        finished = subprocess.run(command, cwd=BENCH.parent)
        seconds = time.perf_counter() - started
        if finished.returncode != 0:
            failed = Result(name, "bench failed", None, "", note=f"exit {finished.returncode}")
            return [failed], seconds
        return read_results(Path(out.name)), seconds


def markdown(results: list[Result], facts: dict[str, str]) -> str:
    lines = [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "| bench | measure | measured | target | |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| {r.bench} | {r.measure} | {r.shown()} | {r.target} | {r.verdict()} |" for r in results
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHES))
    names = parser.parse_args().names or list(BENCHES)
    unknown = set(names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown bench: {', '.join(sorted(unknown))} (known: {', '.join(BENCHES)})")
    results: list[Result] = []
    durations = {}
    for name in names:
        found, durations[name] = run_one(name)
        results += found
    facts = machine()
    facts["bench durations"] = ", ".join(f"{n} {s:.0f} s" for n, s in durations.items())
    print("\n=== summary ===")
    for key, value in facts.items():
        print(f"{key}: {value}")
    print()
    print_table(results)
    out = BENCH / "out" / "summary.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(markdown(results, facts))
    print(f"\n(also written to {out.relative_to(BENCH.parent)})")


if __name__ == "__main__":
    main()
