"""Reads of test beds: the catalogue search, and what each person may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    FloatField,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models import Value as V
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import User

from .models import TestBed, TestBedPhoto

SORTS = {"relevance", "name", "newest", "capacity"}


@dataclass
class CatalogueQuery:
    """A catalogue search, as the GET parameters of a shareable link."""

    q: str = ""
    region: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    technology: list[str] = field(default_factory=list)
    trl: int | None = None
    free_only: bool = False
    available_from: datetime.date | None = None
    available_to: datetime.date | None = None
    min_days: int | None = None
    sort: str = "relevance"

    @property
    def wants_availability(self) -> bool:
        return self.available_from is not None and self.available_to is not None


def with_listing_data(testbeds: QuerySet[TestBed]) -> QuerySet[TestBed]:
    """What a list of test beds shows, in a fixed number of queries."""
    return testbeds.select_related("organisation").prefetch_related(
        "sectors",
        "technologies",
        Prefetch("photos", queryset=TestBedPhoto.objects.order_by("position", "id")),
    )


def published_testbeds() -> QuerySet[TestBed]:
    return TestBed.objects.filter(status=TestBed.Status.PUBLISHED)


def search_words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word][:10]


BM25_WEIGHTS = "3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0"  # names, summaries, the rest


def fts_query(words: list[str]) -> str:
    """The words as an FTS5 query that needs every word: each an FTS5 string (quotes doubled),
    so punctuation and operators typed in the box are searched as text, never as syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words if word.strip('"'))


def _text_search(testbeds: QuerySet[TestBed], q: str) -> QuerySet[TestBed]:
    """Full-text search: ranked tsvector on PostgreSQL; on SQLite the FTS5 index with porter
    stemming (migration 0009), or, without it, every word as a substring."""
    if connection.vendor == "postgresql":
        # English words stemmed ('english'), Welsh words as written ('simple'): either matches.
        query = "(websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))"
        return testbeds.annotate(
            matches=RawSQL(
                f'"testbeds_testbed"."search_document" @@ {query}',
                [q, q],
                output_field=BooleanField(),
            ),
            rank=RawSQL(
                f'ts_rank_cd("testbeds_testbed"."search_document", {query})',
                [q, q],
                output_field=FloatField(),
            ),
        ).filter(matches=True)
    words = search_words(q)
    match = fts_query(words)
    if connection.vendor == "sqlite" and match:
        # Every word, stemmed by FTS5's porter tokenizer, in any English or Welsh field (the
        # index of migration 0009): "promenades" finds "promenade", as on PostgreSQL.
        return testbeds.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM testbeds_testbed_fts WHERE testbeds_testbed_fts MATCH %s",
                [match],
            )
        ).annotate(
            rank=RawSQL(
                f"(SELECT -bm25(testbeds_testbed_fts, {BM25_WEIGHTS}) FROM testbeds_testbed_fts"
                ' WHERE testbeds_testbed_fts MATCH %s AND rowid = "testbeds_testbed"."id")',
                [match],
                output_field=FloatField(),
            )
        )
    rank = V(0, output_field=IntegerField())
    for word in words:
        in_text = (
            Q(name__icontains=word)
            | Q(name_cy__icontains=word)
            | Q(summary__icontains=word)
            | Q(summary_cy__icontains=word)
            | Q(description__icontains=word)
            | Q(description_cy__icontains=word)
            | Q(town__icontains=word)
            | Q(eligibility__icontains=word)
        )
        testbeds = testbeds.filter(in_text)
        rank = rank + Case(
            When(Q(name__icontains=word) | Q(name_cy__icontains=word), then=V(3)),
            When(Q(summary__icontains=word) | Q(summary_cy__icontains=word), then=V(2)),
            default=V(1),
        )
    return testbeds.annotate(rank=rank)


def catalogue_search(
    query: CatalogueQuery, *, base: QuerySet[TestBed] | None = None
) -> QuerySet[TestBed]:
    """Published test beds matching the query, sorted."""
    testbeds = published_testbeds() if base is None else base
    if query.region:
        testbeds = testbeds.filter(region__in=query.region)
    if query.sector:
        testbeds = testbeds.filter(
            pk__in=TestBed.sectors.through.objects.filter(sector__code__in=query.sector).values(
                "testbed_id"
            )
        )
    if query.technology:
        testbeds = testbeds.filter(
            pk__in=TestBed.technologies.through.objects.filter(
                technology__code__in=query.technology
            ).values("testbed_id")
        )
    if query.trl is not None:
        testbeds = testbeds.filter(trl_min__lte=query.trl, trl_max__gte=query.trl)
    if query.free_only:
        testbeds = testbeds.filter(cost_model=TestBed.Cost.FREE)
    if query.wants_availability:
        from .availability import available_filter

        testbeds = available_filter(
            testbeds,
            start=query.available_from,
            end=query.available_to + datetime.timedelta(days=1),
            days=query.min_days or 1,
        )
    searching = bool(query.q.strip())
    if searching:
        testbeds = _text_search(testbeds, query.q.strip())
    return _sorted(testbeds, query.sort, searching)


def catalogue_region_counts(query: CatalogueQuery) -> dict[str, int]:
    """How many test beds the search finds in each region, ignoring its own region filter.

    Every match counts, on whichever page of results it falls: unlike the result count of a
    free-dates search (capped a few pages ahead, core.pagination), the map's counts are not
    capped, since a capped tile would under-count its region. It stays one grouped query for
    all twelve regions, whatever the number of matches (tests/programmes/test_regions.py)."""
    everywhere = catalogue_search(replace(query, region=[], sort="name"))
    rows = (
        TestBed.objects.filter(pk__in=everywhere.values("pk"))
        .values("region")
        .annotate(n=Count("pk"))
        .order_by("region")
    )
    return {row["region"]: row["n"] for row in rows}


def _sorted(testbeds: QuerySet[TestBed], sort: str, searching: bool) -> QuerySet[TestBed]:
    if sort == "relevance" and searching:
        return testbeds.order_by("-rank", "name", "id")
    if sort == "newest":
        return testbeds.order_by("-published_at", "-id")
    if sort == "capacity":
        return testbeds.order_by("-capacity", "name", "id")
    return testbeds.order_by("name", "id")


def testbeds_of_provider(user: User) -> QuerySet[TestBed]:
    """Every test bed of the public bodies the user acts for, in any status."""
    return TestBed.objects.filter(organisation__memberships__user=user).distinct()


def is_provider_member(testbed: TestBed, memberships) -> bool:
    """Whether one of these memberships (``request.memberships``) is in the test bed's
    public body: the same answer as ``testbeds_of_provider(user)``, without a query."""
    return any(m.organisation_id == testbed.organisation_id for m in memberships)


def testbed_for_viewer(*, slug: str, user: User | None, listing_data: bool = True) -> TestBed:
    """A published or paused test bed for anyone; any status for its provider's members.

    With ``listing_data=False`` only the test bed and its public body are read (the test
    bed page reads its sectors, technologies and photos only when it draws them)."""
    testbeds = TestBed.objects.filter(slug=slug)
    if listing_data:
        testbeds = with_listing_data(testbeds)
    else:
        testbeds = testbeds.select_related("organisation")
    testbed = testbeds.first()
    if testbed is None:
        raise Http404
    if testbed.status in (TestBed.Status.PUBLISHED, TestBed.Status.PAUSED):
        return testbed
    if (
        user is not None
        and user.is_authenticated
        and testbeds_of_provider(user).filter(pk=testbed.pk).exists()
    ):
        return testbed
    raise Http404


def testbed_for_provider(*, slug: str, user: User) -> TestBed:
    """A test bed the user may manage; 404 for anyone else."""
    testbed = testbeds_of_provider(user).select_related("organisation").filter(slug=slug).first()
    if testbed is None:
        raise Http404
    return testbed


# What a booking request reads of the test bed before taking its lock: the rules, the
# capacity, and the name for a refusal. Any other field costs a query of its own.
BOOKING_FIELDS = (
    "organisation",
    "name",
    "slug",
    "status",
    "capacity",
    "min_days",
    "max_days",
    "notice_days",
    "horizon_days",
    "requires_approval",
)


def testbed_for_booking(*, slug: str) -> TestBed:
    """The test bed, for a booking request (the rules say if it is not taking any): just
    the columns its checks read before the lock (``BOOKING_FIELDS``), not its 40; the
    services lock and read the whole row before they book."""
    testbed = (
        TestBed.objects.filter(
            slug=slug, status__in=[TestBed.Status.PUBLISHED, TestBed.Status.PAUSED]
        )
        .only(*BOOKING_FIELDS)
        .first()
    )
    if testbed is None:
        raise Http404
    return testbed
