"""Template tags for the server-side SVG charts in ``core.charts``.

Usage (``{% load charts %}``)::

    {% bar_chart bars title=_("Trials by region") unit="%" max_value=100 %}
    {% kpi_chart points baseline=kpi.baseline target=kpi.target title=kpi.name unit=kpi.unit %}
    {% progress_bar trial.progress label=_("Trial progress") width=200 %}
    {{ bar|bar_value:unit }}

Optional arguments that are missing from the context (rendered as ``""``) fall back to the
function's default, so an include can pass ``max_value=max_value`` whether or not it is set.
"""

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from core import charts

register = template.Library()


def _optional_number(value: object) -> float | None:
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]


def _optional_text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


@register.simple_tag
def bar_chart(
    bars: Sequence[charts.Bar],
    *,
    title: str,
    max_value: float | None = None,
    unit: str = "",
    width: int | str = 640,
    colour: str = charts.BAR_COLOUR,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart (``core.charts.bar_chart_svg``)."""
    return charts.bar_chart_svg(
        list(bars or []),
        title=str(title),
        max_value=_optional_number(max_value),
        unit=str(unit or ""),
        width=int(width or 640),
        colour=str(colour or charts.BAR_COLOUR),
        chart_id=_optional_text(chart_id),
    )


@register.simple_tag
def kpi_chart(
    points: Sequence[tuple],
    *,
    baseline: float,
    target: float,
    title: str,
    unit: str = "",
    width: int | str = 480,
    height: int | str = 200,
    chart_id: str | None = None,
) -> SafeString:
    """A KPI's measurements over time with baseline and target (``core.charts.kpi_chart_svg``)."""
    return charts.kpi_chart_svg(
        list(points or []),
        baseline=float(baseline),
        target=float(target),
        title=str(title),
        unit=str(unit or ""),
        width=int(width or 480),
        height=int(height or 200),
        chart_id=_optional_text(chart_id),
    )


@register.simple_tag
def progress_bar(
    fraction: float,
    *,
    label: str,
    width: int | str = 160,
    chart_id: str | None = None,
) -> SafeString:
    """A slim progress bar (``core.charts.progress_bar_svg``)."""
    return charts.progress_bar_svg(
        _optional_number(fraction) or 0.0,
        label=str(label),
        width=int(width or 160),
        chart_id=_optional_text(chart_id),
    )


@register.filter
def bar_value(bar: charts.Bar, unit: str = "") -> str:
    """The text a bar chart shows for ``bar``: its display, or its value and the unit."""
    return charts.bar_display(bar, str(unit or ""))
