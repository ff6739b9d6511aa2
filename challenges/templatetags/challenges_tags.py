from django import template

from ..timefmt import uk_datetime, uk_time

register = template.Library()


@register.filter
def uk_when(value) -> str:
    """A moment as "5pm BST on 6 March 2026"."""
    return uk_datetime(value) if value else ""


@register.filter
def uk_clock(value) -> str:
    return uk_time(value) if value else ""
