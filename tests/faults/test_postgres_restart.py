"""PostgreSQL restarted under load: requests fail cleanly, the service recovers by itself.

A gunicorn server (DEBUG=0, production error handling) runs on a PostgreSQL of the test's
own. Two client threads send a steady stream of GETs — the catalogue page, a test bed
page, the API list and /healthz — while the test stops PostgreSQL (``pg_ctl stop -m
fast``: every connection is cut), waits two seconds and starts it again. Requests during
the outage answer 503 with a message and Retry-After (pages in HTML, the API in JSON,
/healthz says the database is down), never a traceback or a 500; after the restart the
same server answers 200 again within seconds (CONN_HEALTH_CHECKS drops the dead
persistent connections) without being restarted itself.
"""

import itertools
import threading
import time
from dataclasses import dataclass

import pytest

from .servers import (
    Response,
    app_env,
    django_call,
    free_port,
    request,
    start_gunicorn,
    wait_until_serving,
)

pytestmark = [pytest.mark.faults, pytest.mark.slow]

OUTAGE_SECONDS = 2.0
RECOVERY_LIMIT = 5.0  # seconds after PostgreSQL is back by which pages must be 200 again


@dataclass
class Sample:
    sent: float
    path: str
    response: Response | None
    error: str = ""

    @property
    def status(self):
        return self.response.status if self.response else self.error


def test_pages_answer_503_during_a_postgres_restart_and_recover(
    postgres, processes, tmp_path, fault_note
):
    env = app_env(
        database_url=postgres.url(),
        media_root=tmp_path / "media",
        # The stream is far above the anonymous API limit, which is not under test here.
        API_RATE_ANON="100000/min",
        API_RATE_IP="100000/min",
    )
    data = django_call(env, "catalogue")
    port = free_port()
    server = start_gunicorn(port, env, tmp_path / "gunicorn.log", workers=2, threads=2)
    processes.append(server)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(server, base)

    slug = data["testbeds"][0]
    counter = itertools.count()
    # A query string that changes each time, so no request is answered from the page cache.
    paths = itertools.cycle(
        [
            "/testbeds/?page=1&n={n}",
            f"/testbeds/{slug}/?n={{n}}",
            "/api/v1/testbeds/?n={n}",
            "/healthz",
        ]
    )
    samples: list[Sample] = []
    lock = threading.Lock()
    stop = threading.Event()

    def stream():
        while not stop.is_set():
            with lock:
                path = next(paths).format(n=next(counter))
            sent = time.monotonic()
            try:
                sample = Sample(sent, path, request("GET", base + path, timeout=10))
            except OSError as error:
                sample = Sample(sent, path, None, f"{type(error).__name__}: {error}")
            with lock:
                samples.append(sample)
            time.sleep(0.02)

    # Warm both workers first: on a loaded machine a cold worker's first page can take longer
    # than the 1.5 s before the outage, and then counts as "before" while answering during it.
    for warm_up in range(8):
        request("GET", base + next(paths).format(n=f"warm{warm_up}"), timeout=30)
    clients = [threading.Thread(target=stream, daemon=True) for _ in range(2)]
    for client in clients:
        client.start()
    try:
        time.sleep(1.5)
        down_at = time.monotonic()
        postgres.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        postgres.start()
        up_at = time.monotonic()
        deadline = up_at + RECOVERY_LIMIT + 5
        while time.monotonic() < deadline:
            with lock:
                recent = [s for s in samples if s.sent > up_at][-8:]
            if len(recent) == 8 and all(s.status == 200 for s in recent):
                break
            time.sleep(0.1)
        time.sleep(1)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=15)

    def describe(selection):
        return ", ".join(f"{s.sent - down_at:+.2f}s {s.path} {s.status}" for s in selection)

    log = server.output(40)
    before = [s for s in samples if s.sent < down_at - 0.1]
    during = [s for s in samples if down_at + 0.2 < s.sent < up_at - 0.1]
    after = [s for s in samples if s.sent > up_at]

    errors = [s for s in samples if s.response is None]
    assert not errors, f"the server stopped answering: {describe(errors)}\n{log}"
    unexpected = [s for s in samples if s.status not in (200, 503)]
    assert not unexpected, f"only 200 or 503 expected: {describe(unexpected)}\n{log}"
    assert before and all(s.status == 200 for s in before), describe(before)

    outage = [s for s in during if s.status == 503]
    assert len(outage) >= 4, f"the outage was not seen: {describe(during)}"
    for sample in (s for s in samples if s.status == 503):
        body = sample.response.text
        assert "Traceback" not in body and "psycopg" not in body, body[:500]
        if sample.path == "/healthz":
            assert sample.response.json()["checks"]["database"] == "down", body
            continue
        assert sample.response.headers.get("retry-after") == "30", sample.path
        assert "try again" in body.lower(), body[:500]
        if sample.path.startswith("/api/"):
            assert sample.response.json()["code"] == "unavailable", body
        else:
            assert "text/html" in sample.response.headers["content-type"]

    first_ok = next((s for s in after if s.status == 200), None)
    assert first_ok is not None, f"never recovered: {describe(after)}\n{log}"
    recovered_in = first_ok.sent - up_at
    assert recovered_in < RECOVERY_LIMIT, describe(after)
    settled = [s for s in after if s.sent > first_ok.sent + 0.5]
    assert settled and all(s.status == 200 for s in settled), describe(settled)
    assert request("GET", base + "/healthz").status == 200
    assert server.alive(), "gunicorn itself must not have needed a restart"

    fault_note(
        f"killed: PostgreSQL (pg_ctl stop -m fast, {OUTAGE_SECONDS:.0f}s down, started again) "
        f"under {len(samples)} GETs from 2 clients to one gunicorn (2 workers x 2 threads)"
    )
    fault_note(
        f"checked: {len(before)} x 200 before; during the outage {len(outage)} x 503 of "
        f"{len(during)} (Retry-After, 'try again' message, HTML for pages, JSON for the API, "
        "/healthz database=down), no 500, no traceback, no dropped connection; "
        f"200 again {recovered_in:.2f}s after PostgreSQL was back, then "
        f"{len(settled)} x 200; /healthz 200"
    )
