"""What the adoption pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.exceptions import Conflict
from core.forms_util import apply_validation_error

SERVICE_ERRORS = (ValidationError, PermissionDenied, Conflict)


def form_page(
    request: HttpRequest, template: str, context: dict, *, form: forms.Form, conflict: bool = False
) -> HttpResponse:
    status = 200
    if form.is_bound and form.errors:
        status = 409 if conflict else 400
    return render(request, template, {"form": form, **context}, status=status)


def run_service(form: forms.Form, call) -> tuple[object | None, bool]:
    try:
        return call(), False
    except SERVICE_ERRORS as error:
        apply_validation_error(form, error)
        return None, isinstance(error, Conflict)
