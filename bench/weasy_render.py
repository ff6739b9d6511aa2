"""Render an HTML file with WeasyPrint and time it. Runs in WeasyPrint's own virtualenv.

    bench/.venv-weasy/bin/python bench/weasy_render.py PACK.html OUT.pdf [--runs 3]

Prints one JSON line: the WeasyPrint version, each run in ms (after one warm-up render), and
the PDF size. WeasyPrint is installed for the benchmark only (see bench/README.md), never
into the project's requirements.
"""

import argparse
import json
import time
from pathlib import Path

import weasyprint


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("html")
    parser.add_argument("pdf")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    html = Path(args.html)
    weasyprint.HTML(filename=html).write_pdf(args.pdf)  # warm-up: fonts, caches
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        weasyprint.HTML(filename=html).write_pdf(args.pdf)
        timings.append((time.perf_counter() - started) * 1000)
    size = Path(args.pdf).stat().st_size
    print(json.dumps({"version": weasyprint.__version__, "timings": timings, "size": size}))


if __name__ == "__main__":
    main()
