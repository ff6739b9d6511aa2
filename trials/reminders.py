"""Daily reminders nobody has to remember to send.

Each reminder is a notification with a key: the same key is never sent to the same
person twice, so running the job again on the same day sends nothing new. Reminders
that repeat (evidence overdue, reviews waiting) carry the ISO week in their key: at
most one a week.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.notifications import members_of, notify
from core.bilingual import lazy_text
from testbeds.models import WaitlistEntry

from . import selectors
from .models import Trial, TrialStatus
from .services import reviewers_of

DAYS_AHEAD = 3


def _week(today: datetime.date) -> str:
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def _trials(**filters) -> list[Trial]:
    return list(
        Trial.objects.filter(**filters).select_related(
            "organisation", "testbed__organisation", "booking", "programme__team"
        )
    )


def starting_soon(today: datetime.date) -> int:
    sent = 0
    day = today + datetime.timedelta(days=DAYS_AHEAD)
    for trial in _trials(status=TrialStatus.APPROVED, booking__start=day):
        sent += len(
            notify(
                users=members_of(trial.organisation) + members_of(trial.testbed.organisation),
                subject=gettext_lazy("Trial starts in %(n)s days: %(title)s"),
                subject_params={"n": DAYS_AHEAD, "title": trial.title},
                template="trials/notifications/starting_soon.txt",
                context={"trial": trial},
                url=trial.get_absolute_url(),
                key=f"reminder:starting:{trial.pk}:{trial.booking.start}",
            )
        )
    return sent


def ending_soon(today: datetime.date) -> int:
    sent = 0
    end = today + datetime.timedelta(days=DAYS_AHEAD + 1)  # bookings are half-open
    for trial in _trials(status=TrialStatus.ACTIVE, booking__end=end):
        sent += len(
            notify(
                users=members_of(trial.organisation) + members_of(trial.testbed.organisation),
                subject=gettext_lazy("Trial ends in %(n)s days: %(title)s"),
                subject_params={"n": DAYS_AHEAD, "title": trial.title},
                template="trials/notifications/ending_soon.txt",
                context={"trial": trial},
                url=trial.get_absolute_url(),
                key=f"reminder:ending:{trial.pk}:{trial.booking.end}",
            )
        )
    return sent


def evidence_overdue(today: datetime.date, now: datetime.datetime) -> int:
    """To the start-up, with a copy to the programme's officers."""
    sent = 0
    overdue = selectors.evidence_overdue(Trial.objects.all(), now).select_related("programme__team")
    for trial in overdue:
        officers = members_of(trial.programme.team) if trial.programme_id else []
        sent += len(
            notify(
                users=members_of(trial.organisation) + officers,
                subject=gettext_lazy("Evidence overdue: %(title)s"),
                subject_params={"title": trial.title},
                template="trials/notifications/evidence_overdue.txt",
                context={"trial": trial, "days": settings.EVIDENCE_DUE_DAYS},
                url=trial.get_absolute_url(),
                key=f"reminder:overdue:{trial.pk}:{_week(today)}",
            )
        )
    return sent


def reviews_waiting(today: datetime.date, now: datetime.datetime) -> int:
    waiting_since = now - datetime.timedelta(days=settings.REVIEW_WAITING_DAYS)
    sent = 0
    for trial in _trials(status=TrialStatus.SUBMITTED, submitted_at__lt=waiting_since):
        sent += len(
            notify(
                users=reviewers_of(trial),
                subject=gettext_lazy("Review waiting over %(n)s days: %(title)s"),
                subject_params={"n": settings.REVIEW_WAITING_DAYS, "title": trial.title},
                template="trials/notifications/review_waiting.txt",
                context={"trial": trial},
                url=trial.get_absolute_url(),
                key=f"reminder:review:{trial.pk}:{_week(today)}",
            )
        )
    return sent


def offers_lapsing(now: datetime.datetime) -> int:
    sent = 0
    soon = now + datetime.timedelta(hours=24)
    entries = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=soon
    ).select_related("organisation", "testbed")
    for entry in entries:
        sent += len(
            notify(
                users=members_of(entry.organisation),
                subject=gettext_lazy("Your waitlist offer lapses soon: %(name)s"),
                subject_params={"name": lazy_text(entry.testbed.name, entry.testbed.name_cy)},
                template="trials/notifications/offer_lapsing.txt",
                context={"entry": entry},
                url=f"/trials/waitlist/{entry.pk}/",
                key=f"reminder:offer:{entry.pk}",
            )
        )
    return sent


def send_reminders(now: datetime.datetime | None = None) -> Counter:
    """Every reminder due now. Safe to run more than once a day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent: Counter = Counter()
    steps = [
        ("starting", lambda: starting_soon(today)),
        ("ending", lambda: ending_soon(today)),
        ("evidence_overdue", lambda: evidence_overdue(today, now)),
        ("reviews_waiting", lambda: reviews_waiting(today, now)),
        ("offers_lapsing", lambda: offers_lapsing(now)),
    ]
    for name, step in steps:
        with transaction.atomic():
            sent[name] = step()
    return sent
