"""The trials list's ids in one SQL statement on PostgreSQL (issue 20).

``selectors.trials_visible_to`` says who sees which trial; built through the ORM (four
subqueries, their union and the filters) it cost ~3 ms of Python per page before the
database saw it, more than the query itself. This is the same statement written once:
``tests/trials/test_visible_ids.py`` checks it returns exactly the ids of
``selectors.list_ids(selectors.filter_trials(selectors.trials_visible_to(…)))`` for every
kind of viewer and filter. Other databases use the ORM.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import connection

from .models import TrialStatus
from .selectors import parse_id

VISIBLE_IDS_SQL = """
SELECT t.id FROM trials_trial t
WHERE t.id IN (
    SELECT id FROM trials_trial WHERE organisation_id = ANY(%(orgs)s)
    UNION SELECT tr.id FROM trials_trial tr
          JOIN testbeds_testbed s ON s.id = tr.testbed_id
          WHERE s.organisation_id = ANY(%(orgs)s)
    UNION SELECT tr.id FROM trials_trial tr
          JOIN accounts_programme g ON g.id = tr.programme_id
          WHERE g.team_id = ANY(%(orgs)s)
    UNION SELECT trial_id FROM trials_trialpartner
          WHERE organisation_id = ANY(%(orgs)s) AND removed_at IS NULL)
{filters}
ORDER BY t.created_at DESC, t.id DESC
LIMIT %(limit)s
"""


def first_visible_ids(
    organisation_ids: list[int], params: Mapping[str, str], *, limit: int
) -> list[int] | None:
    """Up to ``limit`` ids of the trials the person's organisations see, newest first,
    with the list's filters (status, test bed slug, programme id); None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    if not organisation_ids:
        return []
    values: dict[str, object] = {"orgs": list(organisation_ids), "limit": limit}
    filters = []
    if params.get("status") in TrialStatus.values:
        filters.append("AND t.status = %(status)s")
        values["status"] = params["status"]
    testbed = params.get("testbed")
    if testbed:
        if not re.fullmatch(r"[-\w]{1,100}", testbed):
            return []  # as filter_trials: anything but a slug matches none
        filters.append(
            "AND t.testbed_id IN (SELECT id FROM testbeds_testbed WHERE slug = %(slug)s)"
        )
        values["slug"] = testbed
    programme = parse_id(params.get("programme", ""))
    if programme is not None:
        filters.append("AND t.programme_id = %(programme)s")
        values["programme"] = programme
    with connection.cursor() as cursor:
        cursor.execute(VISIBLE_IDS_SQL.format(filters=" ".join(filters)), values)
        return [row[0] for row in cursor.fetchall()]
