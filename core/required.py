"""Required-field errors that name the field ("Enter a name", "Select a region").

Django's own message for an empty required field is "This field is required.", which in an
error summary with three of them tells nobody which is which (issue 22.9). GOV.UK's pattern
names the field. Installed once at start-up (CoreConfig.ready): every form field built with a
label and no required message of its own gets "Enter <label>" (text), or "Select <label>"
(choices, check boxes and files), in the active language at the time the error is shown.
Forms that say it better (the test bed form: "Enter a name for the test bed") set their own.
"""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext

CHOOSING = (
    forms.Select,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.CheckboxInput,
    forms.FileInput,
)


def _message(label, choosing: bool) -> str:
    text = str(label).strip().rstrip(":?").strip()
    if len(text) > 1 and not text[:2].isupper():  # "Name" -> "name"; "TRL", "KPI" stay
        text = text[:1].lower() + text[1:]
    template = gettext("Select %(label)s") if choosing else gettext("Enter %(label)s")
    return template % {"label": text}


required_message = lazy(_message, str)

_original_init = forms.Field.__init__


def _field_init(self, *args, **kwargs):
    own = "required" in (kwargs.get("error_messages") or {})
    _original_init(self, *args, **kwargs)
    if not own and self.label:
        self.error_messages["required"] = required_message(
            self.label, isinstance(self.widget, CHOOSING)
        )


def install() -> None:
    if forms.Field.__init__ is not _field_init:
        forms.Field.__init__ = _field_init
