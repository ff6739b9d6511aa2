"""A person deleting their account: their name goes from adoption records; the records stay."""

from __future__ import annotations

from accounts.models import Membership, User
from trials.data_rights import DELETED_NAME

from .models import Adoption, AdoptionDecision, ImpactReport, Interest


def erase_person(user: User) -> None:
    """Registered with ``trials.data_rights``; runs inside the account deletion's transaction."""
    AdoptionDecision.objects.filter(decided_by=user).update(decided_by_name=DELETED_NAME)
    Interest.objects.filter(created_by=user).update(created_by_name=DELETED_NAME)
    ImpactReport.objects.filter(submitted_by=user).update(submitted_by_name=DELETED_NAME)
    # These two names were recorded without a link to the person: match the name within the
    # organisations the person acted for.
    organisations = Membership.objects.filter(user=user).values("organisation")
    ImpactReport.objects.filter(
        provider_comment_by_name=user.get_full_name(),
        adoption__trial__testbed__organisation__in=organisations,
    ).update(provider_comment_by_name=DELETED_NAME)
    Adoption.objects.filter(changed_by_name=user.get_full_name(), versions__decided_by=user).update(
        changed_by_name=DELETED_NAME
    )
    Adoption.objects.filter(contact_email__iexact=user.email).update(contact_email="")
