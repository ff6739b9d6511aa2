"""The pieces that make a Redis outage harmless, tested in-process (fast).

core.cache_backend.ResilientRedisCache reads a dead Redis as an empty cache, and
core.tasks.enqueue runs a task in-process when its broker cannot be reached. The
end-to-end behaviour with a real server being stopped is in test_redis_down.py.
"""

import logging
import time

import pytest
from celery import Celery
from django.core.cache import cache
from django.test import RequestFactory

from core import cache_backend
from core.cache_backend import ResilientRedisCache
from core.tasks import enqueue, try_enqueue

from .servers import free_port

pytestmark = pytest.mark.faults


def dead_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def resilient(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(
        location, {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )


@pytest.fixture(autouse=True)
def _fresh_outage_state(monkeypatch):
    monkeypatch.setattr(cache_backend, "_down_until", {})
    monkeypatch.setattr(cache_backend, "_last_logged", {})


def test_a_dead_redis_reads_as_an_empty_cache(caplog):
    dead = resilient(dead_url())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.cache_backend"):
        assert dead.get("k") is None
        assert dead.get("k", "fallback") == "fallback"
        assert dead.set("k", 1) is None
        assert dead.add("k", 1) is True  # a lock taken with add is granted: fail open
        assert dead.has_key("k") is False
        assert dead.get_many(["a", "b"]) == {}
        assert dead.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert dead.delete("k") is False
        assert dead.touch("k") is False
        assert dead.get_or_set("k", 7) == 7
        dead.delete_many(["a"])
        dead.clear()
        with pytest.raises(ValueError):
            dead.incr("k")
        with pytest.raises(ValueError):
            dead.decr("k")
    assert time.monotonic() - started < 2, "a dead cache must not cost a time-out per call"
    warnings = [r for r in caplog.records if r.name == "core.cache_backend"]
    assert len(warnings) == 1, "an outage is logged once a minute, not once a call"
    with pytest.raises(Exception):  # noqa: B017 — any connection error
        dead.ping()


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(monkeypatch):
    dead = resilient(dead_url())
    calls = []
    real_get = dead._cache.get

    def counting_get(*args, **kwargs):
        calls.append(1)
        return real_get(*args, **kwargs)

    monkeypatch.setattr(dead._cache, "get", counting_get)
    for _ in range(5):
        assert dead.get("k") is None
    assert len(calls) == 1
    monkeypatch.setattr(cache_backend, "_down_until", {})
    dead.get("k")
    assert len(calls) == 2


def test_the_cache_works_again_when_redis_comes_back(redis_server, monkeypatch):
    monkeypatch.setattr(cache_backend, "RETRY_AFTER", 0.2)
    live = resilient(redis_server.url(0))
    live.set("k", "v")
    assert live.get("k") == "v"
    port = redis_server.port
    redis_server.stop()
    assert live.get("k", "gone") == "gone"
    redis_server.port = port
    redis_server.start()
    time.sleep(0.3)
    live.set("k", "back")
    assert live.get("k") == "back"
    assert live.ping() is True


def test_allauth_rate_limits_fail_open_on_a_dead_cache(settings):
    from allauth.core import ratelimit

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": dead_url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    request = RequestFactory().post("/accounts/login/")
    started = time.monotonic()
    for _ in range(8):  # over the 5-per-address limit: still allowed while the cache is down
        assert ratelimit.consume(
            request, action="login_failed", key="someone@example.org", raise_exception=True
        )
    assert time.monotonic() - started < 2, "no waiting for a lock the cache cannot give"
    assert cache.get("anything", "miss") == "miss"


@pytest.mark.django_db
def test_healthz_reports_the_resilient_cache_down(client, settings):
    settings.REDIS_URL = dead_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down"}
    assert client.get("/about/").status_code == 200  # pages do not care


def broker_app(url: str) -> Celery:
    app = Celery("faults-unit", broker=url, set_as_current=False)
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"socket_connect_timeout": 1}
    return app


def test_enqueue_runs_the_task_in_process_when_the_broker_is_down(caplog):
    app = broker_app(dead_url())
    ran = []

    @app.task(name="faults.record")
    def record(value, *, twice=False):
        ran.append((value, twice))
        return value

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        result = enqueue(record, 7, twice=True)
    assert time.monotonic() - started < 3
    assert ran == [(7, True)]
    assert result.result == 7  # an EagerResult (no .get(): another test may be 'in a task')
    assert "Broker unreachable" in caplog.text
    assert try_enqueue(record, 8) is False
    assert ran == [(7, True)], "try_enqueue leaves the work to the retry sweep"


def test_enqueue_sends_to_a_broker_that_is_up(redis_server):
    app = broker_app(redis_server.url(1))
    ran = []

    @app.task(name="faults.record")
    def record(value):
        ran.append(value)

    enqueue(record, 1)
    assert try_enqueue(record, 2) is True
    assert ran == []
    assert redis_server.client(db=1).llen("celery") == 2


def test_enqueue_is_delay_in_eager_mode():
    app = Celery("faults-eager", set_as_current=False)
    app.conf.task_always_eager = True

    @app.task(name="faults.double")
    def double(value):
        return value * 2

    assert enqueue(double, 21).result == 42
