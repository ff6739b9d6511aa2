"""Photos for the evidence-pack renderer, read through the storage API."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from trials.pdf.content import PackContent

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def photos_on_disk(content: PackContent) -> Iterator[PackContent]:
    """The content with each photo named in storage (the local folder or an S3 bucket) read
    through the storage API into a temporary folder that lasts for the render: reportlab
    embeds a JPEG file as it is, without decoding it. A photo that cannot be read renders
    as "Photo not available"."""
    if not any(photo.name for photo in content.photos):
        yield content
        return
    from django.core.files.storage import default_storage

    with tempfile.TemporaryDirectory(prefix="tbx-pack-") as folder:
        photos = []
        for number, photo in enumerate(content.photos, 1):
            if photo.name:
                target = Path(folder) / f"photo-{number}{Path(photo.name).suffix.lower()}"
                try:
                    with default_storage.open(photo.name, "rb") as source, target.open("wb") as out:
                        shutil.copyfileobj(source, out, 1 << 20)
                except Exception:  # noqa: BLE001 — any storage failure: the photo is missing
                    logger.warning("Pack photo %s could not be read", photo.name, exc_info=True)
                    target = Path(folder) / "missing"
                photo = dataclasses.replace(photo, path=str(target))
            photos.append(photo)
        yield dataclasses.replace(content, photos=tuple(photos))
