"""Dates people type: bounded before any arithmetic, asked for the GOV.UK way.

Every date that comes from outside (a form, a query string, a JSON body) must lie between
``EARLIEST`` and ``LATEST`` (1 January 2000 to 31 December 2100) before the service adds a
day to it or builds a range from it: 9999-12-31 + 1 day is an OverflowError, i.e. a 500.
Out of range is a field error (a 400 in the API, the form again on a page).

- ``DateField``: a form field in the GOV.UK date input pattern (day, month and year boxes,
  https://design-system.service.gov.uk/components/date-input/), with its messages ("… must
  include a month", "… must be a real date") and only the boxes in error highlighted. It also
  accepts the ISO form (``name=2026-05-01``), so shareable filter links keep working.
- ``ApiDateField``: the DRF field for dates in JSON bodies and API query strings (ISO).
- ``check_in_range``: the same bounds for services (``ValidationError`` on a field).
- ``canonical_query``: the GET query with split dates joined back into ISO (for redirects
  of filter forms to a shareable address).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
PARTS = ("day", "month", "year")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def range_message(
    label: str = "", earliest: datetime.date = EARLIEST, latest: datetime.date = LATEST
) -> str:
    values = {"earliest": _day(earliest), "latest": _day(latest)}
    if label:
        return _("%(label)s must be between %(earliest)s and %(latest)s") % {
            "label": label,
            **values,
        }
    return _("Enter a date between %(earliest)s and %(latest)s.") % values


def in_range(value: datetime.date) -> bool:
    return EARLIEST <= value <= LATEST


def check_in_range(**dates: datetime.date | None) -> None:
    """Refuse, as field errors, any of the named dates outside 2000–2100."""
    errors = {
        name: ValidationError(range_message(), code="date_range")
        for name, value in dates.items()
        if value is not None and not in_range(value)
    }
    if errors:
        raise ValidationError(errors)


def parse_iso(value: Any) -> datetime.date | None:
    """A date from ``yyyy-mm-dd`` text, or None when the text is not one (or out of range)."""
    if isinstance(value, datetime.date):
        return value if in_range(value) else None
    if not isinstance(value, str) or not ISO.match(value.strip()):
        return None
    try:
        parsed = datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if in_range(parsed) else None


# Forms -----------------------------------------------------------------------------------


class DateInputWidget(forms.MultiWidget):
    """Three boxes, ``<name>_day``, ``<name>_month``, ``<name>_year``; or ``<name>`` in ISO."""

    template_name = "govuk/date_input.html"

    def __init__(self, attrs: dict | None = None) -> None:
        box = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__(
            {part: forms.TextInput(attrs=dict(box)) for part in PARTS},
            attrs,
        )

    def decompress(self, value: Any) -> list:
        if isinstance(value, str):
            value = parse_iso(value) or value
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name: str):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            return data.get(name)  # the ISO form, e.g. from a shareable link
        return parts

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        attrs = dict(attrs or {})
        errors = set(attrs.pop("error_parts", "").split())
        context = super().get_context(name, value, attrs)
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        base = context["widget"]["attrs"].get("id")
        for part, sub in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            if base:
                sub["attrs"]["id"] = f"{base}_{part}"
            sub["part_label"] = labels[part]
            sub["width"] = 4 if part == "year" else 2
            sub["error"] = part in errors
            if sub["value"] in ("", None):
                sub["value"] = None
        return context


class DateField(forms.Field):
    """A date in the GOV.UK date input pattern, between 2000 and 2100 (or tighter bounds)."""

    widget = DateInputWidget
    default_error_messages = {
        "required": gettext_lazy("Enter a date."),
    }

    def __init__(
        self,
        *,
        earliest: datetime.date = EARLIEST,
        latest: datetime.date = LATEST,
        **kwargs: Any,
    ) -> None:
        self.earliest, self.latest = max(earliest, EARLIEST), min(latest, LATEST)
        super().__init__(**kwargs)

    def _name(self) -> str:
        return str(self.label or _("The date"))

    def _error(self, message: str, code: str, parts: tuple[str, ...] = PARTS) -> ValidationError:
        """The error, in the form's own words when it gave some (``error_messages``: invalid,
        incomplete, date_range — the last formatted with %(first)s and %(last)s, the years)."""
        if code in self.error_messages:
            message = str(self.error_messages[code])
            if code == "date_range":
                message = message % {"first": self.earliest.year, "last": self.latest.year}
        return ValidationError(message, code=code, params={"parts": list(parts)})

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            try:
                if not ISO.match(text):
                    raise ValueError
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise self._error(
                    _("%(label)s must be a real date") % {"label": self._name()}, "invalid"
                ) from None
        parts = dict(zip(PARTS, [str(p or "").strip() for p in list(value)[:3]], strict=False))
        if not any(parts.values()):
            return None
        missing = tuple(part for part in PARTS if not parts.get(part))
        if missing:
            names = {"day": _("a day"), "month": _("a month"), "year": _("a year")}
            if len(missing) == 2:
                wanted = _("%(first)s and %(second)s") % {
                    "first": names[missing[0]],
                    "second": names[missing[1]],
                }
            else:
                wanted = names[missing[0]]
            raise self._error(
                _("%(label)s must include %(parts)s") % {"label": self._name(), "parts": wanted},
                "incomplete",
                missing,
            )
        wrong = tuple(part for part in PARTS if not parts[part].isdigit())
        if len(parts["year"]) != 4 and "year" not in wrong:
            wrong += ("year",)
        if wrong:
            raise self._error(
                _("%(label)s must be a real date") % {"label": self._name()}, "invalid", wrong
            )
        try:
            return datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise self._error(
                _("%(label)s must be a real date") % {"label": self._name()}, "invalid"
            ) from None

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and not (self.earliest <= value <= self.latest):
            raise self._error(range_message(self._name(), self.earliest, self.latest), "date_range")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        return data != initial


def error_parts(bound_field) -> set[str]:
    """Which of a date field's boxes to mark as in error (all of them unless the error names
    some, e.g. only the missing month)."""
    parts: set[str] = set()
    for error in bound_field.errors.as_data():
        named = (error.params or {}).get("parts") if hasattr(error, "params") else None
        parts.update(named or PARTS)
    return parts


def split_date_names(query: QueryDict) -> list[str]:
    """The names of the dates given in three boxes (``x_day``, ``x_month``, ``x_year``)."""
    return sorted(
        {key[: -len("_year")] for key in query if key.endswith("_year")}
        & {key[: -len("_day")] for key in query if key.endswith("_day")}
        & {key[: -len("_month")] for key in query if key.endswith("_month")}
    )


def canonical_query(query: QueryDict, names: list[str] | None = None) -> QueryDict | None:
    """The query with each split date (``x_day``, ``x_month``, ``x_year``) joined into ISO
    ``x=yyyy-mm-dd`` when it makes a real date; None when there is nothing to join, or when
    one of them is not a real date (the form then shows the boxes as typed, with the error)."""
    names = split_date_names(query) if names is None else names
    changed = False
    canonical = query.copy()
    for name in names:
        keys = [f"{name}_{part}" for part in PARTS]
        if not any(key in query for key in keys):
            continue
        day, month, year = (query.get(key, "").strip() for key in keys)
        if not (day or month or year):
            for key in keys:
                canonical.pop(key, None)
            changed = True
            continue
        try:
            value = datetime.date(int(year), int(month), int(day)) if len(year) == 4 else None
        except ValueError:
            value = None
        if value is None:
            return None  # the form shows the error on the boxes as typed
        for key in keys:
            canonical.pop(key, None)
        canonical[name] = value.isoformat()
        changed = True
    return canonical if changed else None


# The API ---------------------------------------------------------------------------------


class ApiDateField(serializers.DateField):
    """An ISO date between 2000 and 2100 (or tighter bounds): out of range is a 400."""

    def __init__(
        self,
        *,
        earliest: datetime.date = EARLIEST,
        latest: datetime.date = LATEST,
        **kwargs: Any,
    ) -> None:
        self.earliest, self.latest = max(earliest, EARLIEST), min(latest, LATEST)
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime.date:
        if isinstance(value, str) and len(value) > 40:
            self.fail("invalid", format="YYYY-MM-DD")
        parsed = super().to_internal_value(value)
        if not (self.earliest <= parsed <= self.latest):
            raise serializers.ValidationError(range_message("", self.earliest, self.latest))
        return parsed
