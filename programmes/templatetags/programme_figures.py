"""Small formatting filters for the officer's figures."""

from django import template
from django.utils.formats import number_format

from core.charts import format_number

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.4567 → "46%"; None (nothing to divide by) → "–"."""
    if share is None:
        return "–"
    return f"{number_format(round(share * 100), use_l10n=True)}%"


@register.filter
def days_or_dash(value: float | None) -> str:
    """2.5 → "2.5", 3.0 → "3"; None (no trial took both steps) → "–"."""
    return "–" if value is None else format_number(value)
