"""Restore a backup made by ``manage.py backup`` into the configured database and MEDIA_ROOT.

Refuses to run unless ``--yes`` is given: restoring replaces what is there.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import pg_args, pg_environment, sha256_of


class Command(BaseCommand):
    help = "Restore a backup folder into the configured database and MEDIA_ROOT (make restore)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="A folder made by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="Really replace the current data")

    def handle(self, *args, **options) -> None:
        folder = Path(options["folder"])
        manifest = json.loads((folder / "manifest.json").read_text())
        for name, expected in manifest["sha256"].items():
            if sha256_of(folder / name) != expected:
                raise CommandError(f"{name} does not match its checksum: the backup is damaged.")
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"The backup is of {manifest['vendor']}, the database is {connection.vendor}."
            )
        if not options["yes"]:
            raise CommandError("Restoring replaces the current data. Run again with --yes.")
        self._database(folder / manifest["database"])
        self._media(folder / manifest["media"])
        self.stdout.write(self.style.SUCCESS(f"Restored {folder}"))

    def _database(self, dump: Path) -> None:
        db = connection.settings_dict
        connection.close()
        if connection.vendor == "postgresql":
            command = [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                *pg_args(db),
                "--dbname",
                db["NAME"],
                str(dump),
            ]
            result = subprocess.run(command, env=pg_environment(db), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
            return
        # SQLite's backup API, not a file copy: the live database runs in WAL mode, and a
        # copy over its file would leave the old write-ahead log to be replayed on top.
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)

    def _media(self, archive_path: Path) -> None:
        root = Path(settings.MEDIA_ROOT)
        with tarfile.open(archive_path, "r:gz") as archive:
            staging = root.parent / (root.name + ".restoring")
            if staging.exists():
                shutil.rmtree(staging)
            archive.extractall(staging, filter="data")
        restored = staging / "media"
        if root.exists():
            shutil.rmtree(root)
        if restored.exists():
            restored.rename(root)
        else:
            root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
