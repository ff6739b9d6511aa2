"""Worker A of the killed-worker fault test: the real Celery app and the real tasks.

``celery -A tests.faults.slow_worker worker`` runs ``trials.tasks.render_pack`` unchanged;
the only difference is in this process's file storage. When the task writes the rendered
PDF, the first half is written, then the path is recorded in ``FAULTS_MARKER`` and the
write is held for ``FAULTS_HOLD_SECONDS`` — long enough for the test to SIGKILL the worker
in the middle of the write. No production code reads anything for this.
"""

import json
import os
import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from config.celery import app

__all__ = ["app"]

_real_save = FileSystemStorage._save


def _held_save(self, name, content):
    if not name.endswith(".pdf"):
        return _real_save(self, name, content)
    data = content.read()
    half = len(data) // 2

    class HalfWritten(ContentFile):
        def chunks(self, chunk_size=None):
            yield data[:half]
            Path(os.environ["FAULTS_MARKER"]).write_text(
                json.dumps({"pid": os.getpid(), "name": name, "size": len(data), "written": half})
            )
            time.sleep(float(os.environ.get("FAULTS_HOLD_SECONDS", "60")))
            yield data[half:]

    return _real_save(self, name, HalfWritten(data, name=getattr(content, "name", None)))


FileSystemStorage._save = _held_save
