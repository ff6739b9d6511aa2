"""An evidence pack as an accessible HTML page: the same frozen content as the PDF.

``pack_page_context`` turns a version's ``PackContent`` into what
``templates/trials/pack_page.html`` shows, section by section in the PDF's order, with the
numbers, dates and labels formatted by the same helpers as the PDF, in the pack's language.
The page is real HTML (headings, tables with headers, lists), which screen readers navigate;
GOV.UK guidance prefers it to a PDF.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from . import render
from .content import PackContent


def pack_page_context(content: PackContent) -> dict:
    """Call inside ``translation.override(content.language)``."""
    place = " · ".join(part for part in (content.testbed_region, content.testbed_place) if part)
    return {
        "content": content,
        "cover": [
            (_("Start-up"), content.startup_name),
            (_("Product or service"), content.product_name),
            (_("Test bed"), content.testbed_name),
            (_("Provider"), content.provider_name),
            (_("Region and place"), place),
            (_("Programme"), content.programme_name),
            (_("Dates"), render._date_range(content)),
            (_("Trial reference"), content.trial_reference),
            (_("Pack code"), content.code),
            (_("Version"), str(content.version)),
            (_("Status"), content.status),
            (_("Generated"), render._datetime(content.generated_at)),
        ],
        "glance": [
            (_("Recommendation"), content.recommendation or _("Not given")),
            (_("Key performance indicators"), render._kpi_summary(content.kpis)),
            (_("Readiness achieved"), render._trl(content.trl_achieved)),
            (_("Dates"), render._date_range(content)),
        ],
        "setting": [
            (_("Test bed"), content.testbed_name),
            (_("Provider"), content.provider_name),
            (_("Region"), content.testbed_region),
            (_("Place"), content.testbed_place),
        ],
        "plan": [
            (_("Product or service"), content.product_name),
            (_("Problem"), content.problem_statement),
            (_("Objectives"), content.objectives),
            (_("Hypothesis"), content.hypothesis),
        ],
        "readiness": [
            render._trl(level)
            for level in (content.trl_start, content.trl_target, content.trl_achieved)
        ],
        "kpis": [
            {
                "kpi": kpi,
                "baseline": render._number(kpi.baseline),
                "target": render._number(kpi.target),
                "latest": render._number(kpi.latest),
                "met": render._met(kpi.met),
                "direction": {
                    "higher": _("Higher values are better."),
                    "lower": _("Lower values are better."),
                }.get(kpi.direction, ""),
                "measurements": [
                    {
                        "date": render._date(m.date),
                        "value": render._corrected(render._number(m.value), m.corrected),
                        "note": m.note,
                        "recorded_by": m.recorded_by,
                        "corrected": m.corrected,
                    }
                    for m in kpi.measurements
                ],
            }
            for kpi in content.kpis
        ],
        "log": [
            {
                "entry": entry,
                "date": render._date(entry.date),
                "kind": render._log_kind(entry.kind),
            }
            for entry in content.log_entries
        ],
        "time_zone": timezone.get_default_timezone_name(),
        "events": [
            {
                "at": render._datetime(event.at),
                "actor": event.actor,
                "change": f"{event.from_status} → {event.to_status}"
                if event.from_status
                else event.to_status,
                "note": event.note,
            }
            for event in content.events
        ],
        "files": [
            {
                "file": file,
                "kind": render._file_kind(file.kind),
                "size": filesizeformat(file.size),
            }
            for file in content.files
        ],
        "review_at": render._datetime(content.review.decided_at) if content.review else "",
        "extra": sorted(content.extra.items()),
    }
