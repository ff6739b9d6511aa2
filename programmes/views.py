"""Programme portfolio and provider dashboard pages, and their exports."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Region
from accounts.permissions import organisations_of
from adoption import selectors as adoption_selectors
from core.charts import Bar
from core.dates import DateField
from testbeds.models import SectorCode, TestBed
from trials import selectors

from . import portfolio
from .board import board_summary
from .pdf import render_board_summary
from .regions import REACH_MEASURES, programme_reach_map
from .selectors import officer_programme, programmes_for


class PortfolioFilterForm(forms.Form):
    period_start = DateField(
        label=gettext_lazy("Booked from"),
        required=False,
    )
    period_end = DateField(
        label=gettext_lazy("Booked until"),
        required=False,
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        choices=[("", gettext_lazy("All regions"))] + list(Region.choices),
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("All sectors"))] + list(SectorCode.choices),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        return data

    def to_filter(self) -> portfolio.PortfolioFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return portfolio.PortfolioFilter(
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            region=data.get("region", ""),
            sector=data.get("sector", ""),
        )

    def describe(self) -> str:
        f = self.to_filter()
        parts = []
        if f.period_start or f.period_end:
            parts.append(f"{f.period_start or '…'} – {f.period_end or '…'}")
        if f.region:
            parts.append(str(Region(f.region).label))
        if f.sector:
            parts.append(str(SectorCode(f.sector).label))
        return ", ".join(parts) or _("all trials")


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = programmes_for(request.user)
    return render(request, "programmes/list.html", {"programmes": programmes})


def _bars(rows: list[tuple[str, str, int]]) -> list[Bar]:
    return [Bar(label=label, value=n) for _code, label, n in rows]


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's view: what is stuck, what worked, where, in aggregate figures."""
    programme = officer_programme(request.user, pk)
    form = PortfolioFilterForm(request.GET or None)
    filters = form.to_filter()
    figures = portfolio.programme_figures(programme, filters)
    trials = portfolio.programme_trials(programme, filters)
    success = figures.kpi_success
    context = {
        "programme": programme,
        "form": form,
        "figures": figures,
        "status_bars": [b for b in _bars(figures.by_status) if b.value],
        "region_bars": _bars(figures.by_region),
        "sector_bars": _bars(figures.by_sector),
        "trl_bars": [
            Bar(label=_("TRL at the start (average)"), value=figures.trl.average_start or 0),
            Bar(label=_("TRL achieved (average)"), value=figures.trl.average_achieved or 0),
        ],
        "kpi_percent": None if success.share is None else round(success.share * 100),
        "reviews_waiting": list(portfolio.reviews_waiting(trials)[:50]),
        "evidence_overdue": list(portfolio.evidence_overdue(trials)[:50]),
        "now": timezone.now(),
        "query_string": request.GET.urlencode(),
        "adoption": adoption_selectors.programme_adoption(trials),
        "reports_overdue": list(adoption_selectors.overdue_reports(trials)[:50]),
        **_reach(request, programme),
    }
    return render(request, "programmes/detail.html", context)


def _reach(request: HttpRequest, programme) -> dict:
    """The programme's reach on the map of nations and regions, by the measure chosen."""
    measure = request.GET.get("map", "trials")
    if measure not in REACH_MEASURES:
        measure = "trials"
    others = request.GET.copy()
    others.pop("map", None)
    return {
        "reach_map": programme_reach_map(programme, measure),
        "reach_measure": measure,
        "reach_measures": [(key, label) for key, (label, _spoken) in REACH_MEASURES.items()],
        "query_without_map": others.urlencode(),
    }


def _board_summary(request: HttpRequest, pk: int):
    programme = officer_programme(request.user, pk)
    form = PortfolioFilterForm(request.GET or None)
    return board_summary(programme, form.to_filter(), form.describe())


@login_required
def programme_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _board_summary(request, pk)
    response = HttpResponse(render_board_summary(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def programme_summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The board summary as an accessible HTML page: the same content as the PDF."""
    summary = _board_summary(request, pk)
    response = render(
        request,
        "programmes/board_summary.html",
        {"summary": summary, "query_string": request.GET.urlencode()},
    )
    response["Cache-Control"] = "private, no-store"
    return response


MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    period_start = DateField(label=gettext_lazy("From"), required=False)
    period_end = DateField(label=gettext_lazy("To"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        first, last = self._chosen(data)
        if last < first:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        elif (last - first).days > MAX_PERIOD_DAYS:
            self.add_error("period_end", _("Choose a period of at most three years."))
        return data

    def _chosen(self, data: dict) -> tuple[datetime.date, datetime.date]:
        first, last = portfolio.current_quarter()
        return data.get("period_start") or first, data.get("period_end") or last

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period chosen, or this quarter when none (or an impossible one) was given."""
        return self._chosen(self.cleaned_data if self.is_valid() else {})


@login_required
def provider_dashboard(request: HttpRequest) -> HttpResponse:
    """Utilisation, requests waiting, trials running and outcomes on the person's test beds."""
    bodies = organisations_of(request.user, kind=Organisation.Kind.PUBLIC_BODY)
    testbeds = TestBed.objects.filter(organisation__in=bodies).exclude(
        status=TestBed.Status.RETIRED
    )
    form = PeriodForm(request.GET or None)
    first, last = form.period()
    rows = portfolio.utilisation(testbeds, first, last)
    context = {
        "form": form
        if form.is_bound
        else PeriodForm(initial={"period_start": first, "period_end": last}),
        "period": (first, last),
        "utilisation": rows,
        "utilisation_bars": [
            Bar(
                label=row.testbed.name,
                value=0 if row.share is None else round(row.share * 100, 1),
                display="–" if row.share is None else f"{row.share * 100:.0f}%",
            )
            for row in rows
        ],
        "requests": list(selectors.requests_for_provider(request.user)[:50]),
        "running": list(portfolio.running_on(testbeds)[:50]),
        "outcomes": list(portfolio.outcomes_on(testbeds)[:50]),
        "now": timezone.now(),
    }
    return render(request, "programmes/provider_dashboard.html", context)
