"""The waitlist: wait for full days, be offered them when they free up."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, User
from accounts.notifications import members_of, notify
from accounts.permissions import require_member
from core.bilingual import lazy_text
from core.dates import check_in_range
from core.exceptions import Conflict
from core.text import single_line
from testbeds import booking as capacity
from testbeds.models import TestBed, WaitlistEntry

from .common import (
    ONE_DAY,
    _requester_checks,
    clean_answers,
)

WAITLIST_OFFER_DAYS = 3


# Waitlist ------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    actor: User,
    organisation: Organisation,
    testbed: TestBed,
    title: str,
    summary: str,
    first_day: datetime.date,
    last_day: datetime.date,
    answers: dict[str, Any] | None = None,
) -> WaitlistEntry:
    """Wait for full days: told in turn when they free up."""
    check_in_range(first_day=first_day, last_day=last_day)  # before any date arithmetic
    _requester_checks(actor, organisation, None)
    title = single_line(title, "title")
    start, end = first_day, last_day + ONE_DAY
    testbed = capacity.lock_testbed(testbed)
    capacity.check_rules(testbed, start, end)
    cleaned = clean_answers(testbed, answers or {})
    if WaitlistEntry.objects.filter(
        testbed=testbed,
        organisation=organisation,
        start=start,
        end=end,
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
    ).exists():
        raise Conflict(_("You are already on the waitlist for these days."), code="already_waiting")
    entry = WaitlistEntry.objects.create(
        testbed=testbed,
        organisation=organisation,
        requested_by=actor,
        start=start,
        end=end,
        title=title.strip()[:200],
        summary=summary.strip(),
        answers=cleaned,
    )
    record_event(
        actor=actor,
        action="waitlist.joined",
        target=entry,
        organisation=organisation,
        summary=f"{testbed.name} {start} – {end}",
    )
    return entry


def waitlist_offer_freed_days(
    testbed: TestBed, start: datetime.date, end: datetime.date
) -> list[WaitlistEntry]:
    """Offer freed days to waiting start-ups, in the order they joined.

    Called inside the transaction that freed them, with the test bed locked. Each
    waiting entry that overlaps and now fits gets an offer that lasts a few days; the
    offer is a head start, not a hold: confirming makes a request like any other.
    """
    now = timezone.now()
    offered = []
    waiting = WaitlistEntry.objects.filter(
        testbed=testbed,
        status=WaitlistEntry.Status.WAITING,
        start__lt=end,
        end__gt=start,
        start__gte=timezone.localdate(),
    ).order_by("created_at", "id")
    for entry in waiting:
        if not capacity.fits(testbed, entry.start, entry.end):
            continue
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = now + datetime.timedelta(days=WAITLIST_OFFER_DAYS)
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        record_event(
            actor=None, action="waitlist.offered", target=entry, organisation=entry.organisation
        )
        notify(
            users=members_of(entry.organisation),
            subject=gettext_lazy("Days you were waiting for are free: %(name)s"),
            subject_params={"name": lazy_text(testbed.name, testbed.name_cy)},
            template="trials/notifications/waitlist_offer.txt",
            context={"entry": entry, "testbed": testbed},
            url=f"/trials/waitlist/{entry.pk}/",
            key=f"waitlist-offer:{entry.pk}",
        )
        offered.append(entry)
    return offered


def _entry_for(actor: User, entry: WaitlistEntry) -> WaitlistEntry:
    entry = (
        WaitlistEntry.objects.select_for_update()
        .select_related("organisation", "testbed")
        .get(pk=entry.pk)
    )
    require_member(actor, entry.organisation)
    return entry


@transaction.atomic
def waitlist_leave(*, actor: User, entry: WaitlistEntry) -> WaitlistEntry:
    entry = _entry_for(actor, entry)
    if entry.status not in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
        raise Conflict(_("You are no longer on this waitlist."), code="not_waiting")
    entry.status = WaitlistEntry.Status.LEFT
    entry.save(update_fields=["status"])
    record_event(actor=actor, action="waitlist.left", target=entry, organisation=entry.organisation)
    return entry


def lapse_waitlist_offers(now: datetime.datetime | None = None) -> int:
    """Offers past their time lapse, and the freed days pass to the next in line."""
    now = now or timezone.now()
    lapsed = 0
    for entry in WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__lt=now
    ).only("pk", "testbed_id"):
        with transaction.atomic():
            testbed = capacity.lock_testbed(entry.testbed_id)
            entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
            if entry.status != WaitlistEntry.Status.OFFERED:
                continue
            entry.status = WaitlistEntry.Status.LAPSED
            entry.save(update_fields=["status"])
            record_event(
                actor=None, action="waitlist.lapsed", target=entry, organisation=entry.organisation
            )
            waitlist_offer_freed_days(testbed, entry.start, entry.end)
            lapsed += 1
    return lapsed
