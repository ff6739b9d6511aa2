"""Trial pages: requests, the approval queue, the trial itself and its lifecycle steps."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import submit_once
from core import pagination
from core.downloads import private_file_response
from core.exceptions import Conflict
from core.forms_util import apply_validation_error, error_message, form_error_message
from core.pagination import paginate, paginate_ids, paginate_list
from core.redirects import redirect_back
from testbeds.booking import pending_that_fit
from testbeds.selectors import testbed_for_viewer

from . import selectors, services, trial_page
from .evidence import submission_gaps
from .forms import (
    EvidenceFileForm,
    KpiForm,
    LogEntryForm,
    MeasurementForm,
    NoMeasurementForm,
    NoteForm,
    OutcomeForm,
    PlanForm,
    ReasonForm,
    ReviewForm,
    TrialRequestForm,
    VerifyForm,
)
from .list_html import page_rows
from .models import (
    MEASURABLE_STATUSES,
    SUBMITTABLE_STATUSES,
    EvidenceFile,
    EvidencePack,
    Kpi,
    TrialStatus,
)
from .visible_ids import first_visible_ids


def is_reviewer(user, trial) -> bool:
    try:
        services.require_reviewer(user, trial)
    except PermissionDenied:
        return False
    return True


def _startup_or_403(request: HttpRequest):
    organisation = selectors.startup_organisation(getattr(request, "organisation", None))
    if organisation is None:
        raise PermissionDenied(_("Switch to your start-up to request a trial."))
    return organisation


@login_required
def request_trial(request: HttpRequest, slug: str) -> HttpResponse:
    """The request form. Full days are refused with the nearest free dates and a waitlist offer."""
    testbed = testbed_for_viewer(slug=slug, user=request.user)
    organisation = _startup_or_403(request)
    form = TrialRequestForm(request.POST or None, testbed=testbed, organisation=organisation)
    conflict = None

    def send() -> HttpResponse | None:
        nonlocal conflict
        data = form.cleaned_data
        fields = {
            "actor": request.user,
            "organisation": organisation,
            "testbed": testbed,
            "title": data["title"],
            "summary": data["summary"],
            "first_day": data["first_day"],
            "last_day": data["last_day"],
            "answers": form.answers(),
        }
        try:
            if request.POST.get("waitlist"):
                services.waitlist_join(**fields)
                messages.success(
                    request, _("You are on the waitlist. We will tell you if these days free up.")
                )
                return redirect("trials:list")
            plan, kpis = form.proposal()
            trial = services.trial_request(
                **fields, programme=data["programme"], plan=plan, kpis=kpis
            )
        except Conflict as error:
            conflict = error
            form.add_error(None, error.message)
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            if trial.status == TrialStatus.APPROVED:
                messages.success(
                    request, _("Your trial is confirmed: the days are booked for you.")
                )
            else:
                messages.success(
                    request,
                    _("Your request has been sent. The provider will approve or decline it."),
                )
            return redirect(trial)
        return None

    if request.method == "POST" and form.is_valid():
        response, problem = submit_once(request, form.cleaned_data["form_token"], send)
        if response is not None:
            return response
        if problem:
            form.add_error(None, problem)
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(
        request,
        "trials/request.html",
        {"form": form, "testbed": testbed, "conflict": conflict, "organisation": organisation},
        status=status,
    )


@login_required
def trial_list(request: HttpRequest) -> HttpResponse:
    """The trials the person may see, newest first: their ids (up to ``IDS_CAP`` in one
    statement on PostgreSQL, ``visible_ids``; else ``selectors.list_ids``), then the page's
    rows (``list_html.page_rows``)."""
    ids = selectors.request_organisation_ids(request)
    cap = pagination.IDS_CAP
    first = first_visible_ids(ids, request.GET, limit=cap + 1)
    if first is not None and len(first) <= cap:
        page = paginate_list(request, first)
    else:
        trials = selectors.trials_visible_to(request.user, ids)
        page = paginate_ids(
            request, selectors.list_ids(selectors.filter_trials(trials, request.GET))
        )
    context = {
        "page": page,
        "rows": page_rows(page.object_list),
        "statuses": TrialStatus.choices,
        "status": request.GET.get("status", ""),
        "waitlist": list(
            selectors.waitlist_for(request.user, ids)
            .filter(status__in=["waiting", "offered"])
            .select_related(None)
            .select_related("testbed")
            .only("start", "end", "status", "testbed__name")[:20]
        ),
    }
    return render(request, "trials/list.html", context)


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    """Requests waiting for the provider, with whether each still fits."""
    ids = [membership.organisation_id for membership in request.memberships]
    page = paginate(request, selectors.requests_for_provider(request.user, ids))
    fitting = pending_that_fit(
        [trial.booking for trial in page],
        {trial.testbed_id: trial.testbed.capacity for trial in page},
    )
    rows = [{"trial": trial, "fits": trial.booking_id in fitting} for trial in page]
    changes = list(selectors.change_requests_for_provider(request.user, ids)[:50])
    return render(
        request, "trials/approval_queue.html", {"rows": rows, "page": page, "changes": changes}
    )


@login_required
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The trial page. Its body is kept between changes (``trial_page``): a kept body costs
    the heading's query and one fingerprint query instead of a dozen and the rendering."""
    ids = selectors.request_organisation_ids(request)
    trial, roles, fingerprint = trial_page.trial_heading_for_viewer(
        user=request.user, pk=pk, ids=ids
    )
    reviewer = trial.status == TrialStatus.SUBMITTED and is_reviewer(request.user, trial)
    key = trial_page.body_key(
        trial=trial,
        fingerprint=fingerprint,
        roles=roles,
        user=request.user,
        ids=ids,
        reviewer=reviewer,
    )
    body, data = trial_page.kept_body(key), None
    if body is None:
        if fingerprint is not None:  # the heading's trial has only what the heading needs
            trial, roles = selectors.trial_for_viewer(user=request.user, pk=trial.pk, ids=ids)
        body, data = _trial_body(request, trial, roles, reviewer=reviewer)
        trial_page.keep_body(key, body, data)
    context = {
        "trial": trial,
        "body": mark_safe(trial_page.with_csrf_token(request, body)),  # noqa: S308 — rendered here
        "preparing": data is not None and trial_page.preparing(data),
    }
    return render(request, "trials/detail.html", context)


def _trial_page(
    request: HttpRequest, trial, roles, *, invalid: forms.Form, status: int
) -> HttpResponse:
    """The trial page with one of its small forms posted with errors: shown again with what
    was typed, an error summary at the top linking to the field, and ``status``. Never kept."""
    reviewer = trial.status == TrialStatus.SUBMITTED and is_reviewer(request.user, trial)
    body, _data = _trial_body(request, trial, roles, reviewer=reviewer, invalid=invalid)
    context = {
        "trial": trial,
        "body": mark_safe(trial_page.with_csrf_token(request, body)),  # noqa: S308 — rendered here
        "preparing": False,
        # `form` puts "Error:" in the page title (base.html) and feeds the error summary.
        "form": invalid,
    }
    return render(request, "trials/detail.html", context, status=status)


def _trial_body(
    request: HttpRequest,
    trial,
    roles,
    *,
    reviewer: bool,
    invalid: forms.Form | None = None,
) -> tuple[str, dict]:
    """The page's body (with a placeholder for the CSRF token) and the data it shows. It
    depends only on the trial's rows, ``roles``, ``reviewer``, the person's organisations,
    the language and today: ``trial_page.body_key`` is made of those."""
    data = selectors.trial_page_data(trial)
    kpi_rows = selectors.kpi_rows(data["kpis"])
    today = timezone.localdate()
    can_measure = roles.startup and trial.status in MEASURABLE_STATUSES
    # The small forms of each KPI only where the page shows them (issue 20).
    for row in kpi_rows if can_measure else ():
        kpi = row["kpi"]
        row["form"] = _posted(invalid, MeasurementForm, kpi.pk) or MeasurementForm(
            prefix=f"kpi{kpi.pk}", initial={"date": today}
        )
        if not row["measurements"]:
            row["reason_form"] = _posted(invalid, NoMeasurementForm, kpi.pk) or NoMeasurementForm(
                auto_id=f"nm-{kpi.pk}-%s",
                initial={"no_measurement_reason": kpi.no_measurement_reason},
            )
    can_review = trial.status == TrialStatus.SUBMITTED and reviewer
    context = {
        "request": request,  # the adoption panel asks who is looking
        "csrf_token": trial_page.CSRF_PLACEHOLDER,
        "trial": trial,
        "roles": roles,
        "kpi_rows": kpi_rows,
        **data,
        "log_form": invalid
        if isinstance(invalid, LogEntryForm)
        else LogEntryForm(initial={"date": today}),
        "can_measure": can_measure,
        # Corrections until submission: the start-up's values, each writer's own log entries.
        "can_correct": roles.startup and trial.is_editable,
        "my_organisation_ids": set(selectors.request_organisation_ids(request))
        if trial.is_editable
        else set(),
        "can_submit": roles.startup and trial.status in SUBMITTABLE_STATUSES,
        "submission_gaps": submission_gaps(trial, data["kpis"])
        if roles.startup and trial.status in SUBMITTABLE_STATUSES
        else [],
        "can_review": can_review,
        "review_form": ReviewForm() if can_review else None,
    }
    return render_to_string("trials/includes/body.html", context), data


def _posted(invalid: forms.Form | None, form_class: type[forms.Form], kpi_pk: int):
    """The posted form of this class for this KPI, if that is the one with errors."""
    if isinstance(invalid, form_class) and getattr(invalid, "kpi_pk", None) == kpi_pk:
        return invalid
    return None


def _small_form_failed(
    request: HttpRequest, trial, roles, form: forms.Form, error: Exception | None = None
) -> HttpResponse:
    """Re-render the trial page with a small form's errors: 400 (409 for a conflict)."""
    if error is not None:
        apply_validation_error(form, error)
    status = 409 if isinstance(error, Conflict) else 400
    return _trial_page(request, trial, roles, invalid=form, status=status)


def _step(
    request: HttpRequest,
    pk: int,
    action: Callable,
    done: str,
    *,
    step: str,
    form_class: type[forms.Form] | None = None,
) -> HttpResponse:
    """One lifecycle step from a button; ``form_class`` reads its reason or note."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, step)
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, form_error_message(form))
            return redirect(trial)
        kwargs = form.cleaned_data
    try:
        action(actor=request.user, trial=trial, **kwargs)
    except (ValidationError, Conflict) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done)
    return redirect_back(request, request.POST.get("next"), trial)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.trial_approve,
        _("The trial is approved and its days are booked."),
        form_class=NoteForm,
        step="approve",
    )


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.trial_decline,
        _("The request is declined."),
        form_class=ReasonForm,
        step="decline",
    )


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.trial_start, _("The trial has started."), step="start")


@login_required
def waitlist_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.waitlist_entry_for(request.user, pk)
    if request.method == "POST":
        if request.POST.get("action") != "take":
            # Leaving asks first (step_views.waitlist_leave); a POST here never leaves.
            return redirect("trials:waitlist_leave", pk=pk)
        try:
            trial = services.waitlist_take_offer(actor=request.user, entry=entry)
            messages.success(request, _("Your request has been made."))
            return redirect(trial)
        except (ValidationError, Conflict) as error:
            messages.error(request, error_message(error))
            return redirect("trials:waitlist", pk=pk)
    return render(request, "trials/waitlist_entry.html", {"entry": entry})


# Tracking pages -----------------------------------------------------------------


def _startup_trial(request: HttpRequest, pk: int):
    """The trial, for a member of its start-up; 403 for its other viewers, 404 for the rest."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    if not roles.startup:
        raise PermissionDenied(_("Only the start-up running the trial can change it."))
    return trial


def _edit_page(request, pk, form_class, service, template, done, initial_from):
    trial = _startup_trial(request, pk)
    extra = {"trial": trial} if getattr(form_class, "needs_trial", False) else {}
    form = form_class(request.POST or None, initial=initial_from(trial), **extra)
    if request.method == "POST" and form.is_valid():
        data = form.service_data() if hasattr(form, "service_data") else form.cleaned_data
        try:
            service(actor=request.user, trial=trial, **data)
        except (ValidationError, Conflict) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect(trial)
    return render(request, template, {"form": form, "trial": trial})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_page(
        request,
        pk,
        PlanForm,
        services.trial_update_plan,
        "trials/plan_form.html",
        _("The plan has been saved."),
        PlanForm.initial_from,
    )


@login_required
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_page(
        request,
        pk,
        OutcomeForm,
        services.trial_update_outcome,
        "trials/outcome_form.html",
        _("The outcome has been saved."),
        OutcomeForm.initial_from,
    )


@login_required
def kpi_add(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _startup_trial(request, pk)
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_add(actor=request.user, trial=trial, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The KPI has been added."))
            return redirect(f"{trial.get_absolute_url()}#kpis")
    return render(request, "trials/kpi_form.html", {"form": form, "trial": trial})


def _kpi(request: HttpRequest, pk: int, kpi_pk: int):
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    kpi = get_object_or_404(Kpi.objects.select_related("trial"), pk=kpi_pk, trial=trial)
    return trial, roles, kpi


@login_required
@require_POST
def measurement_add(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    trial, roles, kpi = _kpi(request, pk, kpi_pk)
    services.require_step(request.user, trial, "measurement")
    form = MeasurementForm(request.POST, prefix=f"kpi{kpi.pk}")
    form.kpi_pk = kpi.pk
    if not form.is_valid():
        return _small_form_failed(request, trial, roles, form)
    try:
        services.measurement_add(actor=request.user, kpi=kpi, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        return _small_form_failed(request, trial, roles, form, error)
    messages.success(request, _("The measurement has been recorded."))
    return redirect(f"{trial.get_absolute_url()}#kpi-{kpi.pk}")


@login_required
@require_POST
def kpi_not_measured(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    trial, roles, kpi = _kpi(request, pk, kpi_pk)
    services.require_step(request.user, trial, "kpi")
    form = NoMeasurementForm(request.POST, auto_id=f"nm-{kpi.pk}-%s")
    form.kpi_pk = kpi.pk
    if not form.is_valid():
        return _small_form_failed(request, trial, roles, form)
    try:
        services.kpi_update(actor=request.user, kpi=kpi, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        return _small_form_failed(request, trial, roles, form, error)
    messages.success(request, _("The explanation has been saved."))
    return redirect(f"{trial.get_absolute_url()}#kpi-{kpi.pk}")


@login_required
@require_POST
def log_add(request: HttpRequest, pk: int) -> HttpResponse:
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, "log")
    form = LogEntryForm(request.POST)
    if not form.is_valid():
        return _small_form_failed(request, trial, roles, form)
    try:
        services.log_entry_add(actor=request.user, trial=trial, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        return _small_form_failed(request, trial, roles, form, error)
    messages.success(request, _("The entry has been added to the log."))
    return redirect(f"{trial.get_absolute_url()}#log")


@login_required
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The start-up, or a partner (whose file is marked as theirs), adds evidence."""
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, "file")
    form = EvidenceFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_file_add(
                actor=request.user,
                trial=trial,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            )
        except (ValidationError, Conflict) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The file has been added to the trial's evidence."))
            return redirect(f"{trial.get_absolute_url()}#files")
    status = 400 if request.method == "POST" else 200
    return render(request, "trials/file_form.html", {"form": form, "trial": trial}, status=status)


RENDITIONS = {"original": "file", "display": "display", "thumbnail": "thumbnail"}


@login_required
def file_download(
    request: HttpRequest, pk: int, file_pk: int, rendition: str = "original"
) -> HttpResponse:
    """A private evidence file, for the trial's viewers only. Everyone else gets 404."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    evidence = get_object_or_404(EvidenceFile, pk=file_pk, trial=trial)
    if rendition not in RENDITIONS:
        raise Http404
    field = getattr(evidence, RENDITIONS[rendition])
    if rendition == "original" or not field:  # documents have no smaller renditions
        return private_file_response(
            evidence.file.open("rb"),
            filename=evidence.original_name,
            content_type=evidence.content_type,
            as_attachment=not evidence.is_photo or rendition == "original",
        )
    return private_file_response(
        field.open("rb"),
        filename=field.name.rsplit("/", 1)[-1],
        content_type="image/jpeg",
        as_attachment=False,
    )


# Evidence packs -------------------------------------------------------------------


def _pack(request: HttpRequest, pk: int, pack_pk: int):
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    return trial, roles, get_object_or_404(EvidencePack, pk=pack_pk, trial=trial)


@login_required
def pack_download(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    trial, roles, pack = _pack(request, pk, pack_pk)
    if pack.state != EvidencePack.State.READY:
        raise Http404
    return private_file_response(
        pack.file.open("rb"),
        filename=f"evidence-pack-{pack.code}-v{pack.version}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
def pack_review(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    trial, roles, pack = _pack(request, pk, pack_pk)
    services.require_step(request.user, trial, "review")
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose accept or ask for changes."))
        services.pack_review(actor=request.user, pack=pack, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Your decision has been recorded and the start-up told."))
    return redirect(f"{trial.get_absolute_url()}#packs")


@login_required
@require_POST
def pack_retry(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    trial, roles, pack = _pack(request, pk, pack_pk)
    try:
        services.pack_retry(actor=request.user, pack=pack)
    except Conflict as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("The pack is being prepared again."))
    return redirect(f"{trial.get_absolute_url()}#packs")


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this pack genuine? Shows its status and fingerprint, nothing else of the trial."""
    pack = selectors.pack_for_verification(code)
    form = VerifyForm(request.POST or None, request.FILES or None)
    match = None
    if request.method == "POST" and form.is_valid():
        digest = selectors.sha256_of(form.cleaned_data["file"])
        match = selectors.issued_pack_with_sha256(digest)
        match = {"pack": match, "sha256": digest}
    context = {"pack": pack, "form": form, "match": match, **selectors.verification_facts(pack)}
    return render(request, "trials/verify.html", context, status=200)
