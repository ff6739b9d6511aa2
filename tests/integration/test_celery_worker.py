"""A real Celery worker, on Redis, renders an evidence pack.

The worker is a separate process that reads the same test database and media
folder. CI sets REQUIRE_SERVICES=1, so there a missing Redis fails the test; on a
laptop without Redis it is skipped.
"""

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

import pytest
import redis
from celery.exceptions import AlwaysEagerIgnored
from django.db import connection

from config.celery import app
from trials import services
from trials.models import EvidencePack

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_broker():
    if not redis_available():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    # A Redis database of its own: stale messages from an earlier run cannot interfere.
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def enqueue_on_redis(task_name: str, *args) -> None:
    """Send a task to the test broker with a producer of its own.

    The suite's Celery app stays in eager mode for every other test; this test only
    swaps how its one task is queued, not the app's settings.
    """
    with (
        warnings.catch_warnings(),
        app.connection_for_write(REDIS_URL) as connection,
        connection.Producer() as producer,
    ):
        warnings.simplefilter("ignore", AlwaysEagerIgnored)  # sending is what we want here
        app.send_task(task_name, args=list(args), producer=producer)


@pytest.fixture
def worker(redis_broker, settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SITE_URL": settings.SITE_URL,
        "SECRET_KEY": "integration-tests-only-" + "k" * 40,  # workers refuse the public key
    }
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = connection.settings_dict["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_renders_a_submitted_pack(worker, completed_pack_trial):
    trial, startup = completed_pack_trial
    in_this_process = AssertionError("rendered in the test process, not by the worker")
    with (
        mock.patch(
            "trials.services.evidence.enqueue_named",
            lambda name, *args: enqueue_on_redis(name, *args),
        ),
        mock.patch("trials.pdf.render.render_evidence_pack", side_effect=in_this_process),
    ):
        pack = services.trial_submit(actor=startup.user, trial=trial)  # queued on commit, to Redis
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pack.refresh_from_db()
        if pack.state != "preparing":
            break
        time.sleep(0.25)
    output = b""
    if pack.state != "ready":
        worker.terminate()
        output = worker.communicate(timeout=15)[0]
    assert pack.state == "ready", output.decode(errors="replace")[-3000:]
    with pack.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert len(pack.sha256) == 64
    assert EvidencePack.objects.filter(trial=trial).count() == 1
