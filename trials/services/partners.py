"""Partners: organisations that work on a trial with the start-up.

The start-up invites a partner by e-mail, with a role and a line on what they bring. The
invitation link carries a one-time token (only its hash is stored) and works for the
invited address only; an invitee without an account signs up through it. On accepting,
the invitee names the organisation that partners (one of theirs, or a new company or
university). Partners see the trial, its KPIs, log and files and may add log entries and
files, marked as theirs. Removing a partner keeps what they added.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.events import record_event
from accounts.models import Organisation, Region, User, hash_token
from accounts.notifications import members_of, notify
from accounts.permissions import is_member
from accounts.webhooks import emit_for_trial
from core.exceptions import Conflict
from core.tasks import enqueue_named

from ..models import PartnerRole, Trial, TrialPartner, TrialStatus
from .common import require_startup_of

SEND_INVITATION = "trials.tasks.send_partner_invitation"
# Kinds of organisation that may partner in a trial.
PARTNER_KINDS = {
    Organisation.Kind.COMPANY,
    Organisation.Kind.UNIVERSITY,
    Organisation.Kind.PUBLIC_BODY,
}
# New partner organisations made while accepting an invitation.
NEW_PARTNER_KINDS = {Organisation.Kind.COMPANY, Organisation.Kind.UNIVERSITY}
CLOSED_STATUSES = {
    TrialStatus.DECLINED,
    TrialStatus.WITHDRAWN,
    TrialStatus.CANCELLED,
    TrialStatus.ACCEPTED,
}
CONTRIBUTION_LIMIT = 300


def new_partner_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _clean_invitation(email: str, role: str, contribution: str) -> tuple[str, str]:
    email = (email or "").strip().lower()
    contribution = (contribution or "").strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter an e-mail address, like name@example.org.")
    if role not in PartnerRole.values:
        errors["role"] = _("Choose the partner's role.")
    if not contribution:
        errors["contribution"] = _("Say in a line what the partner brings.")
    elif len(contribution) > CONTRIBUTION_LIMIT:
        errors["contribution"] = _("Keep it under %(n)s characters.") % {"n": CONTRIBUTION_LIMIT}
    if errors:
        raise ValidationError(errors)
    return email, contribution


def partner_invite(
    *, actor: User, trial: Trial, email: str, role: str, contribution: str
) -> tuple[TrialPartner, str]:
    """Invite a partner by e-mail. Returns the invitation and its one-time token."""
    email, contribution = _clean_invitation(email, role, contribution)
    with transaction.atomic():
        trial = (
            Trial.objects.select_for_update(of=("self",))
            .select_related("organisation", "testbed__organisation", "programme")
            .get(pk=trial.pk)
        )
        require_startup_of(actor, trial)
        if trial.status in CLOSED_STATUSES:
            raise Conflict(
                _("A trial that is %(status)s takes no new partners.")
                % {"status": trial.get_status_display().lower()},
                code="not_editable",
            )
        if trial.partners.filter(
            removed_at__isnull=True,
            organisation__memberships__user__email__iexact=email,
        ).exists():
            raise ValidationError(
                {"email": _("%(email)s is a partner already.") % {"email": email}}
            )
        # A fresh invitation replaces one still open for the same address.
        trial.partners.filter(
            email__iexact=email, accepted_at__isnull=True, removed_at__isnull=True
        ).update(removed_at=timezone.now(), removed_by=actor)
        token = new_partner_token()
        partner = TrialPartner.objects.create(
            trial=trial,
            email=email,
            role=role,
            contribution=contribution,
            token_hash=hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record_event(
            actor=actor,
            action="partner.invited",
            target=partner,
            organisation=trial.organisation,
            summary=email,
        )
        language = actor.language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: enqueue_named(SEND_INVITATION, partner.pk, token, language))
    return partner, token


def partner_for_token(token: str) -> TrialPartner | None:
    if not token or len(token) > 100:
        return None
    return (
        TrialPartner.objects.select_related("trial__organisation", "trial__testbed", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _partner_organisation(
    user: User, trial: Trial, organisation: Organisation | None, new: dict | None
) -> Organisation:
    if organisation is not None:
        if not is_member(user, organisation):
            raise PermissionDenied(_("You do not act for %(name)s.") % {"name": organisation.name})
        if organisation.kind not in PARTNER_KINDS:
            raise ValidationError(
                {"organisation": _("A company, a university or a public body can be a partner.")}
            )
        if organisation.pk in (trial.organisation_id, trial.testbed.organisation_id):
            raise ValidationError(
                {"organisation": _("The start-up and the test bed's provider are not partners.")}
            )
        return organisation
    new = new or {}
    name = (new.get("name") or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter the name of your organisation.")
    elif len(name) > 200:
        errors["name"] = _("Keep the name under 200 characters.")
    if new.get("kind") not in NEW_PARTNER_KINDS:
        errors["kind"] = _("Choose company or university.")
    if new.get("region") not in Region.values:
        errors["region"] = _("Choose the region.")
    if errors:
        raise ValidationError(errors)
    return account_services.organisation_create(
        actor=user,
        first_admin=user,
        kind=new["kind"],
        name=name,
        region=new["region"],
        website=(new.get("website") or "").strip()[:200],
    )


@transaction.atomic
def partner_accept(
    *,
    user: User,
    token: str,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
) -> TrialPartner:
    """Join the trial as a partner, for one of the user's organisations or a new one.

    The user must hold the invited address, verified: a forwarded link lets no one else in.
    """
    found = partner_for_token(token)
    if found is None:
        raise ValidationError(_("This invitation link is not valid."))
    partner = (
        TrialPartner.objects.select_for_update(of=("self",))
        .select_related("trial__organisation", "trial__testbed__organisation", "trial__programme")
        .get(pk=found.pk)
    )
    if partner.status != "invited":
        raise Conflict(
            _("This invitation is no longer open: %(status)s.")
            % {"status": partner.get_status_text().lower()},
            code="invitation_" + partner.status,
        )
    if not account_services.user_has_verified_email(user, partner.email):
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": partner.email}
        )
    trial = partner.trial
    chosen = _partner_organisation(user, trial, organisation, new_organisation)
    partner.organisation = chosen
    partner.accepted_at = timezone.now()
    partner.accepted_by = user
    try:
        with transaction.atomic():
            partner.save(update_fields=["organisation", "accepted_at", "accepted_by"])
    except IntegrityError:
        raise Conflict(
            _("%(name)s is a partner in this trial already.") % {"name": chosen.name},
            code="already_partner",
        ) from None
    record_event(
        actor=user,
        action="partner.joined",
        target=partner,
        organisation=chosen,
        summary=f"{chosen.name}: {trial.title}"[:300],
    )
    notify(
        users=members_of(trial.organisation),
        subject=gettext_lazy("%(partner)s joined your trial: %(title)s"),
        subject_params={"partner": chosen.name, "title": trial.title},
        template="trials/notifications/partner_joined.txt",
        context={"trial": trial, "partner": partner},
        url=trial.get_absolute_url() + "#partners",
    )
    emit_for_trial(
        "trial.partner_added",
        trial,
        partner=partner.pk,
        organisation=chosen.slug,
        role=partner.role,
    )
    return partner


@transaction.atomic
def partner_remove(*, actor: User, partner: TrialPartner) -> TrialPartner:
    """Take a partner off the trial (or withdraw an open invitation). What they added stays."""
    partner = (
        TrialPartner.objects.select_for_update(of=("self",))
        .select_related("trial__organisation", "organisation")
        .get(pk=partner.pk)
    )
    require_startup_of(actor, partner.trial)
    if partner.removed_at is not None:
        raise Conflict(_("This partner has been removed already."), code="already_removed")
    partner.removed_at = timezone.now()
    partner.removed_by = actor
    partner.save(update_fields=["removed_at", "removed_by"])
    record_event(
        actor=actor,
        action="partner.removed",
        target=partner,
        organisation=partner.trial.organisation,
        summary=str(partner.organisation or partner.email),
    )
    return partner
