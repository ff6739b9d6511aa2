"""The officer's figure pages: test-bed utilisation (and the funnel) of one programme."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import Bar
from core.pagination import paginate
from trials.selectors import with_list_data

from .challenge_funnel import (
    CHALLENGE_STEP_LABELS,
    challenge_cohort,
    challenge_steps,
    officer_applications,
)
from .filters import FigureFilterForm, UtilisationFilterForm
from .funnel import DROP_OUT_KEYS, STEPS_BY_KEY, cohort, programme_funnel, step_trials
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


@login_required
def programme_funnel_page(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the programme's trials got, step by step, overall and by region."""
    programme = officer_programme(request.user, pk)
    form = FigureFilterForm(request.GET)
    context = {"programme": programme, "form": form, "current": "funnel"}
    if not form.is_valid():
        return render(request, "programmes/funnel.html", context, status=400)
    filters = form.to_filter()
    result = programme_funnel(programme, filters)
    context |= {
        "funnel": result,
        "challenge_steps": challenge_steps(programme, filters),
        "filter_query": urlencode(filters.as_params()),
        "filter_query_without_region": urlencode(
            {k: v for k, v in filters.as_params().items() if k != "region"}
        ),
        "step_bars": [Bar(label=step.label, value=step.count) for step in result.steps],
        "step_keys": [step.key for step in result.steps],
    }
    return render(request, "programmes/funnel.html", context)


@login_required
def programme_trials_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The trials behind one figure of the funnel, the map or the utilisation page."""
    programme = officer_programme(request.user, pk)
    form = FigureFilterForm(request.GET)
    step = request.GET.get("step") or "requested"
    context = {"programme": programme, "form": form, "current": "funnel"}
    if step not in STEPS_BY_KEY:
        form.is_valid()
        form.add_error(None, _("Choose a step of the funnel."))
    if not form.is_valid():
        return render(request, "programmes/trials.html", context, status=400)
    trials = step_trials(cohort(programme, form.to_filter()), step)
    context |= {
        "step": STEPS_BY_KEY[step],
        "page": paginate(request, with_list_data(trials).order_by("-created_at", "-pk")),
        "is_drop_out": step in DROP_OUT_KEYS,
        "filters": form.to_filter(),
    }
    return render(request, "programmes/trials.html", context)


@login_required
def programme_challenges_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The challenges or applications behind one figure of the funnel's challenge steps."""
    programme = officer_programme(request.user, pk)
    form = FigureFilterForm(request.GET)
    step = request.GET.get("step") or "challenges"
    context = {"programme": programme, "form": form, "current": "funnel"}
    if step not in CHALLENGE_STEP_LABELS:
        form.is_valid()
        form.add_error(None, _("Choose a step of the funnel."))
    if not form.is_valid():
        return render(request, "programmes/challenges.html", context, status=400)
    filters = form.to_filter()
    if step == "challenges":
        rows = challenge_cohort(programme, filters).select_related("owner")
        rows = rows.order_by("-published_at", "-pk")
    else:
        rows = officer_applications(request.user, programme, filters, step)
        rows = rows.order_by("-submitted_at", "-pk")
    context |= {
        "step": {"key": step, "label": CHALLENGE_STEP_LABELS[step]},
        "page": paginate(request, rows),
        "filters": filters,
    }
    return render(request, "programmes/challenges.html", context)
