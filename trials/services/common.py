"""What the trial services share: moving a trial, locking it, who may act, telling people."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Programme, User
from accounts.notifications import members_of, notify
from accounts.permissions import is_member, require_member
from accounts.services import check_programme_for_trial
from accounts.webhooks import emit_for_trial
from core.bilingual import lazy_text
from core.exceptions import Conflict, InvalidTransition
from testbeds import booking as capacity
from testbeds.models import ApplicationQuestion, TestBed

from ..models import (
    Trial,
    TrialEvent,
    TrialPartner,
    TrialStatus,
)

ONE_DAY = datetime.timedelta(days=1)

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


def _decimal(value: Any, field: str):
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")})
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationError({field: _("Enter a number below ten billion.")})
    return number


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


def partner_organisation_of(actor: User, trial: Trial) -> Organisation | None:
    """The actor's organisation that partners in the trial now, or None."""
    if actor is None or not actor.is_authenticated:
        return None
    partner = (
        TrialPartner.objects.filter(
            trial_id=trial.pk,
            removed_at__isnull=True,
            organisation__memberships__user=actor,
        )
        .select_related("organisation")
        .first()
    )
    return partner.organisation if partner else None


def contributor_organisation(actor: User, trial: Trial) -> Organisation:
    """Who adds evidence: the start-up, or a partner (their additions are marked as theirs)."""
    if is_member(actor, trial.organisation):
        return trial.organisation
    partner = partner_organisation_of(actor, trial)
    if partner is None:
        raise PermissionDenied(_("Only the start-up and the trial's partners can add evidence."))
    return partner


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


def _requester_checks(
    actor: User,
    organisation: Organisation,
    programme: Programme | None,
    first_day: datetime.date | None = None,
) -> None:
    require_member(actor, organisation)
    if not organisation.is_start_up:
        raise PermissionDenied(_("Only start-ups can request trials."))
    if programme is not None:
        check_programme_for_trial(organisation, programme, first_day or timezone.localdate())


# Notifications ---------------------------------------------------------------


def _tell_provider_of_request(trial: Trial) -> None:
    notify(
        users=members_of(trial.testbed.organisation),
        subject=gettext_lazy("New trial request: %(testbed)s"),
        subject_params={"testbed": lazy_text(trial.testbed.name, trial.testbed.name_cy)},
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


# Who may take which step: checked by views before they read the request body, so a
# person without the right gets 403 (or 404 when the trial is not theirs) first. The
# services above check again inside their transactions.
STARTUP_STEPS = {
    "change",
    "withdraw",
    "start",
    "complete",
    "submit",
    "plan",
    "outcome",
    "kpi",
    "measurement",
    "partners",
    "file_remove",
}
PROVIDER_STEPS = {"approve", "decline"}
EITHER_SIDE_STEPS = {"cancel"}
CONTRIBUTOR_STEPS = {"file"}  # the start-up or a partner


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
    elif step in CONTRIBUTOR_STEPS:
        contributor_organisation(actor, trial)
    elif step == "log":
        if not (
            is_member(actor, trial.organisation)
            or is_member(actor, trial.testbed.organisation)
            or partner_organisation_of(actor, trial) is not None
        ):
            raise PermissionDenied(
                _("Only the start-up, the test bed's provider and partners write in the log.")
            )
    elif step == "review":
        require_reviewer(actor, trial)
    else:
        raise ValueError(f"Unknown step: {step}")
