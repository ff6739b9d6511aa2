"""Pages for changing an approved booking's dates: ask, approve, decline, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import confirm_page, is_confirmed
from core.exceptions import Conflict
from core.forms_util import apply_validation_error, error_message, form_error_message
from core.text import day_range

from . import selectors, services
from .forms import ChangeRequestForm, NoteForm, OptionalReasonForm, ReasonForm
from .services import CHANGEABLE_STATUSES


@login_required
def change_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The start-up asks for new dates. The current days stay booked until approval."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    if not roles.startup:
        raise PermissionDenied(_("Only the start-up running the trial can change its dates."))
    if trial.status not in CHANGEABLE_STATUSES:
        messages.error(request, _("Only an approved or running trial can change its dates."))
        return redirect(trial)
    initial = {"first_day": trial.booking.start, "last_day": trial.booking.last_day}
    form = ChangeRequestForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_request_create(actor=request.user, trial=trial, **form.cleaned_data)
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your change has been sent. The current dates stay booked until the "
                        "provider approves it."
                    ),
                )
                return redirect(f"{trial.get_absolute_url()}#dates")
    pending = selectors.open_change_request(trial)
    return render(
        request,
        "trials/change_request_form.html",
        {"form": form, "trial": trial, "pending": pending},
        status=status,
    )


STEPS = {
    "approve": (
        services.change_request_approve,
        NoteForm,
        gettext_lazy("The new dates are approved and booked."),
    ),
    "decline": (
        services.change_request_decline,
        ReasonForm,
        gettext_lazy("The change of dates is declined."),
    ),
    "withdraw": (
        services.change_request_withdraw,
        OptionalReasonForm,
        gettext_lazy("Your change of dates is withdrawn."),
    ),
}


def _decide(request: HttpRequest, pk: int, change_pk: int, step: str) -> HttpResponse:
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    change = selectors.change_request_of(trial, change_pk)
    services.require_change_step(request.user, change, step)
    action, form_class, done = STEPS[step]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect(f"{trial.get_absolute_url()}#dates")
    try:
        action(actor=request.user, change=change, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, str(done))
    return redirect(f"{trial.get_absolute_url()}#dates")


@login_required
@require_POST
def change_request_approve(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    return _decide(request, pk, change_pk, "approve")


@login_required
@require_POST
def change_request_decline(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    return _decide(request, pk, change_pk, "decline")


@login_required
@require_http_methods(["GET", "POST"])
def change_request_withdraw(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    """Asks first: the provider stops seeing the change; the current dates stay."""
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    change = selectors.change_request_of(trial, change_pk)
    services.require_change_step(request.user, change, "withdraw")
    if is_confirmed(request):
        return _decide(request, pk, change_pk, "withdraw")
    return confirm_page(
        request,
        title=_("Withdraw your change of dates?"),
        caption=trial.title,
        consequences=[
            _("The provider no longer sees the change you asked for."),
            _("The trial keeps its current dates, %(days)s.")
            % {"days": day_range(trial.booking.start, trial.booking.last_day)},
        ],
        button=_("Withdraw the change"),
        back_url=f"{trial.get_absolute_url()}#dates",
    )
