"""API plumbing shared by every app: one error format, pagination, upload limits.

Errors always look like ``{"code": "...", "message": "...", "errors": {...}}``;
``errors`` (field name → messages) appears on 400s. Service errors map to
statuses: ValidationError 400 (413 when an upload is too large), PermissionDenied
403, Http404 404, Conflict 409 (with its details, e.g. the nearest free windows).
Bad credentials answer 401 (with ``WWW-Authenticate``), rate limits 429 (with
``Retry-After``). ``accounts.api.schema.ApiAutoSchema`` documents the errors every
operation can give.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import Conflict

TOO_LARGE_CODES = {"too_large", "file_too_large"}


def _django_validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [
                message for item in items for message in item.messages
            ]
            for field, items in error.error_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


def _codes(error: DjangoValidationError) -> set[str]:
    items = error.error_list if hasattr(error, "error_list") else []
    if hasattr(error, "error_dict"):
        items = [item for group in error.error_dict.values() for item in group]
    return {item.code for item in items if getattr(item, "code", None)}


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Conflict):
        body = {"code": exc.code, "message": exc.message, **exc.details}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = _django_validation_errors(exc)
        too_large = bool(_codes(exc) & TOO_LARGE_CODES)
        return Response(
            {
                "code": "too_large" if too_large else "invalid",
                "message": _first_message(errors),
                "errors": errors,
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if too_large else 400,
        )
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.PermissionDenied):
        message = str(exc.args[0]) if exc.args else _("You do not have permission to do this.")
        exc = exceptions.PermissionDenied(message)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {"code": "invalid", "message": _first_message(errors), "errors": errors}
    elif isinstance(exc, exceptions.APIException):
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"code": getattr(detail, "code", exc.default_code), "message": str(detail)}
    return response


class StablePageNumberPagination(PageNumberPagination):
    """Page numbers over a queryset that the view always orders by a unique key."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorSerializer(serializers.Serializer):
    """The one error format: a code, a message, and field errors on a 400."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=gettext_lazy(
            "On 400s: field name → its messages (a list; nested by key for nested fields). "
            "Errors not tied to a field are under non_field_errors."
        ),
    )
