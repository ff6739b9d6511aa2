"""The Celery app. With no CELERY_BROKER_URL set, tasks run eagerly in-process."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("testbed_exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_development_secret_key(**kwargs: object) -> None:
    from config.startup import refuse_development_secret_key

    refuse_development_secret_key()
