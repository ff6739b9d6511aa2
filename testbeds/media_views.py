"""Test bed photos at ``/media/testbeds/<id>/<file>``, read through the storage API (the
local folder or a private S3 bucket alike).

A photo of a published (or paused) test bed is public and immutable (new uploads get new
names), so it is cached for a year. A photo of a test bed in draft or retired is shown only
to its provider's members, never cached by shared caches; anyone else gets 404, as for the
test bed itself. Everything else under ``/media/`` (evidence, packs, attachments) is never
served here: it goes through its own permission-checked download.
"""

from __future__ import annotations

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from .models import TestBed
from .selectors import testbeds_of_provider

_PHOTO = re.compile(r"^testbeds/(?P<testbed>[0-9]+)/[A-Za-z0-9._-]+$")
PUBLIC_STATUSES = (TestBed.Status.PUBLISHED, TestBed.Status.PAUSED)


def photo_file(request: HttpRequest, path: str) -> HttpResponse:
    match = _PHOTO.match(path)
    if match is None:
        raise Http404
    testbed = TestBed.objects.filter(pk=match["testbed"]).only("pk", "status").first()
    if testbed is None:
        raise Http404
    public = testbed.status in PUBLIC_STATUSES
    if not public and not (
        request.user.is_authenticated
        and testbeds_of_provider(request.user).filter(pk=testbed.pk).exists()
    ):
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except Exception as error:  # noqa: BLE001 — missing or unreadable is "not found"
        raise Http404 from error
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if public else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
