"""Each person's home after signing in (/dashboard/), by the role they act in now.

- start-up: its trials and what each needs next;
- public body: requests waiting, its test beds, and what runs this week;
- programme team: evidence packs waiting for review, and evidence overdue;
- company or university: the trials it is partner on;
- anyone who assesses a challenge: the applications still to score.

Every section is a fixed number of queries, whatever the rows (tests assert it), and reads
only the columns its rows show (``trials.selectors.as_rows``). The programme floor reads the
apps below it; it owns none of their rules.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from challenges.models import ApplicationStatus, Assessment, Assessor, ConflictDeclaration
from core.links import link_maker
from testbeds.models import TestBed
from trials import selectors as trial_selectors
from trials.models import Trial, TrialPartner, TrialStatus

OPEN_STATUSES = [
    TrialStatus.REQUESTED,
    TrialStatus.APPROVED,
    TrialStatus.ACTIVE,
    TrialStatus.COMPLETED,
    TrialStatus.SUBMITTED,
    TrialStatus.CHANGES_REQUESTED,
]
LIMIT = 20


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    action: bool = False  # the start-up has something to do (not waiting on someone else)


def next_step(trial: Trial, today: datetime.date) -> NextStep:
    """What a start-up's trial needs next, in words, with where to do it."""
    url = getattr(trial, "url", None) or trial.get_absolute_url()
    booking = trial.booking
    match trial.status:
        case TrialStatus.REQUESTED:
            return NextStep(_("Waiting for the provider to approve the request"))
        case TrialStatus.APPROVED if booking.start <= today:
            return NextStep(_("Start the trial"), url, True)
        case TrialStatus.APPROVED:
            return NextStep(
                _("Add the plan and KPIs before it starts on %(date)s")
                % {"date": booking.start.strftime("%d/%m/%Y")},
                url + "#plan",
                True,
            )
        case TrialStatus.ACTIVE if booking.end <= today:
            return NextStep(_("The booked days are over: mark the trial as complete"), url, True)
        case TrialStatus.ACTIVE:
            return NextStep(_("Record measurements and log progress"), url + "#kpis", True)
        case TrialStatus.COMPLETED:
            return NextStep(_("Write the outcome and submit the evidence"), url + "#submit", True)
        case TrialStatus.SUBMITTED:
            return NextStep(_("Waiting for the programme officer's review"))
        case TrialStatus.CHANGES_REQUESTED:
            return NextStep(_("Make the changes asked for and submit again"), url + "#packs", True)
    return NextStep("")


def _linked(trials) -> list[Trial]:
    """``trials`` as a list, each with its page's address as ``url`` (one ``reverse``)."""
    trials = list(trials)
    link = link_maker("trials:detail", "pk")
    for trial in trials:
        trial.url = link(trial.pk)
    return trials


def _startup(organisation: Organisation, today: datetime.date) -> dict:
    trials = _linked(
        trial_selectors.as_rows(
            Trial.objects.filter(organisation=organisation, status__in=OPEN_STATUSES)
        ).order_by("booking__start", "pk")[:LIMIT]
    )
    return {"trials": [{"trial": t, "next": next_step(t, today)} for t in trials]}


def _provider(organisation: Organisation, today: datetime.date) -> dict:
    monday = today - datetime.timedelta(days=today.weekday())
    next_monday = monday + datetime.timedelta(days=7)
    waiting = trial_selectors.as_rows(
        Trial.objects.filter(status=TrialStatus.REQUESTED, testbed__organisation=organisation)
    ).order_by("created_at", "pk")
    testbeds = (
        TestBed.objects.filter(organisation=organisation)
        .exclude(status=TestBed.Status.RETIRED)
        .only("name", "slug", "status")
        .annotate(
            running=Count("trials", filter=Q(trials__status=TrialStatus.ACTIVE), distinct=True),
            waiting=Count("trials", filter=Q(trials__status=TrialStatus.REQUESTED), distinct=True),
        )
        .order_by("name", "pk")
    )
    this_week = trial_selectors.as_rows(
        Trial.objects.filter(
            testbed__organisation=organisation,
            status__in=[TrialStatus.APPROVED, TrialStatus.ACTIVE],
            booking__start__lt=next_monday,
            booking__end__gt=monday,
        )
    ).order_by("booking__start", "pk")
    requests = _linked(waiting[: LIMIT + 1])
    testbeds = list(testbeds[:LIMIT])
    manage = link_maker("testbeds:manage", "slug")
    for testbed in testbeds:
        testbed.manage_url = manage(testbed.slug)
    return {
        "requests": requests[:LIMIT],
        # Counted only when there are more than fit on the dashboard.
        "requests_count": len(requests) if len(requests) <= LIMIT else waiting.count(),
        "testbeds": testbeds,
        "this_week": _linked(this_week[:LIMIT]),
        "week": (monday, next_monday - datetime.timedelta(days=1)),
    }


def _officer(organisation: Organisation) -> dict:
    trials = Trial.objects.filter(programme__team=organisation)
    return {
        "reviews": _linked(trial_selectors.reviews_waiting(trials)[:LIMIT]),
        "overdue": _linked(trial_selectors.evidence_overdue(trials)[:LIMIT]),
    }


def _partner(organisation: Organisation) -> dict:
    partnered = TrialPartner.objects.filter(
        organisation=organisation, removed_at__isnull=True
    ).values("trial_id")
    trials = trial_selectors.as_rows(Trial.objects.filter(pk__in=partnered)).order_by(
        "-created_at", "-pk"
    )
    return {"partnered": _linked(trials[:LIMIT])}


def _assessing(user) -> list[Assessor]:
    """The challenges the person assesses, with how many submitted applications they have
    not yet finished scoring (conflicts declared count as done). One plain query for the
    many who assess nothing; the counts (a second query) only for those who do."""
    assessors = list(
        Assessor.objects.filter(user=user, accepted_at__isnull=False, revoked_at__isnull=True)
        .select_related("challenge")
        .only("challenge__title", "challenge__slug", "challenge__closes_at")
        .order_by("challenge__closes_at", "pk")[:LIMIT]
    )
    if not assessors:
        return []
    submitted = (
        Assessor.objects.filter(pk=OuterRef("pk"))
        .annotate(
            n=Count(
                "challenge__applications",
                filter=Q(challenge__applications__status=ApplicationStatus.SUBMITTED),
            )
        )
        .values("n")
    )
    done = (
        Assessment.objects.filter(assessor=OuterRef("pk"), submitted_at__isnull=False)
        .values("assessor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    conflicted = (
        ConflictDeclaration.objects.filter(assessor=OuterRef("pk"), conflicted=True)
        .values("assessor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = {
        pk: (submitted_n, scored, conflicted_n)
        for pk, submitted_n, scored, conflicted_n in Assessor.objects.filter(
            pk__in=[assessor.pk for assessor in assessors]
        )
        .annotate(
            submitted=Coalesce(Subquery(submitted, output_field=IntegerField()), 0),
            scored=Coalesce(Subquery(done, output_field=IntegerField()), 0),
            conflicted=Coalesce(Subquery(conflicted, output_field=IntegerField()), 0),
        )
        .values_list("pk", "submitted", "scored", "conflicted")
    }
    for assessor in assessors:
        assessor.submitted, assessor.scored, assessor.conflicted = counts[assessor.pk]
    return assessors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    today = timezone.localdate()
    kind = organisation.kind if organisation else None
    context = {"organisation": organisation, "kind": kind, "today": today}
    Kind = Organisation.Kind
    if kind == Kind.START_UP:
        context.update(_startup(organisation, today))
    elif kind == Kind.PUBLIC_BODY:
        context.update(_provider(organisation, today))
    elif kind == Kind.PROGRAMME_TEAM:
        context.update(_officer(organisation))
    if kind in (Kind.COMPANY, Kind.UNIVERSITY, Kind.PUBLIC_BODY, Kind.START_UP):
        context.update(_partner(organisation))
    assessing = _assessing(request.user)
    for assessor in assessing:
        assessor.to_score = max(assessor.submitted - assessor.scored - assessor.conflicted, 0)
    context["assessing"] = assessing
    context["organisations_url"] = reverse("accounts:organisations")
    return render(request, "programmes/dashboard.html", context)
