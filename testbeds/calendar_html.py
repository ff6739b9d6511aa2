"""The rows of a test bed's availability calendar, as HTML built in Python.

A month is up to 42 cells, each with a date, its spoken name and its state. Written as a
template loop, every cell ran a dozen template nodes, two ``date`` filters and several
translation look-ups: most of the test bed page's time. Here each interface string is
translated once per month (not once per day), the day and month names come from Django's
own tables (the same ``date:"l j F"`` would give), and user text (a closure's reason) is
escaped by ``format_html``. The markup is the template's, cell for cell.
"""

from __future__ import annotations

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from .availability import Day, Month

EMPTY_CELL = '<td class="govuk-table__cell"></td>'


def _labels() -> dict[str, str]:
    """The fixed words of a cell, in the active language."""
    return {
        "today": gettext("Today"),
        "closed": gettext("Closed"),
        "past": gettext("Past"),
        "full": gettext("Full"),
        "notice": format_html(
            '{}<span class="govuk-visually-hidden"> ({})</span>',
            gettext("Too soon"),
            gettext("inside the notice period"),
        ),
        "horizon": gettext("Too far ahead"),
        "not_bookable": gettext("Not bookable"),
    }


def _state(day: Day, labels: dict[str, str], free: dict[int, str]) -> str:
    if day.closed_reason:
        return format_html(
            '<span title="{}">{}</span><span class="govuk-visually-hidden"> ({})</span>',
            day.closed_reason,
            labels["closed"],
            day.closed_reason,
        )
    if day.not_bookable_because == "past":
        return labels["past"]
    if day.free == 0:
        return labels["full"]
    if day.not_bookable_because in ("notice", "horizon"):
        return labels[day.not_bookable_because]
    if not day.bookable:
        return labels["not_bookable"]
    if day.free not in free:
        # The msgid of the template's {% blocktranslate count free=… %}.
        free[day.free] = ngettext("%(free)s free", "%(free)s free", day.free) % {"free": day.free}
    return free[day.free]


def calendar_rows(month: Month) -> SafeString:
    """The ``<tr>`` rows of ``month`` for the calendar table's body."""
    labels = _labels()
    weekdays = [str(WEEKDAYS[number]) for number in range(7)]
    month_name = str(MONTHS[month.first.month])
    free: dict[int, str] = {}
    rows = []
    for week in month.weeks:
        cells = []
        for day in week:
            if day is None:
                cells.append(EMPTY_CELL)
                continue
            state = "app-calendar__day--free" if day.bookable else "app-calendar__day--full"
            today = ""
            if day.today:
                today = format_html(' <span class="app-calendar__today">{}</span>', labels["today"])
            cells.append(
                format_html(
                    '<td class="govuk-table__cell {}{}"{}>\n'
                    '<span class="app-calendar__date">{}{}</span>\n'
                    '<span class="govuk-visually-hidden">{} {} {}:</span>\n'
                    '<span class="app-calendar__state">{}</span>\n</td>',
                    state,
                    " app-calendar__day--today" if day.today else "",
                    mark_safe(' aria-current="date"') if day.today else "",
                    day.date.day,
                    today,
                    weekdays[day.date.weekday()],
                    day.date.day,
                    month_name,
                    _state(day, labels, free),
                )
            )
        rows.append('<tr class="govuk-table__row">\n' + "\n".join(cells) + "\n</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 — every part above is escaped
