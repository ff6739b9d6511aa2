"""Back up the database and the media files into one folder.

PostgreSQL: ``pg_dump --format=custom``. SQLite: the online backup API (a consistent
copy even while the service runs). Media: a gzip tarball of every file in the media
storage (the local MEDIA_ROOT or the S3 bucket), read through the storage API.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_environment(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args(db: dict) -> list[str]:
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Back up the database and media files (make backup)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--to", default="backups", help="Folder for the backup (default: backups/)"
        )

    def handle(self, *args, **options) -> None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = Path(options["to"]) / stamp
        folder.mkdir(parents=True, exist_ok=False)
        database = self._database(folder)
        media = self._media(folder)
        manifest = {
            "created": stamp,
            "vendor": connection.vendor,
            "database": database.name,
            "media": media.name,
            "sha256": {database.name: sha256_of(database), media.name: sha256_of(media)},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(str(folder))

    def _database(self, folder: Path) -> Path:
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            target = folder / "database.dump"
            command = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                *pg_args(db),
                "--file",
                str(target),
                db["NAME"],
            ]
            result = subprocess.run(command, env=pg_environment(db), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            return target
        if connection.vendor == "sqlite":
            target = folder / "database.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            return target
        raise CommandError(f"Backups of {connection.vendor} are not supported.")

    def _media(self, folder: Path) -> Path:
        target = folder / "media.tar.gz"
        with tarfile.open(target, "w:gz") as archive:
            for name in stored_files(default_storage):
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
                entry = tarfile.TarInfo(f"media/{name}")
                entry.size = len(data)
                entry.mode = 0o644
                archive.addfile(entry, io.BytesIO(data))
        return target


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in ``storage``, folder by folder, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no media folder yet
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from stored_files(storage, prefix + sub)
