"""Django forms rendered in GOV.UK Frontend markup.

``{{ form }}`` renders an error summary that links to each field, then every
field with its label, hint, inline error and the GOV.UK classes for its widget.
"""

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"
