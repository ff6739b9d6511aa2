"""Template helpers for GOV.UK Frontend markup."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from core.dates import PARTS, error_parts

register = template.Library()

INPUT_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
MULTIPLE_CHOICE = {"radioselect", "checkboxselectmultiple"}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """How the field is laid out: radios, checkboxes, checkbox, hidden or input."""
    widget_type = field.widget_type
    if field.is_hidden:
        return "hidden"
    if widget_type == "radioselect":
        return "radios"
    if widget_type == "checkboxselectmultiple":
        return "checkboxes"
    if widget_type == "checkbox":
        return "checkbox"
    if widget_type == "dateinput":
        return "date"
    return "input"


@register.filter
def govuk_date_input(field: BoundField) -> SafeString:
    """A GOV.UK date input (core.dates.DateField): only the boxes in error are marked."""
    return field.as_widget(attrs={"error_parts": " ".join(sorted(error_parts(field)))})


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """The field's widget with GOV.UK classes and the ids of its hint and error."""
    widget_type = field.widget_type
    classes = [INPUT_CLASS.get(widget_type, "govuk-input")]
    if field.errors:
        classes.append(classes[0] + "--error")
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    attrs = {"class": " ".join(classes)}
    described_by = govuk_described_by(field)
    if described_by:
        attrs["aria-describedby"] = described_by
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def govuk_error_anchor(field: BoundField) -> str:
    """The id to link to from the error summary: the first option of a choice."""
    if field.widget_type == "dateinput":
        parts = error_parts(field)
        first = next((part for part in PARTS if part in parts), "day")
        return f"{field.auto_id}_{first}"
    if field.widget_type in MULTIPLE_CHOICE:
        subwidgets = list(field.subwidgets)
        if subwidgets:
            return subwidgets[0].id_for_label
    return field.auto_id or field.html_name


@register.filter
def govuk_field(form, name: str):
    """One field of a form, rendered as a GOV.UK form group."""
    return form[name].as_field_group()


@register.filter
def govuk_first_anchor(form) -> str:
    """Where a form-wide error links to: the first visible field."""
    for field in form.visible_fields():
        return govuk_error_anchor(field)
    return "main-content"


@register.filter
def govuk_answer(value):
    """An answer as people read it: yes/no (stored "yes"/"no" or True/False) as "Yes"/"No"."""
    from django.utils.translation import gettext

    if value is True or (isinstance(value, str) and value.strip().lower() == "yes"):
        return gettext("Yes")
    if value is False or (isinstance(value, str) and value.strip().lower() == "no"):
        return gettext("No")
    return value
