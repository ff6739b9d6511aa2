"""Evidence-pack rendering: time and size of a full pack with 20 photos.

Run from the project root: ``.venv/bin/python bench/bench_pdf.py [--runs 5] [--photos 20]``.

Builds a PackContent like a busy trial's (5 KPIs × 10 measurements, 30 log entries,
12 events, 25 evidence files, 20 print renditions of 1600×1200 px, ~300 KB each, written as
noisy JPEGs to a temporary folder), renders it once to warm up (font registration happens
once per process) and then ``--runs`` times, and prints the median and each run in ms with
the PDF size. Budget: median ≤ 1000 ms and size ≤ 8 MB on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageFilter  # noqa: E402

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

UTC = datetime.UTC
START = datetime.date(2027, 3, 1)
PARAGRAPH = (
    "Sensors on the ward recorded falls risk scores every fifteen minutes; staff reviewed the "
    "alerts at each handover and noted false alarms, missed events and their response times. "
)


def noisy_jpeg(path: Path, size: tuple[int, int] = (1600, 1200)) -> None:
    """A print rendition that compresses like a photo (~300 KB), not like a flat colour."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    red = Image.effect_noise((width, height), 40).filter(ImageFilter.GaussianBlur(1))
    green = Image.effect_noise((width, height), 40).filter(ImageFilter.GaussianBlur(1))
    Image.merge("RGB", (gradient, red, green)).save(path, "JPEG", quality=80)


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
    photo_items = []
    for index in range(photos):
        path = photo_dir / f"photo-{index}.jpg"
        noisy_jpeg(path)
        photo_items.append(PackPhoto(str(path), f"Sensor mounting, bay {index + 1}", "A sensor"))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        content = build_content(Path(folder), args.photos)
        photo_bytes = sum(Path(photo.path).stat().st_size for photo in content.photos)
        started = time.perf_counter()
        first = render_evidence_pack(content)
        cold_ms = (time.perf_counter() - started) * 1000
        timings = []
        for _run in range(args.runs):
            started = time.perf_counter()
            pdf = render_evidence_pack(content)
            timings.append((time.perf_counter() - started) * 1000)
    same = "yes" if pdf == first else "NO"
    print(f"photos: {args.photos} JPEGs, {photo_bytes / 1e6:.2f} MB in total")
    print(f"first render (fonts registered in it): {cold_ms:.0f} ms")
    print(f"median of {args.runs}: {statistics.median(timings):.0f} ms")
    print("runs (ms): " + ", ".join(f"{t:.0f}" for t in timings))
    print(f"PDF size: {len(pdf) / 1e6:.2f} MB; identical bytes every run: {same}")


if __name__ == "__main__":
    main()
