"""A one-page PDF summary of a programme's portfolio, for the programme board."""

from __future__ import annotations

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trials.pdf import render

INK = render.INK
ACCENT = render.ACCENT
SHADE = render.SHADE


def _styles() -> dict[str, ParagraphStyle]:
    render._setup_reportlab()
    base = ParagraphStyle("base", fontName=render.SANS, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=render.SANS_BOLD, fontSize=18, leading=22
        ),
        "kicker": ParagraphStyle(
            "kicker", parent=base, textColor=ACCENT, fontName=render.SANS_BOLD
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=render.SANS_BOLD, fontSize=11, leading=14, spaceBefore=6
        ),
    }


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), render.SANS, 8.5),
                ("FONT", (0, 0), (-1, 0), render.SANS_BOLD, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _pair_tables(left: Table, right: Table) -> Table:
    layout = Table([[left, right]], colWidths=[85 * mm, 85 * mm])
    layout.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return layout


def render_portfolio_summary(
    programme, figures, filters_text: str, *, generated_at: datetime.datetime | None = None
) -> bytes:
    """The programme's headline figures and breakdowns on one A4 page."""
    styles = _styles()
    generated_at = generated_at or timezone.now()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Portfolio summary: %(name)s") % {"name": programme.name},
        author=programme.team.name,
        subject=_("Test Bed Exchange portfolio summary"),
        creator="Test Bed Exchange",
    )
    success = figures.kpi_success
    share = "–" if success.share is None else f"{success.share * 100:.0f}%"
    headline = [
        [
            _("Trials"),
            _("KPIs met (submitted trials)"),
            _("Median days to decision"),
            _("Median days completion → acceptance"),
        ],
        [
            str(figures.total),
            f"{share} ({success.met}/{success.kpis})",
            "–"
            if figures.median_days_to_decision is None
            else f"{figures.median_days_to_decision:g}",
            "–"
            if figures.median_days_to_acceptance is None
            else f"{figures.median_days_to_acceptance:g}",
        ],
    ]
    story = [
        Paragraph(escape(_("Test Bed Exchange · Portfolio summary")), styles["kicker"]),
        Paragraph(escape(programme.name), styles["title"]),
        Paragraph(
            escape(
                _("%(team)s · generated %(date)s · %(filters)s")
                % {
                    "team": programme.team.name,
                    "date": date_format(timezone.localtime(generated_at), "j F Y"),
                    "filters": filters_text,
                }
            ),
            styles["body"],
        ),
        Spacer(1, 6 * mm),
        _table(headline, [40 * mm, 45 * mm, 40 * mm, 45 * mm]),
        Spacer(1, 5 * mm),
    ]
    status_rows = [[_("Status"), _("Trials")]] + [
        [label, str(n)] for _c, label, n in figures.by_status if n
    ]
    region_rows = [[_("Region"), _("Trials")]] + [
        [label, str(n)] for _c, label, n in figures.by_region
    ]
    sector_rows = [[_("Sector"), _("Trials")]] + [
        [label, str(n)] for _c, label, n in figures.by_sector
    ]
    trl = figures.trl
    trl_rows = [
        [_("Technology readiness"), _("Value")],
        [_("Trials with start and achieved TRL"), str(trl.trials)],
        [
            _("Average TRL at start"),
            "–" if trl.average_start is None else f"{trl.average_start:.1f}",
        ],
        [
            _("Average TRL achieved"),
            "–" if trl.average_achieved is None else f"{trl.average_achieved:.1f}",
        ],
    ] + [
        [_("Gained %(n)s level(s)") % {"n": gain}, str(n)] for gain, n in sorted(trl.gains.items())
    ]
    story += [
        _pair_tables(
            _table(status_rows, [55 * mm, 25 * mm]), _table(region_rows, [55 * mm, 25 * mm])
        ),
        Spacer(1, 5 * mm),
        _pair_tables(_table(sector_rows, [55 * mm, 25 * mm]), _table(trl_rows, [55 * mm, 25 * mm])),
    ]
    doc.build(story)
    return out.getvalue()
