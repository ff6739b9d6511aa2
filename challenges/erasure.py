"""A person deleting their account: what challenges kept of them goes; the records stay."""

from __future__ import annotations

from accounts.models import User

from .models import Challenge, Follow


def erase_person(user: User) -> None:
    """Registered with ``trials.data_rights``; runs inside the account deletion's transaction.

    Names shown on challenges come from the linked account, which becomes "Deleted user";
    what is stored apart from it is the person's follows and their own address as a contact.
    """
    Follow.objects.filter(user=user).delete()
    Challenge.objects.filter(contact_email__iexact=user.email).update(
        contact_name="", contact_email=""
    )
