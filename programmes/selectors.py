"""Reads for the programme officer's side: which programmes a person may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Organisation, Programme, ProgrammeEnrolment, User
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


def enrolments_of(programme: Programme) -> QuerySet[ProgrammeEnrolment]:
    """The start-ups taking part in the programme, by name, with who enrolled them."""
    return (
        ProgrammeEnrolment.objects.filter(programme=programme)
        .select_related("organisation", "enrolled_by")
        .order_by("organisation__name", "pk")
    )


#: A search for start-ups to enrol shows at most this many; a longer list asks for more words.
STARTUPS_SHOWN = 20


def startups_matching(query: str, programme: Programme) -> list[tuple[Organisation, bool]]:
    """Start-ups whose name or short name contains ``query``, each with whether it already
    takes part in the programme: at most ``STARTUPS_SHOWN`` + 1 (one more says "there are
    more")."""
    query = " ".join(query.split())
    if not query:
        return []
    enrolled = ProgrammeEnrolment.objects.filter(
        programme=programme, organisation_id=OuterRef("pk")
    )
    found = (
        Organisation.objects.filter(kind=Organisation.Kind.START_UP)
        .filter(Q(name__icontains=query) | Q(slug__icontains=query))
        .annotate(enrolled=Exists(enrolled))
        .only("name", "slug")
        .order_by("name", "pk")[: STARTUPS_SHOWN + 1]
    )
    return [(organisation, organisation.enrolled) for organisation in found]


def startup_to_enrol(pk: int | str) -> Organisation:
    """A start-up by id (404 for anything else: another kind of organisation, a bad id)."""
    pk = parse_id(pk)
    organisation = (
        None
        if pk is None
        else Organisation.objects.filter(pk=pk, kind=Organisation.Kind.START_UP).first()
    )
    if organisation is None:
        raise Http404
    return organisation
