"""The programme's start-ups: who takes part, and enrolling another (officers only).

A start-up must take part in a programme before its trials may name it. Officers find a
start-up by its name and enrol it with one button; the page says at once who is enrolled.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.services import programme_enrol
from core.forms_util import error_message
from core.pagination import paginate

from .selectors import (
    STARTUPS_SHOWN,
    enrolments_of,
    officer_programme,
    startup_to_enrol,
    startups_matching,
)


class StartupSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Start-up's name"),
        help_text=gettext_lazy("A few letters of its name are enough."),
        max_length=100,
        min_length=2,
        error_messages={
            "required": gettext_lazy("Enter the start-up's name."),
            "min_length": gettext_lazy("Enter at least 2 letters of the start-up's name."),
            "max_length": gettext_lazy("Enter at most 100 letters."),
        },
    )


@login_required
def programme_startups(request: HttpRequest, pk: int) -> HttpResponse:
    """Who takes part, and (with ``?q=``) the start-ups that match a name, to enrol."""
    programme = officer_programme(request.user, pk)
    form = StartupSearchForm(request.GET if "q" in request.GET else None)
    matches = startups_matching(form.cleaned_data["q"], programme) if form.is_valid() else None
    context = {
        "programme": programme,
        "current": "startups",
        "page": paginate(request, enrolments_of(programme), per_page=50),
        "search_form": form,
        "matches": None if matches is None else matches[:STARTUPS_SHOWN],
        "more_matches": matches is not None and len(matches) > STARTUPS_SHOWN,
        # `form` puts "Error:" in the page title (base.html) and feeds the error summary.
        "form": form if form.is_bound and form.errors else None,
    }
    status = 400 if context["form"] else 200
    return render(request, "programmes/startups.html", context, status=status)


@login_required
@require_POST
def programme_startup_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    programme = officer_programme(request.user, pk)
    organisation = startup_to_enrol(request.POST.get("organisation", ""))
    try:
        programme_enrol(actor=request.user, programme=programme, organisation=organisation)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _("%(startup)s takes part in %(programme)s: its trials may now name the programme.")
            % {"startup": organisation.name, "programme": programme.name},
        )
    return redirect("programmes:startups", pk=programme.pk)
