"""'Are you sure?' pages for steps that release days, end a trial, submit or remove something.

The step's URL answers GET with a page saying what will happen and a button; only a POST
carrying the confirmation flag (``confirm=yes``, sent by that page's form) goes ahead. A POST
without it (an old form, a crafted request) gets the same page back and changes nothing. Works
without JavaScript. Views still call the one service that does the work; this module only
decides whether to ask first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def is_confirmed(request: HttpRequest) -> bool:
    """True only for a POST sent from a confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirm_data(request: HttpRequest):
    """The POST data to bind a step's form to once confirmed, else None (an unbound form)."""
    return request.POST if is_confirmed(request) else None


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    button: str,
    back_url: str,
    caption: str = "",
    consequences: Iterable[str] = (),
    warning: str = "",
    form: forms.Form | None = None,
    destructive: bool = True,
    next_url: str = "",
) -> HttpResponse:
    """The confirmation page: what will happen, an optional form (a reason, a choice), one
    button that POSTs back to this URL with the flag, and a way back that changes nothing."""
    status = 400 if form is not None and form.is_bound and form.errors else 200
    if not next_url and request.method == "POST":
        next_url = request.POST.get("next", "")
    context = {
        "title": title,
        "caption": caption,
        "consequences": [line for line in consequences if line],
        "warning": warning,
        "form": form,
        "button": button,
        "back_url": back_url,
        "destructive": destructive,
        "next": next_url,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, "core/confirm.html", context, status=status)
