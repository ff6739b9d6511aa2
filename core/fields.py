"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from .text import validate_single_line


class SingleLineCharField(models.CharField):
    """A CharField that refuses line breaks and control characters (model forms, model
    serializers and ``full_clean`` all run the check). It deconstructs as a plain
    CharField: the check is behaviour, not schema, so it needs no migration."""

    default_validators = [validate_single_line]

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
