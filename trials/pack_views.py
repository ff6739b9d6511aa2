"""An evidence pack version as an accessible HTML page, and the photos it shows.

Same content as the PDF (the version's frozen content), same version, for the same people:
those who may see the trial. The page links to the PDF and to the version's check page.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
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
    """Photo ``number`` (from 1) of the pack, as frozen in its content: the print rendition."""
    _trial, pack = _pack(request, pk, pack_pk)
    photos = content_from_json(pack.content).photos
    if not 1 <= number <= len(photos) or not photos[number - 1].path:
        raise Http404
    path = Path(photos[number - 1].path).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.is_file():
        raise Http404
    return private_file_response(
        path.open("rb"),
        filename=f"pack-{pack.code}-photo-{number}.jpg",
        content_type="image/jpeg",
        as_attachment=False,
    )
