"""A Celery worker killed mid-render leaves no partial pack; another worker completes it.

Worker A runs the real app and the real ``render_pack`` task against a Redis and a
PostgreSQL of the test's own; its only difference (tests/faults/slow_worker.py, loaded
with ``celery -A tests.faults.slow_worker``) is that writing the rendered PDF stops
halfway and waits. A start-up submits a completed trial, so the pack's render task is
queued on commit. While A is writing the file the test SIGKILLs it, then checks that the
pack is not ready and references no file, and that the message is still unacknowledged
in Redis. Worker B (the plain ``celery -A config worker``) starts; the message comes back
after the visibility timeout (late acknowledgement; shortened to 5 s for the test by
tests/faults/settings.py) and B renders the pack: ready once, a complete PDF whose
SHA-256 and size match the row, written over the half-written file (which no row ever
pointed at, so it was never served).
"""

import hashlib
import json
import re
import time

import pytest

from .servers import app_env, django_call, start_worker

pytestmark = [pytest.mark.faults, pytest.mark.slow]

VISIBILITY_TIMEOUT = 5


def wait_for(condition, timeout: float, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message())


def test_a_worker_killed_mid_render_leaves_no_partial_pack(
    postgres, redis_server, processes, tmp_path, fault_note
):
    media = tmp_path / "media"
    marker = tmp_path / "rendering.json"
    env = app_env(
        database_url=postgres.url(),
        media_root=media,
        CELERY_BROKER_URL=redis_server.url(1),
        FAULTS_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
    )
    worker_a = start_worker(
        "tests.faults.slow_worker",
        "A",
        {**env, "FAULTS_MARKER": str(marker), "FAULTS_HOLD_SECONDS": "120"},
        tmp_path / "worker-a.log",
    )
    processes.append(worker_a)

    pack_id = django_call(env, "submitted_pack")["pack_id"]  # render queued on commit

    def pack():
        rows = postgres.execute(
            "SELECT state, file, sha256, size, attempts, rendered_at, trial_id "
            "FROM trials_evidencepack WHERE id = %s",
            (pack_id,),
        )
        names = ["state", "file", "sha256", "size", "attempts", "rendered", "trial"]
        return dict(zip(names, rows[0], strict=True))

    wait_for(
        lambda: marker.exists() or not worker_a.alive(),
        60,
        lambda: f"worker A never started writing the pack\n{worker_a.output()}",
    )
    assert worker_a.alive(), worker_a.output()
    held = json.loads(marker.read_text())
    worker_a.kill()  # SIGKILL while the PDF is half-written

    after_kill = pack()
    assert after_kill["state"] == "preparing", after_kill
    assert after_kill["file"] == "" and after_kill["sha256"] == "", after_kill
    assert after_kill["size"] == 0 and after_kill["rendered"] is None, after_kill
    partial = media / held["name"]
    assert partial.exists() and partial.stat().st_size < held["size"], held
    on_disk = partial.stat().st_size
    broker = redis_server.client(db=1)
    assert broker.hlen("unacked") >= 1, "the render task was acknowledged before it finished"

    killed_at = time.monotonic()
    worker_b = start_worker("config", "B", env, tmp_path / "worker-b.log")
    processes.append(worker_b)
    wait_for(
        lambda: pack()["state"] != "preparing",
        VISIBILITY_TIMEOUT + 45,
        lambda: f"the pack was not rendered again: {pack()}\n{worker_b.output()}",
    )
    redelivered_in = time.monotonic() - killed_at
    done = pack()
    assert done["state"] == "ready", f"{done}\n{worker_b.output()}"
    # Worker A's claim counted one attempt before it was killed; B's is the second.
    assert done["attempts"] == 2, done
    # The half-written file of the killed worker is replaced, not left beside the real one.
    assert done["file"] == held["name"], (done, held)
    content = (media / done["file"]).read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == done["sha256"]
    assert len(content) == done["size"]
    versions = postgres.execute(
        "SELECT count(*) FROM trials_evidencepack WHERE trial_id = %s", (done["trial"],)
    )[0][0]
    assert versions == 1

    # Acknowledged once done, and not handed out again.
    wait_for(
        lambda: broker.hlen("unacked") == 0,
        10,
        lambda: f"the task was not acknowledged: {broker.hgetall('unacked')}",
    )
    assert broker.llen("celery") == 0
    time.sleep(1)
    assert pack() == done, "the pack changed after it was ready"
    received = re.findall(r"render_pack\[[^\]]+\] received", worker_b.output(500))
    assert len(received) == 1, worker_b.output()

    fault_note(
        "killed: Celery worker A (SIGKILL, solo pool) halfway through writing the rendered "
        f"PDF ({on_disk} of {held['size']} bytes on disk, left as an unreferenced file)"
    )
    fault_note(
        "checked: after the kill the pack is 'preparing' with no file, SHA-256 or size and "
        "its message still unacknowledged in Redis; worker B got it again "
        f"(visibility timeout {VISIBILITY_TIMEOUT}s) and the pack was ready "
        f"{redelivered_in:.1f}s after the kill: rendered once (attempts 1, received once), "
        "a complete PDF over the half-written file, its SHA-256 and size matching the row, "
        "one version, "
        "message acknowledged and not redelivered"
    )
