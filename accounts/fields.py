"""A text field stored encrypted: for secrets the service must read back, such as the key
that signs webhook deliveries (a hash would do for anything only ever compared).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) with a key derived from
``SECRET_KEY``; values written under a key in ``SECRET_KEY_FALLBACKS`` still read, so the
usual key rotation works, and each save re-encrypts under the current key. A database dump
or backup on its own does not give the secrets away.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.crypto import salted_hmac

PREFIX = "fernet:"  # stored values start with this; anything else is a value from before


def _fernet(secret_key: str) -> Fernet:
    digest = salted_hmac("tbx.encrypted-field", "key", secret=secret_key, algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return PREFIX + _keys().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption; encrypted on its next save
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with SECRET_KEY or SECRET_KEY_FALLBACKS: "
            "put the key it was written with back into SECRET_KEY_FALLBACKS."
        ) from error


class EncryptedTextField(models.TextField):
    """Reads and writes plain ``str``; the column holds ``fernet:<token>``."""

    def from_db_value(self, value: str | None, *_args: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
