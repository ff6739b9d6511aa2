"""Reads for accounts pages, scoped to what the person may see."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Invitation, Membership, Organisation, User


def organisation_for_member(*, user: User, slug: str) -> Organisation:
    """The organisation if the user belongs to it; 404 otherwise (its existence stays private)."""
    organisation = Organisation.objects.filter(slug=slug, memberships__user=user).first()
    if organisation is None:
        raise Http404
    return organisation


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by(
        "user__full_name", "user__email"
    )


def organisation_pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.pending().select_related("invited_by")
