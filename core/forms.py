"""Django forms rendered in GOV.UK Frontend markup.

``{{ form }}`` renders an error summary that links to each field, then every
field with its label, hint, inline error and the GOV.UK classes for its widget.
"""

import uuid

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


def _new_token() -> str:
    return uuid.uuid4().hex


class OneTimeTokenField(forms.CharField):
    """A hidden one-time token: a fresh one each time the empty form is shown, so a second
    submission of the same page can be recognised (accounts.idempotency.submit_once)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("initial", _new_token)
        super().__init__(**kwargs)


BIGGEST_ID = 2**63 - 1


def _out_of_range_id(value) -> bool:
    """An id no database row can have (SQLite and PostgreSQL raise on such a lookup)."""
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        return False
    return not -BIGGEST_ID <= int(text) <= BIGGEST_ID


class ModelChoiceField(forms.ModelChoiceField):
    """A model choice whose over-large id is an invalid choice, not a database error."""

    def to_python(self, value):
        if value not in self.empty_values and _out_of_range_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices whose over-large ids are invalid choices, not a database error."""

    def _check_values(self, value):
        for item in value:
            if _out_of_range_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)
