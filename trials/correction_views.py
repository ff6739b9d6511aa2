"""Pages that correct a measurement, a log entry or a KPI before the evidence is submitted.

Each shows the value as it stands, takes the corrected one and an optional reason, and calls
the correction service, which keeps the earlier value in the trial's timeline.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import is_member
from core.exceptions import Conflict
from core.forms_util import apply_validation_error
from core.text import plain_number

from . import selectors, services
from .forms import KpiCorrectionForm, LogEntryCorrectionForm, MeasurementCorrectionForm
from .models import Kpi, LogEntry, Measurement


def _page(request, trial, form, *, title: str, back: str, status: int = 200, **extra):
    context = {"trial": trial, "form": form, "title": title, "back": back, **extra}
    return render(request, "trials/correction_form.html", context, status=status)


def _save(request, form, call, *, done: str, back: str, trial, title: str, **extra):
    """Run the correction; on a refused one, the form again with the reason (400, 409)."""
    try:
        call(**form.cleaned_data)
    except (ValidationError, Conflict) as error:
        apply_validation_error(form, error)
        status = 409 if isinstance(error, Conflict) else 400
        return _page(request, trial, form, title=title, back=back, status=status, **extra)
    messages.success(request, done)
    return redirect(back)


@login_required
def measurement_correct(request: HttpRequest, pk: int, measurement_pk: int) -> HttpResponse:
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    measurement = get_object_or_404(
        Measurement.objects.select_related("kpi"), pk=measurement_pk, kpi__trial=trial
    )
    if not roles.startup:
        raise PermissionDenied(_("Only the start-up running the trial can change it."))
    back = f"{trial.get_absolute_url()}#kpi-{measurement.kpi_id}"
    title = _("Correct a measurement of %(kpi)s") % {"kpi": measurement.kpi.name}
    initial = {
        "value": plain_number(measurement.value),
        "date": measurement.date,
        "note": measurement.note,
    }
    form = MeasurementCorrectionForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _page(request, trial, form, title=title, back=back, earlier=measurement)
    if not form.is_valid():
        return _page(request, trial, form, title=title, back=back, status=400, earlier=measurement)
    return _save(
        request,
        form,
        lambda **data: services.measurement_correct(
            actor=request.user, measurement=measurement, **data
        ),
        done=_("The measurement has been corrected. The earlier value is in the timeline."),
        back=back,
        trial=trial,
        title=title,
        earlier=measurement,
    )


@login_required
def log_entry_correct(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    entry = get_object_or_404(
        LogEntry.objects.select_related("organisation"), pk=entry_pk, trial=trial
    )
    if not is_member(request.user, entry.organisation):
        raise PermissionDenied(_("Only the organisation that wrote an entry can correct it."))
    back = f"{trial.get_absolute_url()}#log"
    title = _("Correct a log entry")
    form = LogEntryCorrectionForm(
        request.POST or None, initial={"date": entry.date, "text": entry.text}
    )
    if request.method != "POST":
        return _page(request, trial, form, title=title, back=back)
    if not form.is_valid():
        return _page(request, trial, form, title=title, back=back, status=400)
    return _save(
        request,
        form,
        lambda **data: services.log_entry_correct(actor=request.user, entry=entry, **data),
        done=_("The log entry has been corrected. The earlier text is in the timeline."),
        back=back,
        trial=trial,
        title=title,
    )


@login_required
def kpi_correct(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    kpi = get_object_or_404(Kpi, pk=kpi_pk, trial=trial)
    if not roles.startup:
        raise PermissionDenied(_("Only the start-up running the trial can change it."))
    back = f"{trial.get_absolute_url()}#kpi-{kpi.pk}"
    title = _("Correct the KPI %(name)s") % {"name": kpi.name}
    form = KpiCorrectionForm(request.POST or None, initial=KpiCorrectionForm.initial_from(kpi))
    if request.method != "POST":
        return _page(request, trial, form, title=title, back=back)
    if not form.is_valid():
        return _page(request, trial, form, title=title, back=back, status=400)
    return _save(
        request,
        form,
        lambda **data: services.kpi_update(actor=request.user, kpi=kpi, **data),
        done=_("The KPI has been corrected. The earlier values are in the timeline."),
        back=back,
        trial=trial,
        title=title,
    )
