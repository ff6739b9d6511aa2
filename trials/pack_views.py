"""An evidence pack version as an accessible HTML page, and the photos it shows.

Same content as the PDF (the version's frozen content), same version, for the same people:
those who may see the trial. The page links to the PDF and to the version's check page.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from core.downloads import private_file_response

from . import selectors
from .models import EvidencePack
from .pdf.content import content_from_json
from .pdf.html import pack_page_context


def _pack(request: HttpRequest, pk: int, pack_pk: int):
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    return trial, get_object_or_404(EvidencePack, pk=pack_pk, trial=trial)


@login_required
def pack_page(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    trial, pack = _pack(request, pk, pack_pk)
    content = content_from_json(pack.content)
    with translation.override(content.language):
        context = {"trial": trial, "pack": pack, **pack_page_context(content)}
    # The page's own furniture is in the reader's language; the pack, inside an element
    # marked with its lang, in the pack's language (as its PDF is).
    response = render(request, "trials/pack_page.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def pack_photo(request: HttpRequest, pk: int, pack_pk: int, number: int) -> HttpResponse:
    """Photo ``number`` (from 1) of the pack, as frozen in its content: the print rendition,
    read through the storage API (a local folder or an S3 bucket), or, for packs frozen
    before photos were named in storage, from its file under MEDIA_ROOT."""
    _trial, pack = _pack(request, pk, pack_pk)
    photos = content_from_json(pack.content).photos
    if not 1 <= number <= len(photos):
        raise Http404
    photo = photos[number - 1]
    suffix = Path(photo.name or photo.path).suffix.lower()
    content_type = "image/png" if suffix == ".png" else "image/jpeg"
    filename = f"pack-{pack.code}-photo-{number}{suffix or '.jpg'}"
    if photo.name:
        try:
            handle = default_storage.open(photo.name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
    else:
        path = Path(photo.path).resolve() if photo.path else None
        media = Path(settings.MEDIA_ROOT).resolve()
        if path is None or not path.is_relative_to(media) or not path.is_file():
            raise Http404
        handle = path.open("rb")
    return private_file_response(
        handle, filename=filename, content_type=content_type, as_attachment=False
    )
