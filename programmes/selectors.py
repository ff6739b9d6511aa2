"""Reads for the programme officer's side: which programmes a person may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Programme, User
from accounts.permissions import programmes_for_officer
from trials.selectors import parse_id


def programmes_for(user: User | None) -> QuerySet[Programme]:
    """The programmes whose team the person belongs to, newest first."""
    return (
        programmes_for_officer(user).select_related("team").distinct().order_by("-starts_on", "pk")
    )


def officer_programme(user: User | None, pk: int | str) -> Programme:
    """One of the person's programmes; 404 for any other (or a malformed id)."""
    pk = parse_id(pk)
    programme = None if pk is None else programmes_for(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme
