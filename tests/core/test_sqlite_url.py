"""A SQLite file named by DATABASE_URL=sqlite:///path gets the same options as the default
file: simultaneous writers queue for the lock instead of failing with "database is locked"
(issue 20: 12 approvals at once answered 1 × 200 and 11 × 500 before)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(script: list[str], database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "SQLITE_PATH"}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        LOG_LEVEL="ERROR",
        CELERY_BROKER_URL="",
        REDIS_URL="",
    )
    result = subprocess.run(
        [sys.executable, *script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


def test_database_url_sqlite_has_the_same_options_as_the_default_file(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print('RESULT ' + json.dumps(settings.DATABASES['default'], default=str))"
    )
    named = run(["-c", code], f"sqlite:///{tmp_path / 'named.sqlite3'}")
    assert named["NAME"] == str(tmp_path / "named.sqlite3")
    assert named["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert named["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in named["OPTIONS"]["init_command"]


def test_twelve_simultaneous_approvals_on_a_database_url_file_never_answer_500(tmp_path):
    outcome = run(["-m", "tests.core.sqlite_url_race"], f"sqlite:///{tmp_path / 'race.sqlite3'}")
    statuses = outcome["statuses"]
    assert 500 not in statuses, statuses
    assert all(status == 302 for status in statuses), statuses
    assert outcome["approved"] == 3  # exactly the test bed's capacity
