"""The rows of the trials list (/trials/), as HTML built in Python.

Written as a template loop, each of the page's 20 rows ran some 30 template nodes (look-ups,
two ``date`` filters, escaping): about a third of the page's time (issue 20). Here each
label is translated once per page and user text is escaped by ``format_html``. The markup
is the template's, byte for byte (``tests/trials/test_page_queries.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .models import Trial

ROW = (
    '\n  <tr class="govuk-table__row">\n'
    '    <td class="govuk-table__cell" data-label="{trial_label}"><a class="govuk-link"'
    ' href="{url}">{title}</a>{programme}</td>\n'
    '    <td class="govuk-table__cell" data-label="{startup_label}">{startup}</td>\n'
    '    <td class="govuk-table__cell" data-label="{testbed_label}">{testbed}<br>'
    '<span class="govuk-body-s">{provider}</span></td>\n'
    '    <td class="govuk-table__cell" data-label="{dates_label}">{start} – {last}</td>\n'
    '    <td class="govuk-table__cell" data-label="{status_label}"><strong class="govuk-tag'
    ' app-status-tag {tag}">{status}</strong></td>\n'
    "  </tr>\n  "
)
PROGRAMME = '<br><span class="govuk-body-s">{}</span>'


def rows_html(trials: Iterable[Trial]) -> SafeString:
    """The table rows of ``trials`` (from ``selectors.list_rows``, each with its ``url``)."""
    labels = {
        "trial_label": gettext("Trial"),
        "startup_label": gettext("Start-up"),
        "testbed_label": gettext("Test bed"),
        "dates_label": gettext("Dates"),
        "status_label": gettext("Status"),
    }
    rows = []
    for trial in trials:
        programme = trial.programme
        rows.append(
            format_html(
                ROW,
                url=trial.url,
                title=trial.title,
                programme=format_html(PROGRAMME, programme.name) if programme else "",
                startup=trial.organisation.name,
                testbed=trial.testbed.name,
                provider=trial.testbed.organisation.name,
                start=date_format(trial.booking.start, "j M Y"),
                last=date_format(trial.booking.last_day, "j M Y"),
                tag=trial.status_tag_class,
                status=trial.get_status_display(),
                **labels,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 — each row made by format_html
