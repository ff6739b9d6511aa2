"""Nations and regions compared: the public page's published figures, and a programme's reach.

Public figures count published data only (published test beds, open challenges, outcomes
in the public register) and hold back any count below ``SUPPRESS_BELOW``, as official
statistics do, so that no single organisation's activity can be picked out. Each figure is
one grouped query, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Programme, Region
from accounts.regions import RegionFigure, region_tiles
from adoption.models import AdoptionStatus
from adoption.selectors import published as published_outcomes
from challenges.selectors import open_challenges
from core.charts import format_number
from core.tilemap import TileMap, count_bands, percent_bands
from testbeds.selectors import published_testbeds
from trials.models import Trial

from .filters import FigureFilter, UtilisationFilterForm
from .utilisation import programme_testbeds, programme_utilisation

SUPPRESS_BELOW = 3


@dataclass(frozen=True)
class Measure:
    """One thing a map can show: its name in the switcher, the table heading, how to count."""

    key: str
    label: str
    heading: str
    counts: Callable[[], dict[str, int]]
    spoken: Callable[[int], str]
    href: Callable[[str], str]  # the list behind a region's figure


def counts_by_region(queryset: QuerySet, field: str = "region") -> dict[str, int]:
    rows = queryset.values(field).annotate(n=Count("pk", distinct=True)).order_by(field)
    return {row[field]: row["n"] for row in rows if row[field]}


def held_back(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


def public_figure(count: int, spoken: Callable[[int], str]) -> RegionFigure:
    """A count for a public page: below 3 (but not 0) it is held back."""
    if held_back(count):
        return RegionFigure(
            None, f"<{SUPPRESS_BELOW}", _("fewer than %(n)s") % {"n": SUPPRESS_BELOW}
        )
    return RegionFigure(count, format_number(count), spoken(count))


def _testbeds_spoken(n: int) -> str:
    return ngettext("%(count)s test bed", "%(count)s test beds", n) % {"count": format_number(n)}


def _challenges_spoken(n: int) -> str:
    return ngettext("%(count)s open challenge", "%(count)s open challenges", n) % {
        "count": format_number(n)
    }


def _outcomes_spoken(n: int) -> str:
    return ngettext("%(count)s public outcome", "%(count)s public outcomes", n) % {
        "count": format_number(n)
    }


def public_measures() -> list[Measure]:
    """What /regions/ compares, each from published data only."""
    return [
        Measure(
            key="testbeds",
            label=gettext_lazy("Published test beds"),
            heading=gettext_lazy("Test beds"),
            counts=lambda: counts_by_region(published_testbeds()),
            spoken=_testbeds_spoken,
            href=lambda code: f"{reverse('testbeds:catalogue')}?{urlencode({'region': code})}",
        ),
        Measure(
            key="challenges",
            label=gettext_lazy("Open challenges"),
            heading=gettext_lazy("Open challenges"),
            # A region's own challenges; UK-wide ones are open to every region and not counted.
            counts=lambda: counts_by_region(open_challenges()),
            spoken=_challenges_spoken,
            href=lambda code: (
                f"{reverse('challenges:list')}?{urlencode({'region': code, 'phase': 'open'})}"
            ),
        ),
        Measure(
            key="outcomes",
            label=gettext_lazy("Public outcomes"),
            heading=gettext_lazy("Public outcomes"),
            # Outcomes in the register (both parties agreed), by the test bed's region. Kept
            # fresh like the others: publishing or withdrawing one bumps the page version
            # (adoption.services.register.consent_set).
            counts=lambda: counts_by_region(published_outcomes(), "trial__testbed__region"),
            spoken=_outcomes_spoken,
            href=lambda code: f"{reverse('adoption:register')}?{urlencode({'region': code})}",
        ),
    ]


@dataclass
class RegionRow:
    code: str
    name: str
    cells: list[tuple[RegionFigure, str]]  # each measure's figure and the list behind it


def public_region_table(measures: list[Measure]) -> tuple[list[RegionRow], dict[str, dict]]:
    """Every region with each measure's (held-back) figure, and the raw counts per measure."""
    counts = {measure.key: measure.counts() for measure in measures}
    rows = [
        RegionRow(
            code=code,
            name=str(name),
            cells=[
                (public_figure(counts[m.key].get(code, 0), m.spoken), m.href(code))
                for m in measures
            ],
        )
        for code, name in Region.choices
    ]
    return rows, counts


def public_map(measure: Measure, counts: dict[str, int]) -> TileMap:
    figures = {code: public_figure(counts.get(code, 0), measure.spoken) for code in Region.values}
    tiles = region_tiles(figures, href=measure.href)
    return TileMap(
        title=_("%(measure)s by nation and region") % {"measure": measure.label},
        tiles=tiles,
        bands=count_bands([tile.value for tile in tiles]),
        value_heading=str(measure.heading),
        chart_id=f"regions-{measure.key}",
        no_data_label=_("fewer than %(n)s (held back)") % {"n": SUPPRESS_BELOW},
    )


# A programme's reach, for its officers (not held back: they may see every trial) -----------


def _trials_spoken(n: int) -> str:
    return ngettext("%(count)s trial", "%(count)s trials", n) % {"count": format_number(n)}


def _adoptions_spoken(n: int) -> str:
    return ngettext("%(count)s adoption", "%(count)s adoptions", n) % {"count": format_number(n)}


REACH_MEASURES = {
    "trials": (gettext_lazy("Trials"), _trials_spoken),
    "adoptions": (gettext_lazy("Adoptions"), _adoptions_spoken),
    "testbeds": (gettext_lazy("Test beds used"), _testbeds_spoken),
    "utilisation": (gettext_lazy("Utilisation, last six months"), None),
}


def programme_reach_map(programme: Programme, measure: str) -> TileMap:
    """Where the programme's trials run: trials, test beds used, or their utilisation."""
    label, spoken = REACH_MEASURES[measure]
    if measure == "utilisation":
        form = UtilisationFilterForm({})
        form.is_valid()
        uses = programme_utilisation(programme, form.to_filter()).testbeds
        booked: dict[str, list[int]] = {}
        for use in uses:
            totals = booked.setdefault(use.testbed.region, [0, 0])
            totals[0] += use.booked
            totals[1] += use.bookable
        figures = {
            code: RegionFigure(round(100 * b / total, 1), f"{100 * b / total:.0f}%")
            for code, (b, total) in booked.items()
            if total
        }
        page, bands = "programmes:utilisation", percent_bands()
    else:
        if measure == "trials":
            counts = counts_by_region(Trial.objects.filter(programme=programme), "testbed__region")
            page = "programmes:trials"
        elif measure == "adoptions":
            counts = counts_by_region(
                Trial.objects.filter(programme=programme, adoption__status=AdoptionStatus.ADOPTED),
                "testbed__region",
            )
            page = "programmes:trials"
        else:
            counts = counts_by_region(programme_testbeds(programme, FigureFilter()))
            page = "programmes:utilisation"
        figures = {
            code: RegionFigure(
                counts.get(code, 0), format_number(counts.get(code, 0)), spoken(counts.get(code, 0))
            )
            for code in Region.values
        }
        bands = count_bands([f.value for f in figures.values()])
    url = reverse(page, kwargs={"pk": programme.pk})
    tiles = region_tiles(figures, href=lambda code: f"{url}?{urlencode({'region': code})}")
    return TileMap(
        title=_("%(measure)s by nation and region") % {"measure": label},
        tiles=tiles,
        bands=bands,
        value_heading=str(label),
        chart_id=f"reach-{measure}",
        no_data_label=_("no figure"),
    )
