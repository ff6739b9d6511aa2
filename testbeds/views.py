"""Catalogue and provider pages for test beds. Thin: selectors read, services write."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.permissions import organisations_of
from core.cache import cache_anonymous_page, page_seconds, page_version
from core.exceptions import Conflict
from core.forms_util import apply_validation_error, error_message, form_error_message
from core.pagination import paginate

from . import selectors, services
from .availability import free_windows, month_calendar
from .calendar_html import calendar_rows
from .forms import (
    BlackoutForm,
    CatalogueForm,
    PhotoEditForm,
    PhotoForm,
    QuestionForm,
    ReasonForm,
    TestBedForm,
)
from .models import TestBedPhoto
from .region_map import catalogue_map, listing_place, location_map_html


@cache_anonymous_page
def catalogue(request: HttpRequest) -> HttpResponse:
    """Published test beds: search, filters and sorting, all in the link.

    The results and filters are the same for everyone who reads them in one language, signed
    in or not: the template keeps them as a fragment (``{% cache %}``) keyed by the page
    version (bumped by every change to listings, photos, closures, bookings and provider
    names), the language and the link. The queries run lazily, so a kept fragment costs none;
    the header, with the person's name and organisations, is rendered for each request.
    """
    form = CatalogueForm(request.GET or None)
    query = form.to_query() if form.is_bound else CatalogueForm().to_query()
    invalid = form.is_bound and not form.is_valid()

    def page():
        results = (
            selectors.published_testbeds().none() if invalid else selectors.catalogue_search(query)
        )
        # A free-dates search can match thousands: count only a few pages ahead.
        capped = query.wants_availability
        page = paginate(request, selectors.with_listing_data(results), per_page=20, capped=capped)
        if query.wants_availability and not invalid:
            # Each card says which of the searched days are free, and how many places.
            windows = free_windows(
                page.object_list,
                start=query.available_from,
                end=query.available_to + datetime.timedelta(days=1),
                days=query.min_days or 1,
            )
            for testbed in page.object_list:
                testbed.free_windows = windows.get(testbed.pk, [])
        return page

    lazy_page = SimpleLazyObject(page)
    context = {
        "form": form if form.is_bound else CatalogueForm(),
        "query": query,
        "page": lazy_page,
        "result_count": SimpleLazyObject(lambda: lazy_page.paginator.count),
        "count_cap": SimpleLazyObject(
            lambda: lazy_page.paginator.cap if getattr(lazy_page.paginator, "capped", False) else 0
        ),
        "filtered": bool(request.GET.dict().keys() - {"page", "sort"}),
        "region_map": None
        if invalid
        else SimpleLazyObject(lambda: catalogue_map(query, request.GET)),
        "fragment_version": page_version(),
        "fragment_seconds": page_seconds(),
    }
    # Bad filters (e.g. a date past 2100) are a 400 with the error on the field.
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "testbeds/catalogue.html", context, status=status)


@cache_anonymous_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A test bed's page. Its main column (text, photos, facts, rules and the month's
    calendar) is the same for everyone who may see the test bed and reads it in one
    language: the template keeps it as a fragment keyed by the page version (bumped by
    every change to listings, photos, closures and bookings), the language, the test bed,
    the month and today's date. Its reads run lazily, so a kept fragment costs none. The
    header, the status warning and the side column (what this person may do) are drawn
    for each request."""
    testbed = selectors.testbed_for_viewer(slug=slug, user=request.user, listing_data=False)
    month = _month(request.GET.get("month"))
    calendar = SimpleLazyObject(lambda: month_calendar(testbed, month))
    context = {
        "testbed": testbed,
        "photos": SimpleLazyObject(lambda: list(testbed.photos.order_by("position", "id"))),
        "calendar": calendar,
        "calendar_rows": lambda: calendar_rows(calendar),
        # The memberships the middleware read already say it (no query of its own).
        "is_provider": selectors.is_provider_member(testbed, getattr(request, "memberships", [])),
        "can_request": _can_request(request, testbed),
        "location_map": SimpleLazyObject(lambda: _location_map(testbed.region)),
        "fragment_version": page_version(),
        "fragment_seconds": page_seconds(),
        "fragment_month": month.replace(day=1).isoformat(),
        "fragment_today": timezone.localdate().isoformat(),
    }
    return render(request, "testbeds/detail.html", context)


def _location_map(region: str) -> dict:
    title, svg = location_map_html(region)
    return {"title": title, "svg": svg}


def _month(value: str | None) -> datetime.date:
    """The month asked for as YYYY-MM, or this month; at most three years away."""
    today = timezone.localdate()
    try:
        month = datetime.date.fromisoformat(f"{value}-01") if value else today
    except ValueError:
        month = today
    if abs((month - today).days) > 3 * 366:
        month = today
    return month


def _can_request(request: HttpRequest, testbed) -> bool:
    organisation = getattr(request, "organisation", None)
    return testbed.is_published and (
        organisation is None or organisation.kind == Organisation.Kind.START_UP
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The test beds of the public bodies the person acts for."""
    testbeds = selectors.with_listing_data(
        selectors.testbeds_of_provider(request.user).order_by("name", "id")
    )
    bodies = organisations_of(request.user, kind=Organisation.Kind.PUBLIC_BODY)
    return render(
        request,
        "testbeds/mine.html",
        {"page": paginate(request, testbeds), "public_bodies": list(bodies)},
    )


def _provider_organisation(request: HttpRequest) -> Organisation:
    organisation = getattr(request, "organisation", None)
    if organisation is None or not organisation.is_public_body:
        raise PermissionDenied(_("Switch to a public body to list a test bed."))
    return organisation


@login_required
def create(request: HttpRequest) -> HttpResponse:
    organisation = _provider_organisation(request)
    form = TestBedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            testbed = services.testbed_create(
                actor=request.user, organisation=organisation, **form.service_data()
            )
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been saved as a draft. Add photos, then publish it.")
                % {"name": testbed.name},
            )
            return redirect("testbeds:manage", slug=testbed.slug)
    return render(request, "testbeds/form.html", {"form": form, "organisation": organisation})


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    form = TestBedForm(request.POST or None, initial=TestBedForm.initial_from(testbed))
    if request.method == "POST" and form.is_valid():
        try:
            services.testbed_update(actor=request.user, testbed=testbed, **form.service_data())
        except (ValidationError, PermissionDenied, Conflict) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your changes have been saved."))
            return redirect("testbeds:manage", slug=testbed.slug)
    return render(request, "testbeds/form.html", {"form": form, "testbed": testbed})


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's page for one test bed: status, photos, closures and questions."""
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    context = {
        "testbed": testbed,
        "photos": list(testbed.photos.order_by("position", "id")),
        "blackouts": list(testbed.blackouts.filter(end__gt=timezone.localdate())),
        "questions": list(testbed.questions.filter(archived=False)),
        "gaps": services.publication_gaps(testbed),
        "reason_form": ReasonForm(),
        "photo_form": PhotoForm(),
        "blackout_form": BlackoutForm(),
        "question_form": QuestionForm(),
        "max_photos": services.MAX_PHOTOS,
        "place": listing_place(testbed.region, testbed.postcode),
    }
    return render(request, "testbeds/manage.html", context)


def _status_action(
    request: HttpRequest, slug: str, action: Callable, done: str, needs_reason: bool
) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    kwargs = {}
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return redirect("testbeds:manage", slug=slug)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        action(actor=request.user, testbed=testbed, **kwargs)
    except (ValidationError, Conflict) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done % {"name": testbed.name})
    return redirect("testbeds:manage", slug=slug)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    return _status_action(
        request, slug, services.testbed_publish, _("%(name)s is published."), needs_reason=False
    )


@login_required
@require_POST
def pause(request: HttpRequest, slug: str) -> HttpResponse:
    return _status_action(
        request,
        slug,
        services.testbed_pause,
        _("%(name)s is paused: it takes no new requests."),
        needs_reason=True,
    )


@login_required
def photo_add(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_add(
                actor=request.user,
                testbed=testbed,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect("testbeds:manage", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "testbeds/photo_form.html", {"form": form, "testbed": testbed}, status=status
    )


def _photo(request: HttpRequest, slug: str, pk: int) -> TestBedPhoto:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    return get_object_or_404(
        TestBedPhoto.objects.select_related("testbed__organisation"), pk=pk, testbed=testbed
    )


@login_required
def photo_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    photo = _photo(request, slug, pk)
    form = PhotoEditForm(
        request.POST or None, initial={"alt_text": photo.alt_text, "caption": photo.caption}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_update(actor=request.user, photo=photo, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The photo's description has been saved."))
            return redirect("testbeds:manage", slug=slug)
    return render(
        request,
        "testbeds/photo_edit.html",
        {"form": form, "photo": photo, "testbed": photo.testbed},
    )


@login_required
@require_POST
def photo_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    photo = _photo(request, slug, pk)
    services.photo_move(actor=request.user, photo=photo, up=request.POST.get("direction") == "up")
    return redirect("testbeds:manage", slug=slug)


@login_required
@require_POST
def blackout_add(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    form = BlackoutForm(request.POST)
    if form.is_valid():
        try:
            services.blackout_add(actor=request.user, testbed=testbed, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The closure has been added."))
            return redirect("testbeds:manage", slug=slug)
    messages.error(request, form_error_message(form))
    return redirect("testbeds:manage", slug=slug)


@login_required
@require_POST
def question_add(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(
                actor=request.user,
                testbed=testbed,
                text=data["text"],
                help_text=data["help_text"],
                kind=data["kind"],
                required=data["required"],
                choices=data["choices"].splitlines(),
            )
        except ValidationError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, _("The question has been added."))
        return redirect("testbeds:manage", slug=slug)
    messages.error(request, form_error_message(form))
    return redirect("testbeds:manage", slug=slug)


@login_required
@require_POST
def calendar_reset(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    services.testbed_reset_calendar_token(actor=request.user, testbed=testbed)
    messages.success(request, _("The calendar has a new address. The old one no longer works."))
    return redirect("testbeds:manage", slug=slug)
