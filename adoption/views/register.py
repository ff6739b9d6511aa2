"""The public outcomes register: list with filters and search, one outcome, interest from
other public bodies, open data (CSV, JSON) and an Atom feed. Anonymous pages are cached
like the catalogue; every change to a published outcome forgets them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.permissions import organisations_of
from core.cache import cache_anonymous_page
from core.exports import csv_response, json_response
from core.forms_util import error_message
from core.pagination import paginate

from .. import opendata, selectors, services
from ..forms import InterestForm, OutcomeFilterForm
from ..models import Adoption
from .common import SERVICE_ERRORS, form_page, run_service


def _filtered(request: HttpRequest):
    form = OutcomeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    outcomes = selectors.filter_outcomes(
        selectors.published(),
        region=filters.get("region", ""),
        sector=filters.get("sector", ""),
        technology=filters.get("technology", ""),
        status=filters.get("status", ""),
        q=filters.get("q", ""),
    )
    return form, outcomes.order_by("-published_at", "-id")


@cache_anonymous_page
def outcome_list(request: HttpRequest) -> HttpResponse:
    form, outcomes = _filtered(request)
    page = paginate(request, outcomes.only("pk"))
    rows = [
        {"adoption": a, "met": selectors.kpis_met(a)}
        for a in selectors.register_rows(page.object_list)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "adoption/register.html",
        {
            "form": form if form.is_bound else OutcomeFilterForm(),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "columns": opendata.COLUMNS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _interested_bodies(request: HttpRequest, adoption: Adoption) -> list[Organisation]:
    if not request.user.is_authenticated:
        return []
    return list(
        organisations_of(request.user, kind=Organisation.Kind.PUBLIC_BODY).exclude(
            pk=adoption.trial.testbed.organisation_id
        )
    )


@cache_anonymous_page
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = selectors.outcome_for_anyone(pk)
    bodies = _interested_bodies(request, adoption)
    mine = []
    if bodies:
        mine = list(selectors.open_interests(adoption).filter(organisation__in=bodies))
    return render(
        request,
        "adoption/outcome.html",
        {
            "adoption": adoption,
            "trial": adoption.trial,
            "kpis": selectors.kpi_rows(adoption),
            "can_register_interest": bool(bodies) and not mine,
            "my_interest": mine[0] if mine else None,
            "is_party": services.can_see_private(request.user, adoption.trial),
        },
    )


@login_required
def interest(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = selectors.outcome_for_anyone(pk)
    form = InterestForm(request.POST or None)
    conflict = False
    if request.method == "POST" and form.is_valid():
        _result, conflict = run_service(
            form,
            lambda: services.interest_register(
                actor=request.user, adoption=adoption, note=form.cleaned_data["note"]
            ),
        )
        if not form.errors:
            messages.success(
                request,
                _("Your interest is registered. The start-up and the public body are told."),
            )
            return redirect(adoption.get_public_url())
    return form_page(
        request,
        "adoption/interest.html",
        {"adoption": adoption, "trial": adoption.trial},
        form=form,
        conflict=conflict,
    )


@login_required
@require_POST
def interest_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = selectors.outcome_for_anyone(pk)
    try:
        services.interest_withdraw(actor=request.user, adoption=adoption)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Your interest is withdrawn."))
    return redirect(adoption.get_public_url())


def _download_rows(request: HttpRequest):
    _form, outcomes = _filtered(request)
    return selectors.with_register_data(outcomes).iterator(chunk_size=2000)


def outcomes_csv(request: HttpRequest) -> HttpResponse:
    """Open data, under the Open Government Licence; the columns are described on /outcomes/."""
    return csv_response("outcomes.csv", opendata.HEADER, opendata.rows(_download_rows(request)))


def outcomes_json(request: HttpRequest) -> HttpResponse:
    return json_response(
        "outcomes.json",
        {
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "columns": {name: str(text) for name, text in opendata.COLUMNS},
            "outcomes": [opendata.row(a) for a in _download_rows(request)],
        },
    )


class OutcomeFeed(Feed):
    """New outcomes in the register, newest first, as Atom."""

    feed_type = Atom1Feed
    title = gettext_lazy("Test Bed Exchange outcomes register")
    subtitle = gettext_lazy("Trials whose evidence was accepted, and what they led to.")

    def link(self) -> str:
        return "/outcomes/"

    def items(self):
        return (
            selectors.published()
            .select_related("trial__organisation", "trial__testbed__organisation")
            .order_by("-published_at", "-id")[:50]
        )

    def item_title(self, item) -> str:
        return f"{item.local_register_title} — {item.get_status_display()}"

    def item_description(self, item) -> str:
        return item.local_register_summary

    def item_link(self, item) -> str:
        return item.get_public_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.changed_at or item.published_at

    def item_author_name(self, item) -> str:
        return item.trial.organisation.name
