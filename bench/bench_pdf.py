"""Evidence-pack rendering: time and size of a full pack with 20 photos, beside WeasyPrint.

Run from the project root: ``.venv/bin/python bench/bench_pdf.py [--runs 5] [--photos 20]
[--weasy-runs 3] [--json PATH]``.

Builds a PackContent like a busy trial's (5 KPIs × 10 measurements, 30 log entries,
12 events, 25 evidence files) whose 20 photos come from 12-megapixel phone JPEGs sent through
the real image pipeline (``core.images.process_image``; the print rendition, 1600 px, is what
the pack embeds), renders it once to warm up (font registration happens once per process)
and then ``--runs`` times, and prints the median and each run in ms with the PDF size.
Budget: median ≤ 1000 ms and size ≤ 8 MB on the 2-core CI machine.

The same content as HTML (``bench/pack_html.py``: same text, tables and the same 20 photo
files as ``<img>``) is then rendered by WeasyPrint in its own virtualenv
(``bench/.venv-weasy``, see bench/README.md), in a subprocess; the ratio is WeasyPrint's
median over reportlab's. Target: reportlab at least 10× faster.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from bench_images import phone_photo  # noqa: E402
from common import BENCH, Result, print_table, write_results  # noqa: E402
from pack_html import pack_html  # noqa: E402

from core.images import process_image  # noqa: E402
from trials.pdf.content import (  # noqa: E402
    PackApproval,
    PackContent,
    PackEvent,
    PackFile,
    PackKpi,
    PackLogEntry,
    PackMeasurement,
    PackOutcomeItem,
    PackPhoto,
    PackReview,
)
from trials.pdf.render import render_evidence_pack  # noqa: E402

WEASY_PYTHON = BENCH / ".venv-weasy" / "bin" / "python"

UTC = datetime.UTC
START = datetime.date(2027, 3, 1)
PARAGRAPH = (
    "Sensors on the ward recorded falls risk scores every fifteen minutes; staff reviewed the "
    "alerts at each handover and noted false alarms, missed events and their response times. "
)


def pipeline_photos(folder: Path, count: int) -> list[Path]:
    """``count`` print renditions made by process_image from distinct 12 MP phone JPEGs."""
    paths = []
    for index in range(count):
        result = process_image(io.BytesIO(phone_photo()))
        path = folder / f"photo-{index}.jpg"
        path.write_bytes(result.renditions["print"].content)
        paths.append(path)
    return paths


def kpi(number: int) -> PackKpi:
    measurements = tuple(
        PackMeasurement(
            date=START + datetime.timedelta(days=5 * day),
            value=Decimal(40 + number * 3 + day * 2) + Decimal("0.25"),
            note=f"Weekly reading {day + 1}; two sensors offline for an hour.",
            recorded_by="Priya Shah",
        )
        for day in range(10)
    )
    return PackKpi(
        name=f"Indicator {number}: alerts acted on within 5 minutes",
        unit="%",
        baseline=Decimal("40"),
        target=Decimal("80"),
        direction="higher",
        method="Share of alerts with a logged response inside five minutes.",
        data_source="Ward alert system export",
        latest=measurements[-1].value,
        progress=0.2 * number,
        met=number >= 5,
        no_measurement_reason="",
        measurements=measurements,
    )


def build_content(photo_dir: Path, photos: int = 20) -> PackContent:
    photo_items = [
        PackPhoto(str(path), f"Sensor mounting, bay {index + 1}", "A sensor")
        for index, path in enumerate(pipeline_photos(photo_dir, photos))
    ]
    return PackContent(
        code="TBX-7KQ2-M9PD",
        version=2,
        status="Accepted – final",
        verify_url="https://testbed.exchange/verify/TBX-7KQ2-M9PD/",
        generated_at=datetime.datetime(2027, 5, 2, 9, 30, tzinfo=UTC),
        trial_title="Falls detection on an acute medical ward",
        trial_reference="Trial 42",
        startup_name="Wearwell Analytics Ltd",
        testbed_name="Ward 7 living lab",
        provider_name="Sunderland City Council",
        testbed_region="North East",
        testbed_place="Sunderland SR1 3SD",
        testbed_summary=PARAGRAPH * 3,
        programme_name="North East Innovation Programme",
        first_day=START,
        last_day=START + datetime.timedelta(days=55),
        product_name="Wearwell Falls Sensor",
        problem_statement=PARAGRAPH * 2,
        objectives=PARAGRAPH * 2,
        hypothesis=PARAGRAPH,
        setting_and_participants=PARAGRAPH * 2,
        approvals=(
            PackApproval("Data protection impact assessment (DPIA)", "In place", "Signed off."),
            PackApproval("Ethics review", "Not needed", "Service evaluation."),
        ),
        approvals_note="",
        trl_start=5,
        trl_target=7,
        trl_achieved=7,
        executive_summary=PARAGRAPH * 4,
        recommendation="Scale",
        kpis=tuple(kpi(number) for number in range(1, 6)),
        log_entries=tuple(
            PackLogEntry(
                START + datetime.timedelta(days=day),
                "Priya Shah",
                "Wearwell Analytics Ltd",
                "progress" if day % 3 else "observation",
                PARAGRAPH,
            )
            for day in range(30)
        ),
        events=tuple(
            PackEvent(
                datetime.datetime(2027, 2, 1, 9, tzinfo=UTC) + datetime.timedelta(days=5 * n),
                "Sam Jones",
                "Requested",
                "Approved",
                "Looks good.",
            )
            for n in range(12)
        ),
        photos=tuple(photo_items),
        files=tuple(
            PackFile(
                f"evidence-{n}.pdf",
                "Weekly report",
                "pdf",
                1_250_000 + n,
                hashlib.sha256(str(n).encode()).hexdigest(),
            )
            for n in range(25)
        ),
        outcome=(
            PackOutcomeItem("Results against objectives", PARAGRAPH * 3),
            PackOutcomeItem("Lessons learned", PARAGRAPH * 2),
        ),
        review=PackReview(
            "Dr Alex Morgan",
            "North East Innovation Programme",
            "Accepted",
            datetime.datetime(2027, 5, 1, 16, 5, tzinfo=UTC),
            "Clear evidence.",
            1,
            hashlib.sha256(b"v1").hexdigest(),
        ),
    )


def render_timings(content: PackContent, runs: int) -> tuple[float, list[float], bytes]:
    started = time.perf_counter()
    first = render_evidence_pack(content)
    cold_ms = (time.perf_counter() - started) * 1000
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        pdf = render_evidence_pack(content)
        timings.append((time.perf_counter() - started) * 1000)
    if pdf != first:
        print("warning: two renders of the same content gave different bytes")
    return cold_ms, timings, pdf


def weasyprint_timings(content: PackContent, folder: Path, runs: int) -> dict | None:
    """WeasyPrint's render of the same content as HTML, in its own virtualenv."""
    if not WEASY_PYTHON.exists():
        print(f"WeasyPrint comparison skipped: no {WEASY_PYTHON} (see bench/README.md)")
        return None
    html = folder / "pack.html"
    html.write_text(pack_html(content), encoding="utf-8")
    command = [str(WEASY_PYTHON), str(BENCH / "weasy_render.py"), str(html)]
    command += [str(folder / "weasy.pdf"), "--runs", str(runs)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--weasy-runs", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        content = build_content(Path(folder), args.photos)
        photo_bytes = sum(Path(photo.path).stat().st_size for photo in content.photos)
        cold_ms, timings, pdf = render_timings(content, args.runs)
        weasy = weasyprint_timings(content, Path(folder), args.weasy_runs)
    median = statistics.median(timings)
    print(f"photos: {args.photos} print renditions from 12 MP JPEGs, {photo_bytes / 1e6:.2f} MB")
    print(f"reportlab first render (fonts registered in it): {cold_ms:.0f} ms")
    print(f"reportlab median of {args.runs}: {median:.0f} ms; runs (ms): " + runs_text(timings))
    print(f"reportlab PDF size: {len(pdf) / 1e6:.2f} MB")
    results = [
        Result("pdf", "evidence pack render (median)", median, "ms", "≤ 1000 ms", median <= 1000),
        Result("pdf", "evidence pack size", len(pdf) / 1e6, "MB", "≤ 8 MB", len(pdf) <= 8e6),
    ]
    if weasy:
        weasy_median = statistics.median(weasy["timings"])
        ratio = weasy_median / median
        print(
            f"WeasyPrint {weasy['version']} median of {len(weasy['timings'])}: "
            f"{weasy_median:.0f} ms; runs (ms): {runs_text(weasy['timings'])}; "
            f"PDF {weasy['size'] / 1e6:.2f} MB; {ratio:.1f}× reportlab's time"
        )
        results += [
            Result("pdf", "WeasyPrint, same content (median)", weasy_median, "ms"),
            Result("pdf", "WeasyPrint PDF size", weasy["size"] / 1e6, "MB"),
            Result("pdf", "WeasyPrint time / reportlab time", ratio, "×", "≥ 10×", ratio >= 10),
        ]
    print_table(results)
    write_results(args.json, results)


def runs_text(timings: list[float]) -> str:
    return ", ".join(f"{t:.0f}" for t in timings)


if __name__ == "__main__":
    main()
