"""Changing an approved booking: the start-up asks to extend, shorten or move its dates.

The old days stay held while the request is open. Approval runs like the first
approval: the test bed is locked, its rules and capacity are checked again and the
booking's days change in the same transaction (``testbeds.booking.change_dates``, with
PostgreSQL's exclusion constraint behind it); the days it gives back go to the waitlist.
One request per trial is open at a time (a partial unique constraint).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import User
from accounts.notifications import members_of, notify
from accounts.webhooks import emit_for_trial
from core.dates import check_in_range
from core.exceptions import Conflict
from testbeds import booking as capacity
from testbeds.models import TestBed

from ..models import ChangeRequest, Trial, TrialEvent, TrialStatus
from .common import ONE_DAY, _locked, actor_name, require_provider_of, require_startup_of
from .waitlist import waitlist_offer_freed_days

CHANGEABLE_STATUSES = {TrialStatus.APPROVED, TrialStatus.ACTIVE}
REASON_LIMIT = 2000


def span_text(start: datetime.date, end: datetime.date) -> str:
    return f"{capacity.day(start)} – {capacity.day(end - ONE_DAY)}"


def kind_of(booking_start, booking_end, start, end) -> str:
    if start == booking_start:
        return ChangeRequest.Kind.EXTEND if end > booking_end else ChangeRequest.Kind.SHORTEN
    return ChangeRequest.Kind.MOVE


def _check_dates(trial: Trial, start: datetime.date, end: datetime.date) -> None:
    """What a change may ask for whatever the test bed's rules: a real change, a started
    trial keeps its first day, and nothing ends before today."""
    booking = trial.booking
    if (start, end) == (booking.start, booking.end):
        raise ValidationError({"last_day": _("These are the trial's dates already.")})
    if end <= start:
        raise ValidationError({"last_day": _("The last day must be on or after the first day.")})
    today = timezone.localdate()
    if trial.status == TrialStatus.ACTIVE:
        if start != booking.start:
            raise ValidationError(
                {"first_day": _("The trial has started: its first day cannot move.")}
            )
        if end <= today:
            raise ValidationError(
                {
                    "last_day": _("A running trial cannot end before today, %(date)s.")
                    % {"date": capacity.day(today)}
                }
            )


def _rules(trial: Trial, start: datetime.date, end: datetime.date) -> None:
    _check_dates(trial, start, end)
    capacity.check_change_rules(trial.testbed, trial.booking, start, end)


def _rule_code(error: ValidationError) -> str:
    """The broken rule's code (notice, horizon, closed, too_long …) for the 409."""
    items = (
        [item for group in error.error_dict.values() for item in group]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return next((item.code for item in items if item.code), "rules")


def _not_changeable(trial: Trial) -> Conflict:
    return Conflict(
        _("Only an approved or running trial can change its dates; this one is %(status)s.")
        % {"status": trial.get_status_display().lower()},
        code="not_changeable",
    )


def change_request_create(
    *,
    actor: User,
    trial: Trial,
    first_day: datetime.date,
    last_day: datetime.date,
    reason: str,
) -> ChangeRequest:
    """The start-up asks for new dates. Checked against the rules now, and again on approval."""
    check_in_range(first_day=first_day, last_day=last_day)  # before any date arithmetic
    reason = (reason or "").strip()
    start, end = first_day, last_day + ONE_DAY
    with transaction.atomic():
        trial, testbed = _locked(trial)
        require_startup_of(actor, trial)
        if trial.status not in CHANGEABLE_STATUSES:
            raise _not_changeable(trial)
        if not reason:
            raise ValidationError({"reason": _("Say why the dates need to change.")})
        if len(reason) > REASON_LIMIT:
            raise ValidationError(
                {"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_LIMIT}}
            )
        if ChangeRequest.objects.filter(trial=trial, status=ChangeRequest.Status.PENDING).exists():
            raise Conflict(
                _("A change to this trial's dates is already waiting for a decision."),
                code="change_pending",
            )
        _rules(trial, start, end)
        booking = trial.booking
        try:
            with transaction.atomic():
                change = ChangeRequest.objects.create(
                    trial=trial,
                    kind=kind_of(booking.start, booking.end, start, end),
                    old_start=booking.start,
                    old_end=booking.end,
                    start=start,
                    end=end,
                    reason=reason,
                    requested_by=actor,
                    requested_by_name=actor_name(actor),
                )
        except IntegrityError:
            raise Conflict(
                _("A change to this trial's dates is already waiting for a decision."),
                code="change_pending",
            ) from None
        record_event(
            actor=actor,
            action="booking.change_requested",
            target=change,
            organisation=trial.organisation,
            summary=f"{span_text(booking.start, booking.end)} → {span_text(start, end)}",
        )
        notify(
            users=members_of(testbed.organisation),
            subject=gettext_lazy("Change of dates asked for: %(title)s"),
            subject_params={"title": trial.title},
            template="trials/notifications/change_requested.txt",
            context={"trial": trial, "change": change},
            url=trial.get_absolute_url() + "#dates",
        )
        emit_for_trial(
            "booking.change_requested",
            trial,
            change_request=change.pk,
            first_day=start.isoformat(),
            last_day=(end - ONE_DAY).isoformat(),
        )
    return change


def _locked_change(change: ChangeRequest) -> tuple[ChangeRequest, Trial]:
    trial, _testbed = _locked(change.trial)
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    change.trial = trial
    return change, trial


def _still_open(change: ChangeRequest) -> None:
    if change.status != ChangeRequest.Status.PENDING:
        raise Conflict(
            _("This change has been decided already: %(status)s.")
            % {"status": change.get_status_display().lower()},
            code="change_decided",
        )


def _close(change: ChangeRequest, status: str, actor: User, note: str) -> None:
    change.status = status
    change.decided_by = actor
    change.decided_by_name = actor_name(actor)
    change.decision_note = note
    change.decided_at = timezone.now()
    change.save(
        update_fields=["status", "decided_by", "decided_by_name", "decision_note", "decided_at"]
    )


def _tell_startup(trial: Trial, change: ChangeRequest, what: str) -> None:
    subjects = {
        "approved": gettext_lazy("New dates approved: %(title)s"),
        "declined": gettext_lazy("Change of dates declined: %(title)s"),
    }
    notify(
        users=members_of(trial.organisation),
        subject=subjects[what],
        subject_params={"title": trial.title},
        template=f"trials/notifications/change_{what}.txt",
        context={"trial": trial, "change": change},
        url=trial.get_absolute_url() + "#dates",
    )


def change_request_approve(*, actor: User, change: ChangeRequest, note: str = "") -> ChangeRequest:
    """The provider approves: rules and capacity checked again under the test bed lock, the
    booking's days change, the days given back go to the waitlist. Full days: 409 with
    the nearest dates that fit, and the request stays open.

    New days full already are refused without queueing for the lock (the common case when
    many changes onto the same days are approved at once); the refusal's nearest dates are
    worked out once the lock is let go. Only what may be approved waits for the lock.
    """
    _refuse_when_full(actor, change)
    try:
        return _approve(actor=actor, change=change, note=note)
    except capacity.Full:
        trial = Trial.objects.select_related("booking", "testbed").get(pk=change.trial_id)
        raise capacity.change_conflict(
            trial.testbed, trial.booking, change.start, change.end
        ) from None


def _cached_trial(change: ChangeRequest) -> Trial:
    """The change's trial with its booking and test bed's organisation, as the caller read
    them (a view did, to check who may see it), else read now."""
    trial_field = ChangeRequest._meta.get_field("trial")
    if trial_field.is_cached(change):
        trial = change.trial
        testbed_field = Trial._meta.get_field("testbed")
        if (
            Trial._meta.get_field("booking").is_cached(trial)
            and testbed_field.is_cached(trial)
            and TestBed._meta.get_field("organisation").is_cached(trial.testbed)
        ):
            return trial
    return Trial.objects.select_related("booking", "testbed__organisation").get(pk=change.trial_id)


def _refuse_when_full(actor: User, change: ChangeRequest) -> None:
    """Without the lock: a change that would pass every other check onto days already full
    is refused (409, as under the lock). Anything else goes on to the lock, which says why."""
    trial = _cached_trial(change)
    require_provider_of(actor, trial)
    booking = trial.booking
    if (
        change.status != ChangeRequest.Status.PENDING
        or trial.status not in CHANGEABLE_STATUSES
        or (booking.start, booking.end) != (change.old_start, change.old_end)
    ):
        return
    try:
        _rules(trial, change.start, change.end)
    except ValidationError:
        return
    refusal = capacity.change_refusal(trial.testbed, booking, change.start, change.end)
    if refusal is not None:
        raise refusal


@transaction.atomic
def _approve(*, actor: User, change: ChangeRequest, note: str) -> ChangeRequest:
    change, trial = _locked_change(change)
    require_provider_of(actor, trial)
    _still_open(change)
    if trial.status not in CHANGEABLE_STATUSES:
        raise _not_changeable(trial)
    booking = trial.booking
    if (booking.start, booking.end) != (change.old_start, change.old_end):
        raise Conflict(
            _("The trial's dates have changed since this was asked for."), code="dates_moved"
        )
    try:
        _rules(trial, change.start, change.end)
    except ValidationError as error:
        raise Conflict(" ".join(error.messages), code=_rule_code(error)) from None
    freed = capacity.freed_spans(booking, change.start, change.end)
    capacity.change_dates(booking, change.start, change.end, checked=True)  # _rules: open
    _close(change, ChangeRequest.Status.APPROVED, actor, note.strip())
    trial.save(update_fields=["updated_at"])
    TrialEvent.objects.create(
        trial=trial,
        actor=actor,
        actor_name=actor_name(actor),
        from_status=trial.status,
        to_status=trial.status,
        note=_("Dates changed from %(old)s to %(new)s.")
        % {
            "old": span_text(change.old_start, change.old_end),
            "new": span_text(change.start, change.end),
        },
    )
    record_event(
        actor=actor,
        action="booking.changed",
        target=change,
        organisation=trial.testbed.organisation,
        summary=f"{span_text(change.old_start, change.old_end)} → "
        f"{span_text(change.start, change.end)}",
    )
    for start, end in freed:
        waitlist_offer_freed_days(trial.testbed, start, end)
    _tell_startup(trial, change, "approved")
    emit_for_trial(
        "booking.changed",
        trial,
        change_request=change.pk,
        first_day=change.start.isoformat(),
        last_day=change.last_day.isoformat(),
        old_first_day=change.old_start.isoformat(),
        old_last_day=change.old_last_day.isoformat(),
    )
    return change


@transaction.atomic
def change_request_decline(*, actor: User, change: ChangeRequest, reason: str) -> ChangeRequest:
    change, trial = _locked_change(change)
    require_provider_of(actor, trial)
    _still_open(change)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the change is declined.")})
    _close(change, ChangeRequest.Status.DECLINED, actor, reason[:REASON_LIMIT])
    record_event(
        actor=actor,
        action="booking.change_declined",
        target=change,
        organisation=trial.testbed.organisation,
    )
    _tell_startup(trial, change, "declined")
    return change


@transaction.atomic
def change_request_withdraw(
    *, actor: User, change: ChangeRequest, reason: str = ""
) -> ChangeRequest:
    change, trial = _locked_change(change)
    require_startup_of(actor, trial)
    _still_open(change)
    _close(change, ChangeRequest.Status.WITHDRAWN, actor, (reason or "").strip()[:REASON_LIMIT])
    record_event(
        actor=actor,
        action="booking.change_withdrawn",
        target=change,
        organisation=trial.organisation,
    )
    return change


def require_change_step(actor: User, change: ChangeRequest, step: str) -> None:
    """Views check this before reading a body: 403 for a viewer who may not act."""
    if step in ("approve", "decline"):
        require_provider_of(actor, change.trial)
    elif step == "withdraw":
        require_startup_of(actor, change.trial)
    else:
        raise ValueError(f"Unknown step: {step}")
