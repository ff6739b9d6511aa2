"""Two app servers sharing one PostgreSQL never double-book.

Two separate gunicorn servers (two workers of four threads each) on one PostgreSQL of
the test's own take 100 booking requests for the same days on a capacity-3 test bed
that confirms at once, all released together and split across both servers. Exactly
three are confirmed (201), the other 97 are told the days are full (409), nothing
fails (no 5xx), and the database holds exactly three confirmed bookings, one per unit.
"""

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .servers import app_env, django_call, free_port, request, start_gunicorn, wait_until_serving

pytestmark = [pytest.mark.faults, pytest.mark.slow]

REQUESTS = 100
CAPACITY = 3


def test_two_gunicorn_servers_confirm_exactly_the_capacity(
    postgres, processes, tmp_path, fault_note
):
    env = app_env(database_url=postgres.url(), media_root=tmp_path / "media")
    race = django_call(env, "booking_race", REQUESTS)

    servers = []
    for n in range(2):
        port = free_port()
        process = start_gunicorn(port, env, tmp_path / f"gunicorn-{n}.log", workers=2, threads=4)
        processes.append(process)
        servers.append((process, f"http://127.0.0.1:{port}"))
    for process, url in servers:
        wait_until_serving(process, url)

    body = json.dumps(
        {
            "testbed": race["testbed"],
            "title": "Race for the same days",
            "summary": "One of a hundred requests for the same five days.",
            "first_day": race["first_day"],
            "last_day": race["last_day"],
        }
    )
    gate = threading.Barrier(REQUESTS)

    def book(n: int):
        url = servers[n % 2][1]
        headers = {
            "Authorization": f"Bearer {race['tokens'][n]}",
            "Content-Type": "application/json",
        }
        gate.wait(timeout=30)  # every thread sends at the same moment
        try:
            return url, request(
                "POST", url + "/api/v1/trials/", headers=headers, body=body, timeout=60
            )
        except OSError as error:  # a refused or dropped connection counts as a failure
            return url, error

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(book, range(REQUESTS)))

    statuses = Counter(
        getattr(response, "status", type(response).__name__) for _, response in results
    )
    per_server = Counter((url, getattr(response, "status", "error")) for url, response in results)
    logs = "\n".join(process.output(20) for process, _ in servers)
    report = f"statuses {dict(statuses)}, per server {dict(per_server)}"
    fault_note(f"{REQUESTS} concurrent conflicting booking requests over 2 gunicorns: {report}")

    assert not [s for s in statuses if isinstance(s, int) and s >= 500], f"{report}\n{logs}"
    assert statuses == {201: CAPACITY, 409: REQUESTS - CAPACITY}, f"{report}\n{logs}"
    assert {url for url, _ in results} == {url for _, url in servers}

    conflict = next(r for _, r in results if r.status == 409).json()
    assert conflict["code"] and conflict["message"], conflict

    confirmed = postgres.execute(
        "SELECT unit FROM testbeds_booking WHERE testbed_id = %s AND status = 'confirmed'",
        (race["testbed_id"],),
    )
    all_bookings = postgres.execute(
        "SELECT count(*) FROM testbeds_booking WHERE testbed_id = %s", (race["testbed_id"],)
    )[0][0]
    approved = postgres.execute(
        "SELECT count(*) FROM trials_trial WHERE testbed_id = %s AND status = 'approved'",
        (race["testbed_id"],),
    )[0][0]
    assert sorted(unit for (unit,) in confirmed) == [1, 2, 3], confirmed
    assert all_bookings == CAPACITY, "a refused request left a booking behind"
    assert approved == CAPACITY
    fault_note(
        "checked: 3 x 201, 97 x 409, no 5xx; database: exactly 3 confirmed bookings "
        "(units 1, 2, 3) and 3 approved trials"
    )
