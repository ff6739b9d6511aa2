"""The trial lifecycle: request, decide, withdraw, cancel, start, complete.

Each step checks who may take it, runs in one transaction, moves the trial (and its
booking) and writes exactly one TrialEvent per status change. Notifications go out
after commit. Bookings change only here, under the test bed lock (testbeds.booking).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import Organisation, Programme, User
from accounts.permissions import is_member
from accounts.webhooks import emit_for_trial
from core.dates import check_in_range
from core.exceptions import Conflict, InvalidTransition
from core.text import single_line
from testbeds import booking as capacity
from testbeds.models import Booking, TestBed, WaitlistEntry

from ..models import (
    Trial,
    TrialEvent,
    TrialStatus,
)
from .common import (
    ONE_DAY,
    _locked,
    _move,
    _requester_checks,
    _tell_other_side,
    _tell_provider_of_request,
    _tell_startup,
    actor_name,
    clean_answers,
    require_provider_of,
    require_startup_of,
)
from .plans import apply_plan, clean_kpis, create_kpis
from .waitlist import _entry_for, waitlist_offer_freed_days


class _Full(Exception):
    """The days filled up while the request waited for the test bed lock."""


def trial_request(
    *,
    actor: User,
    organisation: Organisation,
    testbed: TestBed,
    title: str,
    summary: str,
    first_day: datetime.date,
    last_day: datetime.date,
    answers: dict[str, Any] | None = None,
    programme: Programme | None = None,
    plan: dict[str, Any] | None = None,
    kpis: list[dict[str, Any]] | None = None,
) -> Trial:
    """Ask for a trial on a test bed: a Trial (requested) and a pending Booking.

    Refused if the days break the test bed's rules or are already full (with the
    nearest free dates). A test bed that needs no approval confirms at once. The request
    may carry the plan (``PLAN_FIELDS``: product, problem, objectives, approvals…) and
    KPIs (``name``, ``baseline``, ``target``, ``direction``, ``unit``, ``method``,
    ``data_source``), so the provider decides on the whole proposal.
    """
    check_in_range(first_day=first_day, last_day=last_day)  # before any date arithmetic
    _requester_checks(actor, organisation, programme, first_day)
    title, summary = single_line(title, "title"), summary.strip()
    if not title:
        raise ValidationError({"title": _("Give the trial a title.")})
    if not summary:
        raise ValidationError({"summary": _("Say in a few sentences what you want to trial.")})
    start, end = first_day, last_day + ONE_DAY
    cleaned_kpis = clean_kpis(list(kpis or []))
    room, own = capacity.room_and_own_booking(testbed, start, end, organisation.pk)
    if own:  # a live trial of the start-up here holds a booking: is it one on these days?
        _refuse_duplicate(organisation, testbed, start, end)
    if not room:
        # Full already: refuse without queueing for the lock (the common case when many
        # ask for the same days at once), saying first which rule the dates break, if any.
        # A request that passes is checked in full below, on the test bed row as locked.
        capacity.check_rules(testbed, start, end)
        raise capacity.capacity_conflict(testbed, start, end)
    cleaned, unanswered = _answers(testbed, answers)  # the questions need no lock
    try:
        with transaction.atomic():
            # Everything from here to the commit makes every other request for this test bed
            # wait: read only what must be read again under the lock.
            testbed = capacity.lock_testbed(testbed)
            # Under the test bed lock: of two identical requests at once (a double click, a
            # client retrying), the second sees the first here and is refused.
            _refuse_duplicate(organisation, testbed, start, end)
            capacity.check_rules(testbed, start, end)
            if unanswered is not None:  # said after the rules, as always
                raise unanswered
            unit = capacity.free_unit_if_room(testbed, start, end)
            if unit == 0:
                raise _Full
            booking = Booking.objects.create(
                testbed=testbed, organisation=organisation, start=start, end=end
            )
            trial = Trial(
                organisation=organisation,
                testbed=testbed,
                booking=booking,
                programme=programme,
                requested_by=actor,
                title=title[:200],
                summary=summary[:3000],
                answers=cleaned,
            )
            if plan:
                apply_plan(trial, plan)
            trial.save()
            create_kpis(trial, cleaned_kpis)
            TrialEvent.objects.create(
                trial=trial,
                actor=actor,
                actor_name=actor_name(actor),
                from_status="",
                to_status=TrialStatus.REQUESTED,
                created_at=trial.status_changed_at,
            )
            emit_for_trial("booking.requested", trial)
            if testbed.requires_approval:
                _tell_provider_of_request(trial)
            else:
                # Open and fitting, and the unit it takes: read above, under this lock.
                capacity.confirm(booking, checked=True, unit=unit)
                _move(
                    trial,
                    TrialStatus.APPROVED,
                    actor=None,
                    note=_("Confirmed at once: this test bed needs no approval."),
                )
                _tell_startup(trial, "approved")
                emit_for_trial("booking.approved", trial)
    except _Full:
        # Refused: the nearest free dates to offer are read once the lock is released (as
        # before, they are advice read from the free runs, not a promise).
        raise capacity.capacity_conflict(testbed, start, end) from None
    return trial


def _answers(
    testbed: TestBed, answers: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], ValidationError | None]:
    """The cleaned answers to the test bed's questions, or the error to raise once the
    dates are found to keep the rules (read before the lock: questions need none)."""
    try:
        return clean_answers(testbed, answers or {}), None
    except ValidationError as error:
        return [], error


LIVE_STATUSES = (TrialStatus.REQUESTED, TrialStatus.APPROVED, TrialStatus.ACTIVE)


def live_request_overlapping(
    organisation: Organisation, testbed: TestBed, start: datetime.date, end: datetime.date
) -> Trial | None:
    """The organisation's live trial (requested, approved or running) on the test bed that
    shares a day with [start, end), or None."""
    return (
        Trial.objects.filter(
            organisation=organisation,
            testbed=testbed,
            status__in=LIVE_STATUSES,
            booking__start__lt=end,
            booking__end__gt=start,
        )
        .order_by("created_at", "pk")
        .first()
    )


def _refuse_duplicate(
    organisation: Organisation, testbed: TestBed, start: datetime.date, end: datetime.date
) -> None:
    """One live request per start-up, test bed and day: a second one is a 409 naming the first."""
    existing = live_request_overlapping(organisation, testbed, start, end)
    if existing is None:
        return
    raise Conflict(
        _(
            "%(organisation)s already has a trial on this test bed on some of these days: "
            "“%(title)s” (%(status)s). Change or withdraw that one instead."
        )
        % {
            "organisation": organisation.name,
            "title": existing.title,
            "status": existing.get_status_display().lower(),
        },
        code="duplicate_request",
        existing_trial={"id": existing.pk, "url": existing.get_absolute_url()},
    )


@transaction.atomic
def trial_approve(*, actor: User, trial: Trial, note: str = "") -> Trial:
    """The provider approves a request; its days are held if they still fit."""
    trial, testbed = _locked(trial)
    require_provider_of(actor, trial)
    if trial.status != TrialStatus.REQUESTED:
        raise InvalidTransition(_("Only a requested trial can be approved."))
    if trial.booking.start < timezone.localdate():
        raise Conflict(
            _("The trial's first day has passed. Decline it, and ask the start-up for new dates."),
            code="dates_passed",
        )
    capacity.confirm(trial.booking)
    _move(trial, TrialStatus.APPROVED, actor=actor, note=note)
    _tell_startup(trial, "approved", note=note)
    emit_for_trial("booking.approved", trial)
    return trial


@transaction.atomic
def trial_decline(*, actor: User, trial: Trial, reason: str) -> Trial:
    trial, testbed = _locked(trial)
    require_provider_of(actor, trial)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is declined.")})
    _move(trial, TrialStatus.DECLINED, actor=actor, note=reason)
    capacity.release(trial.booking)
    _tell_startup(trial, "declined", note=reason)
    emit_for_trial("booking.declined", trial)
    return trial


@transaction.atomic
def trial_withdraw(*, actor: User, trial: Trial, reason: str = "") -> Trial:
    """The start-up takes back a request that has not been approved."""
    trial, testbed = _locked(trial)
    require_startup_of(actor, trial)
    _move(trial, TrialStatus.WITHDRAWN, actor=actor, note=reason)
    capacity.release(trial.booking)
    return trial


@transaction.atomic
def trial_cancel(*, actor: User, trial: Trial, reason: str) -> Trial:
    """Either side cancels an approved or running trial; its days go to the waitlist."""
    trial, testbed = _locked(trial)
    by_startup = is_member(actor, trial.organisation)
    if not by_startup:
        require_provider_of(actor, trial)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the trial is cancelled.")})
    _move(trial, TrialStatus.CANCELLED, actor=actor, note=reason)
    booking = trial.booking
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    capacity.release(booking)
    _tell_other_side(trial, "cancelled", by_startup=by_startup, note=reason)
    emit_for_trial("booking.cancelled", trial)
    if was_confirmed:
        waitlist_offer_freed_days(testbed, booking.start, booking.end)
    return trial


@transaction.atomic
def trial_start(*, actor: User | None, trial: Trial) -> Trial:
    """Start an approved trial on or after its first day (actor None: the daily job)."""
    trial, testbed = _locked(trial)
    if actor is not None:
        require_startup_of(actor, trial)
    if trial.booking.start > timezone.localdate():
        raise Conflict(
            _("The trial can start on its first day, %(date)s.")
            % {"date": capacity.day(trial.booking.start)},
            code="too_early",
        )
    _move(trial, TrialStatus.ACTIVE, actor=actor)
    return trial


def days_released_on_completion(
    trial: Trial, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a trial completed today gives back to its test bed (every
    booked day after today), or None when there are none to give."""
    booking = trial.booking
    tomorrow = (today or timezone.localdate()) + ONE_DAY
    if booking.end > tomorrow and booking.start < tomorrow:
        return tomorrow, booking.end - ONE_DAY
    return None


@transaction.atomic
def trial_complete(
    *, actor: User, trial: Trial, note: str = "", keep_booking: bool = False
) -> Trial:
    """The start-up marks the trial done. Finishing early gives the rest of its days back,
    unless ``keep_booking`` holds the booking to its end (e.g. to take equipment away)."""
    trial, testbed = _locked(trial)
    require_startup_of(actor, trial)
    _move(trial, TrialStatus.COMPLETED, actor=actor, note=note)
    released = None if keep_booking else days_released_on_completion(trial)
    if released:
        freed_from, freed_to = released[0], released[1] + ONE_DAY
        capacity.shorten(trial.booking, freed_from)
        waitlist_offer_freed_days(testbed, freed_from, freed_to)
    return trial


def start_due_trials(today: datetime.date | None = None) -> int:
    """Start approved trials whose first day has come (run daily)."""
    today = today or timezone.localdate()
    started = 0
    due = Trial.objects.filter(status=TrialStatus.APPROVED, booking__start__lte=today)
    for trial in due.only("pk", "testbed_id"):
        try:
            trial_start(actor=None, trial=trial)
        except (Conflict, InvalidTransition):
            continue
        started += 1
    return started


def waitlist_take_offer(*, actor: User, entry: WaitlistEntry) -> Trial:
    """Turn an offer into a trial request (confirmed at once if the test bed needs no approval)."""
    with transaction.atomic():
        capacity.lock_testbed(entry.testbed_id)
        entry = _entry_for(actor, entry)
        if entry.status != WaitlistEntry.Status.OFFERED:
            raise Conflict(_("There is no open offer for these days."), code="no_offer")
        if entry.offer_expires_at and entry.offer_expires_at < timezone.now():
            raise Conflict(_("The offer has lapsed."), code="offer_lapsed")
        trial = trial_request(
            actor=actor,
            organisation=entry.organisation,
            testbed=entry.testbed,
            title=entry.title,
            summary=entry.summary or entry.title,
            first_day=entry.start,
            last_day=entry.end - ONE_DAY,
            answers={str(a["question_id"]): a["answer"] for a in entry.answers},
        )
        entry.status = WaitlistEntry.Status.TAKEN
        entry.save(update_fields=["status"])
        record_event(
            actor=actor, action="waitlist.taken", target=entry, organisation=entry.organisation
        )
    return trial
