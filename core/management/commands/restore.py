"""Restore a backup made by ``manage.py backup`` into the configured database and media
storage (the local MEDIA_ROOT or the S3 bucket, through the storage API).

Refuses to run unless ``--yes`` is given: restoring replaces what is there.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import pg_args, pg_environment, sha256_of, stored_files


class Command(BaseCommand):
    help = "Restore a backup folder into the configured database and media storage (make restore)."

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
        """Write every file of the backup into the storage, then delete the files the backup
        does not have: the storage ends up holding exactly the backup's files."""
        restored = set()
        with tarfile.open(archive_path, "r:gz") as archive:
            for entry in archive:
                if not entry.isfile():
                    continue
                entry = tarfile.data_filter(entry, "/nonexistent")  # no absolute paths, no ..
                parts = Path(entry.name).parts
                if len(parts) < 2 or parts[0] != "media":
                    continue
                name = "/".join(parts[1:])
                handle = archive.extractfile(entry)
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, File(handle, name=name))
                if saved != name:
                    raise CommandError(f"Could not restore {name}: the storage saved {saved}.")
                restored.add(name)
        for name in list(stored_files(default_storage)):
            if name not in restored:
                default_storage.delete(name)
