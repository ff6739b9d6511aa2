"""Who may act for which organisation. Services call these; views never decide alone."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Membership, Organisation, Programme, User

# The memberships CurrentOrganisationMiddleware read for this request's person, kept on
# that request's user object (never shared between requests or people).
READ_MEMBERSHIPS = "_memberships_read_for_request"


def remember_memberships(user: User, memberships: list[Membership]) -> None:
    """Let ``membership_of`` answer from the memberships read at the start of the request
    (a booking request asked for them again two or three times)."""
    setattr(user, READ_MEMBERSHIPS, {m.organisation_id: m for m in memberships})


def forget_memberships(user: User | None) -> None:
    """After a service changed the person's own memberships: read them afresh."""
    if user is not None and hasattr(user, READ_MEMBERSHIPS):
        delattr(user, READ_MEMBERSHIPS)  # on a request's lazy user too


def membership_of(user: User | None, organisation: Organisation) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    read = getattr(user, READ_MEMBERSHIPS, None)
    if read is not None and organisation.pk in read:
        return read[organisation.pk]
    return Membership.objects.filter(user=user, organisation=organisation).first()


def is_member(user: User | None, organisation: Organisation) -> bool:
    return membership_of(user, organisation) is not None


def is_admin_of(user: User | None, organisation: Organisation) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.is_admin


def require_member(
    user: User | None, organisation: Organisation, *, admin: bool = False
) -> Membership:
    """The user's membership of the organisation, or PermissionDenied."""
    membership = membership_of(user, organisation)
    if membership is None:
        raise PermissionDenied(_("You do not act for %(name)s.") % {"name": organisation.name})
    if admin and not membership.is_admin:
        raise PermissionDenied(
            _("Only an admin of %(name)s can do this.") % {"name": organisation.name}
        )
    return membership


def organisations_of(user: User | None, kind: str | None = None) -> QuerySet[Organisation]:
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    organisations = Organisation.objects.filter(memberships__user=user)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def programmes_for_officer(user: User | None) -> QuerySet[Programme]:
    """The programmes whose team the user belongs to."""
    if user is None or not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(team__memberships__user=user)


def is_officer_of(user: User | None, programme: Programme) -> bool:
    return is_member(user, programme.team)
