"""A live server with the demo data, and Debian's Chromium driven by Playwright.

The server is the real application in a subprocess (gunicorn, as in production), on 127.0.0.1
and a free port, against its own fresh SQLite file with ``migrate`` and ``seed_demo``: the
journeys talk HTTP to it and never touch pytest's test database. It runs with ``DEBUG=1`` so
WhiteNoise serves static files straight from the finders (no ``collectstatic`` step, and e-mail
links use http://, as on this plain-HTTP server); everything else is as in production: CSP with
nonces, eager background tasks, the manifest-free static storage being the only difference.
E-mail goes to files, so the sign-up journey reads its verification link from them.

No browser is downloaded: Chromium is Debian's package at /usr/bin/chromium (``.ci/run``
installs it). Without it the journeys skip, or fail when REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_binary_file
from email.policy import default as default_policy
from io import BytesIO
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]

try:
    import playwright.sync_api  # noqa: F401
except ImportError:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise
    # Without Playwright the journeys cannot even be imported: leave them out, and say so.
    collect_ignore_glob = ["test_*.py"]
    NO_PLAYWRIGHT = "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
else:
    NO_PLAYWRIGHT = ""


def pytest_report_header(config) -> str | None:
    return f"browser journeys left out: {NO_PLAYWRIGHT}" if NO_PLAYWRIGHT else None


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: browser journeys must run)", pytrace=False)
    pytest.skip(reason)


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    log: Path
    env: dict | None = None

    def manage(self, *command: str) -> None:
        """Run a management command against the server's database (what an operator does)."""
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def mail_to(self, address: str) -> list:
        """Every e-mail sent to an address so far, oldest first."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            with path.open("rb") as handle:
                # The file backend writes messages one after another, separated by a line of -.
                chunks = handle.read().split(b"\n" + b"-" * 79 + b"\n")
            for chunk in chunks:
                if not chunk.strip():
                    continue
                message = message_from_binary_file(BytesIO(chunk), policy=default_policy)
                if address in (message.get("To") or ""):
                    found.append(message)
        return found

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment(tmp: Path, url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The e2e server always runs on its own SQLite file, with eager tasks and local cache.
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        MEDIA_ROOT=str(tmp / "media"),
        EMAIL_URL=f"file://{tmp / 'mail'}",  # file:///tmp/…: e-mails as files to read
        SITE_URL=url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory) -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("e2e-server")
    (tmp / "mail").mkdir()
    (tmp / "media").mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _server_environment(tmp, url)
    log = tmp / "server.log"
    python = sys.executable
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    gunicorn = shutil.which("gunicorn", path=str(Path(python).parent)) or "gunicorn"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The live server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield LiveServer(url=url, mail_dir=tmp / "mail", log=log, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(e2e_server):
    from playwright.sync_api import sync_playwright

    from .browser import SCREENSHOTS

    (SCREENSHOTS / "pages-checked.json").unlink(missing_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def open_journey(browser, e2e_server, request) -> Iterator[Callable]:
    """open_journey(name, javascript=True): a new browser context (a new person) and its page."""
    from playwright.sync_api import expect

    from .browser import Journey

    expect.set_options(timeout=15_000)
    contexts = []
    journeys = []

    def open_(name: str, *, javascript: bool = True, width: int = 1280) -> Journey:
        """``width`` 375 is a phone (issue 22.4): every page is also checked for sideways
        scrolling, as at every width."""
        options = {
            "base_url": e2e_server.url,
            "locale": "en-GB",
            "timezone_id": "Europe/London",
            "viewport": {"width": width, "height": 900 if width > 600 else 812},
            "accept_downloads": True,
        }
        context = browser.new_context(java_script_enabled=javascript, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        auditor = None
        if not javascript:
            auditor_context = browser.new_context(**options)
            contexts.append(auditor_context)
            auditor = auditor_context.new_page()
        journey = Journey(context.new_page(), base_url=e2e_server.url, name=name, auditor=auditor)
        journeys.append(journey)
        return journey

    yield open_
    if getattr(request.node, "e2e_failed", False):
        for journey in journeys:
            # A failed screenshot must not hide the failure.
            with contextlib.suppress(Exception):
                journey.screenshot("failed")
        sys.stderr.write(f"\nLive server log (tail):\n{e2e_server.log_tail()}\n")
    for context in contexts:
        context.close()
