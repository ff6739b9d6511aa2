"""Fixtures of the fault tests: servers of their own, cleaned up even when a test fails."""

import contextlib
import time

import pytest

from .servers import Postgres, Redis, app_env, migrate, postgres_bindir, remove, temp_dir


@pytest.fixture(scope="session")
def postgres_template():
    """A stopped PostgreSQL cluster with the migrated database ``tbx``, made once.

    Each test copies it into a cluster of its own (a file copy: much faster than
    migrating again), so a test can stop or restart its server freely.
    """
    bindir = postgres_bindir()
    folder = temp_dir("tbx-faults-template-")
    cluster = Postgres(bindir, folder)
    try:
        cluster.initdb()
        cluster.start()
        cluster.execute("CREATE DATABASE tbx", database="postgres")
        migrate(app_env(database_url=cluster.url(), media_root=folder / "media"))
        cluster.stop()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        remove(folder)


@pytest.fixture
def postgres(postgres_template):
    """This test's own PostgreSQL server (a copy of the template) on a free port."""
    folder = temp_dir("tbx-faults-pg-")
    cluster = postgres_template.copy_to(folder)
    try:
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        remove(folder)


@pytest.fixture
def redis_server(tmp_path):
    """This test's own redis-server on a free port (no persistence)."""
    server = Redis(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def processes():
    """Processes the test starts (gunicorn, workers); all stopped at the end."""
    started = []
    yield started
    for process in reversed(started):
        with contextlib.suppress(Exception):
            process.stop()


NOTES: list[str] = []


@pytest.fixture
def fault_note(request):
    """Record what a fault test killed and checked; listed at the end of the test run."""
    started = time.monotonic()

    def note(text: str) -> None:
        NOTES.append(f"{request.node.name} [{time.monotonic() - started:5.1f}s] {text}")

    return note


def pytest_terminal_summary(terminalreporter):
    if NOTES:
        terminalreporter.section("fault tests: what was killed and what was checked")
        for line in NOTES:
            terminalreporter.write_line(line)
