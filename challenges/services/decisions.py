"""Decisions: awarded, reserve or not funded, with feedback to the applicant. An award turns
the application into a trial request through the booking service."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Membership, User
from accounts.notifications import members_of, notify
from accounts.permissions import is_member, require_member
from accounts.services import programme_enrol
from accounts.webhooks import emit
from core.exceptions import Conflict, InvalidTransition
from core.forms_util import error_message
from testbeds.models import TestBed
from trials import services as trial_services
from trials.models import Trial

from ..models import (
    MIN_ASSESSORS,
    Application,
    ApplicationStatus,
    Assessment,
    Challenge,
    ChallengeStatus,
    ChallengeTestBed,
    Decision,
)
from . import common
from .setup import close_if_due

FINAL = {Decision.Outcome.AWARDED, Decision.Outcome.NOT_FUNDED}


def coverage(application: Application) -> int:
    """How many assessors (each with no conflict declared) have submitted scores."""
    return Assessment.objects.filter(
        application=application,
        submitted_at__isnull=False,
        assessor__declarations__application=application,
        assessor__declarations__conflicted=False,
    ).count()


def _requester(application: Application) -> User | None:
    """Who asks for the trial on the start-up's behalf: whoever submitted the application if
    they still belong to the start-up, else one of its admins, else nobody (the start-up
    then picks the dates itself, which makes the request)."""
    submitter = application.submitted_by
    if (
        submitter is not None
        and submitter.is_active
        and is_member(submitter, application.organisation)
    ):
        return submitter
    admin = (
        Membership.objects.filter(
            organisation=application.organisation, role=Membership.Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("created_at", "id")
        .first()
    )
    return admin.user if admin else None


def _request_trial(
    *,
    actor: User,
    application: Application,
    testbed: TestBed,
    first_day: datetime.date,
    last_day: datetime.date,
    answers: dict | None = None,
) -> Trial:
    plan = {key: value for key, value in application.plan.items() if value not in ("", None)}
    summary = application.summary or application.title
    programme = application.challenge.programme
    if programme is not None:
        # The award (decided by the programme's team) enrols the start-up in the programme.
        programme_enrol(actor=None, programme=programme, organisation=application.organisation)
    return trial_services.trial_request(
        actor=actor,
        organisation=application.organisation,
        testbed=testbed,
        title=application.title or application.challenge.title,
        summary=summary,
        first_day=first_day,
        last_day=last_day,
        plan=plan,
        kpis=[dict(kpi) for kpi in application.kpis],
        answers=answers or {},
        # A programme's challenge: the award is the programme's acceptance of the start-up.
        programme=programme,
    )


def _try_award_trial(application: Application, decision: Decision) -> None:
    """Make the trial request; if the dates no longer fit, the award stands and the
    start-up is asked for new dates."""
    requester = _requester(application)
    problem = ""
    if requester is None:
        problem = _("Nobody at the start-up can make the trial request.")
    elif application.testbed_id is None or not (application.first_day and application.last_day):
        problem = _("The application names no test bed or dates.")
    else:
        try:
            with transaction.atomic():
                trial = _request_trial(
                    actor=requester,
                    application=application,
                    testbed=application.testbed,
                    first_day=application.first_day,
                    last_day=application.last_day,
                )
        except (Conflict, ValidationError, PermissionDenied) as error:
            problem = error_message(error)
        else:
            application.trial = trial
            application.save(update_fields=["trial", "updated_at"])
    decision.trial_problem = problem[:500]
    decision.save(update_fields=["trial_problem"])
    if problem:
        notify(
            users=members_of(application.organisation),
            subject=gettext_lazy("Choose new dates for your trial: %(title)s"),
            subject_params={"title": application.challenge.title},
            template="challenges/notifications/new_dates.txt",
            context={"application": application, "problem": problem},
            url=application.get_absolute_url(),
        )


def decide(*, actor: User, application: Application, outcome: str, feedback: str) -> Decision:
    """Decide on a submitted application once the challenge has closed and at least two
    assessors without a conflict have submitted scores. Awarded and not funded are final;
    a reserve may later be awarded or not funded."""
    with transaction.atomic():
        challenge = common.lock_challenge(application.challenge_id)
        common.require_owner(actor, challenge)
        common.require_no_conflict(actor, application.pk)
        moment = common.now()
        common.require_closed(challenge, moment)
        close_if_due(challenge, moment)
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("organisation", "testbed", "submitted_by")
            .get(pk=application.pk)
        )
        application.challenge = challenge
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict(_("Only submitted applications are decided."), code="not_submitted")
        if outcome not in Decision.Outcome.values:
            raise ValidationError({"outcome": _("Choose awarded, reserve or not funded.")})
        feedback = feedback.strip()
        if not feedback:
            raise ValidationError({"feedback": _("Write the feedback for the applicant.")})
        if len(feedback) > 5000:
            raise ValidationError({"feedback": _("Keep the feedback under 5,000 characters.")})
        decision = Decision.objects.filter(application=application).first()
        if decision is not None and decision.outcome in FINAL:
            raise InvalidTransition(
                _("This application has been decided: %(outcome)s.")
                % {"outcome": decision.get_outcome_display().lower()}
            )
        assessed = coverage(application)
        if assessed < MIN_ASSESSORS:
            raise Conflict(
                _(
                    "At least %(needed)s assessors without a conflict must score an application "
                    "before a decision; %(count)s have."
                )
                % {"needed": MIN_ASSESSORS, "count": assessed},
                code="coverage",
            )
        if outcome == Decision.Outcome.AWARDED:
            given = Decision.objects.filter(
                application__challenge=challenge, outcome=Decision.Outcome.AWARDED
            ).count()
            if given >= challenge.awards:
                raise Conflict(
                    _("All %(n)s awards have been given. Put this application on the reserve list.")
                    % {"n": challenge.awards},
                    code="awards_used",
                )
        if decision is None:
            decision = Decision(application=application)
        decision.outcome = outcome
        decision.feedback = feedback
        decision.decided_by = actor
        decision.decided_at = moment
        decision.save()
        record_event(
            actor=actor,
            action="application.decided",
            target=application,
            organisation=challenge.owner,
            summary=outcome,
        )
        emit(
            "application.decided",
            organisations=[application.organisation, challenge.owner],
            object_type="application",
            object_id=application.pk,
            data={"challenge": challenge.slug, "outcome": outcome},
        )
        notify(
            users=members_of(application.organisation),
            subject=gettext_lazy("Decision on your application: %(title)s"),
            subject_params={"title": challenge.title},
            template="challenges/notifications/decided.txt",
            context={"application": application, "decision": decision, "challenge": challenge},
            url=application.get_absolute_url(),
        )
        if outcome == Decision.Outcome.AWARDED:
            _try_award_trial(application, decision)
        _mark_decided_if_done(challenge, moment)
    return decision


def _mark_decided_if_done(challenge: Challenge, moment: datetime.datetime) -> None:
    undecided = challenge.applications.filter(
        status=ApplicationStatus.SUBMITTED, decision__isnull=True
    ).exists()
    if not undecided and challenge.status == ChallengeStatus.CLOSED:
        challenge.status = ChallengeStatus.DECIDED
        challenge.decided_at = moment
        challenge.save(update_fields=["status", "decided_at", "updated_at"])
        record_event(
            actor=None,
            action="challenge.decided",
            target=challenge,
            organisation=challenge.owner,
            summary=challenge.title,
        )


def award_new_dates(
    *,
    actor: User,
    application: Application,
    first_day: datetime.date,
    last_day: datetime.date,
    testbed: TestBed | None = None,
    answers: dict | None = None,
) -> Trial:
    """The start-up picks new dates (or another of the challenge's test beds), and answers
    the test bed's own questions, for an award whose trial request could not be made; the
    request goes through the booking service."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("organisation", "challenge", "testbed")
            .get(pk=application.pk)
        )
        require_member(actor, application.organisation)
        decision = Decision.objects.filter(application=application).first()
        if decision is None or decision.outcome != Decision.Outcome.AWARDED:
            raise InvalidTransition(_("Only an awarded application becomes a trial."))
        if application.trial_id is not None:
            raise InvalidTransition(_("The trial has already been requested."))
        testbed = testbed or application.testbed
        if (
            testbed is None
            or not ChallengeTestBed.objects.filter(
                challenge=application.challenge,
                testbed=testbed,
                status=ChallengeTestBed.Status.AGREED,
            ).exists()
        ):
            raise ValidationError({"testbed": _("Choose one of the challenge's test beds.")})
        if last_day < first_day:
            raise ValidationError({"last_day": _("The last day must be on or after the first.")})
        trial = _request_trial(
            actor=actor,
            application=application,
            testbed=testbed,
            first_day=first_day,
            last_day=last_day,
            answers=answers,
        )
        application.trial = trial
        application.testbed = testbed
        application.first_day, application.last_day = first_day, last_day
        application.save(update_fields=["trial", "testbed", "first_day", "last_day", "updated_at"])
        decision.trial_problem = ""
        decision.save(update_fields=["trial_problem"])
        record_event(
            actor=actor,
            action="application.trial_requested",
            target=application,
            organisation=application.organisation,
            summary=str(trial.pk),
        )
    return trial
