"""Steps that end, release, submit or remove: each asks first ("are you sure?").

GET (or a POST without the confirmation flag) shows what will happen; the confirmation
page's own POST does it, through the one service for the step. See core.confirm.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.confirm import confirm_data, confirm_page, is_confirmed
from core.exceptions import Conflict
from core.forms_util import error_message
from core.redirects import redirect_back
from core.text import day_range

from . import selectors, services
from .evidence import submission_gaps
from .forms import OptionalReasonForm, ReasonForm
from .models import SUBMITTABLE_STATUSES, EvidenceFile, Kpi, TrialStatus

get_or_post = require_http_methods(["GET", "POST"])

KEEP, RELEASE = "keep", "release"


class CompleteForm(forms.Form):
    """Completing early: give the rest of the booking back, or keep it to its end."""

    rest = forms.ChoiceField(
        label=gettext_lazy("What happens to the rest of the booking?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what happens to the rest of the booking")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, released=None, trial=None, **kwargs):
        super().__init__(*args, **kwargs)
        if released is None:
            del self.fields["rest"]
            return
        days = day_range(*released)
        self.fields["rest"].choices = [
            (RELEASE, _("Give the days from %(days)s back to the test bed") % {"days": days}),
            (
                KEEP,
                _("Keep the booking to its end on %(date)s")
                % {"date": day_range(released[1], released[1])},
            ),
        ]
        self.fields["rest"].initial = RELEASE

    def service_data(self) -> dict:
        return {
            "note": self.cleaned_data["note"],
            "keep_booking": self.cleaned_data.get("rest") == KEEP,
        }


def _initial(request: HttpRequest) -> dict:
    """What an unconfirmed POST carried (an older inline form), to fill the page with."""
    return request.POST.dict() if request.method == "POST" else {}


def _act(request: HttpRequest, call: Callable[[], object], done: str) -> None:
    """Run a confirmed step: its success message, or the rule it broke as an error."""
    try:
        call()
    except (ValidationError, Conflict) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done)


def _lifecycle_step(request, pk, *, step, form_class, action, done, page) -> HttpResponse:
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, step)
    form = form_class(confirm_data(request), initial=_initial(request))
    if is_confirmed(request) and form.is_valid():
        _act(request, lambda: action(actor=request.user, trial=trial, **form.cleaned_data), done)
        return redirect_back(request, request.POST.get("next"), trial)
    return confirm_page(
        request, caption=trial.title, back_url=trial.get_absolute_url(), form=form, **page(trial)
    )


def _booked(trial) -> str:
    return day_range(trial.booking.start, trial.booking.last_day)


@login_required
@get_or_post
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle_step(
        request,
        pk,
        step="withdraw",
        form_class=OptionalReasonForm,
        action=services.trial_withdraw,
        done=_("Your request is withdrawn."),
        page=lambda trial: {
            "title": _("Withdraw your request?"),
            "consequences": [
                _("The provider will no longer see your request for %(days)s.")
                % {"days": _booked(trial)},
                _("To try these dates again you will have to make a new request."),
            ],
            "button": _("Withdraw request"),
        },
    )


@login_required
@get_or_post
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def page(trial):
        released = (trial.booking.start, trial.booking.last_day)
        if trial.status == TrialStatus.ACTIVE:
            released = services.days_released_on_completion(trial)
        lines = [_("The trial ends now and cannot be started again.")]
        if released:
            lines.append(
                _("The days from %(days)s go back to the test bed.")
                % {"days": day_range(*released)}
            )
        lines.append(_("The other side is told, with your reason."))
        return {"title": _("Cancel the trial?"), "consequences": lines, "button": _("Cancel trial")}

    return _lifecycle_step(
        request,
        pk,
        step="cancel",
        form_class=ReasonForm,
        action=services.trial_cancel,
        done=_("The trial is cancelled and its days released."),
        page=page,
    )


@login_required
@get_or_post
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Completing early says which days go back, and offers to keep them instead."""
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, "complete")
    released = (
        services.days_released_on_completion(trial) if trial.status == TrialStatus.ACTIVE else None
    )
    form = CompleteForm(confirm_data(request), initial=_initial(request), released=released)
    if is_confirmed(request) and form.is_valid():
        _act(
            request,
            lambda: services.trial_complete(actor=request.user, trial=trial, **form.service_data()),
            _("The trial is complete. Write up the outcome next."),
        )
        return redirect(trial)
    lines = [
        _("The trial stops: no more measurements are recorded against a running trial."),
        _("You write up the outcome and submit the evidence for review next."),
    ]
    if released:
        lines.append(
            _(
                "Unless you keep the booking, the days from %(days)s go back to the test bed "
                "and others can book them."
            )
            % {"days": day_range(*released)}
        )
    return confirm_page(
        request,
        title=_("Mark the trial as complete?"),
        caption=trial.title,
        consequences=lines,
        warning=_("You cannot undo this."),
        form=form,
        button=_("Mark as complete"),
        back_url=trial.get_absolute_url(),
        destructive=False,
    )


@login_required
@get_or_post
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, "submit")
    if is_confirmed(request):
        try:
            services.trial_submit(actor=request.user, trial=trial)
        except ValidationError:
            messages.error(
                request, _("The trial is not ready to submit yet: see what is missing below.")
            )
            return redirect(f"{trial.get_absolute_url()}#submit")
        except Conflict as error:
            messages.error(request, error_message(error))
        else:
            messages.success(
                request, _("Submitted. The evidence pack is being prepared for review.")
            )
        return redirect(f"{trial.get_absolute_url()}#packs")
    gaps = submission_gaps(trial) if trial.status in SUBMITTABLE_STATUSES else []
    if gaps:
        messages.error(
            request, _("The trial is not ready to submit yet: see what is missing below.")
        )
        return redirect(f"{trial.get_absolute_url()}#submit")
    return confirm_page(
        request,
        title=_("Submit the evidence for review?"),
        caption=trial.title,
        consequences=[
            _("A signed evidence pack (PDF) is made from the trial as it is now."),
            _("The pack is frozen: later changes go into a new version, not this one."),
            _("The programme officers are told it is waiting for their review."),
        ],
        button=_("Submit evidence for review"),
        back_url=f"{trial.get_absolute_url()}#submit",
        destructive=False,
    )


@login_required
@get_or_post
def kpi_remove(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    kpi = get_object_or_404(Kpi.objects.select_related("trial"), pk=kpi_pk, trial=trial)
    services.require_step(request.user, trial, "kpi")
    if is_confirmed(request):
        _act(
            request,
            lambda: services.kpi_remove(actor=request.user, kpi=kpi),
            _("The KPI has been removed."),
        )
        return redirect(f"{trial.get_absolute_url()}#kpis")
    return confirm_page(
        request,
        title=_("Remove the KPI “%(name)s”?") % {"name": kpi.name},
        caption=trial.title,
        consequences=[_("The KPI and every measurement recorded against it are removed.")],
        button=_("Remove KPI"),
        back_url=f"{trial.get_absolute_url()}#kpi-{kpi.pk}",
    )


@login_required
@get_or_post
def file_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    evidence = get_object_or_404(EvidenceFile, pk=file_pk, trial=trial, removed_at__isnull=True)
    services.require_step(request.user, trial, "file_remove")
    if is_confirmed(request):
        _act(
            request,
            lambda: services.evidence_file_remove(actor=request.user, evidence=evidence),
            _("The file has been removed from the trial."),
        )
        return redirect(f"{trial.get_absolute_url()}#files")
    return confirm_page(
        request,
        title=_("Remove “%(name)s”?") % {"name": evidence.original_name},
        caption=trial.title,
        consequences=[
            _("The file no longer appears on the trial or in new evidence packs."),
            _("Packs already submitted keep it."),
        ],
        button=_("Remove file"),
        back_url=f"{trial.get_absolute_url()}#files",
    )


@login_required
@get_or_post
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Leaving the waitlist gives up the place in the queue (and an offer, if one is open)."""
    entry = selectors.waitlist_entry_for(request.user, pk)
    if is_confirmed(request):
        try:
            services.waitlist_leave(actor=request.user, entry=entry)
        except (ValidationError, Conflict) as error:
            messages.error(request, error_message(error))
            return redirect("trials:waitlist", pk=pk)
        messages.success(request, _("You have left the waitlist."))
        return redirect("trials:list")
    lines = [
        _("You will no longer be told if the days from %(days)s free up on %(testbed)s.")
        % {"days": day_range(entry.start, entry.last_day), "testbed": entry.testbed.name},
        _("If you join again later, you go to the back of the queue."),
    ]
    if entry.status == "offered":
        lines.insert(0, _("The days offered to you are no longer held for you."))
    return confirm_page(
        request,
        title=_("Leave the waitlist?"),
        caption=entry.title,
        consequences=lines,
        button=_("Leave the waitlist"),
        back_url=reverse("trials:waitlist", args=[entry.pk]),
    )
