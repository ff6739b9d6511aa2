"""Private downloads: evidence files and packs, served only through permission-checked views."""

from typing import BinaryIO

from django.http import FileResponse


def private_file_response(
    handle: BinaryIO, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """A private download: never cached by shared caches, never sniffed, never run."""
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
