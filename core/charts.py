"""Server-side SVG charts: no JavaScript, no CDN, safe under the Content Security Policy.

Pages embed the returned markup inline. The policy's ``style-src 'self'`` blocks ``style``
attributes and ``<style>`` elements inside inline SVG, so every look is set with presentation
attributes (``fill``, ``stroke``, ``font-size``, ``text-anchor``…) and nothing else. Text
inherits the page's font. Every piece of caller-provided text (labels, titles, units, display
strings) is XML-escaped, and characters XML 1.0 forbids are dropped, so the output is always
well-formed.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` (the chart title) and
``<desc>`` (a one-sentence summary). Their ids are unique per call; pass ``chart_id`` for
deterministic output (tests, caching). Colours give at least 3:1 contrast against white.
Show the same figures as a table next to the chart for screen-reader and keyboard users:
``templates/includes/chart_with_table.html`` does that for bar charts.
"""

from __future__ import annotations

import datetime
import html
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

__all__ = [
    "BASELINE_COLOUR",
    "BAR_COLOUR",
    "TARGET_COLOUR",
    "TEXT_COLOUR",
    "Bar",
    "bar_chart_svg",
    "bar_display",
    "format_number",
    "kpi_chart_svg",
    "progress_bar_svg",
]

BAR_COLOUR = "#1d70b8"  # GOV.UK blue, 5.2:1 on white
TARGET_COLOUR = "#00703c"  # GOV.UK green, 5.9:1 on white
BASELINE_COLOUR = "#505a5f"  # GOV.UK secondary text, 7:1 on white
TEXT_COLOUR = "#0b0c0c"  # GOV.UK text, 19:1 on white

SVG_NS = "http://www.w3.org/2000/svg"
ROW_HEIGHT = 32
BAR_THICKNESS = 20
FONT_SIZE = 14
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous estimate of one character's advance
ZERO_STUB = 2  # width of the thin stub drawn for a zero (or negative) value
MIN_WIDTH = 120

# Characters XML 1.0 does not allow, even escaped: C0 controls other than tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart.

    ``display`` is the text shown at the end of the bar (and in the figures table) exactly as
    given; when it is ``None`` the formatted value followed by the chart's unit is shown.
    """

    label: str
    value: float
    display: str | None = None


# --- helpers ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """Caller text made safe for XML character data and attribute values."""
    return html.escape(_XML_ILLEGAL.sub("", str(value)), quote=True)


def _num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _finite(value: object) -> float:
    """The value as a float, with NaN, infinities and unconvertible values as 0."""
    number = _finite_or_none(value)
    return 0.0 if number is None else number


def _finite_or_none(value: object) -> float | None:
    """The value as a float, or None for NaN, infinities and unconvertible values."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _chart_id(chart_id: str | None) -> str:
    """An id prefix safe for XML ids and space-separated ``aria-labelledby`` lists."""
    if chart_id is None:
        return f"chart-{uuid.uuid4().hex[:12]}"
    cleaned = _ID_UNSAFE.sub("-", chart_id).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"chart-{cleaned}".rstrip("-")
    return cleaned


def _truncate(text: str, max_chars: int) -> str:
    """Text shortened to max_chars, ending with an ellipsis when it was cut."""
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 1)].rstrip() + "…"


def _open_svg(cid: str, width: float, height: float, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="app-chart__svg" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{_text(title)}</title>',
        f'<desc id="{cid}-desc">{_text(desc)}</desc>',
    ]


def _no_data_svg(cid: str, width: int, title: str, message: str) -> SafeString:
    height = 40
    parts = _open_svg(cid, width, height, title, message)
    parts.append(
        f'<text x="0" y="{height / 2:g}" dy="0.35em" font-size="{FONT_SIZE + 2}" '
        f'fill="{TEXT_COLOUR}">{_text(message)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of caller text is escaped


def format_number(value: float | int | Decimal) -> str:
    """A number for display: thousands separators, at most two decimals (``1,234.5``)."""
    number = _finite(value)
    if number == int(number):
        return f"{int(number):,}"
    if abs(number) < 0.01:
        return f"{number:.2g}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _with_unit(text: str, unit: str) -> str:
    """``12%`` for a symbol unit, ``12 days`` for a word unit."""
    if not unit:
        return text
    return f"{text} {unit}" if unit[0].isalnum() else f"{text}{unit}"


def bar_display(bar: Bar, unit: str = "") -> str:
    """The text shown for a bar: its ``display``, else its formatted value and the unit."""
    if bar.display is not None:
        return str(bar.display)
    return _with_unit(format_number(bar.value), unit)


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) no smaller than span."""
    power = 10 ** math.floor(math.log10(span))
    for multiple in (1, 2, 5, 10):
        if span <= multiple * power:
            return multiple * power
    return 10 * power  # pragma: no cover - unreachable


def _axis_range(low: float, high: float) -> tuple[float, float]:
    """Round axis bounds a little outside low..high (which may be equal)."""
    pad = (high - low) * 0.05 if high > low else (abs(high) * 0.1 or 1.0)
    try:
        step = _nice_step((high - low + 2 * pad) / 4)
    except (OverflowError, ValueError):  # absurd magnitudes: no rounding
        return (low - pad, high + pad) if high + pad > low - pad else (-1.0, 1.0)
    new_low = math.floor((low - pad) / step) * step
    new_high = math.ceil((high + pad) / step) * step
    # Keep an all-positive (all-negative) range from crossing zero.
    if low >= 0 > new_low:
        new_low = 0
    if high <= 0 < new_high:
        new_high = 0
    if new_low == new_high:  # everything was zero
        new_low, new_high = -step * 2, step * 2
    low, high = new_low, new_high
    # Floating-point noise (0.30000000000000004) would show in the axis labels.
    low, high = float(f"{low:.12g}"), float(f"{high:.12g}")
    return (low, high) if high > low else (low - pad, high + pad)


def _date_text(day: datetime.date) -> str:
    return dateformat.format(day, "j M Y")


# --- bar chart --------------------------------------------------------------------------


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    max_value: float | None = None,
    unit: str = "",
    width: int = 640,
    colour: str = BAR_COLOUR,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart, one 32-pixel row per bar, as inline SVG.

    Labels sit on the left (long ones end in an ellipsis, with the full label in a ``<title>``
    child of the label), each bar's display text at its end. Bars are scaled to ``max_value``
    when it is given and positive (longer values are clipped to the full width), otherwise to
    the largest value. Zero, negative and non-finite values are drawn as a thin stub; when no
    value is positive every bar is a stub. An empty ``bars`` gives a short "No data" SVG.
    ``colour`` must keep 3:1 contrast against white.
    """
    cid = _chart_id(chart_id)
    width = max(int(width), MIN_WIDTH)
    if not bars:
        return _no_data_svg(cid, width, title, gettext("No data"))

    values = [_finite(bar.value) for bar in bars]
    displays = [bar_display(bar, unit) for bar in bars]
    requested = _finite(max_value) if max_value is not None else 0.0
    scale = requested if requested > 0 else max(values)

    label_width = round(width * 0.3)
    gap = 8
    longest_display = max(len(text) for text in displays)
    value_width = min(round(longest_display * CHAR_WIDTH) + gap, round(width * 0.3))
    bar_x = label_width + gap
    bar_area = max(width - bar_x - value_width, 1)
    max_label_chars = max(int((label_width - gap) / CHAR_WIDTH), 4)
    max_display_chars = max(int((value_width - gap) / CHAR_WIDTH), 4)
    height = len(bars) * ROW_HEIGHT + 8

    largest = max(range(len(bars)), key=lambda index: values[index])
    if values[largest] > 0:
        desc = ngettext(
            "%(count)d bar; largest: %(label)s %(value)s",
            "%(count)d bars; largest: %(label)s %(value)s",
            len(bars),
        ) % {"count": len(bars), "label": bars[largest].label, "value": displays[largest]}
    else:
        desc = ngettext(
            "%(count)d bar; no value is above zero",
            "%(count)d bars; no value is above zero",
            len(bars),
        ) % {"count": len(bars)}

    parts = _open_svg(cid, width, height, title, desc)
    parts.append(f'<g font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">')
    for index, (bar, value, display) in enumerate(zip(bars, values, displays, strict=True)):
        top = 4 + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        if value > 0 and scale > 0:
            length = max(min(value / scale, 1.0) * bar_area, ZERO_STUB)
        else:
            length = ZERO_STUB
        label = str(bar.label)
        shown = _truncate(label, max_label_chars)
        full_label = f"<title>{_text(label)}</title>" if shown != label else ""
        parts.append(
            f'<text x="{label_width}" y="{_num(middle)}" dy="0.35em" text-anchor="end">'
            f"{full_label}{_text(shown)}</text>"
        )
        parts.append(
            f'<rect x="{bar_x}" y="{_num(middle - BAR_THICKNESS / 2)}" width="{_num(length)}" '
            f'height="{BAR_THICKNESS}" fill="{_text(colour)}"/>'
        )
        shown = _truncate(display, max_display_chars)
        full_display = f"<title>{_text(display)}</title>" if shown != display else ""
        parts.append(
            f'<text x="{_num(bar_x + length + gap / 2)}" y="{_num(middle)}" dy="0.35em">'
            f"{full_display}{_text(shown)}</text>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of caller text is escaped


# --- KPI chart --------------------------------------------------------------------------


def kpi_chart_svg(
    points: Sequence[tuple[datetime.date, float]],
    *,
    baseline: float,
    target: float,
    title: str,
    unit: str = "",
    width: int = 480,
    height: int = 200,
    chart_id: str | None = None,
) -> SafeString:
    """Measurements of one KPI over time, with dashed baseline and target lines.

    The points are sorted by date and joined by a line; each has a ``<title>`` tooltip. The
    value axis covers the baseline, the target and every point (with a little padding); the
    date axis runs from the first to the last date, and a single date (one point, or all on
    the same day) sits in the middle. With no points the lines are drawn with the words "No
    measurements yet". The baseline (grey, long dashes) and target (green, short dashes) are
    told apart by dash pattern and label as well as colour; when they are equal or close their
    labels are moved apart. Points with a non-finite value are left out.
    """
    cid = _chart_id(chart_id)
    width = max(int(width), 200)
    height = max(int(height), 100)
    base = _finite(baseline)
    goal = _finite(target)
    series = sorted(
        ((day, number) for day, value in points if (number := _finite_or_none(value)) is not None),
        key=lambda point: point[0].toordinal(),
    )

    # Plot area: value labels on the left, line labels on the right, dates underneath.
    left, right, top, bottom = 64.0, width - 72.0, 12.0, height - 28.0
    low = min([base, goal, *(value for _, value in series)])
    high = max([base, goal, *(value for _, value in series)])
    low, high = _axis_range(low, high)

    def y_of(value: float) -> float:
        share = (value - low) / (high - low)
        return bottom - (share if math.isfinite(share) else 0.5) * (bottom - top)

    first = series[0][0].toordinal() if series else 0
    last = series[-1][0].toordinal() if series else 0

    def x_of(day: datetime.date) -> float:
        if last == first:
            return (left + right) / 2
        return left + (day.toordinal() - first) / (last - first) * (right - left)

    base_text = _with_unit(format_number(base), unit)
    goal_text = _with_unit(format_number(goal), unit)
    if series:
        latest_day, latest_value = series[-1]
        desc = ngettext(
            "Baseline %(baseline)s, target %(target)s; %(count)d measurement, "
            "latest %(latest)s on %(date)s.",
            "Baseline %(baseline)s, target %(target)s; %(count)d measurements, "
            "latest %(latest)s on %(date)s.",
            len(series),
        ) % {
            "baseline": base_text,
            "target": goal_text,
            "count": len(series),
            "latest": _with_unit(format_number(latest_value), unit),
            "date": _date_text(latest_day),
        }
    else:
        desc = gettext("Baseline %(baseline)s, target %(target)s; no measurements yet.") % {
            "baseline": base_text,
            "target": goal_text,
        }

    parts = _open_svg(cid, width, height, title, desc)
    parts.append(f'<g font-size="12" fill="{TEXT_COLOUR}">')
    # Axes.
    parts.append(
        f'<path d="M{_num(left)} {_num(top)}V{_num(bottom)}H{_num(right)}" fill="none" '
        f'stroke="{BASELINE_COLOUR}" stroke-width="1"/>'
    )
    for value, anchor_y in ((high, top), (low, bottom)):
        parts.append(
            f'<text x="{_num(left - 6)}" y="{_num(anchor_y)}" dy="0.35em" text-anchor="end">'
            f"{_text(_with_unit(format_number(value), unit))}</text>"
        )
    if series:
        date_labels = [(series[0][0], x_of(series[0][0]))]
        if last != first:
            date_labels.append((series[-1][0], x_of(series[-1][0])))
        anchors = ["middle"] if len(date_labels) == 1 else ["start", "end"]
        for (day, x), anchor in zip(date_labels, anchors, strict=True):
            parts.append(
                f'<text x="{_num(x)}" y="{_num(bottom + 18)}" text-anchor="{anchor}">'
                f"{_text(_date_text(day))}</text>"
            )

    # Baseline and target: dashed lines across the plot, labelled at the right.
    base_y, goal_y = y_of(base), y_of(goal)
    label_base_y, label_goal_y = base_y, goal_y
    if abs(base_y - goal_y) < 14:
        middle = (base_y + goal_y) / 2
        # The target is drawn above unless it is lower than the baseline.
        above = -7 if goal >= base else 7
        label_goal_y, label_base_y = middle + above, middle - above
    for name, colour, dash, line_y, label_y in (
        (gettext("Baseline"), BASELINE_COLOUR, "8 4", base_y, label_base_y),
        (gettext("Target"), TARGET_COLOUR, "3 3", goal_y, label_goal_y),
    ):
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(line_y)}" x2="{_num(right)}" y2="{_num(line_y)}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        parts.append(
            f'<text x="{_num(right + 6)}" y="{_num(label_y)}" dy="0.35em" fill="{colour}">'
            f"{_text(name)}</text>"
        )

    # Measurements.
    if series:
        coords = [(x_of(day), y_of(value)) for day, value in series]
        if len(coords) > 1:
            path = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{BAR_COLOUR}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
        for (day, value), (x, y) in zip(series, coords, strict=True):
            tip = f"{_date_text(day)}: {_with_unit(format_number(value), unit)}"
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{BAR_COLOUR}">'
                f"<title>{_text(tip)}</title></circle>"
            )
    else:
        parts.append(
            f'<text x="{_num((left + right) / 2)}" y="{_num((top + bottom) / 2)}" dy="0.35em" '
            f'text-anchor="middle" font-size="{FONT_SIZE}">'
            f"{_text(gettext('No measurements yet'))}</text>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of caller text is escaped


# --- progress bar -----------------------------------------------------------------------


def progress_bar_svg(
    fraction: float,
    *,
    label: str,
    width: int = 160,
    chart_id: str | None = None,
) -> SafeString:
    """A slim progress bar: ``fraction`` (clipped to 0..1, non-finite as 0) of it filled.

    Titled with ``label``; the description gives the percentage (``45% complete``).
    """
    cid = _chart_id(chart_id)
    width = max(int(width), 20)
    height = 16
    share = min(max(_finite(fraction), 0.0), 1.0)
    percent = round(share * 100)
    desc = gettext("%(percent)d%% complete") % {"percent": percent}
    inner = width - 4
    parts = _open_svg(cid, width, height, label, desc)
    parts.append(
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#ffffff" '
        f'stroke="{BASELINE_COLOUR}" stroke-width="1"/>'
    )
    parts.append(
        f'<rect x="2" y="2" width="{_num(inner * share)}" height="{height - 4}" '
        f'fill="{BAR_COLOUR}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of caller text is escaped
