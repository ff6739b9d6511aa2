"""The officer's figure pages: test-bed utilisation (and the funnel) of one programme."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from core.charts import Bar
from core.pagination import paginate

from .filters import UtilisationFilterForm
from .selectors import officer_programme
from .utilisation import TestBedUse, programme_utilisation

SORT_LABELS = {
    "least": gettext_lazy("least used first"),
    "most": gettext_lazy("most used first"),
    "name": gettext_lazy("by name"),
}
UTILISATION_SORTS = {
    "least": lambda use: (use.share is None, use.share or 0, use.testbed.name),
    "most": lambda use: (use.share is None, -(use.share or 0), use.testbed.name),
    "name": lambda use: (use.testbed.name.casefold(), use.testbed.pk),
}


def _sorted(uses: list[TestBedUse], sort: str) -> list[TestBedUse]:
    return sorted(uses, key=UTILISATION_SORTS.get(sort, UTILISATION_SORTS["least"]))


@login_required
def programme_utilisation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """How much the programme's test beds are booked, month by month; idle ones; lead times."""
    programme = officer_programme(request.user, pk)
    form = UtilisationFilterForm(request.GET)
    context = {"programme": programme, "form": form, "current": "utilisation"}
    if not form.is_valid():
        return render(request, "programmes/utilisation.html", context, status=400)
    figures = programme_utilisation(programme, form.to_filter())
    sort = request.GET.get("sort", "least")
    context |= {
        "figures": figures,
        "sort": sort if sort in UTILISATION_SORTS else "least",
        "page": paginate(request, _sorted(figures.testbeds, sort), per_page=50),
        "month_bars": [
            Bar(
                label=date_format(month.month, "M Y"),
                value=0 if month.share is None else round(month.share * 100, 1),
                display="–" if month.share is None else f"{month.share * 100:.0f}%",
            )
            for month in figures.months
        ],
        "idle": figures.idle[:50],
        "sort_choices": list(SORT_LABELS.items()),
        "query_without_sort": _without(request, "sort", "page"),
    }
    return render(request, "programmes/utilisation.html", context)


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
