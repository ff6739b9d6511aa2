"""make backup / make restore: a backup restored into a fresh database has every trial and
pack, with the packs' SHA-256 unchanged."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.integration.conftest import completed_pack_trial  # noqa: F401 — fixture
from trials import services
from trials.models import EvidencePack, Trial

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def restore_into(backup: Path, media: Path, env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup), "--yes"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            **env,
            "MEDIA_ROOT": str(media),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def fresh_postgres() -> tuple[str, dict]:
    db = connection.settings_dict
    name = f"tbx_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    return name, {"DATABASE_URL": url}


def drop_postgres(name: str) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(env: dict, sql: str) -> list[tuple]:
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as restored:
            return restored.execute(sql).fetchall()
    with sqlite3.connect(env["SQLITE_PATH"]) as restored:
        return restored.execute(sql).fetchall()


def test_backup_restores_every_trial_and_pack(completed_pack_trial, tmp_path, settings):  # noqa: F811
    trial, startup = completed_pack_trial
    services.trial_submit(actor=startup.user, trial=trial)  # renders on commit, eagerly
    pack = EvidencePack.objects.get(trial=trial)
    assert pack.state == "ready"
    expected_packs = sorted(EvidencePack.objects.values_list("code", "sha256"))
    expected_trials = sorted(Trial.objects.values_list("pk", "title"))

    call_command("backup", to=str(tmp_path / "backups"), stdout=io.StringIO())
    (backup,) = (tmp_path / "backups").iterdir()

    if connection.vendor == "postgresql":
        name, env = fresh_postgres()
    else:
        name, env = "", {"SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
    media = tmp_path / "restored-media"
    stale = None
    if not name:
        # Restore over a live database in WAL mode, with a connection open, as a running
        # service would leave it: nothing of the old data may survive in its log.
        stale = sqlite3.connect(env["SQLITE_PATH"])
        stale.execute("PRAGMA journal_mode=WAL")
        stale.execute("CREATE TABLE trials_trial (id INTEGER PRIMARY KEY, title TEXT)")
        stale.execute("INSERT INTO trials_trial VALUES (999, 'stale')")
        stale.commit()
    try:
        restore_into(backup, media, env)
        assert sorted(rows(env, "SELECT code, sha256 FROM trials_evidencepack")) == expected_packs
        assert sorted(rows(env, "SELECT id, title FROM trials_trial")) == expected_trials
        ((file_name,),) = rows(
            env, f"SELECT file FROM trials_evidencepack WHERE code = '{pack.code}'"
        )
        restored_pdf = (media / file_name).read_bytes()
        assert hashlib.sha256(restored_pdf).hexdigest() == pack.sha256
    finally:
        if stale is not None:
            stale.close()
        if name:
            drop_postgres(name)
