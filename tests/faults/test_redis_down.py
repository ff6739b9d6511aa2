"""Redis down: pages still render, rate limits fail open, tasks run anyway, /healthz says so.

A gunicorn server (DEBUG=0) uses a redis-server of the test's own for its cache (REDIS_URL,
db 0) and as the Celery broker (CELERY_BROKER_URL, db 1). The test checks that both work,
then stops Redis and checks that the catalogue, a test bed page and the sign-in page still
render; failed sign-ins (each one a rate-limit write to the cache) still get the form with
its error, past the 5-per-address limit (the limit fails open rather than refusing
everyone); /healthz answers 503 naming the cache and the broker; and a booking through the
API (throttled through the cache; its confirmation e-mail is a Celery task) succeeds, the
e-mail task running in the web process instead (core.tasks.enqueue). Then Redis comes back
and the service uses it again without a restart.
"""

import datetime
import json
import time
from urllib.parse import urlencode

import pytest

from .servers import app_env, django_call, free_port, request, start_gunicorn, wait_until_serving

pytestmark = [pytest.mark.faults, pytest.mark.slow]

QUICK = 3.0  # seconds: a dead cache must not make pages wait on time-outs


def book(base: str, data: dict, first_day: str, last_day: str):
    body = {
        "testbed": data["testbeds"][0],
        "title": "Booked while Redis is down",
        "summary": "The booking must not depend on the cache or the broker.",
        "first_day": first_day,
        "last_day": last_day,
    }
    return request(
        "POST",
        base + "/api/v1/trials/",
        headers={"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"},
        body=json.dumps(body),
        timeout=30,
    )


def failed_login(base: str, email: str):
    form = request("GET", base + "/accounts/login/")
    assert form.status == 200
    token = form.cookies["csrftoken"]
    started = time.monotonic()
    response = request(
        "POST",
        base + "/accounts/login/",
        headers={
            "Cookie": f"csrftoken={token}",
            "X-CSRFToken": token,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode({"login": email, "password": "not-the-password"}),
    )
    return response, time.monotonic() - started


def test_redis_down_degrades_safely(postgres, redis_server, processes, tmp_path, fault_note):
    env = app_env(
        database_url=postgres.url(),
        media_root=tmp_path / "media",
        REDIS_URL=redis_server.url(0),
        CELERY_BROKER_URL=redis_server.url(1),
    )
    data = django_call(env, "catalogue")
    port = free_port()
    server = start_gunicorn(port, env, tmp_path / "gunicorn.log", workers=2, threads=2)
    processes.append(server)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(server, base)

    # With Redis up: everything is healthy and the page cache lives in Redis.
    health = request("GET", base + "/healthz").json()
    assert health["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}, health
    assert request("GET", base + "/testbeds/").status == 200
    assert request("GET", base + "/testbeds/").headers.get("x-cache") == "hit"

    redis_server.stop()

    for path in ("/testbeds/", f"/testbeds/{data['testbeds'][1]}/", "/accounts/login/", "/"):
        started = time.monotonic()
        response = request("GET", base + path)
        took = time.monotonic() - started
        assert response.status == 200, f"{path}: {response.status}\n{server.output()}"
        assert took < QUICK, f"{path} took {took:.1f}s with the cache down"

    # Six failed sign-ins for one address: over the limit of 5, yet each gets the form.
    for attempt in range(6):
        response, took = failed_login(base, data["email"])
        assert response.status == 200, f"attempt {attempt + 1}: {response.status}"
        assert "not correct" in response.text, response.text[:2000]
        assert took < QUICK, f"a failed sign-in took {took:.1f}s with the cache down"

    health = request("GET", base + "/healthz")
    assert health.status == 503
    assert health.json()["checks"] == {"database": "ok", "cache": "down", "broker": "down"}

    started = time.monotonic()
    booked = book(base, data, data["first_day"], data["last_day"])
    took = time.monotonic() - started
    assert booked.status == 201, f"{booked.status} {booked.text[:500]}\n{server.output()}"
    trial_id = booked.json()["id"]
    emails = postgres.execute(
        "SELECT n.subject, n.emailed_at FROM accounts_notification n "
        "JOIN accounts_user u ON u.id = n.user_id WHERE u.email = %s",
        (data["email"],),
    )
    assert emails and all(emailed_at for _, emailed_at in emails), emails
    assert "Broker unreachable" in server.output(200), "the fallback was not logged"

    # Redis comes back: the same server uses it again by itself.
    redis_server.start()
    deadline = time.monotonic() + 15
    while request("GET", base + "/healthz").status != 200:
        assert time.monotonic() < deadline, "healthz did not recover after Redis came back"
        time.sleep(0.5)
    recovered_in = 15 - (deadline - time.monotonic())
    # The day after the first booking: a second live request of the same start-up on
    # overlapping days would be refused as a duplicate (issue 21).
    next_day = (
        datetime.date.fromisoformat(data["last_day"]) + datetime.timedelta(days=1)
    ).isoformat()
    later = book(base, data, next_day, next_day)
    assert later.status == 201, later.text[:500]
    # Its e-mail went to the broker this time (no worker runs here, so it waits there).
    assert redis_server.client(db=1).llen("celery") >= 1
    unsent = postgres.execute(
        "SELECT count(*) FROM accounts_notification n JOIN accounts_user u ON u.id = n.user_id "
        "WHERE u.email = %s AND n.emailed_at IS NULL",
        (data["email"],),
    )[0][0]
    assert unsent >= 1

    fault_note(
        "killed: the app's redis-server (cache db 0 and Celery broker db 1) under one gunicorn"
    )
    fault_note(
        "checked: catalogue, test bed page, sign-in page and home 200 (each under "
        f"{QUICK:.0f}s); 6 failed sign-ins for one address all 200 with the form error (rate "
        "limit fails open, no 429, no wait); /healthz 503 cache=down broker=down database=ok; "
        f"API booking 201 in {took:.2f}s (trial {trial_id}) with its confirmation e-mail sent "
        "in-process (emailed_at set, fallback logged); after Redis came back /healthz 200 in "
        f"{recovered_in:.1f}s, and a new booking 201 with its e-mail queued on the broker"
    )
