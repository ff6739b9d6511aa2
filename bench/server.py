"""A production-like server for the HTTP benchmarks: gunicorn, 2 workers, DEBUG=0, PostgreSQL.

Loopback only (127.0.0.1, a free port). Static files are collected into STATIC_ROOT
(``staticfiles/``, git-ignored) first, as the manifest storage needs with DEBUG=0. API rate
limits are raised so the load generator measures the pages, not the throttle.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from common import ROOT, SECRET_KEY

WORKERS = 2


def server_env(database_url: str) -> dict[str, str]:
    unlimited = "1000000/min"
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": SECRET_KEY,
        "EMAIL_URL": "dummy://",
        "LOG_LEVEL": "ERROR",
        "API_RATE_ANON": unlimited,
        "API_RATE_USER": unlimited,
        "API_RATE_IP": unlimited,
        "API_RATE_WRITE": unlimited,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def collectstatic(env: dict[str, str], tries: int = 3) -> None:
    """Collect static files (retried: someone else's collectstatic may be writing too)."""
    command = [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput"]
    for attempt in range(1, tries + 1):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode == 0:
            return
        if attempt == tries:
            raise RuntimeError(f"collectstatic failed:\n{done.stderr[-2000:]}")
        time.sleep(2)


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextmanager
def gunicorn(
    database_url: str, *, threads: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Serve the project until the block ends; the process is stopped by its own id."""
    env = {**server_env(database_url), **(extra_env or {})}
    collectstatic(env)
    port = free_port()
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "--workers",
        str(WORKERS),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz", process)
        yield Server(base=base, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def api_token(user) -> str:
    """A fresh read-only API token for ``user`` (earlier bench tokens are deleted)."""
    from accounts.models import ApiToken
    from accounts.tokens import token_create

    ApiToken.objects.filter(user=user, name="bench http").delete()
    return token_create(actor=user, name="bench http")[1]


def session_cookie(user) -> str:
    """A signed-in session for ``user`` (made directly, as a login would), as a Cookie value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.session_store import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
