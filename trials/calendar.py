"""Calendar feeds (iCalendar) at secret addresses that calendar apps subscribe to.

The address carries a random token instead of a login; resetting the token makes
the old address stop working. Text from people is put in as plain values, which
the icalendar library escapes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from icalendar import Calendar, Event

from accounts.models import Organisation
from testbeds.models import Booking, TestBed

from .models import Trial, TrialStatus

HIDDEN = [TrialStatus.DECLINED, TrialStatus.WITHDRAWN, TrialStatus.CANCELLED]


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Test Bed Exchange//testbed.exchange//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _event(trial: Trial, summary: str, description: str) -> Event:
    event = Event()
    event.add("uid", f"trial-{trial.pk}@testbed.exchange")
    event.add("dtstamp", max(trial.status_changed_at, trial.updated_at))
    event.add("sequence", trial.booking.revision)  # calendar apps take the new dates
    event.add("dtstart", trial.booking.start)
    event.add(
        "dtend", trial.booking.end
    )  # all-day events end on the day after: half-open, as stored
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", settings.SITE_URL + trial.get_absolute_url())
    event.add(
        "status", "CONFIRMED" if trial.booking.status == Booking.Status.CONFIRMED else "TENTATIVE"
    )
    return event


def _response(calendar: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def _trials(trials: QuerySet[Trial]) -> Iterable[Trial]:
    return (
        trials.exclude(status__in=HIDDEN)
        .select_related("booking", "organisation", "testbed")
        .order_by("booking__start", "id")
    )


def testbed_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The provider's view: every trial booked or requested on one test bed."""
    testbed = TestBed.objects.filter(calendar_token=token).first() if len(token) >= 20 else None
    if testbed is None:
        raise Http404
    calendar = _calendar(testbed.name)
    for trial in _trials(Trial.objects.filter(testbed=testbed)):
        calendar.add_component(
            _event(
                trial,
                f"{trial.organisation.name}: {trial.title}",
                f"{trial.get_status_display()}\n{trial.summary}",
            )
        )
    return _response(calendar, f"{testbed.slug}.ics")


def organisation_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A start-up's view: its trials on every test bed."""
    organisation = (
        Organisation.objects.filter(calendar_token=token).first() if len(token) >= 20 else None
    )
    if organisation is None:
        raise Http404
    calendar = _calendar(f"{organisation.name} – trials")
    for trial in _trials(Trial.objects.filter(organisation=organisation)):
        calendar.add_component(
            _event(
                trial,
                f"{trial.title} ({trial.testbed.name})",
                f"{trial.get_status_display()}\n{trial.summary}",
            )
        )
    return _response(calendar, f"{organisation.slug}-trials.ics")


@login_required
def trial_event(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Add to my calendar": one trial as a downloadable .ics, for anyone who may see it.

    The same UID and SEQUENCE as the feeds, so importing it next to a subscribed feed does
    not make a second event, and a later download carries changed dates."""
    from . import selectors

    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    calendar = _calendar(trial.title)
    calendar.add_component(
        _event(
            trial,
            f"{trial.title} ({trial.testbed.name})",
            f"{trial.get_status_display()}\n{trial.summary}",
        )
    )
    response = _response(calendar, f"trial-{trial.pk}.ics")
    response["Content-Disposition"] = f'attachment; filename="trial-{trial.pk}.ics"'
    return response
