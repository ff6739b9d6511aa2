"""Other public bodies say "we want to adopt this too"; the start-up chooses a contact."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Organisation, User
from accounts.notifications import members_of, notify
from accounts.permissions import organisations_of
from accounts.webhooks import emit_for_trial
from core.exceptions import Conflict

from ..models import Adoption, Interest
from .common import clean_text, locked, refuse, require_startup


def interested_body(actor: User, adoption: Adoption, organisation: Organisation | None = None):
    """The public body the actor speaks for: not the trial's own."""
    bodies = organisations_of(actor, kind=Organisation.Kind.PUBLIC_BODY).exclude(
        pk=adoption.trial.testbed.organisation_id
    )
    if organisation is not None:
        if not bodies.filter(pk=organisation.pk).exists():
            raise PermissionDenied(_("Only another public body can register interest."))
        return organisation
    bodies = list(bodies[:2])
    if not bodies:
        raise PermissionDenied(_("Only another public body can register interest."))
    if len(bodies) > 1:
        raise ValidationError({"organisation": _("Say which public body is interested.")})
    return bodies[0]


def _tell(adoption: Adoption, interest: Interest, what: str) -> None:
    trial = adoption.trial
    notify(
        users=members_of(trial.organisation) + members_of(trial.testbed.organisation),
        subject=(
            gettext_lazy("%(body)s wants to adopt: %(title)s")
            if what == "registered"
            else gettext_lazy("%(body)s withdrew its interest: %(title)s")
        ),
        subject_params={"body": interest.organisation.name, "title": trial.title},
        template=f"adoption/notifications/interest_{what}.txt",
        context={"trial": trial, "interest": interest, "adoption": adoption},
        url=adoption.get_absolute_url(),
    )


@transaction.atomic
def interest_register(
    *, actor: User, adoption: Adoption, note: str = "", organisation: Organisation | None = None
) -> Interest:
    """Register the actor's public body's interest in a published outcome. One open
    interest per body; the start-up and the original public body are told."""
    adoption = locked(adoption)
    if adoption.published_at is None:
        raise Http404
    body = interested_body(actor, adoption, organisation)
    errors: dict = {}
    note = clean_text(note, "note", errors, limit=1000)
    refuse(errors)
    if adoption.interests.filter(organisation=body, withdrawn_at__isnull=True).exists():
        raise Conflict(
            _("%(body)s has already registered interest.") % {"body": body.name},
            code="already_interested",
        )
    try:
        with transaction.atomic():
            interest = Interest.objects.create(
                adoption=adoption,
                organisation=body,
                note=note,
                created_by=actor,
                created_by_name=actor.get_full_name(),
            )
    except IntegrityError:
        raise Conflict(
            _("%(body)s has already registered interest.") % {"body": body.name},
            code="already_interested",
        ) from None
    record_event(
        actor=actor,
        action="adoption.interest_registered",
        target=adoption,
        organisation=body,
        summary=adoption.trial.reference,
    )
    emit_for_trial(
        "adoption.interest",
        adoption.trial,
        adoption_id=adoption.pk,
        action="registered",
        organisation=body.slug,
    )
    _tell(adoption, interest, "registered")
    return interest


@transaction.atomic
def interest_withdraw(
    *, actor: User, adoption: Adoption, organisation: Organisation | None = None
) -> Interest:
    adoption = locked(adoption)
    bodies = organisations_of(actor, kind=Organisation.Kind.PUBLIC_BODY)
    if organisation is not None:
        bodies = bodies.filter(pk=organisation.pk)
    interest = (
        adoption.interests.select_for_update(of=("self",))
        .filter(organisation__in=bodies, withdrawn_at__isnull=True)
        .select_related("organisation")
        .first()
    )
    if interest is None:
        raise Http404
    interest.withdrawn_at = timezone.now()
    interest.save(update_fields=["withdrawn_at"])
    record_event(
        actor=actor,
        action="adoption.interest_withdrawn",
        target=adoption,
        organisation=interest.organisation,
        summary=adoption.trial.reference,
    )
    emit_for_trial(
        "adoption.interest",
        adoption.trial,
        adoption_id=adoption.pk,
        action="withdrawn",
        organisation=interest.organisation.slug,
    )
    _tell(adoption, interest, "withdrawn")
    return interest


@transaction.atomic
def contact_email_set(*, actor: User, adoption: Adoption, email: str) -> Adoption:
    """The address interested bodies may write to; empty hides it again."""
    adoption = locked(adoption)
    require_startup(actor, adoption.trial)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"contact_email": _("Enter a real e-mail address.")}) from None
        if len(email) > 254:
            raise ValidationError({"contact_email": _("The address is too long.")})
    adoption.contact_email = email
    adoption.save(update_fields=["contact_email"])
    record_event(
        actor=actor,
        action="adoption.contact_set",
        target=adoption,
        organisation=adoption.trial.organisation,
        summary="shown" if email else "hidden",
    )
    return adoption
