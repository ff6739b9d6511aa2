"""Enqueueing background work so that a broker outage never fails the user's request.

Services enqueue in ``transaction.on_commit``; by then the change is saved, so a broker
that is down must not turn the response into an error. ``enqueue`` sends the task once
(no publish retries, a short connect timeout) and, if the broker cannot be reached, logs
a warning and runs the task in this process instead — slower for that one request, but
the e-mail is sent and the pack rendered. With no broker configured (eager mode) it is
the same as ``task.delay``.

``try_enqueue`` is for work that is already recorded in the database with a periodic
sweep that enqueues it again (webhook deliveries: ``accounts.webhooks.retry_due``): if
the broker is down it only logs, and the sweep sends the work once the broker is back.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from celery import Task, shared_task
from celery.result import AsyncResult, EagerResult
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

# Seconds to wait for the broker before giving up on it for this task.
CONNECT_TIMEOUT = 2.0


def _broker_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [KombuOperationalError, OSError, socket.timeout]
    try:
        import redis

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover — redis is a dependency
        pass
    return tuple(errors)


BROKER_ERRORS = _broker_errors()


def _send(task: Task, args: tuple, kwargs: dict) -> AsyncResult:
    """Publish once: one connection attempt within CONNECT_TIMEOUT, no publish retries."""
    if task.app.conf.task_always_eager:
        return task.apply_async(args, kwargs)
    with task.app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=CONNECT_TIMEOUT
        )
        return task.apply_async(args, kwargs, retry=False, producer=producer)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> AsyncResult | EagerResult:
    """Send ``task`` to the broker; if the broker is unreachable, run it here and now."""
    try:
        return _send(task, args, kwargs)
    except BROKER_ERRORS as error:
        logger.warning(
            "Broker unreachable (%s): running %s in this process instead", error, task.name
        )
        return task.apply(args, kwargs)


def try_enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` to the broker; if unreachable, log and leave it to a periodic sweep."""
    try:
        _send(task, args, kwargs)
    except BROKER_ERRORS as error:
        logger.warning(
            "Broker unreachable (%s): %s left for the next retry sweep", error, task.name
        )
        return False
    return True


def enqueue_named(name: str, *args: Any, **kwargs: Any) -> AsyncResult | EagerResult:
    """``enqueue`` by the task's registered name, so a service need not import its tasks
    module (tasks import services; the other way round would be an import circle). Each
    app's ``ready()`` imports its tasks, so the name is registered in every process."""
    from celery import current_app

    return enqueue(current_app.tasks[name], *args, **kwargs)


@shared_task(name="core.run_periodic_job")
def run_periodic_job(name: str) -> dict:
    """Celery beat's way into the periodic jobs (core/periodic.py): the same functions,
    under the same per-job lock, as `manage.py run_periodic`."""
    from .periodic import run_job

    run = run_job(name)
    return {"name": run.name, "ran": run.ran, "result": repr(run.result), "error": run.error}
