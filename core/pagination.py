"""Page-number pagination that keeps the rest of the query string (filters) in its links."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

#: A capped count reads this many pages past the one asked for, and no more.
PAGES_AHEAD = 4
#: ``paginate_ids`` reads this many ids in one go before it counts with a query.
IDS_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most ``cap`` + 1 items (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``), so the
    cost of a page does not grow with the number of matches. ``capped`` says the count
    stopped there: the page says "more than ``cap``" and links to the pages it knows of."""

    def __init__(self, object_list, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.cap + 1].count()
        self.capped = counted > self.cap
        return counted


def paginate(
    request: HttpRequest, items: QuerySet, *, per_page: int = 20, capped: bool = False
) -> Page:
    """One page of ``items``; ``capped`` counts only a few pages past the one asked for
    (for searches whose matches grow with the data, such as free dates)."""
    if capped:
        asked = request.GET.get("page", "")
        number = int(asked) if asked.isdigit() and len(asked) < 7 else 1
        paginator = CappedPaginator(items, per_page, cap=(number + PAGES_AHEAD) * per_page)
    else:
        paginator = Paginator(items, per_page)
    return _page(request, paginator)


def paginate_ids(
    request: HttpRequest, ids: QuerySet, *, per_page: int = 20, cap: int | None = None
) -> Page:
    """One page of an ordered ids query (``values_list("pk", flat=True)``), its
    ``object_list`` a list of ids. Up to ``cap`` ids are read at once: then the count and
    the page come from that one read; past ``cap`` the count and the page are queries of
    their own, as with ``paginate``."""
    cap = IDS_CAP if cap is None else cap
    first = list(ids[: cap + 1])
    page = _page(request, Paginator(first if len(first) <= cap else ids, per_page))
    page.object_list = list(page.object_list)
    return page


def paginate_list(request: HttpRequest, items: list, *, per_page: int = 20) -> Page:
    """One page of a list already read in full (its count is its length)."""
    return _page(request, Paginator(items, per_page))


def _page(request: HttpRequest, paginator: Paginator) -> Page:
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.base_query = query.urlencode()
    # Links to the first, the last and the pages around this one: a page of results
    # never lists (or loops over) hundreds of page numbers.
    page.elided = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    page.ellipsis = paginator.ELLIPSIS
    return page
