"""Serving processes refuse the public development SECRET_KEY when DEBUG is off (issue 21,
item 11): it signs password-reset links and sessions and derives the webhook-secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]


def _import_wsgi(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_the_web_server_refuses_to_start_without_its_own_key():
    refused = _import_wsgi(DEBUG="0")
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr


def test_the_web_server_starts_with_a_key_or_in_development():
    assert _import_wsgi(DEBUG="0", SECRET_KEY="a-real-secret-" + "x" * 50).returncode == 0
    assert _import_wsgi(DEBUG="1").returncode == 0


def test_workers_and_beat_refuse_it_too(settings):
    from config.celery import _refuse_development_secret_key

    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    with pytest.raises(ImproperlyConfigured):
        _refuse_development_secret_key()
    settings.SECRET_KEY = "a-real-secret-" + "x" * 50
    _refuse_development_secret_key()
