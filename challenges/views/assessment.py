"""The panel's pages: the owner's management page, assessors and their invitations, conflict
declarations, scoring, the ranking with moderation, decisions and exports."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.confirm import confirm_page, is_confirmed
from core.downloads import private_file_response
from core.exports import csv_response
from core.forms_util import apply_validation_error, error_message, form_error_message

from .. import exports, selectors, services
from ..forms import (
    AssessorAccountForm,
    AssessorInviteForm,
    ConflictForm,
    DecisionForm,
    ModerationNoteForm,
    ScoreForm,
)
from ..models import Assessor
from ..pdf import render_application
from .common import SERVICE_ERRORS, form_page, run_service


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner's page: applications received, assessors, what needs doing."""
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    applications = list(selectors.owner_applications(request.user, challenge))
    return render(
        request,
        "challenges/manage.html",
        {
            "challenge": challenge,
            "applications": applications,
            "assessors": list(challenge.assessors.select_related("user")),
            "waiting": challenge.clarifications.filter(published_at__isnull=True).count(),
        },
    )


@login_required
def assessors(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    form = AssessorInviteForm(request.POST or None)
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.assessor_invite(
                actor=request.user, challenge=challenge, email=form.cleaned_data["email"]
            ),
        )
        if result is not None:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": result[0].email},
            )
            return redirect("challenges:assessors", slug=slug)
    return form_page(
        request,
        "challenges/assessors.html",
        {"challenge": challenge, "assessors": list(challenge.assessors.select_related("user"))},
        form=form,
        conflict=conflict,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessor_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    assessor = get_object_or_404(Assessor, pk=pk, challenge=challenge)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Remove %(email)s as an assessor?") % {"email": assessor.email},
            caption=challenge.title,
            consequences=[
                _("They can no longer see or score the applications."),
                _("Scores they have already submitted stay in the ranking."),
            ],
            button=_("Remove assessor"),
            back_url=reverse("challenges:assessors", kwargs={"slug": slug}),
        )
    try:
        services.assessor_remove(actor=request.user, assessor=assessor)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request, _("%(email)s is no longer an assessor.") % {"email": assessor.email}
        )
    return redirect("challenges:assessors", slug=slug)


def assessor_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an assessor's invitation. Signed in with the invited address: accept.
    Not signed in and new here: make a limited account and accept. Works once."""
    assessor = services.assessor_for_token(token)
    if assessor is None or assessor.status != "pending":
        return render(
            request,
            "challenges/invitation_invalid.html",
            {"assessor": assessor},
            status=404 if assessor is None else 410,
        )
    has_account = User.objects.filter(email__iexact=assessor.email).exists()
    form = (
        None
        if request.user.is_authenticated or has_account
        else AssessorAccountForm(request.POST or None)
    )
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                accepted = services.assessor_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                accepted = services.assessor_accept(token=token, **form.cleaned_data)
                login(request, accepted.user, backend="accounts.backends.ModelBackend")
            else:
                accepted = None
        except SERVICE_ERRORS as error:
            if form is not None:
                apply_validation_error(form, error)
            else:
                messages.error(request, error_message(error))
            accepted = None
        if accepted is not None:
            messages.success(request, _("You are now an assessor of this challenge."))
            return redirect("challenges:assess", slug=accepted.challenge.slug)
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "challenges/invitation.html",
        {"assessor": assessor, "form": form, "has_account": has_account},
        status=status,
    )


@login_required
def assess(request: HttpRequest, slug: str) -> HttpResponse:
    """The assessor's list: declare a conflict (or none) on each application, then score."""
    challenge, assessor = selectors.challenge_for_assessor(user=request.user, slug=slug)
    return render(
        request,
        "challenges/assess.html",
        {
            "challenge": challenge,
            "assessor": assessor,
            "rows": selectors.assessor_queue(assessor),
            "criteria": list(challenge.criteria.all()),
        },
    )


def _for_assessor(request: HttpRequest, slug: str, pk: int):
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if access.assessor is None:
        raise Http404
    return application, access


@login_required
def conflict(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Declare before seeing: only who applied (and their partners) is shown here."""
    application, access = _for_assessor(request, slug, pk)
    if access.declared:
        return redirect("challenges:score", slug=slug, pk=pk)
    form = ConflictForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        declaration, failed = run_service(
            form,
            lambda: services.conflict_declare(
                actor=request.user, application=application, **form.cleaned_data
            ),
        )
        if declaration is not None:
            if declaration.conflicted:
                messages.success(
                    request, _("Conflict declared. You will not see this application.")
                )
                return redirect("challenges:assess", slug=slug)
            return redirect("challenges:score", slug=slug, pk=pk)
    return form_page(
        request,
        "challenges/conflict.html",
        {"application": application, "challenge": application.challenge},
        form=form,
        conflict=failed,
    )


@login_required
def score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application, access = _for_assessor(request, slug, pk)
    if not access.declared:
        return redirect("challenges:conflict", slug=slug, pk=pk)
    challenge = application.challenge
    criteria = list(challenge.criteria.all())
    seen = selectors.scores_for_assessor(access.assessor, application)
    form = ScoreForm(request.POST or None, criteria=criteria, own=seen["own"])
    failed = False
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("submit_scores") == "1"
        result, failed = run_service(
            form,
            lambda: services.scores_save(
                actor=request.user, application=application, scores=form.scores(), submit=submit
            ),
        )
        if result is not None:
            messages.success(
                request,
                _("Your scores are submitted.") if submit else _("Your scores have been saved."),
            )
            return redirect("challenges:score", slug=slug, pk=pk)
    return form_page(
        request,
        "challenges/score.html",
        {
            "application": application,
            "challenge": challenge,
            "own": seen["own"],
            "others": seen["others"],
            **selectors.application_detail_data(application),
        },
        form=form,
        conflict=failed,
    )


def _owned_application(request: HttpRequest, slug: str, pk: int):
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if not access.owner:
        raise Http404
    return application


@login_required
@require_POST
def note_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _owned_application(request, slug, pk)
    form = ModerationNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect(application)
    try:
        services.moderation_note_add(
            actor=request.user, application=application, text=form.cleaned_data["text"]
        )
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("The note has been added."))
    return redirect(application)


@login_required
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _owned_application(request, slug, pk)
    form = DecisionForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        decision, failed = run_service(
            form,
            lambda: services.decide(
                actor=request.user, application=application, **form.cleaned_data
            ),
        )
        if decision is not None:
            application.refresh_from_db()
            if decision.trial_problem:
                messages.warning(
                    request,
                    _(
                        "The award stands, but the trial request could not be made: %(problem)s "
                        "The start-up has been asked to pick new dates."
                    )
                    % {"problem": decision.trial_problem},
                )
            else:
                messages.success(request, _("The decision has been sent to the applicant."))
            return redirect("challenges:ranking", slug=slug)
    return form_page(
        request,
        "challenges/decide.html",
        {
            "application": application,
            "challenge": application.challenge,
            "coverage": services.coverage(application),
        },
        form=form,
        conflict=failed,
    )


@login_required
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    rows = selectors.ranking(challenge, request.user)
    return render(
        request,
        "challenges/ranking.html",
        {"challenge": challenge, "rows": rows, "criteria": list(challenge.criteria.all())},
    )


@login_required
def applications_csv(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    header, rows = exports.applications_table(challenge, request.user)
    return csv_response(f"{challenge.slug}-applications", header, rows)


@login_required
def scores_csv(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    header, rows = exports.scores_table(challenge, request.user)
    return csv_response(f"{challenge.slug}-scores", header, rows)


@login_required
def application_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The application for the panel pack: owner's members and cleared assessors."""
    application, access = selectors.application_for_viewer(user=request.user, pk=pk, slug=slug)
    if not access.can_read:
        raise Http404
    data = render_application(application)
    return private_file_response(
        io.BytesIO(data),
        filename=f"{application.reference}.pdf",
        content_type="application/pdf",
    )
