"""Django forms rendered in GOV.UK Frontend markup.

``{{ form }}`` renders an error summary that links to each field, then every
field with its label, hint, inline error and the GOV.UK classes for its widget.
"""

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
