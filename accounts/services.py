"""Every change to accounts, organisations and programmes goes through here.

Each service checks permission, runs in one transaction and records an event;
side effects (e-mail) are enqueued on commit.
"""

from __future__ import annotations

import datetime
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import bump_page_version
from core.exceptions import Conflict
from core.tasks import enqueue
from core.text import single_line, unique_slug

from .events import record_event
from .models import (
    Invitation,
    Membership,
    Organisation,
    Programme,
    ProgrammeEnrolment,
    User,
    hash_token,
)
from .permissions import forget_memberships, require_member


@transaction.atomic
def user_update_profile(*, user: User, full_name: str) -> User:
    full_name = single_line(full_name, "full_name")
    if not full_name:
        raise ValidationError({"full_name": _("Enter your full name.")})
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    record_event(actor=user, action="user.profile_updated", target=user, summary=full_name)
    return user


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    kind: str,
    name: str,
    region: str,
    website: str = "",
    description: str = "",
    working_language: str = settings.LANGUAGE_CODE,
    first_admin: User | None = None,
) -> Organisation:
    """Create an organisation with the actor (or first_admin) as its first admin.

    Anyone signed in can set up a start-up or a public body; programme teams are
    set up by staff, because officers see every trial in their programmes.
    """
    if kind == Organisation.Kind.PROGRAMME_TEAM and not actor.is_staff:
        raise PermissionDenied(_("Programme teams are set up by the service's staff."))
    if kind not in Organisation.Kind.values:
        raise ValidationError({"kind": _("Choose the type of organisation.")})
    name = single_line(name, "name")
    _check_language(working_language)
    organisation = Organisation.objects.create(
        kind=kind,
        name=name.strip(),
        slug=unique_slug(Organisation, name),
        region=region,
        website=website,
        description=description,
        working_language=working_language,
    )
    Membership.objects.create(
        user=first_admin or actor, organisation=organisation, role=Membership.Role.ADMIN
    )
    follow_working_language(first_admin or actor, organisation)
    record_event(
        actor=actor,
        action="organisation.created",
        target=organisation,
        organisation=organisation,
        summary=organisation.name,
    )
    return organisation


@transaction.atomic
def membership_add(
    *, actor: User, organisation: Organisation, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    """Add a person directly (staff and set-up scripts; others use invitations)."""
    if not actor.is_staff:
        require_member(actor, organisation, admin=True)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if created:
        follow_working_language(user, organisation)
        record_event(
            actor=actor,
            action="membership.added",
            target=membership,
            organisation=organisation,
            summary=user.email,
        )
    return membership


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields: str) -> Organisation:
    require_member(actor, organisation, admin=True)
    allowed = {"name", "region", "website", "description", "working_language"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(organisation, name, value)
    organisation.full_clean(exclude=["slug", "calendar_token"])
    _check_language(organisation.working_language)
    organisation.save()
    if "working_language" in fields:
        # Members who never chose a language follow the organisation's new one.
        User.objects.filter(memberships__organisation=organisation, language_chosen=False).update(
            language=organisation.working_language
        )
    bump_page_version()  # provider names show on cached catalogue pages
    record_event(
        actor=actor,
        action="organisation.updated",
        target=organisation,
        organisation=organisation,
        summary=", ".join(sorted(fields)),
    )
    return organisation


def invitation_send(
    *, actor: User, organisation: Organisation, email: str, role: str = Membership.Role.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and its one-time token."""
    from .tasks import send_invitation_email

    email = email.strip().lower()
    with transaction.atomic():
        require_member(actor, organisation, admin=True)
        if role not in Membership.Role.values:
            raise ValidationError({"role": _("Choose admin or member.")})
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
        # A fresh invitation replaces any earlier one still pending for the address.
        organisation.invitations.pending().filter(email__iexact=email).update(
            revoked_at=timezone.now()
        )
        token = Invitation.new_token()
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record_event(
            actor=actor,
            action="invitation.sent",
            target=invitation,
            organisation=organisation,
            summary=email,
        )
        # In the inviter's language: the invitee has no preference yet.
        language = actor.language or settings.LANGUAGE_CODE
        transaction.on_commit(
            partial(enqueue, send_invitation_email, invitation.pk, token, language)
        )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def user_has_verified_email(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """Join the inviting organisation.

    The invitee must hold the invited address, verified: an invitation link
    forwarded to someone else does not let them in.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise Conflict(
            _("This invitation has been %(status)s.") % {"status": invitation.get_status_text()},
            code="invitation_" + invitation.status,
        )
    if not user_has_verified_email(user, invitation.email):
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if created:
        follow_working_language(user, invitation.organisation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        actor=user,
        action="invitation.accepted",
        target=invitation,
        organisation=invitation.organisation,
        summary=user.email,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require_member(actor, invitation.organisation, admin=True)
    if invitation.status != "pending":
        raise Conflict(_("Only a pending invitation can be withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        organisation=invitation.organisation,
        summary=invitation.email,
    )
    return invitation


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require_member(actor, membership.organisation, admin=True)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose admin or member.")})
    if role != Membership.Role.ADMIN and membership.is_admin and not _other_admins(membership):
        raise Conflict(_("An organisation needs at least one admin."), code="last_admin")
    membership.role = role
    membership.save(update_fields=["role"])
    if actor.pk == membership.user_id:
        forget_memberships(actor)
    record_event(
        actor=actor,
        action="membership.role_changed",
        target=membership,
        organisation=membership.organisation,
        summary=f"{membership.user.email}: {role}",
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An admin removes a member, or a member leaves."""
    if actor.pk != membership.user_id:
        require_member(actor, membership.organisation, admin=True)
    if membership.is_admin and not _other_admins(membership):
        raise Conflict(_("An organisation needs at least one admin."), code="last_admin")
    record_event(
        actor=actor,
        action="membership.removed",
        target=membership,
        organisation=membership.organisation,
        summary=membership.user.email,
    )
    membership.delete()
    if actor.pk == membership.user_id:
        forget_memberships(actor)


@transaction.atomic
def programme_create(
    *,
    actor: User,
    team: Organisation,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    description: str = "",
    region_focus: str = "",
) -> Programme:
    if not actor.is_staff:
        require_member(actor, team, admin=True)
    if not team.is_programme_team:
        raise ValidationError({"team": _("Programmes are run by programme teams.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})
    name = single_line(name, "name")
    programme = Programme.objects.create(
        team=team,
        name=name,
        description=description,
        region_focus=region_focus,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    record_event(
        actor=actor, action="programme.created", target=programme, organisation=team, summary=name
    )
    return programme


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str, verified: bool = False, is_staff: bool = False
) -> User:
    """Create a person outside sign-up (set-up scripts, staff). Sign-up itself is allauth's."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    user = User.objects.create_user(
        email, password, full_name=full_name, is_staff=is_staff, is_superuser=is_staff
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    record_event(actor=None, action="user.created", target=user, summary=email)
    return user


@transaction.atomic
def organisation_reset_calendar_token(*, actor: User, organisation: Organisation) -> Organisation:
    """A new secret address for the organisation's trial calendar; the old one stops working."""
    require_member(actor, organisation)
    organisation.calendar_token = secrets.token_urlsafe(24)
    organisation.save(update_fields=["calendar_token"])
    record_event(
        actor=actor,
        action="organisation.calendar_reset",
        target=organisation,
        organisation=organisation,
    )
    return organisation


def notifications_mark_read(*, user: User, ids: list[int]) -> int:
    """Mark the person's own notifications as read. Reading is not audited."""
    from .models import Notification

    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# API tokens and webhooks: their services live beside their machinery (accounts/tokens.py,
# accounts/webhooks.py) and are listed here so every write can be found in one place.
from .tokens import token_create, token_revoke  # noqa: E402, F401
from .webhooks import (  # noqa: E402, F401
    webhook_disable,
    webhook_enable,
    webhook_new_secret,
    webhook_register,
    webhook_remove,
    webhook_reveal_secret,
)


def user_set_language(*, user: User, language: str) -> None:
    """The language of the person's e-mails and notifications (a preference, not audited).

    Chosen by the person, so it no longer follows their organisation's working language.
    """
    if language in dict(settings.LANGUAGES) and (
        user.language != language or not user.language_chosen
    ):
        User.objects.filter(pk=user.pk).update(language=language, language_chosen=True)
        user.language = language
        user.language_chosen = True


def follow_working_language(user: User, organisation: Organisation) -> None:
    """Someone joining an organisation that works in Welsh gets Welsh (e-mails, the service
    when they sign in) unless they chose a language themselves."""
    if user.language_chosen or organisation.working_language == settings.LANGUAGE_CODE:
        return
    if user.language != organisation.working_language:
        User.objects.filter(pk=user.pk).update(language=organisation.working_language)
        user.language = organisation.working_language


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"working_language": _("Choose English or Welsh.")})


def programme_enrol(
    *, actor: User | None, programme: Programme, organisation: Organisation
) -> ProgrammeEnrolment:
    """Enrol a start-up in a programme (its team or staff): its trials may then join it.

    ``actor=None``: the service itself, on a decision already checked — an award of the
    programme's challenge is the programme's acceptance of the start-up."""
    if actor is not None and not actor.is_staff:
        require_member(actor, programme.team)
    if not organisation.is_start_up:
        raise ValidationError({"organisation": _("Only start-ups take part in programmes.")})
    enrolment, created = ProgrammeEnrolment.objects.get_or_create(
        programme=programme, organisation=organisation, defaults={"enrolled_by": actor}
    )
    if created:
        record_event(
            actor=actor,
            action="programme.enrolled",
            target=programme,
            organisation=programme.team,
            summary=organisation.name,
        )
    return enrolment


def programmes_open_to(
    organisation: Organisation, day: datetime.date | None = None
) -> QuerySet[Programme]:
    """The programmes the start-up takes part in (running on ``day``, when given)."""
    programmes = Programme.objects.filter(enrolments__organisation=organisation)
    if day is not None:
        programmes = programmes.filter(starts_on__lte=day, ends_on__gte=day)
    return programmes.select_related("team").order_by("name")


def check_programme_for_trial(
    organisation: Organisation, programme: Programme | None, first_day: datetime.date
) -> None:
    """A trial may name only a programme its start-up is enrolled in, running on its first
    day. Unknown and not-allowed programmes get the same error: ids are not revealed."""
    if programme is None:
        return
    if not programmes_open_to(organisation, first_day).filter(pk=programme.pk).exists():
        raise ValidationError({"programme": programme_not_allowed_message()})


def programme_not_allowed_message() -> str:
    return _("Choose a programme your start-up takes part in that runs on the trial's first day.")
