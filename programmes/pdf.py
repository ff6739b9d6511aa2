"""The programme's board summary as a one-page PDF (the same content as the HTML page)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trials.pdf import render

from .board import BoardSummary

INK = render.INK
ACCENT = render.ACCENT
SHADE = render.SHADE
WIDTH = 170 * mm  # A4 less 20 mm margins each side


def _styles() -> dict[str, ParagraphStyle]:
    render._setup_reportlab()
    base = ParagraphStyle("base", fontName=render.SANS, fontSize=9, leading=12, textColor=INK)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=9.5)
    return {
        "body": base,
        "cell": cell,
        "number": ParagraphStyle("number", parent=cell, alignment=2),
        "head": ParagraphStyle("head", parent=cell, fontName=render.SANS_BOLD),
        "head_number": ParagraphStyle(
            "head_number", parent=cell, fontName=render.SANS_BOLD, alignment=2
        ),
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


def _table(
    rows: list[list[object]], widths: list[float], styles, *, numeric: set[int] | None = None
) -> Table:
    """A table whose every cell is a paragraph, so long headings wrap inside their column
    instead of printing over their neighbours. ``numeric`` columns are right-aligned."""
    numeric = {len(widths) - 1} if numeric is None else numeric
    cells = []
    for number, row in enumerate(rows):
        line = []
        for column, value in enumerate(row):
            right = column in numeric
            style = (
                (styles["head_number"] if right else styles["head"])
                if number == 0
                else (styles["number"] if right else styles["cell"])
            )
            line.append(Paragraph(escape(str(value)), style))
        cells.append(line)
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _side_by_side(tables: list[Table], width: float) -> Table:
    layout = Table([tables], colWidths=[width] * len(tables))
    layout.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return layout


def _language() -> str:
    return translation.to_locale(translation.get_language() or "en-gb").replace("_", "-")


def render_board_summary(summary: BoardSummary) -> bytes:
    """The board summary on one A4 page, tagged with its title and language."""
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=_("Portfolio summary: %(name)s") % {"name": summary.programme_name},
        author=summary.team_name,
        subject=_("Test Bed Exchange portfolio summary"),
        creator="Test Bed Exchange",
        lang=_language(),
        displayDocTitle=1,
    )
    story = [
        Paragraph(escape(_("Test Bed Exchange · Portfolio summary")), styles["kicker"]),
        Paragraph(escape(summary.programme_name), styles["title"]),
        Paragraph(
            escape(
                _("%(team)s · generated %(date)s · %(filters)s")
                % {
                    "team": summary.team_name,
                    "date": date_format(timezone.localtime(summary.generated_at), "j F Y"),
                    "filters": summary.filters_text,
                }
            ),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _table(
            [
                [
                    _("Trials"),
                    _("KPIs met (submitted trials)"),
                    _("Median days to decision"),
                    _("Median days completion → acceptance"),
                ],
                [
                    str(summary.figures.total),
                    summary.kpi_share_text,
                    summary.median_decision_text,
                    summary.median_acceptance_text,
                ],
            ],
            [WIDTH / 4] * 4,
            styles,
            numeric=set(),
        ),
        Spacer(1, 3 * mm),
        Paragraph(escape(_("Trials and their outcomes")), styles["h2"]),
    ]
    trial_rows: list[list[object]] = [
        [_("Trial"), _("Start-up and test bed"), _("Status"), _("Recommendation"), _("KPIs met")]
    ] + [
        [
            f"{trial.reference} · {trial.title}",
            f"{trial.startup} · {trial.testbed}",
            trial.status,
            trial.recommendation or "–",
            f"{trial.kpis_met}/{trial.kpis}",
        ]
        for trial in summary.trials
    ]
    story.append(
        _table(trial_rows, [w * mm for w in (62, 40, 24, 30, 14)], styles)
        if summary.trials
        else Paragraph(escape(_("No trials match these filters.")), styles["body"])
    )
    if summary.trials_not_shown:
        story.append(
            Paragraph(
                escape(
                    _("%(n)s more trials are listed in the CSV report.")
                    % {"n": summary.trials_not_shown}
                ),
                styles["body"],
            )
        )
    recommendation_rows = [[_("Recommendation"), _("Trials")]] + [
        [label, str(n)] for _code, label, n in summary.recommendations
    ]
    recommendation_rows.append([_("None recorded yet"), str(summary.no_recommendation)])
    story += [
        Spacer(1, 3 * mm),
        _side_by_side(
            [
                _table(recommendation_rows, [60 * mm, 22 * mm], styles),
                _table(
                    [[_("Technology readiness"), _("Value")]] + [list(r) for r in summary.trl_rows],
                    [60 * mm, 22 * mm],
                    styles,
                ),
            ],
            85 * mm,
        ),
        Spacer(1, 3 * mm),
        _table(
            [[_("Adoption and impact"), _("Value")]] + [list(r) for r in summary.adoption_rows],
            [60 * mm, 30 * mm],
            styles,
        ),
        Spacer(1, 3 * mm),
        _side_by_side(
            [
                _table(
                    [[_("Status"), _("Trials")]] + [[label, n] for label, n in summary.status_rows],
                    [38 * mm, 16 * mm],
                    styles,
                ),
                _table(
                    [[_("Region"), _("Trials")]]
                    + [[label, n] for _c, label, n in summary.figures.by_region],
                    [38 * mm, 16 * mm],
                    styles,
                ),
                _table(
                    [[_("Sector"), _("Trials")]]
                    + [[label, n] for _c, label, n in summary.figures.by_sector],
                    [38 * mm, 16 * mm],
                    styles,
                ),
            ],
            WIDTH / 3,
        ),
    ]
    doc.build(story)
    return out.getvalue()
