"""The rows of the trials list (/trials/), as HTML built in Python, and kept.

Written as a template loop, each of the page's 20 rows ran some 30 template nodes (look-ups,
two ``date`` filters, escaping): about a third of the page's time (issue 20). Here each
label is translated once per page and user text is escaped by ``format_html``. The markup
is the template's, byte for byte (``tests/trials/test_page_queries.py``).

On PostgreSQL each row's HTML is also kept (``TRIAL_PAGE_SECONDS``), under the ``xmin`` of
every row it shows — the trial, its booking, start-up, test bed, provider and programme —
and the language, as the trial page's body is (``trial_page``): any write to one of them
gives the row a new key. A row holds nothing about who reads it, and a reader is only ever
given the rows of the ids their own visibility query returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from core.links import link_maker

from .models import Trial
from .selectors import list_rows
from .trial_page import keep_seconds

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


#: Each row's version: the xmin of every row it shows. Written with one subquery per row
#: read instead of six joins, which PostgreSQL took longer to plan than to run.
ROW_VERSIONS_SQL = """
SELECT t.id, concat_ws(':', t.xmin::text,
  (SELECT b.xmin::text FROM testbeds_booking b WHERE b.id = t.booking_id),
  (SELECT o.xmin::text FROM accounts_organisation o WHERE o.id = t.organisation_id),
  s.xmin::text,
  (SELECT so.xmin::text FROM accounts_organisation so WHERE so.id = s.organisation_id),
  (SELECT g.xmin::text FROM accounts_programme g WHERE g.id = t.programme_id))
FROM trials_trial t
JOIN testbeds_testbed s ON s.id = t.testbed_id
WHERE t.id = ANY(%s)
"""


def _labels() -> dict[str, str]:
    return {
        "trial_label": gettext("Trial"),
        "startup_label": gettext("Start-up"),
        "testbed_label": gettext("Test bed"),
        "dates_label": gettext("Dates"),
        "status_label": gettext("Status"),
    }


def _row(trial: Trial, labels: dict[str, str]) -> SafeString:
    programme = trial.programme
    return format_html(
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


def rows_html(trials: Iterable[Trial]) -> SafeString:
    """The table rows of ``trials`` (from ``selectors.list_rows``, each with its ``url``)."""
    labels = _labels()
    return mark_safe("".join(_row(trial, labels) for trial in trials))  # noqa: S308 — format_html


def _built(ids: list[int]) -> dict[int, str]:
    """Each row of ``ids`` built from the database."""
    link = link_maker("trials:detail", "pk")
    labels = _labels()
    rows = {}
    for trial in list_rows(ids):
        trial.url = link(trial.pk)
        rows[trial.pk] = _row(trial, labels)
    return rows


def page_rows(ids: list[int]) -> SafeString:
    """The rows of the page's ``ids`` (visible to the reader, in order): those kept under
    their current version, the others built and kept."""
    seconds = keep_seconds()
    if seconds <= 0 or not ids:
        built = _built(ids)
        return mark_safe("".join(built[pk] for pk in ids if pk in built))  # noqa: S308
    with connection.cursor() as cursor:
        cursor.execute(ROW_VERSIONS_SQL, [list(ids)])
        versions = dict(cursor.fetchall())
    language = get_language() or ""
    keys = {pk: f"trial-row:{pk}:{versions[pk]}:{language}" for pk in ids if pk in versions}
    try:
        kept = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 — a cache that is down only costs time
        kept = {}
    missing = [pk for pk in keys if keys[pk] not in kept]
    built = _built(missing) if missing else {}
    if built:
        with contextlib.suppress(Exception):
            cache.set_many({keys[pk]: str(html) for pk, html in built.items()}, seconds)
    rows = (kept.get(keys[pk]) or built.get(pk, "") for pk in keys)
    return mark_safe("".join(rows))  # noqa: S308 — each row made by format_html
