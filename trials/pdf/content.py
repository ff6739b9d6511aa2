"""What goes into an evidence pack, frozen at submission.

``trials.selectors.evidence_pack_content`` builds a PackContent from a trial;
``trials.pdf.render.render_evidence_pack`` turns it into PDF bytes. The renderer
sees only this plain data, so the same content always renders the same bytes.
All text is as people typed it: the renderer escapes it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PackMeasurement:
    date: datetime.date
    value: Decimal
    note: str
    recorded_by: str
    corrected: bool = False  # put right before submission; the timeline has the earlier value


@dataclass(frozen=True)
class PackKpi:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str  # "higher" or "lower" is better
    method: str
    data_source: str
    latest: Decimal | None
    progress: float | None  # share of the way from baseline to target, 0..1 (may exceed 1)
    met: bool | None  # None when nothing was measured
    no_measurement_reason: str
    measurements: tuple[PackMeasurement, ...] = ()
    corrected: bool = False  # its name, unit, baseline, target or direction was corrected


@dataclass(frozen=True)
class PackLogEntry:
    date: datetime.date
    author: str
    organisation: str
    kind: str  # "progress" (start-up) or "observation" (provider)
    text: str
    corrected: bool = False


@dataclass(frozen=True)
class PackEvent:
    at: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


@dataclass(frozen=True)
class PackPhoto:
    path: str  # a local file: packs frozen before photos were named in storage, and tests
    caption: str
    alt_text: str
    # The print rendition (JPEG or PNG, long edge ≤ 1600 px) as named in the media storage
    # (local folder or S3 bucket); read through the storage API when the pack is rendered.
    name: str = ""


@dataclass(frozen=True)
class PackFile:
    name: str
    caption: str
    kind: str  # "photo", "pdf", "csv", "xlsx", "docx"
    size: int  # bytes
    sha256: str


@dataclass(frozen=True)
class PackPartner:
    name: str
    role: str  # display text, e.g. "Technology partner"
    contribution: str


@dataclass(frozen=True)
class PackApproval:
    label: str  # e.g. "Data protection impact assessment (DPIA)"
    status: str  # e.g. "In place", "Not needed", "Not yet"
    note: str


@dataclass(frozen=True)
class PackReview:
    reviewer: str
    reviewer_organisation: str
    decision: str  # "Accepted" or "Changes requested"
    decided_at: datetime.datetime
    comments: str
    reviewed_version: int
    reviewed_sha256: str


@dataclass(frozen=True)
class PackOutcomeItem:
    heading: str  # e.g. "Results against objectives"
    text: str


@dataclass(frozen=True)
class PackContent:
    # Identity of the pack
    code: str  # short verification code, e.g. "TBX-7KQ2-M9PD"
    version: int
    status: str  # e.g. "Submitted for review", "Accepted – final"
    verify_url: str  # absolute URL of /verify/<code>/
    generated_at: datetime.datetime  # fixed per version: rendering twice gives the same bytes
    # The trial
    trial_title: str
    trial_reference: str  # e.g. "Trial 42"
    startup_name: str
    testbed_name: str
    provider_name: str
    testbed_region: str
    testbed_place: str  # town and postcode
    testbed_summary: str
    programme_name: str  # "" when none
    first_day: datetime.date
    last_day: datetime.date  # inclusive
    product_name: str
    problem_statement: str
    objectives: str
    hypothesis: str
    setting_and_participants: str
    approvals: tuple[PackApproval, ...]
    approvals_note: str
    trl_start: int | None
    trl_target: int | None
    trl_achieved: int | None
    executive_summary: str  # the outcome's summary of results
    recommendation: str  # "Stop", "Adapt" or "Scale" (display text), "" if not given
    kpis: tuple[PackKpi, ...]
    log_entries: tuple[PackLogEntry, ...]
    events: tuple[PackEvent, ...]
    photos: tuple[PackPhoto, ...]
    files: tuple[PackFile, ...]
    outcome: tuple[PackOutcomeItem, ...]  # results, feedback, lessons, safety, inclusion, ...
    review: PackReview | None = None  # present on the final (accepted) version: sign-off page
    extra: dict[str, str] = field(default_factory=dict)
    language: str = "en-gb"  # the pack's headings and dates; people's own text stays as written
    # Added later: packs frozen before partners existed have none, and render as they did.
    partners: tuple[PackPartner, ...] = ()


# Frozen as JSON in EvidencePack.content -------------------------------------------

_NESTED = {
    "kpis": PackKpi,
    "log_entries": PackLogEntry,
    "events": PackEvent,
    "photos": PackPhoto,
    "files": PackFile,
    "approvals": PackApproval,
    "outcome": PackOutcomeItem,
    "partners": PackPartner,
}


def _plain(value):
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _typed(value):
    if isinstance(value, dict):
        if "$decimal" in value:
            return Decimal(value["$decimal"])
        if "$datetime" in value:
            return datetime.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return datetime.date.fromisoformat(value["$date"])
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return value


def content_to_json(content: PackContent) -> dict:
    return _plain(content)


def content_from_json(data: dict) -> PackContent:
    values = {key: _typed(item) for key, item in data.items()}
    for name, kind in _NESTED.items():
        items = []
        for item in values.get(name, []):
            if kind is PackKpi:
                item = {
                    **item,
                    "measurements": tuple(PackMeasurement(**m) for m in item["measurements"]),
                }
            items.append(kind(**item))
        values[name] = tuple(items)
    if values.get("review"):
        values["review"] = PackReview(**values["review"])
    return PackContent(**values)
