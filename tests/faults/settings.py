"""Settings for the servers the fault tests start: the real settings, read from the environment.

Two test-only differences, both switched on by the test that needs them:

- Static files are referenced through the plain storage, so pages render with ``DEBUG=0``
  (the production error pages and the 503 handler are what is under test) without
  ``collectstatic`` writing a manifest into the working tree first.
- ``FAULTS_VISIBILITY_TIMEOUT`` shortens the Redis visibility timeout (and the sweep that
  restores unacknowledged messages), so a task held by a killed worker is handed to another
  within seconds instead of the production hour.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": int(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
