"""Shared fixtures. Every test runs on the database DATABASE_URL names (SQLite by default)."""

import pytest
from django.db import connection

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Welsh leaves Welsh active in the thread: the next test starts in English."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def startup(db):
    """A start-up with an admin."""
    return MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)


@pytest.fixture
def provider(db):
    """A public body with an admin."""
    return MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
