"""Setting up a challenge: create, change, criteria and questions, test beds, publish, close."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, Programme, Region, User
from accounts.notifications import members_of, notify
from accounts.permissions import require_member
from accounts.webhooks import emit
from core.cache import bump_page_version
from core.exceptions import Conflict, InvalidTransition
from core.text import single_line, unique_slug
from testbeds.models import Sector, Technology, TestBed

from ..models import (
    WEIGHT_TOTAL,
    Challenge,
    ChallengeStatus,
    ChallengeTestBed,
    Criterion,
    Question,
)
from ..timefmt import uk_datetime
from . import common

DETAIL_FIELDS = (
    "title",
    "summary",
    "problem",
    "title_cy",
    "summary_cy",
    "problem_cy",
    "programme",
    "affected",
    "success",
    "region",
    "sectors",
    "technologies",
    "budget_per_award",
    "awards",
    "eligibility",
    "opens_at",
    "closes_at",
    "decisions_by",
    "contact_name",
    "contact_email",
)
MAX_CRITERIA = 12
MAX_AHEAD = datetime.timedelta(days=5 * 365)
# Paths under /challenges/ that a challenge's slug must not take.
RESERVED_SLUGS = {"new", "mine", "feed", "testbed-requests", "assessor-invitations"}
MAX_QUESTIONS = 20


def _check_times(
    opens_at: datetime.datetime, closes_at: datetime.datetime, *, moment: datetime.datetime
) -> None:
    errors = {}
    if closes_at <= moment:
        errors["closes_at"] = _("The closing time must be in the future.")
    elif closes_at > moment + MAX_AHEAD:
        errors["closes_at"] = _("The closing time must be within five years.")
    if opens_at < moment - MAX_AHEAD:
        errors["opens_at"] = _("The opening time must be within five years.")
    if opens_at >= closes_at:
        errors["opens_at"] = _("The opening time must be before the closing time.")
    if errors:
        raise ValidationError(errors)


def _apply_details(challenge: Challenge, fields: dict[str, Any]) -> list[str]:
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    many = {}
    for name, value in fields.items():
        if name in ("sectors", "technologies"):
            many[name] = list(value or [])
            continue
        if isinstance(value, str) and name not in ("region",):
            value = value.strip()
        if name == "programme" and value is not None and not isinstance(value, Programme):
            value = Programme.objects.filter(pk=value).first() if str(value).isdigit() else None
            if value is None:
                raise ValidationError({"programme": _("Choose one of your team's programmes.")})
        setattr(challenge, name, value)
    if not challenge.title:
        raise ValidationError({"title": _("Give the challenge a title.")})
    if not challenge.problem:
        raise ValidationError({"problem": _("Describe the problem in plain English.")})
    if challenge.programme_id and challenge.programme.team_id != challenge.owner_id:
        # Only the team's own programmes; the same answer whether or not the id exists.
        raise ValidationError({"programme": _("Choose one of your team's programmes.")})
    if challenge.region and challenge.region not in Region.values:
        raise ValidationError({"region": _("Choose a region, or UK-wide.")})
    if challenge.budget_per_award is not None and Decimal(challenge.budget_per_award) < 0:
        raise ValidationError({"budget_per_award": _("The budget cannot be negative.")})
    challenge.full_clean(
        exclude=["owner", "slug", "created_by", "status", "opens_at", "closes_at"],
        validate_constraints=False,
    )
    return list(fields), many


def _set_many(challenge: Challenge, many: dict[str, list]) -> None:
    if "sectors" in many:
        challenge.sectors.set(
            Sector.objects.filter(pk__in=[getattr(s, "pk", s) for s in many["sectors"]])
        )
    if "technologies" in many:
        challenge.technologies.set(
            Technology.objects.filter(pk__in=[getattr(t, "pk", t) for t in many["technologies"]])
        )


@transaction.atomic
def challenge_create(
    *, actor: User, owner: Organisation, title: str, problem: str, summary: str = "", **fields: Any
) -> Challenge:
    """A draft challenge, owned by a public body or a programme team the actor belongs to."""
    require_member(actor, owner)
    if owner.kind not in common.OWNER_KINDS:
        raise PermissionDenied(_("Challenges are set by public bodies and programme teams."))
    moment = common.now()
    opens_at = fields.pop("opens_at", None) or moment
    closes_at = fields.pop("closes_at", None)
    if closes_at is None:
        raise ValidationError({"closes_at": _("Enter the closing date and time.")})
    _check_times(opens_at, closes_at, moment=moment)
    slug = unique_slug(Challenge, title)
    if slug in RESERVED_SLUGS:
        slug = unique_slug(Challenge, f"{title} challenge")
    challenge = Challenge(
        owner=owner,
        created_by=actor,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    _fields, many = _apply_details(
        challenge, {"title": title, "problem": problem, "summary": summary, **fields}
    )
    challenge.save()
    _set_many(challenge, many)
    record_event(
        actor=actor,
        action="challenge.created",
        target=challenge,
        organisation=owner,
        summary=challenge.title,
    )
    return challenge


def challenge_update(*, actor: User, challenge: Challenge, **fields: Any) -> Challenge:
    """Change the details. Once published: before the close only, the opening time only until
    it has passed, and every follower is told."""
    with transaction.atomic():
        challenge = common.lock_challenge(challenge)
        common.require_owner(actor, challenge)
        moment = common.now()
        if challenge.status not in (ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED):
            raise Conflict(_("A closed challenge cannot be changed."), code="closed")
        if challenge.status == ChallengeStatus.PUBLISHED:
            if challenge.has_closed(moment):
                raise Conflict(
                    _("This challenge closed at %(time)s. Nothing can be changed after the close.")
                    % {"time": uk_datetime(challenge.closes_at)},
                    code="closed",
                )
            if (
                "opens_at" in fields
                and fields["opens_at"] != challenge.opens_at
                and challenge.opens_at <= moment
            ):
                raise ValidationError(
                    {"opens_at": _("The challenge has opened: its opening time cannot change.")}
                )
        old_closes_at = challenge.closes_at
        opens_at = fields.get("opens_at", challenge.opens_at)
        closes_at = fields.get("closes_at", challenge.closes_at)
        if "opens_at" in fields or "closes_at" in fields:
            if closes_at != old_closes_at or challenge.status == ChallengeStatus.DRAFT:
                _check_times(opens_at, closes_at, moment=moment)
            elif opens_at >= closes_at:
                raise ValidationError(
                    {"opens_at": _("The opening time must be before the closing time.")}
                )
        changed, many = _apply_details(challenge, fields)
        challenge.save()
        _set_many(challenge, many)
        record_event(
            actor=actor,
            action="challenge.updated",
            target=challenge,
            organisation=challenge.owner,
            summary=", ".join(sorted(changed)),
        )
        if challenge.status == ChallengeStatus.PUBLISHED and changed:
            common.tell_followers(
                challenge,
                what="changed",
                closes_changed=old_closes_at != challenge.closes_at,
            )
    return challenge


def _require_draft(challenge: Challenge) -> None:
    if challenge.status != ChallengeStatus.DRAFT:
        raise Conflict(
            _("Criteria and questions are fixed once the challenge is published."),
            code="published",
        )


@transaction.atomic
def criteria_set(*, actor: User, challenge: Challenge, criteria: list[dict]) -> list[Criterion]:
    """Replace the criteria. Weights are whole percentages that sum to 100; otherwise
    nothing is saved."""
    challenge = common.lock_challenge(challenge)
    common.require_owner(actor, challenge)
    _require_draft(challenge)
    rows = [row for row in criteria if str(row.get("name", "")).strip()]
    if not rows:
        raise ValidationError({"criteria": _("Add at least one criterion.")})
    if len(rows) > MAX_CRITERIA:
        raise ValidationError({"criteria": _("A challenge can have up to 12 criteria.")})
    cleaned = []
    for number, row in enumerate(rows, start=1):
        try:
            weight = int(row.get("weight"))
        except (TypeError, ValueError):
            raise ValidationError(
                {
                    "criteria": _("Criterion %(n)s: enter its weight as a whole number.")
                    % {"n": number}
                }
            )
        if not 1 <= weight <= 100:
            raise ValidationError(
                {
                    "criteria": _("Criterion %(n)s: its weight must be between 1 and 100.")
                    % {"n": number}
                }
            )
        cleaned.append(
            Criterion(
                challenge=challenge,
                name=single_line(str(row["name"]), "criteria")[:150],
                guidance=str(row.get("guidance", "")).strip()[:3000],
                weight=weight,
                position=number,
            )
        )
    total = sum(c.weight for c in cleaned)
    if total != WEIGHT_TOTAL:
        raise ValidationError(
            {
                "criteria": _("The weights add up to %(total)s. They must add up to 100.")
                % {"total": total}
            }
        )
    challenge.criteria.all().delete()
    created = Criterion.objects.bulk_create(cleaned)
    record_event(
        actor=actor,
        action="challenge.criteria_set",
        target=challenge,
        organisation=challenge.owner,
        summary=", ".join(f"{c.name} {c.weight}%" for c in cleaned),
    )
    return created


@transaction.atomic
def questions_set(*, actor: User, challenge: Challenge, questions: list[dict]) -> list[Question]:
    challenge = common.lock_challenge(challenge)
    common.require_owner(actor, challenge)
    _require_draft(challenge)
    rows = [row for row in questions if str(row.get("text", "")).strip()]
    if len(rows) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("A challenge can have up to 20 questions.")})
    cleaned = []
    for number, row in enumerate(rows, start=1):
        kind = row.get("kind") or Question.Kind.TEXT
        if kind not in Question.Kind.values:
            raise ValidationError(
                {"questions": _("Question %(n)s: choose the type of answer.") % {"n": number}}
            )
        cleaned.append(
            Question(
                challenge=challenge,
                text=single_line(str(row["text"]), "questions")[:300],
                hint=single_line(str(row.get("hint", "")), "questions")[:300],
                kind=kind,
                required=bool(row.get("required", True)),
                position=number,
            )
        )
    challenge.questions.all().delete()
    created = Question.objects.bulk_create(cleaned)
    record_event(
        actor=actor,
        action="challenge.questions_set",
        target=challenge,
        organisation=challenge.owner,
        summary=str(len(cleaned)),
    )
    return created


@transaction.atomic
def testbed_link(*, actor: User, challenge: Challenge, testbed: TestBed) -> ChallengeTestBed:
    """Name a test bed. The owner's own is agreed at once; another body's waits for its admin."""
    challenge = common.lock_challenge(challenge)
    common.require_owner(actor, challenge)
    if challenge.status not in (ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED):
        raise Conflict(_("A closed challenge cannot be changed."), code="closed")
    if testbed.status != TestBed.Status.PUBLISHED:
        raise ValidationError({"testbed": _("Choose a published test bed.")})
    own = testbed.organisation_id == challenge.owner_id
    link, created = ChallengeTestBed.objects.get_or_create(
        challenge=challenge,
        testbed=testbed,
        defaults={
            "requested_by": actor,
            "status": ChallengeTestBed.Status.AGREED if own else ChallengeTestBed.Status.PENDING,
            "decided_at": common.now() if own else None,
            "decided_by": actor if own else None,
        },
    )
    if not created and link.status == ChallengeTestBed.Status.DECLINED:
        raise Conflict(
            _("%(body)s declined this test bed for the challenge.")
            % {"body": testbed.organisation.name},
            code="declined",
        )
    if created:
        record_event(
            actor=actor,
            action="challenge.testbed_linked",
            target=challenge,
            organisation=challenge.owner,
            summary=testbed.name,
        )
        if not own:
            notify(
                users=members_of(testbed.organisation, admins_only=True),
                subject=gettext_lazy("A challenge would like to name %(testbed)s"),
                subject_params={"testbed": testbed.name},
                template="challenges/notifications/link_requested.txt",
                context={"challenge": challenge, "testbed": testbed},
                url="/challenges/testbed-requests/",
            )
    return link


@transaction.atomic
def testbed_link_respond(*, actor: User, link: ChallengeTestBed, agree: bool) -> ChallengeTestBed:
    """An admin of the test bed's public body agrees (or not) to its naming in a challenge."""
    link = (
        ChallengeTestBed.objects.select_for_update()
        .select_related("testbed__organisation", "challenge__owner")
        .get(pk=link.pk)
    )
    require_member(actor, link.testbed.organisation, admin=True)
    if link.status != ChallengeTestBed.Status.PENDING:
        raise InvalidTransition(_("This request has already been answered."))
    link.status = ChallengeTestBed.Status.AGREED if agree else ChallengeTestBed.Status.DECLINED
    link.decided_by = actor
    link.decided_at = common.now()
    link.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        actor=actor,
        action="challenge.testbed_agreed" if agree else "challenge.testbed_declined",
        target=link.challenge,
        organisation=link.testbed.organisation,
        summary=link.testbed.name,
    )
    notify(
        users=members_of(link.challenge.owner),
        subject=gettext_lazy("Test bed request answered: %(testbed)s"),
        subject_params={"testbed": link.testbed.name},
        template="challenges/notifications/link_answered.txt",
        context={"link": link},
        url=link.challenge.get_absolute_url(),
    )
    return link


@transaction.atomic
def testbed_unlink(*, actor: User, link: ChallengeTestBed) -> None:
    challenge = common.lock_challenge(link.challenge_id)
    common.require_owner(actor, challenge)
    _require_draft(challenge)
    record_event(
        actor=actor,
        action="challenge.testbed_unlinked",
        target=challenge,
        organisation=challenge.owner,
        summary=link.testbed.name,
    )
    link.delete()


def publish_gaps(challenge: Challenge, moment: datetime.datetime) -> list[str]:
    """What stops the challenge being published, in words for the owner."""
    gaps = []
    criteria = list(challenge.criteria.all())
    if not criteria:
        gaps.append(_("Add the assessment criteria."))
    elif sum(c.weight for c in criteria) != WEIGHT_TOTAL:
        gaps.append(_("The criteria's weights must add up to 100."))
    if challenge.closes_at <= moment:
        gaps.append(_("The closing time must be in the future."))
    if not challenge.links.filter(status=ChallengeTestBed.Status.AGREED).exists():
        gaps.append(_("Name at least one test bed (agreed by its provider)."))
    return gaps


@transaction.atomic
def challenge_publish(*, actor: User, challenge: Challenge) -> Challenge:
    challenge = common.lock_challenge(challenge)
    common.require_owner(actor, challenge)
    if challenge.status != ChallengeStatus.DRAFT:
        raise InvalidTransition(_("Only a draft challenge can be published."))
    moment = common.now()
    gaps = publish_gaps(challenge, moment)
    if gaps:
        raise ValidationError({"__all__": gaps})
    challenge.status = ChallengeStatus.PUBLISHED
    challenge.published_at = moment
    challenge.save(update_fields=["status", "published_at", "updated_at"])
    bump_page_version()  # /regions/ counts open challenges
    record_event(
        actor=actor,
        action="challenge.published",
        target=challenge,
        organisation=challenge.owner,
        summary=challenge.title,
    )
    emit(
        "challenge.published",
        organisations=[challenge.owner],
        object_type="challenge",
        object_id=challenge.pk,
        data={"slug": challenge.slug, "closes_at": challenge.closes_at.isoformat()},
    )
    common.follow(actor, challenge)
    return challenge


def close_due_challenges(moment: datetime.datetime | None = None) -> int:
    """Mark published challenges past their closing time as closed (idempotent; run often).

    Deadlines never wait for this job: submissions check the closing time itself.
    """
    moment = moment or common.now()
    closed = 0
    due = Challenge.objects.filter(status=ChallengeStatus.PUBLISHED, closes_at__lte=moment)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            challenge = common.lock_challenge(pk)
            if challenge.status != ChallengeStatus.PUBLISHED or challenge.closes_at > moment:
                continue
            challenge.status = ChallengeStatus.CLOSED
            challenge.closed_at = moment
            challenge.save(update_fields=["status", "closed_at", "updated_at"])
            bump_page_version()
            record_event(
                actor=None,
                action="challenge.closed",
                target=challenge,
                organisation=challenge.owner,
                summary=challenge.title,
            )
            closed += 1
    return closed


def close_if_due(challenge: Challenge, moment: datetime.datetime) -> Challenge:
    """Inside a transaction holding the challenge lock: close it now if its time has come."""
    if challenge.status == ChallengeStatus.PUBLISHED and challenge.closes_at <= moment:
        challenge.status = ChallengeStatus.CLOSED
        challenge.closed_at = moment
        challenge.save(update_fields=["status", "closed_at", "updated_at"])
        bump_page_version()
        record_event(
            actor=None,
            action="challenge.closed",
            target=challenge,
            organisation=challenge.owner,
            summary=challenge.title,
        )
    return challenge


def follow_set(*, user: User, challenge: Challenge, following: bool) -> None:
    """Follow or stop following a published challenge (a preference, not audited)."""
    if not challenge.is_public:
        raise PermissionDenied(_("This challenge is not published."))
    if following:
        common.follow(user, challenge)
    else:
        challenge.follows.filter(user=user).delete()
