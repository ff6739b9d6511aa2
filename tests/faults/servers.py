"""Servers of their own for the fault tests: PostgreSQL, Redis, gunicorn and Celery workers.

Every server here is started by the test on a free port, in a temporary folder, and
stopped by the test (fixtures clean up even when a test fails), so stopping or killing
one disturbs nothing else on the machine. Missing binaries skip the tests, or fail them
with ``REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from config import procfile

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
PG_USER = "postgres"  # the OS user PostgreSQL runs as when the tests run as root


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this fails instead of skipping)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def temp_dir(prefix: str) -> Path:
    """A fresh folder under /tmp that the PostgreSQL user can use (when we are root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(PG_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a process (and its group, e.g. gunicorn's workers) we started: SIGTERM, then
    SIGKILL if it lingers. The group id is the pid of our own child, not yet reaped."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# PostgreSQL ---------------------------------------------------------------------------


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def postgres_bindir() -> Path:
    candidates = [Path(os.environ["PG_BINDIR"])] if os.environ.get("PG_BINDIR") else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BINDIR")
    raise AssertionError  # unreachable


def run_as_postgres_prefix() -> list[str]:
    """initdb refuses to run as root: as root, run the server as the postgres user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        unavailable(f"running as root and there is no {PG_USER!r} user to run PostgreSQL as")
    runuser = shutil.which("runuser")
    if runuser is None:
        unavailable("running as root and runuser (util-linux) is not installed")
    return [runuser, "-u", PG_USER, "--"]


@dataclass
class Postgres:
    """A PostgreSQL cluster in a folder of its own, served on ``port``."""

    bindir: Path
    folder: Path
    port: int = 0
    prefix: list[str] = field(default_factory=run_as_postgres_prefix)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    def url(self, database: str = "tbx") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        command = [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(
                f"pg_ctl {' '.join(args)} failed: {result.stdout}{result.stderr}\n{tail(self.log)}"
            )

    def initdb(self) -> None:
        command = [
            *self.prefix,
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"initdb failed: {result.stdout}{result.stderr}")
        # Only TCP on 127.0.0.1 (the port is given at start); no durability needed here.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                "max_connections = 200\n"
            )

    def start(self) -> None:
        self.port = self.port or free_port()
        self._pg_ctl("-l", str(self.log), "-w", "-t", "30", "-o", f"-p {self.port}", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def copy_to(self, folder: Path) -> Postgres:
        """A new cluster with this (stopped) cluster's data, in ``folder``."""
        subprocess.run(["cp", "-a", str(self.data), str(folder / "data")], check=True)
        return Postgres(self.bindir, folder, prefix=self.prefix)

    def execute(self, sql: str, params: tuple = (), database: str = "tbx") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


# Redis ---------------------------------------------------------------------------------


@dataclass
class Redis:
    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.folder / f"redis-{self.port}.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(port=self.port, db=db, socket_connect_timeout=1, socket_timeout=2)

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
        self.port = self.port or free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if self.client().ping():
                    return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on {self.port}:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


# Django processes ----------------------------------------------------------------------

APP_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SQLITE_PATH",
    "DJANGO_SETTINGS_MODULE",
    "EMAIL_URL",
    "SITE_URL",
)


def app_env(*, database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like app process (DEBUG=0) for the fault tests."""
    env = {key: value for key, value in os.environ.items() if key not in APP_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="fault-tests-only-" + "k" * 50,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        MEDIA_ROOT=str(media_root),
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def django_call(env: dict[str, str], function: str, *args) -> object:
    """Run ``tests.faults.seed.<function>(*args)`` in a Django process; return its result."""
    code = (
        "import json, sys, django; django.setup(); from tests.faults import seed; "
        "print('RESULT ' + json.dumps(getattr(seed, sys.argv[1])(*json.loads(sys.argv[2]))))"
    )
    result = subprocess.run(
        [PYTHON, "-c", code, function, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        raise AssertionError(f"seed.{function} failed:\n{result.stdout[-3000:]}{result.stderr}")
    return json.loads(lines[-1][len("RESULT ") :])


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise AssertionError(f"migrate failed:\n{result.stdout}{result.stderr}")


@dataclass
class Process:
    """A process we started, with its output in a log file."""

    name: str
    popen: subprocess.Popen
    log: Path

    def stop(self) -> None:
        stop_process(self.popen)

    def kill(self) -> None:
        """SIGKILL, nothing else: no chance to clean up or hand work back."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, lines: int = 60) -> str:
        return f"--- {self.name} ({self.log}):\n{tail(self.log, lines)}"


def spawn(name: str, command: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("ab") as handle:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we stop all of it
        )
    return Process(name, popen, log)


def start_gunicorn(
    port: int, env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 1
) -> Process:
    """The Procfile's `web` process (config/gunicorn.py), as production runs it, on ``port``;
    a short graceful timeout so the tests need not wait for it."""
    if importlib.util.find_spec("gunicorn") is None:
        unavailable("gunicorn is not installed")
    env = procfile.environment(
        {
            **env,
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
            "WEB_GRACEFUL_TIMEOUT": "3",
            "WEB_LOG_LEVEL": "warning",
        }
    )
    return spawn(f"gunicorn :{port}", procfile.command("web"), env, log)


def wait_until_serving(process: Process, base_url: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise AssertionError(f"{process.name} exited at start\n{process.output()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if request("GET", base_url + "/healthz", timeout=5).status == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not serve within {timeout}s\n{process.output()}")


def start_worker(
    app_module: str, name: str, env: dict[str, str], log: Path, *, pool: str = "solo"
) -> Process:
    """The Procfile's `worker` process, as production runs it, with the Celery app
    ``app_module`` (the killed-worker test's slow twin of ``config``), a pool of one and a
    name of its own."""
    env = procfile.environment({**env, "CELERY_APP": app_module})
    extra = ["-P", pool, "-n", f"{name}@faults", "--without-heartbeat"]
    return spawn(f"worker {name}", procfile.command("worker", *extra), env, log)


def start_beat(env: dict[str, str], log: Path, schedule: Path) -> Process:
    """The Procfile's `beat` process, its schedule file in ``schedule``."""
    env = procfile.environment({**env, "BEAT_SCHEDULE_FILE": str(schedule)})
    return spawn("beat", procfile.command("beat"), env, log)


# HTTP ----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    text: str

    def json(self):
        return json.loads(self.text)


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP request on a fresh connection (the standard library only)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return Response(
            response.status, {k.lower(): v for k, v in response.getheaders()}, cookies, text
        )
    finally:
        connection.close()
