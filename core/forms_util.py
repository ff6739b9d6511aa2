"""Turn service errors into form errors and messages."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .exceptions import Conflict


def error_message(error: Exception) -> str:
    """One readable sentence for any service error."""
    if isinstance(error, Conflict):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied) and error.args:
        return str(error.args[0])
    return str(error) or _("This is not allowed.")


def apply_validation_error(form: forms.Form, error: Exception) -> None:
    """Show a service error on the form: on its field when it names one the form has."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
        return
    form.add_error(None, error_message(error))


__all__ = ["NON_FIELD_ERRORS", "apply_validation_error", "error_message"]


def form_error_message(form: forms.Form) -> str:
    """All of a form's errors as one message, for a page that shows messages, not the form."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def form_status(form: forms.Form) -> int:
    """400 for a form posted with errors (re-rendered with its error summary), else 200."""
    return 400 if form.is_bound and form.errors else 200
