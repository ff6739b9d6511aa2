"""One application as a PDF for the panel pack, in the evidence pack's fonts and styles
(trials.pdf.render). Every string a person typed is escaped before reportlab markup."""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trials.pdf.render import (
    ACCENT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    RULE,
    SERVICE_NAME,
    _label,
    _markup,
    _setup_reportlab,
    _styles,
)

from . import selectors
from .models import Application
from .timefmt import uk_datetime


def _rows(pairs: list[tuple[str, str]], styles) -> Table:
    table = Table(
        [
            [Paragraph(_label(k), styles.cell_head), Paragraph(_markup(v or "–"), styles.cell)]
            for k, v in pairs
        ],
        colWidths=[50 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def render_application(application: Application) -> bytes:
    _setup_reportlab()
    styles = _styles()
    challenge = application.challenge
    story = [
        Paragraph(_label(SERVICE_NAME), styles.service),
        Paragraph(_label(_("Application to a challenge")), styles.kicker),
        Paragraph(_markup(application.title or application.reference), styles.title),
        HRFlowable(width="100%", color=ACCENT, thickness=1.2),
        Spacer(1, 4 * mm),
        _rows(
            [
                (_("Reference"), application.reference),
                (_("Challenge"), challenge.title),
                (_("Start-up"), application.organisation.name),
                (_("Status"), application.get_status_display()),
                (
                    _("Submitted"),
                    uk_datetime(application.submitted_at) if application.submitted_at else "",
                ),
                (_("Test bed"), application.testbed.name if application.testbed else ""),
                (
                    _("Dates"),
                    f"{formats.date_format(application.first_day, 'j F Y')} – "
                    f"{formats.date_format(application.last_day, 'j F Y')}"
                    if application.first_day and application.last_day
                    else "",
                ),
                (_("Partner organisations"), application.partners),
            ],
            styles,
        ),
        Paragraph(_label(_("Summary")), styles.h1),
        Paragraph(_markup(application.summary or "–"), styles.body),
        Paragraph(_label(_("Answers")), styles.h1),
    ]
    for item in selectors.application_detail_data(application)["answers"]:
        story.append(Paragraph(_markup(item["question"].text), styles.h2))
        if item["file"] is not None:
            text = _("File: %(name)s") % {"name": item["file"].original_name}
        else:
            text = str(item["answer"] or "–")
        story.append(Paragraph(_markup(text), styles.body))
    story.append(Paragraph(_label(_("Trial plan")), styles.h1))
    plan = application.plan
    story.append(
        _rows(
            [
                (_("Product name"), plan.get("product_name", "")),
                (_("The problem it solves"), plan.get("problem_statement", "")),
                (_("Objectives"), plan.get("objectives", "")),
                (_("Critical assumptions and hypothesis"), plan.get("hypothesis", "")),
                (_("Setting and participants"), plan.get("setting_and_participants", "")),
                (_("TRL now"), str(plan.get("trl_start") or "")),
                (_("TRL aimed for"), str(plan.get("trl_target") or "")),
            ],
            styles,
        )
    )
    story.append(Paragraph(_label(_("KPIs")), styles.h1))
    head = [_("KPI"), _("Baseline"), _("Target"), _("Unit"), _("How it is measured")]
    data = [[Paragraph(_label(h), styles.cell_head) for h in head]] + [
        [
            Paragraph(_markup(k.get("name", "")), styles.cell),
            Paragraph(_markup(str(k.get("baseline", ""))), styles.cell),
            Paragraph(_markup(str(k.get("target", ""))), styles.cell),
            Paragraph(_markup(k.get("unit", "")), styles.cell),
            Paragraph(_markup(k.get("method", "")), styles.cell),
        ]
        for k in application.kpis
    ]
    table = Table(data, colWidths=[45 * mm, 20 * mm, 20 * mm, 20 * mm, None], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    story.append(table)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=application.reference,
        author=SERVICE_NAME,
        invariant=1,
    )
    document.build(story)
    return out.getvalue()
