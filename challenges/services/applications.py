"""Applications: started and saved step by step as a draft, submitted before the close (to
the second, under the challenge lock), withdrawn before the close. Nothing changes after."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, User
from accounts.notifications import members_of, notify
from accounts.permissions import require_member
from accounts.webhooks import emit
from core.documents import DocumentRejected, check_document
from core.exceptions import Conflict, InvalidTransition
from core.images import ImageRejected, process_image
from core.text import single_line
from testbeds.models import TestBed
from trials.services.plans import clean_kpis

from ..models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    Challenge,
    ChallengeTestBed,
    Question,
)
from . import common

# The parts of a trial plan an application proposes (trials.models.PLAN_FIELDS).
PLAN_FIELDS = (
    "product_name",
    "problem_statement",
    "objectives",
    "hypothesis",
    "setting_and_participants",
    "trl_start",
    "trl_target",
)
SAVABLE = {
    "title",
    "summary",
    "partners",
    "answers",
    "plan",
    "kpis",
    "testbed",
    "first_day",
    "last_day",
}
TEXT_LIMITS = {"title": 200, "summary": 3000, "partners": 2000}
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
MAX_TRIAL_DAYS = 366


def _locked(application: Application) -> tuple[Challenge, Application]:
    """Lock the challenge first, then the application: every service takes them in order."""
    challenge = common.lock_challenge(application.challenge_id)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=application.pk)
    )
    application.challenge = challenge
    return challenge, application


def _editable(actor: User, application: Application) -> tuple[Challenge, Application]:
    challenge, application = _locked(application)
    require_member(actor, application.organisation)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(
            _("A submitted or withdrawn application cannot be changed."), code="not_draft"
        )
    common.require_open(challenge, common.now())
    return challenge, application


@transaction.atomic
def application_start(
    *, actor: User, organisation: Organisation, challenge: Challenge
) -> Application:
    """One application per start-up per challenge; a withdrawn one may be started again."""
    require_member(actor, organisation)
    if not organisation.is_start_up:
        raise PermissionDenied(_("Only start-ups can apply to challenges."))
    challenge = common.lock_challenge(challenge)
    moment = common.now()
    common.require_open(challenge, moment)
    existing = (
        Application.objects.select_for_update()
        .filter(challenge=challenge, organisation=organisation)
        .first()
    )
    if existing is not None:
        if existing.status != ApplicationStatus.WITHDRAWN:
            raise Conflict(
                _("%(name)s already has an application for this challenge.")
                % {"name": organisation.name},
                code="exists",
                application=existing.pk,
            )
        existing.status = ApplicationStatus.DRAFT
        existing.submitted_at = existing.withdrawn_at = None
        existing.save(update_fields=["status", "submitted_at", "withdrawn_at", "updated_at"])
        application = existing
    else:
        application = Application.objects.create(
            challenge=challenge, organisation=organisation, created_by=actor, created_at=moment
        )
    record_event(
        actor=actor,
        action="application.started",
        target=application,
        organisation=organisation,
        summary=challenge.title,
    )
    common.follow(actor, challenge)
    return application


def _clean_answers(challenge: Challenge, answers: dict[str, Any]) -> dict[str, Any]:
    questions = {str(q.pk): q for q in challenge.questions.all()}
    cleaned, errors = {}, {}
    for key, raw in answers.items():
        question = questions.get(str(key))
        if question is None or question.kind == Question.Kind.FILE:
            errors[f"question_{key}"] = _("This is not one of the challenge's questions.")
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value in ("", None):
            continue
        if question.kind == Question.Kind.YES_NO:
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value not in ("yes", "no"):
                errors[f"question_{key}"] = _("Answer yes or no.")
                continue
        elif question.kind == Question.Kind.NUMBER:
            try:
                number = Decimal(str(value).replace(",", ""))
            except ArithmeticError:
                number = None
            if number is None or not number.is_finite() or abs(number) >= Decimal("1e12"):
                errors[f"question_{key}"] = _("Enter a number.")
                continue
            value = str(number)
        elif not isinstance(value, str) or len(value) > 5000:
            errors[f"question_{key}"] = _("Keep the answer under 5,000 characters.")
            continue
        cleaned[str(key)] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_plan(plan: dict[str, Any]) -> dict[str, Any]:
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    cleaned: dict[str, Any] = {}
    for name, value in plan.items():
        if name in ("trl_start", "trl_target"):
            if value in ("", None):
                cleaned[name] = None
                continue
            try:
                level = int(value)
            except (TypeError, ValueError):
                level = 0
            if not 1 <= level <= 9:
                raise ValidationError({name: _("Enter a readiness level from 1 to 9.")})
            cleaned[name] = level
        else:
            text = str(value or "").strip()
            if len(text) > 5000:
                raise ValidationError({name: _("Keep this under 5,000 characters.")})
            cleaned[name] = text[:200] if name == "product_name" else text
    start, target = cleaned.get("trl_start"), cleaned.get("trl_target")
    if start and target and target < start:
        raise ValidationError(
            {"trl_target": _("The target TRL cannot be below the TRL at the start.")}
        )
    return cleaned


def _json_kpis(kpis: list[dict[str, Any]]) -> list[dict[str, str]]:
    """KPIs checked as a trial checks them (the same shape), kept as JSON text."""
    return [
        {key: str(value) if isinstance(value, Decimal) else value for key, value in kpi.items()}
        for kpi in clean_kpis(list(kpis))
    ]


def _agreed_testbed(challenge: Challenge, testbed: TestBed | None) -> TestBed | None:
    if testbed is None:
        return None
    if not ChallengeTestBed.objects.filter(
        challenge=challenge, testbed=testbed, status=ChallengeTestBed.Status.AGREED
    ).exists():
        raise ValidationError({"testbed": _("Choose one of the challenge's test beds.")})
    return testbed


def _check_dates(first: datetime.date | None, last: datetime.date | None) -> None:
    if first and last:
        if last < first:
            raise ValidationError({"last_day": _("The last day must be on or after the first.")})
        if (last - first).days + 1 > MAX_TRIAL_DAYS:
            raise ValidationError({"last_day": _("A trial can last up to a year.")})


@transaction.atomic
def application_save(*, actor: User, application: Application, **fields: Any) -> Application:
    """Save part of a draft (one step of the form). Checks what is given; what is still
    missing is checked at submission."""
    challenge, application = _editable(actor, application)
    unknown = set(fields) - SAVABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    for name in ("title", "summary", "partners"):
        if name in fields:
            text = str(fields[name] or "").strip()
            if name == "title":
                text = single_line(text, "title")
            if len(text) > TEXT_LIMITS[name]:
                raise ValidationError(
                    {name: _("Keep this under %(n)s characters.") % {"n": TEXT_LIMITS[name]}}
                )
            setattr(application, name, text)
    if "answers" in fields:
        application.answers = {
            **application.answers,
            **_clean_answers(challenge, dict(fields["answers"] or {})),
        }
        # An answer left empty clears the one saved before.
        for key, raw in dict(fields["answers"] or {}).items():
            if raw in ("", None):
                application.answers.pop(str(key), None)
    if "plan" in fields:
        application.plan = {**application.plan, **_clean_plan(dict(fields["plan"] or {}))}
    if "kpis" in fields:
        application.kpis = _json_kpis(fields["kpis"] or [])
    if "testbed" in fields:
        application.testbed = _agreed_testbed(challenge, fields["testbed"])
    if "first_day" in fields:
        application.first_day = fields["first_day"]
    if "last_day" in fields:
        application.last_day = fields["last_day"]
    _check_dates(application.first_day, application.last_day)
    application.save()
    record_event(
        actor=actor,
        action="application.saved",
        target=application,
        organisation=application.organisation,
        summary=", ".join(sorted(fields)),
    )
    return application


def application_file_set(
    *, actor: User, application: Application, question: Question, upload
) -> ApplicationFile:
    """Attach the file answering a file question, checked by content like evidence files."""
    with transaction.atomic():
        _editable(actor, application)
    if question.challenge_id != application.challenge_id or question.kind != Question.Kind.FILE:
        raise ValidationError({"file": _("This question does not take a file.")})
    name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:150]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    stem = uuid.uuid4().hex
    if extension in IMAGE_EXTENSIONS:
        try:
            processed = process_image(upload)
        except ImageRejected as error:
            raise ValidationError({"file": ValidationError(error.message, code=error.code)})
        original = processed.renditions["original"]
        content, content_type, sha256 = original.content, original.content_type, processed.sha256
        filename = f"{stem}.{original.extension}"
    else:
        try:
            checked = check_document(upload, filename=name)
        except DocumentRejected as error:
            raise ValidationError({"file": ValidationError(error.message, code=error.code)})
        upload.seek(0)
        content = upload.read()
        content_type, sha256 = checked.content_type, checked.sha256
        filename = f"{stem}.{checked.extension}"
    with transaction.atomic():
        challenge, application = _editable(actor, application)
        ApplicationFile.objects.filter(application=application, question=question).delete()
        stored = ApplicationFile(
            application=application,
            question=question,
            original_name=name,
            content_type=content_type,
            size=len(content),
            sha256=sha256,
            uploaded_by=actor,
        )
        stored.file.save(filename, ContentFile(content), save=False)
        stored.save()
        record_event(
            actor=actor,
            action="application.file_added",
            target=application,
            organisation=application.organisation,
            summary=name,
        )
    return stored


def application_gaps(application: Application) -> list[tuple[str, str]]:
    """What is still missing before the application can be submitted: (step, message)."""
    gaps: list[tuple[str, str]] = []
    if not application.title:
        gaps.append(("about", _("Name your proposal.")))
    if not application.summary:
        gaps.append(("about", _("Summarise your proposal.")))
    files = {f.question_id for f in application.files.all()}
    for question in application.challenge.questions.all():
        if not question.required:
            continue
        answered = (
            question.pk in files
            if question.kind == Question.Kind.FILE
            else str(question.pk) in application.answers
        )
        if not answered:
            gaps.append(("questions", _("Answer: %(question)s") % {"question": question.text}))
    if not application.plan.get("objectives"):
        gaps.append(("plan", _("Set out the trial's objectives.")))
    if not application.kpis:
        gaps.append(("kpis", _("Add at least one KPI.")))
    if application.testbed_id is None:
        gaps.append(("testbed", _("Choose the test bed you want to use.")))
    if not (application.first_day and application.last_day):
        gaps.append(("testbed", _("Enter the dates you want.")))
    return gaps


def application_submit(*, actor: User, application: Application) -> Application:
    """Submit before the closing time. The clock is read once the challenge row is locked,
    so a submission racing the deadline is wholly in or wholly out: its status, time and
    event are written in one transaction, or nothing is."""
    with transaction.atomic():
        challenge, application = _locked(application)
        moment = common.now()
        require_member(actor, application.organisation)
        if application.status != ApplicationStatus.DRAFT:
            raise InvalidTransition(_("Only a draft application can be submitted."))
        common.require_open(challenge, moment)
        gaps = application_gaps(application)
        if gaps:
            raise ValidationError({"__all__": [message for _step, message in gaps]})
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = moment
        application.submitted_by = actor
        application.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        record_event(
            actor=actor,
            action="application.submitted",
            target=application,
            organisation=application.organisation,
            summary=challenge.title,
        )
        emit(
            "application.submitted",
            organisations=[application.organisation, challenge.owner],
            object_type="application",
            object_id=application.pk,
            data={"challenge": challenge.slug},
        )
        notify(
            users=members_of(application.organisation),
            subject=gettext_lazy("Application submitted: %(title)s"),
            subject_params={"title": challenge.title},
            template="challenges/notifications/submitted.txt",
            context={"application": application, "challenge": challenge},
            url=application.get_absolute_url(),
        )
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """The start-up takes its application back, before the close."""
    challenge, application = _locked(application)
    require_member(actor, application.organisation)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise InvalidTransition(_("This application is already withdrawn."))
    common.require_open(challenge, common.now())
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = common.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record_event(
        actor=actor,
        action="application.withdrawn",
        target=application,
        organisation=application.organisation,
        summary=reason.strip()[:300],
    )
    return application
