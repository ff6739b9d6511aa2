"""The Procfile's processes: read its commands, and run them together (`make serve-prod`).

``python -m config.procfile`` starts every entry (web, worker, beat) with the environment
it was given, prefixes each line of their output with the process's name, and stops them
all — SIGTERM, then SIGKILL after 20 s — when it is interrupted or when any one exits. The
fault tests (tests/faults/servers.py) start the web and worker entries through ``command()``,
so what they test is what production runs. Any Procfile runner (honcho, foreman, systemd units
written from it, a platform that reads Procfiles) runs the same lines.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"


def entries(procfile: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's ``name: command`` lines, in order."""
    result = {}
    for line in procfile.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            result[name.strip()] = command.strip()
    return result


def command(name: str, *extra: str) -> list[str]:
    """The argv that runs Procfile entry ``name`` (through ``sh`` for its ``${VAR:-default}``
    expansions, ``exec``-ed so the process is the server itself), with ``extra`` arguments."""
    line = entries()[name]
    if extra:
        line += " " + " ".join(_quote(argument) for argument in extra)
    return ["/bin/sh", "-c", f"exec {line}"]


def _quote(argument: str) -> str:
    import shlex

    return shlex.quote(argument)


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` with this Python's bin folder first on PATH, so `gunicorn` and `celery` are the
    ones installed beside it (the project's virtualenv)."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def main(names: list[str]) -> int:
    wanted = names or list(entries())
    processes: dict[str, subprocess.Popen] = {}
    selector = selectors.DefaultSelector()
    width = max(len(name) for name in wanted)
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name in wanted:
        process = subprocess.Popen(
            command(name),
            cwd=ROOT,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes[name] = process
        selector.register(process.stdout, selectors.EVENT_READ, name)
        sys.stdout.write(f"{name:<{width}} | started (pid {process.pid})\n")
    status = 0
    while not stopping:
        for key, _events in selector.select(timeout=0.5):
            line = key.fileobj.readline()
            if line:
                sys.stdout.write(f"{key.data:<{width}} | {line.decode(errors='replace')}")
                sys.stdout.flush()
        exited = [name for name, process in processes.items() if process.poll() is not None]
        if exited:
            for name in exited:
                sys.stdout.write(f"{name:<{width}} | exited with {processes[name].returncode}\n")
            status = 1
            break
    _stop_all(processes)
    return status


def _stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
