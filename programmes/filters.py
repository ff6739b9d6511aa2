"""The filters of the officer's figures (funnel, utilisation): period, region, sector, technology.

Pages and the API read the same form, so a malformed or impossible period gets the same
clear message everywhere (a 400 with the GOV.UK error summary, or the API's error body),
never a 500 and never silently ignored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Region
from core.dates import DateField
from testbeds.models import SectorCode, TechnologyCode

# Dates outside these are typing mistakes (a year 20266), not periods anyone reports on.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


@dataclass(frozen=True)
class FigureFilter:
    """Which figures to count: a period (inclusive days), a region, a sector, a technology."""

    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    region: str = ""
    sector: str = ""
    technology: str = ""

    def testbed_q(self, prefix: str = "testbed__") -> Q:
        """The region, sector and technology conditions on a test bed reached through prefix."""
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}region": self.region})
        if self.sector:
            q &= Q(**{f"{prefix}sectors__code": self.sector})
        if self.technology:
            q &= Q(**{f"{prefix}technologies__code": self.technology})
        return q

    def in_period(self, queryset: QuerySet, field: str) -> QuerySet:
        """Rows whose datetime ``field`` falls on a day of the period (UK days)."""
        if self.period_start:
            queryset = queryset.filter(**{f"{field}__date__gte": self.period_start})
        if self.period_end:
            queryset = queryset.filter(**{f"{field}__date__lte": self.period_end})
        return queryset

    def as_params(self) -> dict[str, str]:
        """The filter as GET parameters, for links to the lists behind the figures."""
        params = {
            "period_start": self.period_start.isoformat() if self.period_start else "",
            "period_end": self.period_end.isoformat() if self.period_end else "",
            "region": self.region,
            "sector": self.sector,
            "technology": self.technology,
        }
        return {key: value for key, value in params.items() if value}


class FigureFilterForm(forms.Form):
    period_start = DateField(
        label=gettext_lazy("From"),
        required=False,
        earliest=EARLIEST,
        latest=LATEST,
        error_messages={
            "invalid": gettext_lazy("Enter the start date as a real date."),
            "incomplete": gettext_lazy("Enter the start date as a real date."),
            "date_range": gettext_lazy("Enter a date between %(first)s and %(last)s."),
        },
    )
    period_end = DateField(
        label=gettext_lazy("To"),
        required=False,
        earliest=EARLIEST,
        latest=LATEST,
        error_messages={
            "invalid": gettext_lazy("Enter the end date as a real date."),
            "incomplete": gettext_lazy("Enter the end date as a real date."),
            "date_range": gettext_lazy("Enter a date between %(first)s and %(last)s."),
        },
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        choices=[("", gettext_lazy("All regions")), *Region.choices],
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("All sectors")), *SectorCode.choices],
    )
    technology = forms.ChoiceField(
        label=gettext_lazy("Technology"),
        required=False,
        choices=[("", gettext_lazy("All technologies")), *TechnologyCode.choices],
    )

    # The longest period in days, and the message when it is longer (None: no limit).
    max_days: int | None = None
    too_long_message = gettext_lazy("Choose a shorter period.")

    def clean_period_start(self) -> datetime.date | None:
        return self._in_range(self.cleaned_data.get("period_start"))

    def clean_period_end(self) -> datetime.date | None:
        return self._in_range(self.cleaned_data.get("period_end"))

    @staticmethod
    def _in_range(day: datetime.date | None) -> datetime.date | None:
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": EARLIEST.year, "last": LATEST.year},
                code="out_of_range",
            )
        return day

    def clean(self) -> dict:
        data = super().clean()
        start, end = self.period(data)
        if start and end and end < start:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        elif start and end and self.max_days and (end - start).days + 1 > self.max_days:
            self.add_error("period_end", str(self.too_long_message))
        return data

    def period(self, data: dict) -> tuple[datetime.date | None, datetime.date | None]:
        """The period asked for; subclasses fill in a default."""
        return data.get("period_start"), data.get("period_end")

    def to_filter(self) -> FigureFilter:
        """The filter, once the form is valid."""
        data = self.cleaned_data
        start, end = self.period(data)
        return FigureFilter(
            period_start=start,
            period_end=end,
            region=data.get("region") or "",
            sector=data.get("sector") or "",
            technology=data.get("technology") or "",
        )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class UtilisationFilterForm(FigureFilterForm):
    """Utilisation is read per calendar month: at most 12 months, the last six by default."""

    max_days = 366
    too_long_message = gettext_lazy("Choose a period of at most 12 months.")

    def period(self, data: dict) -> tuple[datetime.date, datetime.date]:
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            return start, end
        if start:  # six months from the start
            return start, add_months(start, 6) - datetime.timedelta(days=1)
        end = end or add_months(timezone.localdate(), 1) - datetime.timedelta(days=1)
        return add_months(end, -5), end  # the six months up to the end
