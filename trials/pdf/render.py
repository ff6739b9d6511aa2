"""Render an evidence pack (``PackContent``) to PDF bytes with reportlab platypus.

Decisions worth knowing before changing this file:

- **Deterministic.** The same content gives byte-identical PDFs: reportlab runs in invariant
  mode (fixed document ID and font-subset names), the PDF creation date is
  ``content.generated_at``, and nothing reads the clock. A pack's SHA-256 is only meaningful
  if re-rendering cannot change it by accident.
- **User text is escaped** (``_markup``) before it reaches Paragraph markup; every string a
  person typed goes through it, so ``<b>`` or ``<img src=…>`` print literally.
- **Fonts** are DejaVu Sans/Sans Mono, vendored in ``fonts/`` (Welsh ŵ ŷ, en dash, curly
  quotes), registered once per process and subset into each PDF.
- **Photos** are embedded as their JPEG bytes (DCT), never decoded and re-encoded, which keeps
  a 20-photo pack fast and small.
- **"Page x of y"** comes from ``_PackCanvas``, which holds every page back until the end
  (the NumberedCanvas pattern); bookmarks are replayed onto the right page as it is written.
- **Long text never breaks the layout**: paragraphs split across pages, long tokens are split
  (``splitLongWords``), a table row taller than a third of a page may split inside the row
  (``_DataTable``), log entries are prose rather than table rows, charts are chunked and photos
  are scaled to fit half a page.
"""

from __future__ import annotations

import datetime
import functools
import io
import itertools
import math
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFError
from reportlab.pdfbase.pdfutils import readJPEGInfo
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import (
    Paragraph as _ReportlabParagraph,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaFrag, ParaParser

from trials.pdf.content import (
    PackApproval,
    PackContent,
    PackEvent,
    PackFile,
    PackKpi,
    PackLogEntry,
    PackMeasurement,
    PackPhoto,
    PackReview,
)
from trials.pdf.photos import photos_on_disk

__all__ = ["render_evidence_pack"]

SERVICE_NAME = "Test Bed Exchange"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
SANS = "TBXSans"
SANS_BOLD = "TBXSans-Bold"
SANS_ITALIC = "TBXSans-Oblique"
MONO = "TBXMono"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
PHOTO_MAX_HEIGHT = 290  # points: two photos with captions fit on one page
CHART_MAX_BARS = 20  # one chart drawing per 20 KPIs, so a drawing never outgrows a page
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - 12  # less the frame's padding
TALL_ROW = FRAME_HEIGHT / 3  # a table row taller than this may be split across pages
SECTION_ROOM = 50 * mm  # a section heading starts a new page unless this much room is left

INK = colors.HexColor("#0b0c0c")
MUTED = colors.HexColor("#505a5f")
ACCENT_HEX = "#1d70b8"
ACCENT = colors.HexColor(ACCENT_HEX)
ACCENT_DARK = colors.HexColor("#003078")
RULE = colors.HexColor("#b1b4b6")
SHADE = colors.HexColor("#f3f2f1")
GREEN = colors.HexColor("#00703c")
RED = colors.HexColor("#aa2a16")


class Paragraph(_ReportlabParagraph):
    """reportlab's Paragraph, parsed only when it has markup and measured once per width.

    Most paragraphs are plain text in one style: for those, the fragment reportlab's markup
    parser would produce is built directly (parsing took a tenth of a render). A table
    measures each cell to size its rows and again to draw it, and a long table is measured
    again on each page it spans; breaking a paragraph into lines is the costliest part of a
    render, and the answer for a given width never changes.
    """

    _measured_for: float | None = None

    def __init__(self, text: str, style: ParagraphStyle, *args: Any, **kwargs: Any) -> None:
        # split() makes the parts of a split paragraph with reportlab's own arguments.
        if not args and not kwargs and "<" not in text and "&" not in text:
            plain = cleanBlockQuotedText(text)
            if plain:
                kwargs["frags"] = [_plain_fragment(style).clone(text=plain)]
                text = plain
        super().__init__(text, style, *args, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # split() may drop blPara (its line breaks) to force a re-measure: honour that.
        if self._measured_for != availWidth or not hasattr(self, "blPara"):
            super().wrap(availWidth, availHeight)
            self._measured_for = availWidth
        return self.width, self.height


@functools.cache
def _plain_fragment(style: ParagraphStyle) -> ParaFrag:
    """What the markup parser makes of one plain word in ``style``: the template for any text."""
    _style, fragments, _bullet = ParaParser().parse("x", style)
    (fragment,) = fragments
    return fragment


type _Cell = Flowable | list[Flowable]  # a table cell: one line or paragraph, or one per block

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


# --- set-up, once per process -------------------------------------------------------------


@functools.cache
def _setup_reportlab() -> None:
    """Register the fonts and set reportlab's one process-wide switch.

    ``useA85 = 0`` stores JPEG photos and page streams as binary rather than ASCII85 text:
    25% smaller, and it skips a slow pure-Python encoding pass over every photo.
    """
    rl_config.useA85 = 0
    for name, filename in (
        (SANS, "DejaVuSans.ttf"),
        (SANS_BOLD, "DejaVuSans-Bold.ttf"),
        (SANS_ITALIC, "DejaVuSans-Oblique.ttf"),
        (MONO, "DejaVuSansMono.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC, boldItalic=SANS_BOLD
    )


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    muted: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_mono: ParagraphStyle
    cell_block: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    service: ParagraphStyle
    kicker: ParagraphStyle
    title: ParagraphStyle
    caption: ParagraphStyle
    missing: ParagraphStyle
    verdict: ParagraphStyle
    hash: ParagraphStyle
    log_meta: ParagraphStyle


@functools.cache
def _styles() -> _Styles:
    body = ParagraphStyle(
        "tbx-body", fontName=SANS, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=5
    )
    cell = ParagraphStyle("tbx-cell", parent=body, fontSize=8.5, leading=11, spaceAfter=0)
    return _Styles(
        body=body,
        muted=ParagraphStyle("tbx-muted", parent=body, textColor=MUTED),
        small=ParagraphStyle("tbx-small", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        cell=cell,
        cell_head=ParagraphStyle("tbx-cell-head", parent=cell, fontName=SANS_BOLD),
        cell_block=ParagraphStyle("tbx-cell-block", parent=cell, spaceAfter=4),
        cell_mono=ParagraphStyle("tbx-cell-mono", parent=cell, fontName=MONO, fontSize=6.5),
        h1=ParagraphStyle(
            "tbx-h1",
            parent=body,
            fontName=SANS_BOLD,
            fontSize=15,
            leading=19,
            textColor=ACCENT_DARK,
            spaceBefore=14,
            spaceAfter=7,
            keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "tbx-h2",
            parent=body,
            fontName=SANS_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        ),
        service=ParagraphStyle(
            "tbx-service", parent=body, fontName=SANS_BOLD, fontSize=12, textColor=ACCENT
        ),
        kicker=ParagraphStyle(
            "tbx-kicker", parent=body, fontSize=13, leading=17, textColor=MUTED, spaceBefore=18
        ),
        title=ParagraphStyle(
            "tbx-title", parent=body, fontName=SANS_BOLD, fontSize=24, leading=29, spaceAfter=12
        ),
        caption=ParagraphStyle(
            "tbx-caption", parent=body, fontSize=8.5, leading=11.5, spaceBefore=4, spaceAfter=14
        ),
        missing=ParagraphStyle(
            "tbx-missing",
            parent=body,
            textColor=MUTED,
            backColor=SHADE,
            borderPadding=(18, 6, 18, 6),
            alignment=1,
            spaceBefore=18,
            spaceAfter=18,
        ),
        verdict=ParagraphStyle(
            "tbx-verdict", parent=body, fontName=SANS_BOLD, fontSize=14, leading=18
        ),
        hash=ParagraphStyle("tbx-hash", parent=body, fontName=MONO, fontSize=8.5, leading=11),
        log_meta=ParagraphStyle(
            "tbx-log-meta", parent=body, spaceBefore=4, spaceAfter=2, keepWithNext=1
        ),
    )


# --- text and number formatting -----------------------------------------------------------


def _clean(text: str) -> str:
    """Normalise line endings and drop characters a PDF text string cannot carry."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNPRINTABLE.sub("", text)


def _markup(text: str) -> str:
    """User text as Paragraph markup: escaped, so it prints literally, with line breaks kept."""
    return escape(_clean(text)).replace("\n", "<br/>")


def _label(text: str) -> str:
    """Our own (translated) text as markup: translations may contain ``&`` or ``<`` too."""
    return escape(text)


def _plain(text: str) -> str:
    """User text for canvas strings and chart labels: one line, no markup involved."""
    return " ".join(_clean(text).split())


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _date(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


def _local(value: datetime.datetime) -> datetime.datetime:
    """Aware times in the site's time zone (not the request's): the pack must not vary."""
    if timezone.is_aware(value):
        return timezone.localtime(value, timezone.get_default_timezone())
    return value


def _datetime(value: datetime.datetime) -> str:
    return dateformat.format(_local(value), "j F Y, H:i")


def _pdf_date(value: datetime.datetime) -> str:
    """``generated_at`` as a PDF date string (UTC), for CreationDate and ModDate."""
    if timezone.is_aware(value):
        utc = value.astimezone(datetime.UTC)
        return f"D:{utc:%Y%m%d%H%M%S}+00'00'"
    return f"D:{value:%Y%m%d%H%M%S}"


def _number(value: Decimal | None) -> str:
    """A measured value without storage noise: 12.5000 → 12.5, 1E+2 → 100, with grouping."""
    if value is None:
        return "–"
    if not value.is_finite():
        return str(value)
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return formats.number_format(value, force_grouping=True)


def _trl(level: int | None) -> str:
    return "–" if level is None else _("TRL %(level)s") % {"level": level}


def _met(met: bool | None) -> str:
    if met is None:
        return _("Not measured")
    return _("Yes") if met else _("No")


def _percent(kpi: PackKpi) -> float | None:
    if kpi.progress is None or not math.isfinite(kpi.progress):
        return None
    return kpi.progress * 100


def _bar_value(kpi: PackKpi) -> float:
    """Progress for the chart: 0–100, capped; nothing measured draws as 0."""
    percent = _percent(kpi)
    return 0.0 if percent is None else max(0.0, min(100.0, percent))


def _bar_label(kpi: PackKpi) -> str:
    """The real figure beside the bar, so 130% or −20% is not hidden by the cap."""
    percent = _percent(kpi)
    return _("not measured") if percent is None else f"{percent:.0f}%"


def _file_kind(kind: str) -> str:
    names = {"photo": _("Photo"), "pdf": "PDF", "csv": "CSV", "xlsx": "Excel", "docx": "Word"}
    return names.get(kind, kind)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


# --- small building blocks ----------------------------------------------------------------


def _heading(text: str, style: ParagraphStyle, *, outline_level: int | None = None) -> Paragraph:
    paragraph = Paragraph(_label(text), style)
    paragraph._tbx_outline_level = outline_level  # read by _PackDocument.afterFlowable
    return paragraph


def _section(text: str, *, room: float = SECTION_ROOM) -> list[Flowable]:
    """A section heading, on a new page unless ``room`` points are left for what follows."""
    return [CondPageBreak(room), _heading(text, _styles().h1, outline_level=0)]


def _subheading(text: str, *, user_text: bool = False) -> Paragraph:
    style = _styles().h2
    return Paragraph(_markup(text), style) if user_text else _heading(text, style)


def _prose(text: str, *, empty: str = "") -> list[Flowable]:
    """User prose: one Paragraph per blank-line-separated block, so pages break between them."""
    styles = _styles()
    blocks = _blocks(text)
    if not blocks:
        return [Paragraph(_label(empty), styles.muted)] if empty else []
    return [Paragraph(_markup(block), styles.body) for block in blocks]


def _none(text: str) -> Paragraph:
    return Paragraph(_label(text), _styles().muted)


def _blocks(text: str) -> list[str]:
    """Text split at blank lines into paragraphs, each stripped; empty ones dropped."""
    return [block.strip() for block in _BLANK_LINE.split(_clean(text)) if block.strip()]


class _Line(Flowable):
    """A table cell's text that fits one line, drawn straight on the canvas.

    Most cells (dates, numbers, names, short notes) are one line; a Paragraph for each would
    parse markup, break lines and place words, about half of a pack's render time. Text wider
    than its column becomes a Paragraph after all and wraps as before. Draws exactly where a
    one-line Paragraph of the same style would.
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._width = pdfmetrics.stringWidth(text, style.fontName, style.fontSize)
        self._paragraph: Paragraph | None = None

    def _fits(self, available_width: float) -> bool:
        return self._width <= available_width - self.style.leftIndent - self.style.rightIndent

    def _as_paragraph(self) -> Paragraph:
        if self._paragraph is None:
            self._paragraph = Paragraph(escape(self.text), self.style)
        return self._paragraph

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._fits(available_width):
            self.width, self.height, self._wrapped = available_width, self.style.leading, None
        else:
            self._wrapped = self._as_paragraph()
            self.width, self.height = self._wrapped.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if self._fits(available_width):
            return []  # one line: nothing to split
        return self._as_paragraph().split(available_width, available_height)

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        if self._wrapped is not None:
            self._wrapped.drawOn(canvas, x, y, _sW)
            return
        # No translated graphics state of its own (Flowable.drawOn's), which would cost more
        # than the text: the font and colour are set here and restored straight after.
        style = self.style
        font, colour = (canvas._fontname, canvas._fontsize, canvas._leading), canvas._fillColorObj
        canvas.setFont(style.fontName, style.fontSize)
        canvas.setFillColor(style.textColor)
        canvas.drawString(x + style.leftIndent, y + self.height - style.fontSize, self.text)
        canvas.setFont(*font)
        canvas.setFillColor(colour)

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def getPlainText(self) -> str:
        return self.text


def _cell(text: str) -> _Cell:
    """A table cell of user text: one line, or one Paragraph per block of text.

    Separate Paragraphs keep a long cell cheap to split across pages: reportlab re-measures a
    split cell on every page, and small paragraphs re-measure far faster than one big one.
    """
    styles = _styles()
    blocks = _blocks(text)
    if len(blocks) <= 1:
        block = "".join(blocks)
        if "\n" not in block:
            return _Line(" ".join(block.split()), styles.cell)
        return Paragraph(_markup(block), styles.cell)
    return [Paragraph(_markup(block), styles.cell_block) for block in blocks]


def _head_row(*labels: str) -> list[_Line]:
    return [_Line(" ".join(label.split()), _styles().cell_head) for label in labels]


class _DataTable(LongTable):
    """A table that splits between rows, and inside a row only when that row is tall.

    reportlab's ``splitInRow`` alone would also tear a three-line row at the foot of a page;
    never splitting inside a row fails on a cell longer than a page (LayoutError). So the
    choice is made per split: only a row taller than a third of a page is torn in two.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        self.splitInRow = 1 if self._overflowing_row(availHeight) > TALL_ROW else 0
        return super().split(availWidth, availHeight)

    def _overflowing_row(self, available: float) -> float:
        """Height of the first row that does not fit in ``available`` points (0 if all fit)."""
        used = 0.0
        for height in self._rowHeights:
            used += height
            if used > available:
                return height
        return 0.0


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header: bool = True) -> Table:
    """A data table whose rows may split across pages, even inside one very long cell."""
    table = _DataTable(
        list(rows), colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT"
    )
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), SANS, 8.5),  # else reportlab sets Helvetica for each cell
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
        ]
    table.setStyle(TableStyle(commands))
    return table


def _details(pairs: Iterable[tuple[str, str]], *, label_width: float = 42 * mm) -> Table:
    """Label/value rows (labels are ours, values are user text)."""
    styles = _styles()
    rows = [
        [Paragraph(_label(label), styles.cell_head), _cell(value)]
        for label, value in pairs
        if value.strip()
    ]
    return _table(rows or [["", ""]], [label_width, FRAME_WIDTH - label_width], header=False)


def _date_range(content: PackContent) -> str:
    days = (content.last_day - content.first_day).days + 1
    length = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return f"{_date(content.first_day)} – {_date(content.last_day)} ({length})"


# --- cover --------------------------------------------------------------------------------


class _QrCode(Flowable):
    """A QR code drawn as one filled path: one rectangle per run of dark modules.

    The qrcode library (already here for two-factor sign-in) encodes in half the time of
    reportlab's QrCodeWidget, which also encodes again on every draw and emits a shape per
    run; one path is the same picture at a fraction of the cost.
    """

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        # border: the four modules of white margin the QR standard asks for
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        code.add_data(url)
        self.modules = code.get_matrix()  # fits the smallest version; picks the best mask
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        box = self.width / len(self.modules)
        path = self.canv.beginPath()
        for row_number, row in enumerate(self.modules, 1):
            column = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    path.rect(column * box, self.height - row_number * box, length * box, box)
                column += length
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def _verification_box(content: PackContent) -> Table:
    styles = _styles()
    url = escape(content.verify_url, {'"': "&quot;"})
    text = [
        Paragraph(_label(_("Check this pack is genuine at")), styles.cell),
        Paragraph(
            f'<a href="{url}" color="{ACCENT_HEX}">{escape(content.verify_url)}</a>', styles.body
        ),
        Paragraph(
            _label(_("Verification code: %(code)s") % {"code": content.code}), styles.cell_head
        ),
        Spacer(1, 4),
        Paragraph(
            _label(
                _(
                    "The check page shows this pack's status, the reviewer's decision and the "
                    "SHA-256 fingerprint of every version, so you can confirm that the file you "
                    "hold is the one that was submitted."
                )
            ),
            styles.small,
        ),
    ]
    qr_size = 34 * mm
    table = Table(
        [[_QrCode(content.verify_url, qr_size), text]],
        colWidths=[qr_size + 8 * mm, FRAME_WIDTH - qr_size - 8 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), SANS, 8.5),
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def _cover(content: PackContent) -> list[Flowable]:
    styles = _styles()
    place = " · ".join(part for part in (content.testbed_region, content.testbed_place) if part)
    details = _details(
        [
            (_("Start-up"), content.startup_name),
            (_("Product or service"), content.product_name),
            (_("Test bed"), content.testbed_name),
            (_("Provider"), content.provider_name),
            (_("Region and place"), place),
            (_("Programme"), content.programme_name),
            (_("Dates"), _date_range(content)),
            (_("Trial reference"), content.trial_reference),
            (_("Pack code"), content.code),
            (_("Version"), str(content.version)),
            (_("Status"), content.status),
            (_("Generated"), _datetime(content.generated_at)),
        ]
    )
    return [
        Paragraph(_label(_("Test Bed Exchange")), styles.service),
        Paragraph(_label(_("Evidence pack")), styles.kicker),
        Paragraph(_markup(content.trial_title), styles.title),
        details,
        Spacer(1, 10 * mm),
        _verification_box(content),
        PageBreak(),
    ]


def _draw_cover_band(canvas: Canvas, _doc: Any) -> None:
    canvas.saveState()
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_HEIGHT - 9 * mm, PAGE_WIDTH, 9 * mm, stroke=0, fill=1)
    canvas.restoreState()


# --- sections -----------------------------------------------------------------------------


def _kpi_summary(kpis: Sequence[PackKpi]) -> str:
    if not kpis:
        return _("No indicators were set")
    met = sum(1 for kpi in kpis if kpi.met)
    unmeasured = sum(1 for kpi in kpis if kpi.met is None)
    text = _("%(met)s of %(total)s met") % {"met": met, "total": len(kpis)}
    if unmeasured:
        text += " " + ngettext("(%(n)s not measured)", "(%(n)s not measured)", unmeasured) % {
            "n": unmeasured
        }
    return text


def _executive_summary(content: PackContent) -> list[Flowable]:
    glance = _details(
        [
            (_("Recommendation"), content.recommendation or _("Not given")),
            (_("Key performance indicators"), _kpi_summary(content.kpis)),
            (_("Readiness achieved"), _trl(content.trl_achieved)),
            (_("Dates"), _date_range(content)),
        ]
    )
    return [
        *_section(_("Executive summary")),
        *_prose(content.executive_summary, empty=_("No summary was given.")),
        Spacer(1, 4),
        glance,
    ]


def _setting(content: PackContent) -> list[Flowable]:
    return [
        *_section(_("Test bed and setting")),
        _details(
            [
                (_("Test bed"), content.testbed_name),
                (_("Provider"), content.provider_name),
                (_("Region"), content.testbed_region),
                (_("Place"), content.testbed_place),
            ]
        ),
        Spacer(1, 6),
        *_prose(content.testbed_summary),
        _subheading(_("Setting and participants")),
        *_prose(content.setting_and_participants, empty=_("Not given.")),
        *_partners(content),
    ]


def _partners(content: PackContent) -> list[Flowable]:
    """The trial's partners and their roles (none in packs made before partners existed)."""
    if not content.partners:
        return []
    rows = [_head_row(_("Partner"), _("Role"), _("What they bring"))]
    rows += [
        [_cell(partner.name), _cell(partner.role), _cell(partner.contribution)]
        for partner in content.partners
    ]
    return [_subheading(_("Partners")), _table(rows, [55 * mm, 40 * mm, FRAME_WIDTH - 95 * mm])]


def _plan(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Plan and objectives"))]
    for heading, text in (
        (_("Product or service"), content.product_name),
        (_("Problem"), content.problem_statement),
        (_("Objectives"), content.objectives),
        (_("Hypothesis"), content.hypothesis),
    ):
        story += [_subheading(heading), *_prose(text, empty=_("Not given."))]
    return story


def _approval_row(approval: PackApproval) -> list[_Cell]:
    return [_cell(approval.label), _cell(approval.status), _cell(approval.note)]


def _approvals(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Approvals"))]
    if content.approvals:
        rows = [_head_row(_("Approval"), _("Status"), _("Note"))]
        rows += [_approval_row(approval) for approval in content.approvals]
        story.append(_table(rows, [62 * mm, 32 * mm, FRAME_WIDTH - 94 * mm]))
    else:
        story.append(_none(_("No approvals were recorded.")))
    if content.approvals_note.strip():
        story += [Spacer(1, 6), *_prose(content.approvals_note)]
    return story


def _readiness(content: PackContent) -> list[Flowable]:
    width = FRAME_WIDTH / 3
    rows = [
        _head_row(_("At start"), _("Target"), _("Achieved")),
        [
            _cell(_trl(level))
            for level in (content.trl_start, content.trl_target, content.trl_achieved)
        ],
    ]
    explanation = _(
        "Technology readiness levels (TRL) run from 1, basic principles observed, to 9, "
        "proven in an operational environment."
    )
    return [
        *_section(_("Technology readiness")),
        _table(rows, [width] * 3),
        Spacer(1, 4),
        Paragraph(_label(explanation), _styles().small),
    ]


def _met_cell(kpi: PackKpi) -> Paragraph:
    colour = {True: GREEN, False: RED, None: MUTED}[kpi.met]
    style = ParagraphStyle("tbx-met", parent=_styles().cell_head, textColor=colour)
    return Paragraph(_label(_met(kpi.met)), style)


def _kpi_row(kpi: PackKpi) -> list[_Cell]:
    return [
        _cell(kpi.name),
        _cell(kpi.unit),
        _cell(_number(kpi.baseline)),
        _cell(_number(kpi.target)),
        _cell(_number(kpi.latest)),
        _met_cell(kpi),
    ]


def _kpi_table(kpis: Sequence[PackKpi]) -> Table:
    rows = [_head_row(_("Indicator"), _("Unit"), _("Baseline"), _("Target"), _("Latest"), _("Met"))]
    rows += [_kpi_row(kpi) for kpi in kpis]
    numbers = 20 * mm
    widths = [FRAME_WIDTH - 50 * mm - 3 * numbers, 24 * mm, *[numbers] * 3, 26 * mm]
    return _table(rows, widths)


class _ProgressChart(Flowable):
    """Horizontal bars of progress towards target, first indicator at the top.

    Drawn straight on the canvas: reportlab's chart library builds a shape tree and renders
    it at several times the cost for the same few lines, bars and labels.
    """

    BAR_PITCH, BAR_HEIGHT, LABEL_WIDTH, BOTTOM = 18, 12, 150, 30

    def __init__(self, kpis: Sequence[PackKpi]) -> None:
        super().__init__()
        self.kpis = list(kpis)
        self.width = FRAME_WIDTH
        self.plot_width = FRAME_WIDTH - self.LABEL_WIDTH - 45
        self.plot_height = len(self.kpis) * self.BAR_PITCH
        self.height = self.plot_height + self.BOTTOM + 8

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        left, bottom, width = self.LABEL_WIDTH, self.BOTTOM, self.plot_width
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        for step in range(0, 101, 25):  # grid lines, then their labels under the axis
            x = left + width * step / 100
            canvas.line(x, bottom, x, bottom + self.plot_height)
        canvas.setLineWidth(1)
        canvas.line(left, bottom, left + width, bottom)
        canvas.line(left, bottom, left, bottom + self.plot_height)
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(INK)
        for step in range(0, 101, 25):
            canvas.drawCentredString(left + width * step / 100, bottom - 12, f"{step}%")
        for row, kpi in enumerate(self.kpis):
            self._draw_bar(kpi, bottom + self.plot_height - (row + 1) * self.BAR_PITCH)
        canvas.setFont(SANS, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(left + width / 2, 4, _("Progress towards target (%)"))

    def _draw_bar(self, kpi: PackKpi, slot: float) -> None:
        canvas, left = self.canv, self.LABEL_WIDTH
        bar_y = slot + (self.BAR_PITCH - self.BAR_HEIGHT) / 2
        length = self.plot_width * _bar_value(kpi) / 100
        canvas.setFillColor(GREEN if kpi.met else ACCENT)
        canvas.rect(left, bar_y, length, self.BAR_HEIGHT, stroke=0, fill=1)
        baseline = slot + self.BAR_PITCH / 2 - 2.8
        name = _fit(_plain(kpi.name), SANS, 8, self.LABEL_WIDTH - 10)
        canvas.setFillColor(INK)
        canvas.setFont(SANS, 8)
        canvas.drawRightString(left - 4, baseline, name)
        canvas.setFont(SANS, 7.5)
        canvas.drawString(left + length + 3, baseline, _bar_label(kpi))


def _unmeasured_notes(kpis: Sequence[PackKpi]) -> list[Flowable]:
    notes = []
    for kpi in kpis:
        if kpi.met is None and kpi.no_measurement_reason.strip():
            label = _("%(name)s was not measured:") % {"name": _clean(kpi.name)}
            notes.append(
                Paragraph(
                    f"<b>{escape(label)}</b> {_markup(kpi.no_measurement_reason)}", _styles().body
                )
            )
    return notes


def _kpis(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Key performance indicators"))]
    if not content.kpis:
        return [*story, _none(_("No key performance indicators were set for this trial."))]
    story += [_kpi_table(content.kpis), Spacer(1, 6), *_unmeasured_notes(content.kpis)]
    for start in range(0, len(content.kpis), CHART_MAX_BARS):
        story += [Spacer(1, 6), _ProgressChart(content.kpis[start : start + CHART_MAX_BARS])]
    return story


def _kpi_method(kpi: PackKpi) -> Paragraph | None:
    direction = {"higher": _("Higher values are better."), "lower": _("Lower values are better.")}
    parts = [_label(direction.get(kpi.direction, ""))] if kpi.direction in direction else []
    for label, value in ((_("Method"), kpi.method), (_("Data source"), kpi.data_source)):
        if value.strip():
            parts.append(f"<b>{_label(label)}:</b> {_markup(value)}")
    if kpi.corrected:
        label = _label(_("Corrected"))
        parts.append(
            f"<b>{label}:</b> "
            + _label(_("the KPI was corrected before submission; see the timeline."))
        )
    return Paragraph(" · ".join(parts), _styles().small) if parts else None


def _corrected(text: str, corrected: bool) -> str:
    """A value marked as corrected before submission (its earlier value is in the timeline)."""
    return _("%(value)s (corrected)") % {"value": text} if corrected else text


def _measurement_row(measurement: PackMeasurement) -> list[_Cell]:
    return [
        _cell(_date(measurement.date)),
        _cell(_corrected(_number(measurement.value), measurement.corrected)),
        _cell(measurement.note),
        _cell(measurement.recorded_by),
    ]


def _kpi_measurements(kpi: PackKpi) -> list[Flowable]:
    title = f"{kpi.name} ({kpi.unit})" if kpi.unit.strip() else kpi.name
    story: list[Flowable] = [_subheading(title, user_text=True)]
    method = _kpi_method(kpi)
    if method:
        story += [method, Spacer(1, 4)]
    if kpi.measurements:
        rows = [_head_row(_("Date"), _("Value"), _("Note"), _("Recorded by"))]
        rows += [_measurement_row(measurement) for measurement in kpi.measurements]
        story.append(_table(rows, [30 * mm, 26 * mm, FRAME_WIDTH - 96 * mm, 40 * mm]))
    elif kpi.no_measurement_reason.strip():
        label = _label(_("Not measured:"))
        story.append(Paragraph(f"{label} {_markup(kpi.no_measurement_reason)}", _styles().muted))
    else:
        story.append(_none(_("No measurements were recorded.")))
    return story


def _measurements(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Measurements"))]
    if not content.kpis:
        return [*story, _none(_("No measurements were recorded."))]
    for kpi in content.kpis:
        story += _kpi_measurements(kpi)
    return story


def _log_kind(kind: str) -> str:
    return {
        "progress": _("Progress"),
        "observation": _("Provider observation"),
        "partner": _("Partner's note"),
    }.get(kind, kind)


def _log_entry(entry: PackLogEntry) -> list[Flowable]:
    """One entry as a heading line and full-width prose, not a table row.

    Entries can run to pages; prose flows across pages in linear time, whereas a table cell
    is re-measured at every page it is split over.
    """
    styles = _styles()
    kind = escape(_log_kind(entry.kind))
    if entry.kind == "observation":
        kind = f'<font color="{ACCENT_HEX}">{kind}</font>'
    who = ", ".join(_markup(part) for part in (entry.author, entry.organisation) if part.strip())
    corrected = "<i>" + escape(_("corrected")) + "</i>" if entry.corrected else ""
    meta = " · ".join(
        part for part in (f"<b>{escape(_date(entry.date))}</b>", kind, who, corrected) if part
    )
    return [
        Paragraph(meta, styles.log_meta),
        *_prose(entry.text),
        HRFlowable(width="100%", thickness=0.25, color=RULE, spaceBefore=2, spaceAfter=4),
    ]


def _log(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Progress log and observations"))]
    if not content.log_entries:
        return [*story, _none(_("No progress was logged and no observations were recorded."))]
    for entry in content.log_entries:
        story += _log_entry(entry)
    return story


def _event_row(event: PackEvent) -> list[_Cell]:
    change = f"{event.from_status} → {event.to_status}" if event.from_status else event.to_status
    return [_cell(_datetime(event.at)), _cell(event.actor), _cell(change), _cell(event.note)]


def _timeline(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Timeline"))]
    if not content.events:
        return [*story, _none(_("No events were recorded."))]
    zone = _("Times are in the %(zone)s time zone.") % {
        "zone": timezone.get_default_timezone_name()
    }
    rows = [_head_row(_("When"), _("Who"), _("Change"), _("Note"))]
    rows += [_event_row(event) for event in content.events]
    widths = [45 * mm, 32 * mm, 42 * mm, FRAME_WIDTH - 119 * mm]
    return [*story, Paragraph(_label(zone), _styles().small), Spacer(1, 4), _table(rows, widths)]


def _image_size(path: str) -> tuple[int, int] | None:
    """Pixel size of a photo file, or None when it is missing or unreadable.

    JPEG headers are read by reportlab itself (no decoding); anything else is asked of Pillow,
    which only reads the header too.
    """
    try:
        with open(path, "rb") as handle:
            width, height, *_rest = readJPEGInfo(handle)
    except (OSError, PDFError, struct.error, ValueError):
        try:
            with PILImage.open(path) as image:
                width, height = image.size
        except (OSError, ValueError, PILImage.DecompressionBombError):
            return None
    return (width, height) if width > 0 and height > 0 else None


class _PhotoPath(str):
    """A photo's file path whose ``str()`` is its place in the pack.

    reportlab names an embedded image after ``"%s" % path``; with this, the name (and so the
    pack's bytes) does not depend on where the media folder happens to be, and costs nothing
    to work out. Opening the file still uses the real path.
    """

    number: int

    def __new__(cls, path: str, number: int) -> _PhotoPath:
        instance = super().__new__(cls, path)
        instance.number = number
        return instance

    def __str__(self) -> str:
        return f"photo-{self.number}"


def _photo(photo: PackPhoto, number: int) -> Flowable:
    styles = _styles()
    caption_text = photo.caption.strip() or photo.alt_text.strip()
    label = _label(_("Photo %(number)s.") % {"number": number})
    caption = Paragraph(f"<b>{label}</b> {_markup(caption_text)}", styles.caption)
    size = _image_size(photo.path) if photo.path else None
    if size is None:
        return KeepTogether([Paragraph(_label(_("Photo not available")), styles.missing), caption])
    scale = min(FRAME_WIDTH / size[0], PHOTO_MAX_HEIGHT / size[1])
    image = Image(_PhotoPath(photo.path, number), width=size[0] * scale, height=size[1] * scale)
    image.hAlign = "CENTER"
    return KeepTogether([image, caption])


def _photos(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Photos"), room=PHOTO_MAX_HEIGHT + 80)]
    if not content.photos:
        return [*story, _none(_("No photos were added."))]
    return [*story, *(_photo(photo, number) for number, photo in enumerate(content.photos, 1))]


def _file_row(file: PackFile) -> list[_Cell]:
    mono = _styles().cell_mono
    digest = [_Line(_plain(chunk), mono) for chunk in _chunks(file.sha256, 32)]
    return [
        _cell(file.name),
        _cell(_file_kind(file.kind)),
        _cell(filesizeformat(file.size)),
        _cell(file.caption),
        digest,
    ]


def _files(content: PackContent) -> list[Flowable]:
    story: list[Flowable] = [*_section(_("Evidence files"))]
    if not content.files:
        return [*story, _none(_("No evidence files were added."))]
    intro = _(
        "Each file's SHA-256 fingerprint lets anyone confirm that a copy they hold is the file "
        "that was submitted."
    )
    rows = [_head_row(_("Name"), _("Kind"), _("Size"), _("Caption"), _("SHA-256"))]
    rows += [_file_row(file) for file in content.files]
    widths = [40 * mm, 16 * mm, 18 * mm, FRAME_WIDTH - 121 * mm, 47 * mm]
    return [*story, Paragraph(_label(intro), _styles().small), Spacer(1, 4), _table(rows, widths)]


def _outcome(content: PackContent) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [*_section(_("Outcome and recommendation"))]
    if not content.outcome:
        story.append(_none(_("No outcome was recorded.")))
    for item in content.outcome:
        story += [
            _subheading(item.heading, user_text=True),
            *_prose(item.text, empty=_("Not given.")),
        ]
    story.append(_subheading(_("Recommendation")))
    if content.recommendation.strip():
        story.append(Paragraph(_markup(content.recommendation), styles.verdict))
    else:
        story.append(_none(_("No recommendation was given.")))
    if content.extra:
        story += [_subheading(_("Further details")), _details(sorted(content.extra.items()))]
    return story


def _sign_off(content: PackContent, review: PackReview) -> list[Flowable]:
    styles = _styles()
    intro = _(
        "The programme's decision on version %(version)s of this evidence pack. The SHA-256 "
        "fingerprint identifies the exact PDF file that was reviewed."
    ) % {"version": review.reviewed_version}
    digest = "<br/>".join(escape(_clean(chunk)) for chunk in _chunks(review.reviewed_sha256, 64))
    rows = [
        [Paragraph(_label(_("Reviewer")), styles.cell_head), _cell(review.reviewer)],
        [
            Paragraph(_label(_("Organisation")), styles.cell_head),
            _cell(review.reviewer_organisation),
        ],
        [Paragraph(_label(_("Decision")), styles.cell_head), _cell(review.decision)],
        [Paragraph(_label(_("Date")), styles.cell_head), _cell(_datetime(review.decided_at))],
        [
            Paragraph(_label(_("Version reviewed")), styles.cell_head),
            _cell(str(review.reviewed_version)),
        ],
        [
            Paragraph(_label(_("SHA-256 of that version")), styles.cell_head),
            Paragraph(digest, styles.hash),
        ],
    ]
    check = _("Check this decision at %(url)s") % {"url": content.verify_url}
    return [
        PageBreak(),
        *_section(_("Sign-off")),
        Paragraph(_label(intro), styles.body),
        Spacer(1, 4),
        _table(rows, [48 * mm, FRAME_WIDTH - 48 * mm], header=False),
        _subheading(_("Comments")),
        *_prose(review.comments, empty=_("No comments were given.")),
        Spacer(1, 8),
        Paragraph(_label(check), styles.small),
    ]


def _story(content: PackContent) -> list[Flowable]:
    story = _cover(content)
    for section in (
        _executive_summary,
        _setting,
        _plan,
        _approvals,
        _readiness,
        _kpis,
        _measurements,
        _log,
        _timeline,
        _photos,
        _files,
        _outcome,
    ):
        story += section(content)
    if content.review is not None:
        story += _sign_off(content, content.review)
    return story


# --- document, canvas and page furniture --------------------------------------------------


@dataclass(frozen=True)
class _Chrome:
    """What the canvas draws on every page after the cover, fixed before the build."""

    header: str
    footer: str
    page_label: str  # "Page %(page)s of %(total)s", translated
    creation_date: str

    def pdf_date(self, *_args: int) -> str:
        return self.creation_date

    def draw(self, canvas: Canvas, page: int, total: int) -> None:
        if page == 1:
            return
        right = PAGE_WIDTH - MARGIN_X
        top, bottom = PAGE_HEIGHT - 13 * mm, 11 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 4, right, top - 4)
        canvas.line(MARGIN_X, bottom + 10, right, bottom + 10)
        canvas.setFillColor(MUTED)
        canvas.setFont(SANS, 8)
        canvas.drawString(MARGIN_X, top, self.header)
        canvas.drawString(MARGIN_X, bottom, self.footer)
        canvas.drawRightString(right, bottom, self.page_label % {"page": page, "total": total})
        canvas.restoreState()


def _chrome(content: PackContent) -> _Chrome:
    header = f"{_('Test Bed Exchange')} · {_plain(content.trial_title)}"
    footer = _("Pack %(code)s · version %(version)s") % {
        "code": content.code,
        "version": content.version,
    }
    return _Chrome(
        header=_fit(header, SANS, 8, FRAME_WIDTH),
        footer=_fit(_plain(footer), SANS, 8, FRAME_WIDTH / 2),
        page_label=_("Page %(page)s of %(total)s"),
        creation_date=_pdf_date(content.generated_at),
    )


class _PackCanvas(Canvas):
    """Holds pages back until the end so that each footer can say "Page x of y".

    Bookmarks made while a page is held back are replayed when it is written: reportlab ties
    a bookmark to the page being written at the time of the call.
    """

    def __init__(self, *args: Any, chrome: _Chrome, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chrome = chrome
        self._held_pages: list[dict[str, Any]] = []
        self._held_bookmarks: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.setDateFormatter(chrome.pdf_date)
        self.showOutline()

    def bookmarkPage(self, key: str, *args: Any, **kwargs: Any) -> None:  # reportlab's name
        self._held_bookmarks.append((key, args, kwargs))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._held_bookmarks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, 1):
            self.__dict__.update(state)
            for key, args, kwargs in state["_held_bookmarks"]:
                super().bookmarkPage(key, *args, **kwargs)
            self._chrome.draw(self, number, total)
            super().showPage()
        super().save()


class _PackDocument(SimpleDocTemplate):
    """Adds each section heading to the PDF outline (the reader's bookmarks pane)."""

    def afterFlowable(self, flowable: Flowable) -> None:  # reportlab's name
        level = getattr(flowable, "_tbx_outline_level", None)
        if level is None:
            return
        self._tbx_bookmarks = getattr(self, "_tbx_bookmarks", 0) + 1
        key = f"section-{self._tbx_bookmarks}"
        top = self.frame._y + flowable.getSpaceAfter() + flowable.height
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=top, zoom=0)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level)


def _pdf_language() -> str:
    return translation.to_locale(translation.get_language() or "en-gb").replace("_", "-")


def render_evidence_pack(content: PackContent) -> bytes:
    """Render ``content`` as the PDF a programme officer forwards to a funder.

    Headings are in the pack's own language (that of the person who submitted it) and times
    in the site's time zone (``TIME_ZONE``), so the same content always gives the same bytes.
    """
    with translation.override(content.language), photos_on_disk(content) as local:
        return _render(local)


def _render(content: PackContent) -> bytes:
    _setup_reportlab()
    buffer = io.BytesIO()
    document = _PackDocument(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_plain(_("Evidence pack: %(title)s") % {"title": content.trial_title}),
        author=_plain(content.startup_name),
        subject=_plain(
            _("%(service)s evidence pack %(code)s version %(version)s")
            % {"service": SERVICE_NAME, "code": content.code, "version": content.version}
        ),
        creator=SERVICE_NAME,
        keywords=[content.code],
        invariant=1,
        pageCompression=1,
        lang=_pdf_language(),
        displayDocTitle=1,
        initialFontName=SANS,
        initialFontSize=9,
    )
    document.build(
        _story(content),
        onFirstPage=_draw_cover_band,
        canvasmaker=functools.partial(_PackCanvas, chrome=_chrome(content)),
    )
    return buffer.getvalue()
