"""``get_FOO_display`` without rebuilding the choices on every call.

Django's ``Model._get_FIELD_display`` makes ``dict(make_hashable(field.flatchoices))`` each
time it is called, and hashing each lazy label translates it: a status tag or region name
cost about 55 µs, and a list page of 50 rows called it hundreds of times (issue 20). Here
the value → label map of a field with fixed choices is made once per field; the label is
translated once, when shown, in the language active then. Fields whose choices are
computed (a callable) keep Django's own way.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_ATTRIBUTE = "_tbx_display_labels"


def _labels(field: models.Field) -> dict | None:
    labels = getattr(field, _ATTRIBUTE, None)
    if labels is None:
        if not isinstance(field.choices, list | tuple):
            return None
        labels = {}
        for value, label in field.flatchoices:
            labels.setdefault(make_hashable(value), label)
        setattr(field, _ATTRIBUTE, labels)
    return labels


def _get_FIELD_display(self, field):  # noqa: N802 — Django's name
    labels = _labels(field)
    if labels is None:
        return DJANGO_DISPLAY(self, field)
    value = getattr(self, field.attname)
    try:
        label = labels.get(value, value)
    except TypeError:  # an unhashable value (a list in a JSON field)
        label = labels.get(make_hashable(value), value)
    return force_str(label, strings_only=True)


DJANGO_DISPLAY = models.Model._get_FIELD_display


def install() -> None:
    """Point every model's generated ``get_FOO_display`` here (``CoreConfig.ready``).

    Django binds them to ``Model._get_FIELD_display`` when each model class is made, so
    they are replaced one by one; a ``get_FOO_display`` a model defines itself is kept.
    """
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if isinstance(current, partialmethod) and current.func is DJANGO_DISPLAY:
                setattr(model, name, partialmethod(_get_FIELD_display, field=field))
