"""Provider steps that take something away: retire a test bed, remove a photo or a closure,
stop asking a question. Each asks first (core.confirm); the service does the work."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.confirm import confirm_data, confirm_page, is_confirmed
from core.exceptions import Conflict
from core.forms_util import error_message
from core.text import day_range

from . import selectors, services
from .forms import ReasonForm
from .models import TestBedPhoto

get_or_post = require_http_methods(["GET", "POST"])


def _manage(slug: str, anchor: str = "") -> str:
    return reverse("testbeds:manage", kwargs={"slug": slug}) + anchor


@login_required
@get_or_post
def retire(request: HttpRequest, slug: str) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    initial = request.POST.dict() if request.method == "POST" else {}
    form = ReasonForm(confirm_data(request), initial=initial)
    if is_confirmed(request) and form.is_valid():
        try:
            services.testbed_retire(
                actor=request.user, testbed=testbed, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, Conflict) as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, _("%(name)s is retired.") % {"name": testbed.name})
        return redirect("testbeds:manage", slug=slug)
    return confirm_page(
        request,
        title=_("Retire %(name)s?") % {"name": testbed.name},
        consequences=[
            _("The test bed leaves the catalogue for good and takes no more requests."),
            _("Its trials keep their records."),
        ],
        warning=_("You cannot undo this."),
        form=form,
        button=_("Retire test bed"),
        back_url=_manage(slug),
    )


@login_required
@get_or_post
def photo_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    photo = get_object_or_404(
        TestBedPhoto.objects.select_related("testbed__organisation"), pk=pk, testbed=testbed
    )
    if is_confirmed(request):
        services.photo_remove(actor=request.user, photo=photo)
        messages.success(request, _("The photo has been removed."))
        return redirect(_manage(slug, "#photos"))
    return confirm_page(
        request,
        title=_("Remove this photo?"),
        caption=testbed.name,
        consequences=[
            _("“%(description)s” no longer appears on the listing.")
            % {"description": photo.alt_text}
        ],
        button=_("Remove photo"),
        back_url=_manage(slug, "#photos"),
    )


@login_required
@get_or_post
def blackout_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    blackout = get_object_or_404(testbed.blackouts, pk=pk)
    if is_confirmed(request):
        services.blackout_remove(actor=request.user, blackout=blackout)
        messages.success(request, _("The closure has been removed."))
        return redirect(_manage(slug, "#closures"))
    days = day_range(blackout.start, blackout.end - datetime.timedelta(days=1))
    return confirm_page(
        request,
        title=_("Remove the closure?"),
        caption=testbed.name,
        consequences=[
            _("The days from %(days)s (%(reason)s) can be booked again.")
            % {"days": days, "reason": blackout.reason},
        ],
        button=_("Remove closure"),
        back_url=_manage(slug, "#closures"),
    )


@login_required
@get_or_post
def question_archive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    testbed = selectors.testbed_for_provider(slug=slug, user=request.user)
    question = get_object_or_404(testbed.questions, pk=pk)
    if is_confirmed(request):
        services.question_archive(actor=request.user, question=question)
        messages.success(request, _("The question will no longer be asked."))
        return redirect(_manage(slug, "#questions"))
    return confirm_page(
        request,
        title=_("Stop asking “%(question)s”?") % {"question": question.text},
        caption=testbed.name,
        consequences=[
            _("New requests no longer ask it."),
            _("Answers already given stay with their requests."),
        ],
        button=_("Stop asking"),
        back_url=_manage(slug, "#questions"),
    )
