"""Downloads: spreadsheet-safe CSV and pretty-printed JSON.

CSV cells are neutralised against formula injection (OWASP "CSV Injection"): a text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so a
spreadsheet shows it as text instead of running it. Numbers are written as they are, so a
negative number stays a number.

Check permissions before calling these: the CSV rows are produced lazily while the response
streams, so ``rows`` may be a generator or a queryset iterator.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers

__all__ = ["csv_response", "json_response", "safe_filename", "spreadsheet_safe"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def spreadsheet_safe(value: object) -> str:
    """A CSV cell for value that no spreadsheet will run as a formula.

    ``None`` is ``""``; ``int``, ``float`` and ``Decimal`` (not ``bool``) are written unchanged
    (``-3`` stays ``-3``); dates, times and datetimes in ISO 8601; anything else as ``str()``,
    with a leading ``'`` when it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_filename(filename: str, extension: str) -> str:
    """An ASCII file name safe inside a quoted Content-Disposition header.

    Accents are dropped (``café`` → ``cafe``), every other run of characters outside
    ``A-Z a-z 0-9 . _ -`` (quotes, slashes, spaces, newlines…) becomes ``-``, leading dots and
    dashes go, the name is kept to 100 characters and ends in ``.{extension}``.
    """
    suffix = f".{extension.lstrip('.')}"
    ascii_name = (
        unicodedata.normalize("NFKD", str(filename)).encode("ascii", "ignore").decode("ascii")
    )
    name = _FILENAME_UNSAFE.sub("-", ascii_name).strip(".-")
    if name.lower().endswith(suffix.lower()):
        name = name[: -len(suffix)].rstrip(".-")
    name = name[: 100 - len(suffix)].rstrip(".-") or "export"
    return name + suffix


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Exports hold private data: no shared or browser cache keeps a copy.
    add_never_cache_headers(response)


class _Line:
    """A file-like object whose write() hands back the line csv.writer formatted."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(header: Sequence[object], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """A streamed CSV download: UTF-8 with a byte-order mark (so Excel reads it as UTF-8),
    CRLF line ends, the header row first, every cell (header included) through
    ``spreadsheet_safe``, and ``attachment; filename="…csv"`` with a sanitised name.
    """
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    _attachment(response, safe_filename(filename, "csv"))
    return response


def json_response(filename: str, data: object) -> HttpResponse:
    """A JSON download: ``DjangoJSONEncoder`` (dates, decimals, UUIDs), UTF-8 text rather
    than ``\\u`` escapes, indented by two spaces, as ``attachment; filename="…json"``.
    """
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type="application/json")
    _attachment(response, safe_filename(filename, "json"))
    return response
