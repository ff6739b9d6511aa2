"""Checks that a serving process (gunicorn, an ASGI server, a Celery worker or beat) makes
before it takes any work. Management commands and tests do not run them."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_development_secret_key() -> None:
    """With DEBUG off, the public development SECRET_KEY would let anyone forge password-reset
    links and sessions and read webhook secrets: refuse to start instead."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the service needs its own secret key: "
            "set the SECRET_KEY environment variable (50 or more random characters)."
        )
