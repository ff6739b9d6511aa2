"""Requests a client may safely send twice: the API's ``Idempotency-Key`` and web form tokens.

API: a POST under ``/api/`` with an ``Idempotency-Key`` header (any printable text up to
255 characters, e.g. a UUID) runs once per person and key. The same key again within 24
hours, with the same method, path and body, gets the first answer back (its status, body
and ``Location``, marked ``Idempotent-Replayed: true``) without running again; with a
different request it is refused with 422 ``idempotency_key_reused``; while the first is
still running, 409 ``idempotency_key_in_progress`` (with ``Retry-After``). Answers that
say nothing about the outcome (5xx, 401, 403, 429) are not kept: the client may retry
them with the same key. Keys are per person: two people cannot collide.

Web forms: a form that creates something carries a one-time token (``core.forms_util.
OneTimeTokenField``); ``submit_once`` runs the submission once per token, and a second
submission of the same form (a double click, the back button and submit again) is sent
to where the first one went.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyKey

KEEP = datetime.timedelta(hours=24)
# A claim never finished (its process died) is taken over after this long.
STALE = datetime.timedelta(minutes=5)
HEADER = "Idempotency-Key"
NOT_KEPT = {401, 403, 408, 429}


@dataclass
class Claim:
    """``new``: ours to run (``record`` set); ``replay``: done before with the same request;
    ``mismatch``: the key was used for another request; ``in_progress``: still running."""

    state: str
    record: IdempotencyKey | None = None


def claim(user, key: str, fingerprint: str) -> Claim:
    """Take the key for this request, or say why not. Safe under concurrency: the unique
    (user, key) constraint lets exactly one of two simultaneous requests create it."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return Claim("new", record)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                continue
            unfinished = existing.finished_at is None
            if existing.created_at < now - KEEP or (
                unfinished and existing.created_at < now - STALE
            ):
                IdempotencyKey.objects.filter(
                    pk=existing.pk, created_at=existing.created_at
                ).delete()
                continue
            if existing.fingerprint != fingerprint:
                return Claim("mismatch", existing)
            return Claim("in_progress" if unfinished else "replay", existing)
    return Claim("in_progress")


def finish(record: IdempotencyKey, response: HttpResponse) -> None:
    """Keep the answer to replay it, or forget the key when the answer is not an outcome."""
    if response.streaming or response.status_code >= 500 or response.status_code in NOT_KEPT:
        forget(record)
        return
    record.finished_at = timezone.now()
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.location = response.get("Location", "")[:500]
    record.body = bytes(response.content)
    record.save(update_fields=["finished_at", "status_code", "content_type", "location", "body"])


def forget(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk).delete()


def wait_for(record: IdempotencyKey, seconds: float = 5.0) -> IdempotencyKey | None:
    """The record once its request has finished (polling), or None if it did not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = IdempotencyKey.objects.filter(pk=record.pk).first()
        if current is None or current.finished_at is not None:
            return current
        time.sleep(0.05)
    return None


def clear_expired(now: datetime.datetime | None = None) -> int:
    """Delete keys older than 24 hours (a periodic job)."""
    now = now or timezone.now()
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


# The API -------------------------------------------------------------------------------


def _api_user(request: HttpRequest):
    """The person the API will see (token or session), or None: the view then answers."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(
        request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    )
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):
        # The boundary differs on every send: compare the parsed fields and files.
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(repr((name, upload.name, upload.size)).encode())
                digest.update(file_digest.digest())
    else:
        digest.update(content_type.split(";")[0].strip().encode() + b"\n")
        digest.update(request.body)
    return digest.hexdigest()


def _error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Honour ``Idempotency-Key`` on API POSTs (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > 255 or not key.isprintable():
            return JsonResponse(
                {
                    "code": "invalid",
                    "message": _("The Idempotency-Key must be 1 to 255 printable characters."),
                    "errors": {
                        HEADER: [_("The Idempotency-Key must be 1 to 255 printable characters.")]
                    },
                },
                status=400,
            )
        user = _api_user(request)
        if user is None:
            return self.get_response(request)
        taken = claim(user, key, _fingerprint(request))
        if taken.state == "mismatch":
            return _error(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request. Use a new key."),
            )
        if taken.state == "in_progress":
            return _error(
                409,
                "idempotency_key_in_progress",
                _("A request with this Idempotency-Key is still being processed. Try again."),
                **{"Retry-After": "1"},
            )
        if taken.state == "replay":
            return replay(taken.record)
        try:
            response = self.get_response(request)
        except BaseException:
            forget(taken.record)
            raise
        finish(taken.record, response)
        return response


# Web forms -----------------------------------------------------------------------------


def submit_once(
    request: HttpRequest, token: str, run: Callable[[], HttpResponse | None]
) -> tuple[HttpResponse | None, str]:
    """Run a form submission once per one-time token.

    ``run`` returns a redirect when the submission succeeded, or None (the form has errors:
    the token is freed so the corrected form can be sent). Returns (response, problem):
    the redirect of this or the first submission, or None and a message for the form.
    """
    if not token or not request.user.is_authenticated:
        return run(), ""
    fingerprint = hashlib.sha256(request.path.encode()).hexdigest()
    taken = claim(request.user, f"form:{token}"[:255], fingerprint)
    if taken.state == "in_progress" and taken.record is not None:
        finished = wait_for(taken.record)
        if finished is None:  # the first one failed and was forgotten, or is slow
            return None, _("This form has already been sent. Check before sending it again.")
        taken = Claim("replay", finished)
    if taken.state == "replay" and taken.record.location:
        from django.shortcuts import redirect

        return redirect(taken.record.location), ""
    if taken.state != "new":
        return None, _("This form has already been sent. Check before sending it again.")
    try:
        response = run()
    except BaseException:
        forget(taken.record)
        raise
    if response is None or response.status_code not in (301, 302, 303):
        forget(taken.record)
        return response, ""
    finish(taken.record, response)
    return response, ""


# The API's description ------------------------------------------------------------------


def declare_in_schema(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every API POST takes the optional header and may answer 422."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": (
            "Any printable text (a UUID, say) to make a retry safe: the same key and request "
            "within 24 hours gets the first answer back, marked `Idempotent-Replayed: true`."
        ),
    }
    reused = {
        "description": "The Idempotency-Key was already used for a different request.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or not path.startswith("/api/"):
            continue
        post.setdefault("parameters", []).append(parameter)
        post.setdefault("responses", {}).setdefault("422", reused)
    return result
