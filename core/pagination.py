"""Page-number pagination that keeps the rest of the query string (filters) in its links."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, items: QuerySet, *, per_page: int = 20) -> Page:
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.base_query = query.urlencode()
    # Links to the first, the last and the pages around this one: a page of results
    # never lists (or loops over) hundreds of page numbers.
    page.elided = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    page.ellipsis = paginator.ELLIPSIS
    return page
