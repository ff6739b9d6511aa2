"""A process killed while it renders an evidence pack, with no broker to hand the work on,
leaves a claimed pack that is rendered again once the claim is stale (issue 21, item 3).

Without a broker (the default) the pack is rendered in the web process after commit.
Here that process is a real Django process on a PostgreSQL of the test's own, submitting a
completed trial; its file storage (tests/faults/slow_worker.py) writes half the PDF and
holds. The test SIGKILLs it there: the pack is left ``preparing``, claimed by that process,
one attempt counted, no file. Before this fix nothing ever picked such a pack up again and
``retry`` refused it. Then ``manage.py run_periodic resume_evidence_packs`` runs (as cron
would) with the claim timeout shortened to two seconds: the pack is rendered — a complete
PDF whose SHA-256 and size match the row.
"""

import hashlib
import json
import sys
import time

import pytest

from .servers import ROOT, app_env, spawn

pytestmark = [pytest.mark.faults, pytest.mark.slow]

CLAIM_SECONDS = 2


def wait_for(condition, timeout: float, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message())


def test_a_process_killed_mid_render_leaves_a_pack_that_is_rendered_again(
    postgres, processes, tmp_path, fault_note
):
    import subprocess

    media = tmp_path / "media"
    marker = tmp_path / "rendering.json"
    env = app_env(
        database_url=postgres.url(),
        media_root=media,
        EVIDENCE_PACK_CLAIM_SECONDS=str(CLAIM_SECONDS),
    )
    env.pop("CELERY_BROKER_URL", None)  # no broker: rendered in-process after commit
    code = (
        "import django; django.setup(); import tests.faults.slow_worker; "
        "from tests.faults import seed; seed.submitted_pack()"
    )
    web = spawn(
        "web",
        [sys.executable, "-c", code],
        {**env, "FAULTS_MARKER": str(marker), "FAULTS_HOLD_SECONDS": "120"},
        tmp_path / "web.log",
    )
    processes.append(web)

    def pack():
        rows = postgres.execute(
            "SELECT id, state, file, sha256, size, attempts, claimed_at, claimed_by "
            "FROM trials_evidencepack ORDER BY id"
        )
        assert len(rows) == 1, rows
        names = ["id", "state", "file", "sha256", "size", "attempts", "claimed_at", "claimed_by"]
        return dict(zip(names, rows[0], strict=True))

    wait_for(
        lambda: marker.exists() or not web.alive(),
        90,
        lambda: f"the web process never started writing the pack\n{web.output()}",
    )
    assert web.alive(), web.output()
    held = json.loads(marker.read_text())
    web.kill()  # SIGKILL halfway through writing the PDF

    after_kill = pack()
    assert after_kill["state"] == "preparing", after_kill
    assert after_kill["file"] == "" and after_kill["sha256"] == "", after_kill
    assert after_kill["attempts"] == 1, after_kill
    assert after_kill["claimed_at"] is not None, after_kill
    assert after_kill["claimed_by"].endswith(f":{held['pid']}"), (after_kill, held)

    # A claim still fresh is left alone: the renderer might be alive.
    def run_periodic() -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "run_periodic", "resume_evidence_packs"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    time.sleep(CLAIM_SECONDS + 1)
    output = run_periodic()
    done = pack()
    assert done["state"] == "ready", (done, output)
    assert done["attempts"] == 2 and done["claimed_at"] is None, done
    content = (media / done["file"]).read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == done["sha256"]
    assert len(content) == done["size"]
    assert done["file"] == held["name"]  # the half-written file was replaced

    fault_note(
        "killed: the web process rendering a pack after commit (no broker), SIGKILL halfway "
        f"through writing the PDF ({held['written']} of {held['size']} bytes)"
    )
    fault_note(
        "checked: the pack stayed 'preparing', claimed by the killed process (attempt 1, no "
        "file); once the claim was stale, `run_periodic resume_evidence_packs` rendered it: "
        "ready, attempt 2, a complete PDF over the half-written file, SHA-256 and size match"
    )
