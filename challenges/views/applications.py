"""The application: started, saved step by step (each step a plain form post), checked,
submitted or withdrawn; and the page each role sees of it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import is_confirmed
from core.downloads import private_file_response
from core.exceptions import Conflict
from core.forms_util import error_message

from .. import selectors, services
from ..forms import (
    AboutStepForm,
    DecisionForm,
    KpisStepForm,
    ModerationNoteForm,
    NewDatesForm,
    PlanStepForm,
    QuestionsStepForm,
    ReasonForm,
    TestBedStepForm,
)
from ..models import ApplicationFile, TestBed
from .common import SERVICE_ERRORS, form_page, run_service

STEPS = ("about", "questions", "plan", "kpis", "testbed")
STEP_ORDER = list(STEPS)


def _step_titles() -> dict[str, str]:
    """The steps' titles, in the language of this request."""
    return {
        "about": _("About your proposal"),
        "questions": _("The challenge's questions"),
        "plan": _("Your trial plan"),
        "kpis": _("Your KPIs"),
        "testbed": _("Test bed and dates"),
    }


@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what applying involves. POST: start (or go back to) the start-up's application."""
    challenge = selectors.challenge_for_viewer(user=request.user, slug=slug)
    organisation = getattr(request, "organisation", None)
    if organisation is None or not organisation.is_start_up:
        raise PermissionDenied(_("Switch to your start-up to apply."))
    existing = challenge.applications.filter(organisation=organisation).first()
    if request.method == "POST":
        try:
            application = services.application_start(
                actor=request.user, organisation=organisation, challenge=challenge
            )
        except Conflict as error:
            if error.code == "exists" and existing is not None:
                return redirect(existing)
            messages.error(request, error_message(error))
            return redirect(challenge)
        except SERVICE_ERRORS as error:
            messages.error(request, error_message(error))
            return redirect(challenge)
        return redirect("challenges:application_step", slug=slug, pk=application.pk, step="about")
    return render(
        request,
        "challenges/apply.html",
        {"challenge": challenge, "existing": existing, "organisation": organisation},
    )


def _own_draft(request: HttpRequest, slug: str, pk: int):
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if not access.applicant:
        raise Http404
    return application


def _next_step(step: str) -> str | None:
    index = STEP_ORDER.index(step)
    return STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None


@login_required
def application_step(request: HttpRequest, slug: str, pk: int, step: str) -> HttpResponse:
    """One step of the application form. Saving keeps the draft; "Save and continue" moves
    to the next step, "Save and come back later" to the task list."""
    if step not in STEPS:
        raise Http404
    application = _own_draft(request, slug, pk)
    if not application.is_draft:
        return redirect(application)
    challenge = application.challenge
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if step == "about":
        form = AboutStepForm(
            post,
            initial={
                "title": application.title,
                "summary": application.summary,
                "partners": application.partners,
            },
        )
    elif step == "questions":
        form = QuestionsStepForm(
            post, files, questions=list(challenge.questions.all()), answers=application.answers
        )
    elif step == "plan":
        form = PlanStepForm(post, initial=application.plan)
    elif step == "kpis":
        form = KpisStepForm(post, kpis=application.kpis)
    else:
        form = TestBedStepForm(
            post,
            initial={
                "testbed": application.testbed,
                "first_day": application.first_day,
                "last_day": application.last_day,
            },
            testbeds=TestBed.objects.filter(
                challenge_links__challenge=challenge, challenge_links__status="agreed"
            ).select_related("organisation"),
        )
    conflict = False
    if request.method == "POST" and form.is_valid():

        def save():
            if step == "about":
                return services.application_save(
                    actor=request.user, application=application, **form.cleaned_data
                )
            if step == "questions":
                saved = services.application_save(
                    actor=request.user, application=application, answers=form.answers()
                )
                for question, upload in form.uploads():
                    services.application_file_set(
                        actor=request.user, application=saved, question=question, upload=upload
                    )
                return saved
            if step == "plan":
                return services.application_save(
                    actor=request.user, application=application, plan=form.cleaned_data
                )
            if step == "kpis":
                return services.application_save(
                    actor=request.user, application=application, kpis=form.kpis()
                )
            return services.application_save(
                actor=request.user, application=application, **form.cleaned_data
            )

        result, conflict = run_service(form, save)
        if result is not None:
            messages.success(request, _("Your answers have been saved."))
            following = _next_step(step)
            if request.POST.get("then") == "later" or following is None:
                return redirect(application)
            return redirect(
                "challenges:application_step", slug=slug, pk=application.pk, step=following
            )
    saved_files = {f.question_id: f for f in application.files.all()} if step == "questions" else {}
    return form_page(
        request,
        "challenges/application_step.html",
        {
            "application": application,
            "challenge": challenge,
            "step": step,
            "step_title": _step_titles()[step],
            "steps": _step_titles(),
            "saved_files": saved_files,
        },
        form=form,
        conflict=conflict,
    )


@login_required
def application_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if (
        access.assessor is not None
        and not access.declared
        and not (access.owner or access.applicant)
    ):
        return redirect("challenges:conflict", slug=slug, pk=pk)
    challenge = application.challenge
    gaps = services.application_gaps(application) if access.applicant else []
    context = {
        "application": application,
        "challenge": challenge,
        "access": access,
        "open": challenge.is_open(),
        "steps": _step_titles(),
        "gaps": gaps,
        "gap_steps": {step for step, _message in gaps},
        **selectors.application_detail_data(application),
        "decision": getattr(application, "decision", None) if application.pk else None,
    }
    if access.owner:
        context["notes"] = list(application.moderation_notes.select_related("author"))
        context["note_form"] = ModerationNoteForm()
        context["coverage"] = services.coverage(application)
        context["decision_form"] = DecisionForm()
    return render(request, "challenges/application.html", context)


@login_required
@require_POST
def application_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The application page is the check-your-answers page: only its own button (which
    carries the confirmation flag) submits; any other POST goes back to it."""
    application = _own_draft(request, slug, pk)
    if not is_confirmed(request):
        return redirect(application)
    try:
        services.application_submit(actor=request.user, application=application)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
        status = 409 if isinstance(error, Conflict) else 400
        return _detail_with_status(request, slug, pk, status)
    messages.success(
        request, _("Your application has been submitted. We have e-mailed you a confirmation.")
    )
    return redirect(application)


def _detail_with_status(request: HttpRequest, slug: str, pk: int, status: int) -> HttpResponse:
    response = application_detail(request, slug, pk)
    response.status_code = status
    return response


@login_required
def application_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _own_draft(request, slug, pk)
    form = ReasonForm(request.POST or None)
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.application_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            ),
        )
        if result is not None:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect(application)
    return form_page(
        request,
        "challenges/withdraw.html",
        {"application": application, "challenge": application.challenge},
        form=form,
        conflict=conflict,
    )


@login_required
def application_file(request: HttpRequest, slug: str, pk: int, file_pk: int) -> HttpResponse:
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if not access.can_read:
        raise Http404
    stored = get_object_or_404(ApplicationFile, pk=file_pk, application=application)
    return private_file_response(
        stored.file.open("rb"), filename=stored.original_name, content_type=stored.content_type
    )


@login_required
def new_dates(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An award whose trial request did not fit: the start-up picks new dates."""
    application = _own_draft(request, slug, pk)
    decision = getattr(application, "decision", None)
    if decision is None or not decision.needs_new_dates:
        raise Http404
    form = NewDatesForm(
        request.POST or None,
        initial={"testbed": application.testbed},
        testbeds=TestBed.objects.filter(
            challenge_links__challenge=application.challenge, challenge_links__status="agreed"
        ).select_related("organisation"),
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        trial, conflict = run_service(
            form,
            lambda: services.award_new_dates(
                actor=request.user, application=application, **form.service_fields()
            ),
        )
        if trial is not None:
            messages.success(request, _("Your trial request has been sent to the test bed."))
            return redirect(trial)
    return form_page(
        request,
        "challenges/new_dates.html",
        {"application": application, "challenge": application.challenge, "decision": decision},
        form=form,
        conflict=conflict,
    )
