"""`make serve-prod`'s runner (``python -m config.procfile``): the Procfile's web (gunicorn),
worker (Celery) and beat on this machine with PostgreSQL and Redis of the test's own. The web
process serves and reports every dependency healthy; a booking's confirmation e-mail goes
through Redis to the worker, which sends it; beat starts; and stopping the runner stops all
three."""

import json
import os
import re
import sys
import time

import pytest

from config import procfile

from .servers import app_env, django_call, free_port, request, spawn, wait_until_serving

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_the_procfile_runs_web_worker_and_beat_together(
    postgres, redis_server, processes, tmp_path, fault_note
):
    assert list(procfile.entries()) == ["web", "worker", "beat"]
    port = free_port()
    env = app_env(
        database_url=postgres.url(),
        media_root=tmp_path / "media",
        REDIS_URL=redis_server.url(0),
        CELERY_BROKER_URL=redis_server.url(1),
        PORT=str(port),
        WEB_CONCURRENCY="1",
        BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
        WORKER_CONCURRENCY="1",
    )
    data = django_call(env, "catalogue")
    runner = spawn("procfile", [sys.executable, "-m", "config.procfile"], env, tmp_path / "all.log")
    processes.append(runner)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(runner, base, timeout=60)
    health = request("GET", base + "/healthz").json()
    assert health["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}, health

    booked = request(
        "POST",
        base + "/api/v1/trials/",
        headers={"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"},
        body=json.dumps(
            {
                "testbed": data["testbeds"][0],
                "title": "Booked through the Procfile's processes",
                "summary": "Its e-mail goes to the worker through Redis.",
                "first_day": data["first_day"],
                "last_day": data["last_day"],
            }
        ),
        timeout=30,
    )
    assert booked.status == 201, booked.text[:500]
    deadline = time.monotonic() + 60
    while True:
        unsent = postgres.execute(
            "SELECT count(*) FROM accounts_notification n JOIN accounts_user u "
            "ON u.id = n.user_id WHERE u.email = %s AND n.emailed_at IS NULL",
            (data["email"],),
        )[0][0]
        sent = postgres.execute(
            "SELECT count(*) FROM accounts_notification n JOIN accounts_user u "
            "ON u.id = n.user_id WHERE u.email = %s AND n.emailed_at IS NOT NULL",
            (data["email"],),
        )[0][0]
        if sent and not unsent:
            break
        assert time.monotonic() < deadline, f"the worker sent nothing\n{runner.output(200)}"
        time.sleep(0.5)
    # Beat may log its start after the worker's first task on a busy machine: wait for it.
    deadline = time.monotonic() + 60
    while True:
        log = runner.output(400)
        if re.search(r"beat +\| .*beat: Starting", log) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert re.search(r"worker +\| .*ready", log), log
    assert re.search(r"beat +\| .*beat: Starting", log), log

    pids = [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", log)]
    assert len(pids) == 3
    runner.stop()
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or _zombie(pid), f"{pid} still running"
    fault_note(
        "ran: python -m config.procfile (make serve-prod) with PostgreSQL and Redis; checked: "
        "/healthz all ok, an API booking's e-mail sent by the worker through Redis, beat "
        "started, all three stopped with the runner"
    )


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
