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


class DateInput(forms.DateInput):
    """A browser date field. Its value must be ISO (YYYY-MM-DD) or browsers show it empty."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
