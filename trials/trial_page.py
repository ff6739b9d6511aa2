"""What the trial page reads first, and the page body it keeps between changes (issue 20).

The trial page is the heaviest page people use signed in: plan, KPIs with charts and every
measurement, the log, files, changes of dates, partners, packs and the timeline. Its body
is the same for everyone who relates to the trial in the same way, so it is kept (in the
cache) under a key made of:

- a **fingerprint of every row it shows**: PostgreSQL's ``xmin`` (the transaction that
  wrote the row's current version) and the id of each row — the trial, its booking, test
  bed, programme, the organisations named, its KPIs, measurements and who recorded them,
  log entries, files, packs and reviews, events, changes of dates, partners, adoption and
  impact reports, the challenge it came from. Any write to any of them (a service, an
  admin action, a bulk ``update()``, raw SQL) and any row added or deleted changes it, so
  nothing has to remember to invalidate it;
- how the person relates to the trial (start-up, provider, officer, partner, staff,
  reviewer) and their organisations (their own log entries carry "Correct" links);
- the language and today's date (forms default to today; overdue reports count from it).

What differs per request is put in after: the CSRF token (the kept body holds a
placeholder). A body is never kept while a pack is being prepared (the page refreshes
itself and says when preparing stalls, which depends on the clock), nor when a form is
shown with errors. ``TRIAL_PAGE_SECONDS`` (0 = never keep, as on SQLite, which has no
``xmin``) bounds how long a body lives after its last read.

If the page starts showing data from another table, add that table to ``FINGERPRINT_SQL``
(``tests/trials/test_trial_page_cache.py`` changes each part and checks the page follows).
"""

from __future__ import annotations

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation, Programme, User
from testbeds.models import TestBed

from .models import EvidencePack, Trial
from .selectors import TrialRoles, parse_id, roles_for, trial_for_viewer

#: Stands in for the CSRF token in a kept body; replaced per request.
CSRF_PLACEHOLDER = "csrf-token-placeholder-5c1f0a"

#: One row per thing the page shows: its kind, id and the transaction that last wrote it.
FINGERPRINT_SQL = """
WITH t AS (SELECT id, xmin, booking_id, testbed_id, organisation_id, programme_id
           FROM trials_trial WHERE id = %(trial)s),
k AS (SELECT id, xmin FROM trials_kpi WHERE trial_id = %(trial)s),
m AS (SELECT id, xmin, recorded_by_id FROM trials_measurement WHERE kpi_id IN (SELECT id FROM k)),
l AS (SELECT id, xmin, organisation_id FROM trials_logentry WHERE trial_id = %(trial)s),
f AS (SELECT id, xmin, organisation_id FROM trials_evidencefile WHERE trial_id = %(trial)s),
p AS (SELECT id, xmin FROM trials_evidencepack WHERE trial_id = %(trial)s),
pa AS (SELECT id, xmin, organisation_id FROM trials_trialpartner WHERE trial_id = %(trial)s),
ad AS (SELECT id, xmin FROM adoption_adoption WHERE trial_id = %(trial)s),
ap AS (SELECT id, xmin, challenge_id FROM challenges_application WHERE trial_id = %(trial)s)
SELECT count(*) || '-' || md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT 't' || id || ':' || xmin::text FROM t
  UNION ALL SELECT 'b' || id || ':' || xmin::text FROM testbeds_booking
    WHERE id = (SELECT booking_id FROM t)
  UNION ALL SELECT 's' || id || ':' || xmin::text FROM testbeds_testbed
    WHERE id = (SELECT testbed_id FROM t)
  UNION ALL SELECT 'g' || id || ':' || xmin::text FROM accounts_programme
    WHERE id = (SELECT programme_id FROM t)
  UNION ALL SELECT 'o' || o.id || ':' || o.xmin::text FROM accounts_organisation o
    WHERE o.id = (SELECT organisation_id FROM t)
  UNION ALL SELECT 'o' || o.id || ':' || o.xmin::text FROM accounts_organisation o
    WHERE o.id = (SELECT s.organisation_id FROM testbeds_testbed s
                  WHERE s.id = (SELECT testbed_id FROM t))
  UNION ALL SELECT 'o' || o.id || ':' || o.xmin::text FROM l
    JOIN accounts_organisation o ON o.id = l.organisation_id
  UNION ALL SELECT 'o' || o.id || ':' || o.xmin::text FROM f
    JOIN accounts_organisation o ON o.id = f.organisation_id
  UNION ALL SELECT 'o' || o.id || ':' || o.xmin::text FROM pa
    JOIN accounts_organisation o ON o.id = pa.organisation_id
  UNION ALL SELECT 'k' || id || ':' || xmin::text FROM k
  UNION ALL SELECT 'm' || id || ':' || xmin::text FROM m
  UNION ALL SELECT 'u' || id || ':' || xmin::text FROM accounts_user
    WHERE id IN (SELECT recorded_by_id FROM m)
  UNION ALL SELECT 'l' || id || ':' || xmin::text FROM l
  UNION ALL SELECT 'f' || id || ':' || xmin::text FROM f
  UNION ALL SELECT 'p' || id || ':' || xmin::text FROM p
  UNION ALL SELECT 'r' || id || ':' || xmin::text FROM trials_review
    WHERE pack_id IN (SELECT id FROM p)
  UNION ALL SELECT 'e' || id || ':' || xmin::text FROM trials_trialevent
    WHERE trial_id = %(trial)s
  UNION ALL SELECT 'c' || id || ':' || xmin::text FROM trials_changerequest
    WHERE trial_id = %(trial)s
  UNION ALL SELECT 'a' || id || ':' || xmin::text FROM pa
  UNION ALL SELECT 'd' || id || ':' || xmin::text FROM ad
  UNION ALL SELECT 'i' || id || ':' || xmin::text FROM adoption_impactreport
    WHERE adoption_id IN (SELECT id FROM ad)
  UNION ALL SELECT 'x' || id || ':' || xmin::text FROM ap
  UNION ALL SELECT 'h' || id || ':' || xmin::text FROM challenges_challenge
    WHERE id IN (SELECT challenge_id FROM ap)
) AS parts(x)
"""

# What the page's heading and the roles need, with the fingerprint, in one query: the rest
# is read only when the body is built.
HEADING_SQL = f"""
SELECT t.title, t.status, t.organisation_id, o.name, t.testbed_id, s.organisation_id,
       t.programme_id, g.team_id, ({FINGERPRINT_SQL})
FROM trials_trial t
JOIN accounts_organisation o ON o.id = t.organisation_id
JOIN testbeds_testbed s ON s.id = t.testbed_id
LEFT JOIN accounts_programme g ON g.id = t.programme_id
WHERE t.id = %(trial)s
"""


def keep_seconds() -> int:
    """How long a body is kept: ``TRIAL_PAGE_SECONDS``; 0 (or no ``xmin``) keeps none."""
    if connection.vendor != "postgresql":
        return 0
    return getattr(settings, "TRIAL_PAGE_SECONDS", 600)


def trial_heading_for_viewer(
    *, user: User, pk: int | str, ids: list[int]
) -> tuple[Trial, TrialRoles, str | None]:
    """The trial with what its heading and the roles need, if the person may see it (else
    404), how they relate to it, and the fingerprint of its rows (None when bodies are not
    kept). The same check as ``selectors.trial_for_viewer`` (``roles_for``), in one query of
    three joins instead of five joins and ~150 columns, which take ~5 ms to build."""
    pk = parse_id(pk)
    if pk is None or not user.is_authenticated:
        raise Http404
    if keep_seconds() <= 0:
        trial, roles = trial_for_viewer(user=user, pk=pk, ids=ids)
        return trial, roles, None
    with connection.cursor() as cursor:
        cursor.execute(HEADING_SQL, {"trial": pk})
        row = cursor.fetchone()
    if row is None:
        raise Http404
    title, status, startup_id, startup_name, testbed_id, provider_id, programme_id, team_id = row[
        :8
    ]
    trial = Trial(
        id=pk,
        title=title,
        status=status,
        organisation=Organisation(id=startup_id, name=startup_name),
        testbed=TestBed(id=testbed_id, organisation_id=provider_id),
        programme=Programme(id=programme_id, team_id=team_id) if programme_id else None,
    )
    roles = roles_for(user, trial, ids)
    if not roles.any:
        raise Http404
    return trial, roles, row[8]


def body_key(
    *,
    trial: Trial,
    fingerprint: str | None,
    roles: TrialRoles,
    user: User,
    ids: list[int],
    reviewer: bool,
) -> str | None:
    """The key of this person's view of the trial's body as it is now; None: keep none."""
    if fingerprint is None:
        return None
    viewer = (
        roles.startup,
        roles.provider,
        roles.officer,
        roles.partner,
        user.is_staff,
        reviewer,
        tuple(sorted(ids)),
    )
    parts = [
        str(trial.pk),
        fingerprint,
        repr(viewer),
        get_language() or "",
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]
    return f"trial-page:{trial.pk}:{digest}"


def kept_body(key: str | None) -> str | None:
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 — a cache that is down only costs time
        return None


def preparing(data: dict) -> bool:
    """A pack of the trial is being prepared (the page refreshes itself meanwhile)."""
    return any(pack.state == EvidencePack.State.PREPARING for pack in data["packs"])


def keep_for(data: dict) -> int:
    """Seconds the body built from ``data`` stays true without any write: none while a pack
    is being prepared (whether preparing stalled depends on the clock), and no later than
    the next partner invitation lapses (it then reads "Invitation expired")."""
    if preparing(data):
        return 0
    seconds = keep_seconds()
    now = timezone.now()
    for partner in data["partners"]:
        if partner.status == "invited":
            seconds = min(seconds, int((partner.expires_at - now).total_seconds()))
    return max(seconds, 0)


def keep_body(key: str | None, body: str, data: dict) -> None:
    if key is None:
        return
    seconds = keep_for(data)
    if seconds > 0:
        with contextlib.suppress(Exception):
            cache.set(key, body, seconds)


def with_csrf_token(request, body: str) -> str:
    """The kept body with this request's CSRF token in place of the placeholder."""
    if CSRF_PLACEHOLDER not in body:
        return body
    return body.replace(CSRF_PLACEHOLDER, get_token(request))
