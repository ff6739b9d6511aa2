"""Periodic work: one registry of jobs, run by cron (`manage.py run_periodic`) or Celery beat.

Each app registers its jobs in its ``AppConfig.ready()`` (apps import down the floors, so
``core`` cannot import them; they come to it). A job is a function with no required
arguments that is idempotent: running it twice does nothing twice (notifications carry a
key, state changes re-check under a lock). On top of that every job runs under an
exclusive lock of its own — a PostgreSQL advisory lock, or a file lock beside the SQLite
database — so two machines running the same job at the same moment do not both run it:
the second skips it and says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

logger = logging.getLogger(__name__)

Job = Callable[[], Any]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: Job
    description: str
    schedule: dict  # crontab keyword arguments for Celery beat, e.g. {"minute": 15}


_JOBS: dict[str, PeriodicJob] = {}


def register(name: str, function: Job, *, description: str, **schedule: Any) -> None:
    """Register ``function`` as the periodic job ``name`` (once; re-registering replaces)."""
    _JOBS[name] = PeriodicJob(name, function, description, schedule or {"minute": 0})


def jobs() -> dict[str, PeriodicJob]:
    return dict(sorted(_JOBS.items()))


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock."""
    digest = hashlib.sha256(f"tbx-periodic:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _sqlite_lock_path(name: str) -> Path:
    """A lock file beside the SQLite database (every process using that file sees it); for
    an in-memory database, in the temporary folder, named after the database."""
    database = str(connection.settings_dict["NAME"])
    folder = Path(database).parent
    if "memory" in database or not folder.is_dir():
        folder = Path(tempfile.gettempdir())
    tag = hashlib.sha256(f"{Path(database).resolve()}:{name}".encode()).hexdigest()[:16]
    return folder / f".tbx-periodic-{tag}.lock"


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yield True if this process holds the job's lock (released on exit), else False."""
    if connection.vendor == "postgresql":
        key = _lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    import fcntl

    lock_path = _sqlite_lock_path(name)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class JobRun:
    name: str
    ran: bool
    result: Any = None
    seconds: float = 0.0
    error: str = ""


def run_job(name: str) -> JobRun:
    """Run one registered job under its lock. An error is logged and reported, not raised,
    so one failing job does not stop the others."""
    job = _JOBS[name]
    with exclusive(name) as held:
        if not held:
            logger.info("Periodic job %s is running elsewhere: skipped", name)
            return JobRun(name, ran=False)
        started = time.monotonic()
        try:
            result = job.function()
        except Exception as error:  # noqa: BLE001 — reported, and the next job still runs
            logger.exception("Periodic job %s failed", name)
            return JobRun(name, ran=True, error=repr(error), seconds=time.monotonic() - started)
        return JobRun(name, ran=True, result=result, seconds=time.monotonic() - started)


def run_all(only: list[str] | None = None) -> list[JobRun]:
    names = [n for n in jobs() if not only or n in only]
    return [run_job(name) for name in names]


def beat_schedule() -> dict[str, dict]:
    """Celery beat entries: one per registered job, each calling ``core.run_periodic_job``."""
    from celery.schedules import crontab

    return {
        f"periodic-{job.name}": {
            "task": "core.run_periodic_job",
            "schedule": crontab(**job.schedule),
            "args": (job.name,),
        }
        for job in jobs().values()
    }
