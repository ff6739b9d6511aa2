"""The trial lifecycle. Every step is one function here.

Each checks who may take it, runs in one transaction, moves the trial (and its
booking) and writes exactly one TrialEvent per status change. Notifications go out
after commit. Bookings change only here, under the test bed lock (testbeds.booking).
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, Programme, User
from accounts.notifications import members_of, notify
from accounts.permissions import is_member, require_member
from accounts.webhooks import emit_for_trial
from core.exceptions import Conflict, InvalidTransition
from core.tasks import enqueue
from testbeds import booking as capacity
from testbeds.models import ApplicationQuestion, Booking, TestBed, WaitlistEntry

from .models import (
    MEASURABLE_STATUSES,
    OUTCOME_FIELDS,
    PLAN_FIELDS,
    SUBMITTABLE_STATUSES,
    Trial,
    TrialEvent,
    TrialStatus,
)

ONE_DAY = datetime.timedelta(days=1)
WAITLIST_OFFER_DAYS = 3

# status → the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    TrialStatus.REQUESTED: {TrialStatus.APPROVED, TrialStatus.DECLINED, TrialStatus.WITHDRAWN},
    TrialStatus.APPROVED: {TrialStatus.ACTIVE, TrialStatus.CANCELLED},
    TrialStatus.ACTIVE: {TrialStatus.COMPLETED, TrialStatus.CANCELLED},
    TrialStatus.COMPLETED: {TrialStatus.SUBMITTED},
    TrialStatus.SUBMITTED: {TrialStatus.ACCEPTED, TrialStatus.CHANGES_REQUESTED},
    TrialStatus.CHANGES_REQUESTED: {TrialStatus.SUBMITTED},
}


def actor_name(user: User | None) -> str:
    if user is None:
        return _("Test Bed Exchange (automatic)")
    return user.get_full_name()


def _move(trial: Trial, to_status: str, *, actor: User | None, note: str = "") -> TrialEvent:
    """Change the trial's status and write its event. The caller holds the locks."""
    from_status = trial.status
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise InvalidTransition(
            _("A trial that is %(from)s cannot become %(to)s.")
            % {
                "from": TrialStatus(from_status).label.lower(),
                "to": TrialStatus(to_status).label.lower(),
            }
        )
    now = timezone.now()
    trial.status = to_status
    trial.status_changed_at = now
    stamp = {
        TrialStatus.APPROVED: "decided_at",
        TrialStatus.DECLINED: "decided_at",
        TrialStatus.ACTIVE: "started_at",
        TrialStatus.COMPLETED: "completed_at",
        TrialStatus.SUBMITTED: "submitted_at",
        TrialStatus.ACCEPTED: "accepted_at",
    }.get(to_status)
    fields = ["status", "status_changed_at", "updated_at"]
    if stamp:
        setattr(trial, stamp, now)
        fields.append(stamp)
    trial.save(update_fields=fields)
    emit_for_trial("trial.status_changed", trial, from_status=from_status, to_status=to_status)
    return TrialEvent.objects.create(
        trial=trial,
        actor=actor,
        actor_name=actor_name(actor),
        from_status=from_status,
        to_status=to_status,
        note=note.strip(),
        created_at=now,
    )


def _locked(trial: Trial) -> tuple[Trial, TestBed]:
    """Lock the test bed first, then the trial: every service takes them in this order."""
    testbed = capacity.lock_testbed(trial.testbed_id)
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("booking", "organisation", "programme")
        .get(pk=trial.pk)
    )
    trial.testbed = testbed
    trial.booking.testbed = testbed
    return trial, testbed


def require_provider_of(actor: User, trial: Trial) -> None:
    require_member(actor, trial.testbed.organisation)


def require_startup_of(actor: User, trial: Trial) -> None:
    require_member(actor, trial.organisation)


def clean_answers(testbed: TestBed, answers: dict[str, Any]) -> list[dict]:
    """The answers to the test bed's questions, checked; stored with their questions' text."""
    errors: dict[str, str] = {}
    cleaned = []
    for question in testbed.questions.filter(archived=False).order_by("position", "id"):
        raw = answers.get(str(question.pk), answers.get(question.pk, ""))
        value = raw.strip() if isinstance(raw, str) else raw
        if question.kind == ApplicationQuestion.Kind.YES_NO and value not in ("", None):
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value not in ("yes", "no"):
                errors[f"question_{question.pk}"] = _("Answer yes or no.")
                continue
        if (
            question.kind == ApplicationQuestion.Kind.CHOICE
            and value
            and value not in question.choices
        ):
            errors[f"question_{question.pk}"] = _("Choose one of the options.")
            continue
        if question.required and value in ("", None):
            errors[f"question_{question.pk}"] = _("Answer: %(question)s") % {
                "question": question.text
            }
            continue
        limit = 300 if question.kind == ApplicationQuestion.Kind.SHORT_TEXT else 5000
        if isinstance(value, str) and len(value) > limit:
            errors[f"question_{question.pk}"] = _("Keep the answer under %(n)s characters.") % {
                "n": limit
            }
            continue
        cleaned.append(
            {"question_id": question.pk, "question": question.text, "answer": value or ""}
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _requester_checks(actor: User, organisation: Organisation, programme: Programme | None) -> None:
    require_member(actor, organisation)
    if not organisation.is_start_up:
        raise PermissionDenied(_("Only start-ups can request trials."))
    if programme is not None and not programme.team.is_programme_team:
        raise ValidationError({"programme": _("Choose a programme.")})


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
) -> Trial:
    """Ask for a trial on a test bed: a Trial (requested) and a pending Booking.

    Refused if the days break the test bed's rules or are already full (with the
    nearest free dates). A test bed that needs no approval confirms at once.
    """
    _requester_checks(actor, organisation, programme)
    title, summary = title.strip(), summary.strip()
    if not title:
        raise ValidationError({"title": _("Give the trial a title.")})
    if not summary:
        raise ValidationError({"summary": _("Say in a few sentences what you want to trial.")})
    start, end = first_day, last_day + ONE_DAY
    if not capacity.fits(testbed, start, end):
        # Full already: refuse without queueing for the lock (the common case when many
        # ask for the same days at once). A request that passes is checked again below.
        capacity.check_rules(testbed, start, end)
        raise capacity.capacity_conflict(testbed, start, end)
    with transaction.atomic():
        testbed = capacity.lock_testbed(testbed)
        capacity.check_rules(testbed, start, end)
        cleaned = clean_answers(testbed, answers or {})
        if not capacity.fits(testbed, start, end):
            raise capacity.capacity_conflict(testbed, start, end)
        booking = Booking.objects.create(
            testbed=testbed, organisation=organisation, start=start, end=end
        )
        trial = Trial.objects.create(
            organisation=organisation,
            testbed=testbed,
            booking=booking,
            programme=programme,
            requested_by=actor,
            title=title[:200],
            summary=summary[:3000],
            answers=cleaned,
        )
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
            capacity.confirm(booking)
            _move(
                trial,
                TrialStatus.APPROVED,
                actor=None,
                note=_("Confirmed at once: this test bed needs no approval."),
            )
            _tell_startup(trial, "approved")
            emit_for_trial("booking.approved", trial)
    return trial


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


@transaction.atomic
def trial_complete(*, actor: User, trial: Trial, note: str = "") -> Trial:
    """The start-up marks the trial done. Finishing early gives the rest of its days back."""
    trial, testbed = _locked(trial)
    require_startup_of(actor, trial)
    _move(trial, TrialStatus.COMPLETED, actor=actor, note=note)
    booking = trial.booking
    tomorrow = timezone.localdate() + ONE_DAY
    if booking.end > tomorrow and booking.start < tomorrow:
        freed_from, freed_to = tomorrow, booking.end
        capacity.shorten(booking, tomorrow)
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
    _requester_checks(actor, organisation, None)
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
            subject_params={"name": testbed.name},
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


# Notifications ---------------------------------------------------------------


def _tell_provider_of_request(trial: Trial) -> None:
    notify(
        users=members_of(trial.testbed.organisation),
        subject=gettext_lazy("New trial request: %(testbed)s"),
        subject_params={"testbed": trial.testbed.name},
        template="trials/notifications/requested.txt",
        context={"trial": trial},
        url=trial.get_absolute_url(),
    )


def _tell_startup(trial: Trial, what: str, note: str = "") -> None:
    subjects = {
        "approved": gettext_lazy("Trial approved: %(title)s"),
        "declined": gettext_lazy("Trial request declined: %(title)s"),
        "cancelled": gettext_lazy("Trial cancelled: %(title)s"),
    }
    notify(
        users=members_of(trial.organisation),
        subject=subjects[what],
        subject_params={"title": trial.title},
        template=f"trials/notifications/{what}.txt",
        context={"trial": trial, "note": note},
        url=trial.get_absolute_url(),
    )


def _tell_other_side(trial: Trial, what: str, *, by_startup: bool, note: str) -> None:
    if by_startup:
        notify(
            users=members_of(trial.testbed.organisation),
            subject=gettext_lazy("Trial cancelled by the start-up: %(title)s"),
            subject_params={"title": trial.title},
            template=f"trials/notifications/{what}.txt",
            context={"trial": trial, "note": note},
            url=trial.get_absolute_url(),
        )
    else:
        _tell_startup(trial, what, note=note)


# Tracking: plan, KPIs, measurements, log, files, outcome ------------------------

PLAN_WRITABLE = {*PLAN_FIELDS, "programme"}
OUTCOME_WRITABLE = set(OUTCOME_FIELDS)


def _editable_by_startup(actor: User, trial: Trial) -> Trial:
    """Lock the trial for a start-up edit; refuse once it is submitted or closed."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("testbed", "organisation")
        .get(pk=trial.pk)
    )
    require_startup_of(actor, trial)
    if not trial.is_editable:
        raise Conflict(
            _("A trial that is %(status)s cannot be changed.")
            % {"status": trial.get_status_display().lower()},
            code="not_editable",
        )
    return trial


def _clean_approvals(value: dict) -> dict:
    from .models import ApprovalItem, ApprovalState

    cleaned = {}
    for code, entry in (value or {}).items():
        if code not in ApprovalItem.values:
            raise ValidationError({"approvals": _("Unknown approval: %(code)s") % {"code": code}})
        state = entry.get("status") if isinstance(entry, dict) else entry
        if state not in ApprovalState.values:
            raise ValidationError({"approvals": _("Choose in place, not needed or not yet.")})
        note = entry.get("note", "") if isinstance(entry, dict) else ""
        cleaned[code] = {"status": state, "note": str(note)[:500]}
    return cleaned


def _check_programme_change(trial: Trial, programme: Programme | None) -> None:
    """The programme decides who reviews the evidence and which officers see the trial:
    it must be a programme team's, and it is fixed once evidence has been submitted."""
    if programme is not None and (
        not isinstance(programme, Programme) or not programme.team.is_programme_team
    ):
        raise ValidationError({"programme": _("Choose a programme.")})
    new_id = programme.pk if programme is not None else None
    if new_id != trial.programme_id and trial.packs.exists():
        raise ValidationError(
            {"programme": _("The programme cannot change once evidence has been submitted.")}
        )


def _apply_fields(trial: Trial, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    for name, value in fields.items():
        if name == "approvals":
            value = _clean_approvals(value)
        if name == "programme":
            _check_programme_change(trial, value)
        setattr(trial, name, value)
    start, target = trial.trl_start, trial.trl_target
    if start is not None and target is not None and target < start:
        raise ValidationError(
            {"trl_target": _("The target TRL cannot be below the TRL at the start.")}
        )
    trial.full_clean(exclude=["organisation", "testbed", "booking", "requested_by", "answers"])
    return list(fields)


def _update(
    actor: User, trial: Trial, fields: dict[str, Any], allowed: set[str], action: str
) -> Trial:
    changed = _apply_fields(trial, fields, allowed)
    trial.save()
    record_event(
        actor=actor,
        action=action,
        target=trial,
        organisation=trial.organisation,
        summary=", ".join(changed),
    )
    return trial


@transaction.atomic
def trial_update_plan(*, actor: User, trial: Trial, **fields: Any) -> Trial:
    trial = _editable_by_startup(actor, trial)
    return _update(actor, trial, fields, PLAN_WRITABLE, "trial.plan_updated")


@transaction.atomic
def trial_update_outcome(*, actor: User, trial: Trial, **fields: Any) -> Trial:
    trial = _editable_by_startup(actor, trial)
    if trial.status in (TrialStatus.REQUESTED, TrialStatus.APPROVED):
        raise Conflict(_("Write the outcome once the trial has started."), code="too_early")
    return _update(actor, trial, fields, OUTCOME_WRITABLE, "trial.outcome_updated")


def _decimal(value: Any, field: str):
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")})
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationError({field: _("Enter a number below ten billion.")})
    return number


@transaction.atomic
def kpi_add(
    *,
    actor: User,
    trial: Trial,
    name: str,
    baseline: Any,
    target: Any,
    direction: str = "higher",
    unit: str = "",
    method: str = "",
    data_source: str = "",
):
    from .models import Kpi

    trial = _editable_by_startup(actor, trial)
    if not name.strip():
        raise ValidationError({"name": _("Name the KPI.")})
    if direction not in Kpi.Direction.values:
        raise ValidationError({"direction": _("Choose whether higher or lower is better.")})
    existing = trial.kpis.aggregate(count=Count("id"), last=Max("position"))
    if existing["count"] >= 30:
        raise ValidationError({"name": _("A trial can have up to 30 KPIs.")})
    position = (existing["last"] or 0) + 1  # after the last, even when an earlier one went
    kpi = Kpi.objects.create(
        trial=trial,
        position=position,
        name=name.strip()[:150],
        unit=unit.strip()[:40],
        baseline=_decimal(baseline, "baseline"),
        target=_decimal(target, "target"),
        direction=direction,
        method=method.strip(),
        data_source=data_source.strip()[:200],
    )
    record_event(
        actor=actor,
        action="kpi.added",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    return kpi


@transaction.atomic
def kpi_update(*, actor: User, kpi, **fields: Any):
    trial = _editable_by_startup(actor, kpi.trial)
    allowed = {
        "name",
        "unit",
        "baseline",
        "target",
        "direction",
        "method",
        "data_source",
        "no_measurement_reason",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    for name, value in fields.items():
        if name in ("baseline", "target"):
            value = _decimal(value, name)
        setattr(kpi, name, value)
    kpi.full_clean(exclude=["trial"])
    kpi.save()
    record_event(
        actor=actor,
        action="kpi.updated",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    return kpi


@transaction.atomic
def kpi_remove(*, actor: User, kpi) -> None:
    trial = _editable_by_startup(actor, kpi.trial)
    record_event(
        actor=actor,
        action="kpi.removed",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    kpi.delete()


@transaction.atomic
def measurement_add(*, actor: User, kpi, value: Any, date: datetime.date, note: str = ""):
    """Record a value. Only while the trial runs or is being written up."""
    from .models import Measurement

    trial = _editable_by_startup(actor, kpi.trial)
    if trial.status not in MEASURABLE_STATUSES:
        raise Conflict(_("Measurements are recorded once the trial has started."), code="too_early")
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    measurement = Measurement.objects.create(
        kpi=kpi,
        value=_decimal(value, "value"),
        date=date,
        note=note.strip()[:500],
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="measurement.added",
        target=trial,
        organisation=trial.organisation,
        summary=f"{kpi.name}: {measurement.value}",
    )
    return measurement


@transaction.atomic
def measurement_remove(*, actor: User, measurement) -> None:
    trial = _editable_by_startup(actor, measurement.kpi.trial)
    record_event(
        actor=actor,
        action="measurement.removed",
        target=trial,
        organisation=trial.organisation,
        summary=f"{measurement.kpi.name}: {measurement.value} on {measurement.date}",
    )
    measurement.delete()


@transaction.atomic
def log_entry_add(*, actor: User, trial: Trial, text: str, date: datetime.date | None = None):
    """Progress from the start-up, or an observation from the test bed's provider."""
    from .models import LogEntry

    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("testbed__organisation", "organisation")
        .get(pk=trial.pk)
    )
    if is_member(actor, trial.organisation):
        kind, organisation = LogEntry.Kind.PROGRESS, trial.organisation
        if not trial.is_editable:
            raise Conflict(
                _("The trial is submitted or closed: its log cannot change."), code="not_editable"
            )
    elif is_member(actor, trial.testbed.organisation):
        kind, organisation = LogEntry.Kind.OBSERVATION, trial.testbed.organisation
        if trial.status in (TrialStatus.DECLINED, TrialStatus.WITHDRAWN, TrialStatus.ACCEPTED):
            raise Conflict(_("This trial no longer takes observations."), code="not_editable")
    else:
        raise PermissionDenied(_("Only the start-up and the test bed's provider write in the log."))
    if not text.strip():
        raise ValidationError({"text": _("Write the entry.")})
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    entry = LogEntry.objects.create(
        trial=trial,
        kind=kind,
        date=date,
        text=text.strip()[:10000],
        author=actor,
        author_name=actor.get_full_name(),
        organisation=organisation,
    )
    record_event(
        actor=actor,
        action=f"log.{kind}",
        target=trial,
        organisation=organisation,
        summary=text[:100],
    )
    return entry


def evidence_file_add(*, actor: User, trial: Trial, upload, caption: str):
    """Keep a photo or a document. Checked by content and stored privately, with its SHA-256."""
    import uuid

    from django.core.files.base import ContentFile

    from core.documents import DocumentRejected, check_document
    from core.images import ImageRejected, process_image

    from .models import EvidenceFile

    with transaction.atomic():
        _editable_by_startup(actor, trial)
    if not caption.strip():
        raise ValidationError({"caption": _("Say what the file shows.")})
    name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:150]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    stem = uuid.uuid4().hex
    files: dict[str, tuple[str, bytes]] = {}
    if extension in ("jpg", "jpeg", "png", "webp"):
        try:
            processed = process_image(upload)
        except ImageRejected as error:
            raise ValidationError({"file": ValidationError(error.message, code=error.code)})
        original = processed.renditions["original"]
        kind, content_type, sha256 = (
            EvidenceFile.Kind.PHOTO,
            original.content_type,
            processed.sha256,
        )
        for field, rendition in (
            ("file", "original"),
            ("display", "display"),
            ("thumbnail", "thumbnail"),
            ("print_version", "print"),
        ):
            item = processed.renditions[rendition]
            files[field] = (f"{stem}-{rendition}.{item.extension}", item.content)
        size = len(original.content)
    else:
        try:
            checked = check_document(upload, filename=name)
        except DocumentRejected as error:
            raise ValidationError({"file": ValidationError(error.message, code=error.code)})
        upload.seek(0)
        content = upload.read()
        kind, content_type, sha256, size = (
            checked.kind,
            checked.content_type,
            checked.sha256,
            checked.size,
        )
        files["file"] = (f"{stem}.{checked.extension}", content)
    with transaction.atomic():
        trial = _editable_by_startup(actor, trial)
        if trial.files.filter(removed_at__isnull=True).count() >= 100:
            raise ValidationError({"file": _("A trial can keep up to 100 files.")})
        evidence = EvidenceFile(
            trial=trial,
            kind=kind,
            caption=caption.strip()[:250],
            original_name=name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        for field, (filename, content) in files.items():
            getattr(evidence, field).save(filename, ContentFile(content), save=False)
        evidence.save()
        record_event(
            actor=actor,
            action="file.added",
            target=trial,
            organisation=trial.organisation,
            summary=name,
        )
    return evidence


@transaction.atomic
def evidence_file_remove(*, actor: User, evidence) -> None:
    """Take a file out of the trial. Kept on disk: issued packs may list it."""
    trial = _editable_by_startup(actor, evidence.trial)
    evidence.removed_at = timezone.now()
    evidence.save(update_fields=["removed_at"])
    record_event(
        actor=actor,
        action="file.removed",
        target=trial,
        organisation=trial.organisation,
        summary=evidence.original_name,
    )


# Evidence packs: submission, rendering and review -----------------------------------


def _new_pack(
    trial: Trial,
    *,
    actor: User | None,
    status: Promise,
    language: str,
    final: bool = False,
    review=None,
    reviewed=None,
):
    """A new pack version with the trial's content frozen now; rendered after commit.

    Headings, labels and dates are frozen in ``language`` so every version of a trial's pack
    reads the same; what people wrote stays as they wrote it.
    """
    from .evidence import build_pack_content
    from .models import EvidencePack, new_pack_code
    from .pdf.content import content_to_json
    from .tasks import render_pack

    version = (trial.packs.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    code = new_pack_code()
    while EvidencePack.objects.filter(code=code).exists():
        code = new_pack_code()
    now = timezone.now().replace(microsecond=0)
    with translation.override(language):
        content = build_pack_content(
            trial,
            code=code,
            version=version,
            generated_at=now,
            status=str(status),
            review=review,
            reviewed=reviewed,
            language=language,
        )
    pack = EvidencePack.objects.create(
        trial=trial,
        version=version,
        code=code,
        is_final=final,
        content=content_to_json(content),
        created_by=actor,
        created_at=now,
    )
    transaction.on_commit(partial(enqueue, render_pack, pack.pk))
    emit_for_trial("evidence_pack.issued", trial, pack=pack)
    return pack


@transaction.atomic
def trial_submit(*, actor: User, trial: Trial):
    """Submit a completed trial for review: check it is complete, then freeze a new pack version."""
    from .evidence import submission_gaps

    trial, testbed = _locked(trial)
    require_startup_of(actor, trial)
    if trial.status not in SUBMITTABLE_STATUSES:
        raise InvalidTransition(_("Only a completed trial can be submitted."))
    gaps = submission_gaps(trial)
    if gaps:
        # Keyed so the API answers {"errors": {"missing": [...]}}; each item says what to add.
        raise ValidationError({"missing": [ValidationError(gap, code="missing") for gap in gaps]})
    _move(trial, TrialStatus.SUBMITTED, actor=actor)
    pack = _new_pack(
        trial,
        actor=actor,
        status=gettext_lazy("Submitted for review"),
        language=actor.language or settings.LANGUAGE_CODE,
    )
    notify(
        users=reviewers_of(trial),
        subject=gettext_lazy("Evidence pack to review: %(title)s"),
        subject_params={"title": trial.title},
        template="trials/notifications/submitted.txt",
        context={"trial": trial, "pack": pack},
        url=trial.get_absolute_url(),
    )
    return pack


def reviewers_of(trial: Trial) -> list[User]:
    """Officers of the trial's programme; without a programme, the provider's admins."""
    if trial.programme_id:
        return members_of(trial.programme.team)
    return members_of(trial.testbed.organisation, admins_only=True)


def require_reviewer(actor: User, trial: Trial) -> None:
    if trial.programme_id:
        require_member(actor, trial.programme.team)
    else:
        require_member(actor, trial.testbed.organisation, admin=True)


@transaction.atomic
def pack_review(*, actor: User, pack, decision: str, comments: str = ""):
    """Accept the latest pack, or ask for changes. Accepting locks the trial and issues a
    final version with a sign-off page that names the SHA-256 of the version reviewed."""
    from .models import EvidencePack, Review

    trial, testbed = _locked(pack.trial)
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    require_reviewer(actor, trial)
    if decision not in Review.Decision.values:
        raise ValidationError({"decision": _("Choose accept or request changes.")})
    if decision == Review.Decision.CHANGES_REQUESTED and not comments.strip():
        raise ValidationError({"comments": _("Say what needs to change.")})
    latest = trial.packs.order_by("-version").first()
    if pack.pk != latest.pk or trial.status != TrialStatus.SUBMITTED:
        raise Conflict(_("Only the latest submitted version can be reviewed."), code="not_latest")
    if pack.state != EvidencePack.State.READY:
        raise Conflict(
            _("The pack is still being prepared. Review it once it is ready."), code="not_ready"
        )
    organisation = trial.programme.team if trial.programme_id else testbed.organisation
    review = Review.objects.create(
        pack=pack,
        reviewer=actor,
        reviewer_name=actor.get_full_name(),
        reviewer_organisation=organisation.name,
        decision=decision,
        comments=comments.strip(),
        reviewed_sha256=pack.sha256,
    )
    emit_for_trial("evidence_pack.reviewed", trial, pack=pack, decision=decision)
    if decision == Review.Decision.ACCEPTED:
        _move(trial, TrialStatus.ACCEPTED, actor=actor, note=comments)
        _new_pack(
            trial,
            actor=actor,
            status=gettext_lazy("Accepted – final"),
            language=pack.content.get("language") or settings.LANGUAGE_CODE,
            final=True,
            review=review,
            reviewed=pack,
        )
    else:
        _move(trial, TrialStatus.CHANGES_REQUESTED, actor=actor, note=comments)
    notify(
        users=members_of(trial.organisation),
        subject=(
            gettext_lazy("Evidence accepted: %(title)s")
            if decision == Review.Decision.ACCEPTED
            else gettext_lazy("Changes requested: %(title)s")
        ),
        subject_params={"title": trial.title},
        template="trials/notifications/reviewed.txt",
        context={"trial": trial, "review": review},
        url=trial.get_absolute_url(),
    )
    return review


@transaction.atomic
def pack_retry(*, actor: User, pack):
    """Try rendering a failed pack again."""
    from .models import EvidencePack
    from .tasks import render_pack

    pack = EvidencePack.objects.select_for_update().select_related("trial").get(pk=pack.pk)
    trial = pack.trial
    if not (is_member(actor, trial.organisation) or is_member(actor, trial.testbed.organisation)):
        require_reviewer(actor, trial)
    if pack.state != EvidencePack.State.FAILED:
        raise Conflict(
            _("Only a pack that failed to render can be tried again."), code="not_failed"
        )
    pack.state = EvidencePack.State.PREPARING
    pack.attempts = 0
    pack.error = ""
    pack.save(update_fields=["state", "attempts", "error"])
    record_event(
        actor=actor,
        action="pack.retried",
        target=trial,
        organisation=trial.organisation,
        summary=pack.code,
    )
    transaction.on_commit(partial(enqueue, render_pack, pack.pk))
    return pack


# Who may take which step: checked by views before they read the request body, so a
# person without the right gets 403 (or 404 when the trial is not theirs) first. The
# services above check again inside their transactions.
STARTUP_STEPS = {
    "withdraw",
    "start",
    "complete",
    "submit",
    "plan",
    "outcome",
    "kpi",
    "measurement",
    "file",
}
PROVIDER_STEPS = {"approve", "decline"}
EITHER_SIDE_STEPS = {"cancel", "log"}


def require_step(actor: User, trial: Trial, step: str) -> None:
    if step in STARTUP_STEPS:
        require_startup_of(actor, trial)
    elif step in PROVIDER_STEPS:
        require_provider_of(actor, trial)
    elif step in EITHER_SIDE_STEPS:
        if not (
            is_member(actor, trial.organisation) or is_member(actor, trial.testbed.organisation)
        ):
            raise PermissionDenied(_("Only the start-up and the test bed's provider can do this."))
    elif step == "review":
        require_reviewer(actor, trial)
    else:
        raise ValueError(f"Unknown step: {step}")
