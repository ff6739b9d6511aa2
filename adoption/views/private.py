"""The adoption pages of one trial: what happened next, its history, interest, impact
reports and consent to the register. Seen by the parties, the programme's officers and
staff; 404 for everyone else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import CommentForm, ConsentForm, ContactForm, DecisionForm, ReportForm
from ..models import Adoption
from .common import form_page, run_service


def _roles(request: HttpRequest, adoption: Adoption) -> dict:
    trial = adoption.trial
    return {
        "is_provider": services.is_provider(request.user, trial),
        "is_startup": services.is_startup(request.user, trial),
    }


@login_required
def detail(request: HttpRequest, trial_pk: int) -> HttpResponse:
    adoption = selectors.adoption_for_viewer(request.user, trial_pk)
    roles = _roles(request, adoption)
    context = {
        "adoption": adoption,
        "trial": adoption.trial,
        "versions": list(adoption.versions.all()),
        "interests": list(selectors.open_interests(adoption)),
        "reports": list(adoption.reports.all()),
        "today": timezone.localdate(),
        **roles,
    }
    if roles["is_startup"]:
        context["contact_form"] = ContactForm(initial={"contact_email": adoption.contact_email})
    return render(request, "adoption/detail.html", context)


def _initial(adoption: Adoption) -> dict:
    from ..services.decisions import DECISION_FIELDS

    return {field: getattr(adoption, field) for field in DECISION_FIELDS}


@login_required
def decide(request: HttpRequest, trial_pk: int) -> HttpResponse:
    adoption = selectors.adoption_for_viewer(request.user, trial_pk)
    if not services.is_provider(request.user, adoption.trial):
        raise PermissionDenied(_("Only the test bed's public body can record what happened next."))
    form = DecisionForm(request.POST or None, initial=_initial(adoption))
    conflict = False
    if request.method == "POST" and form.is_valid():
        _result, conflict = run_service(
            form,
            lambda: services.adoption_decide(
                actor=request.user, adoption=adoption, **form.cleaned_data
            ),
        )
        if not form.errors:
            messages.success(request, _("Decision recorded."))
            return redirect(adoption.get_absolute_url())
    return form_page(
        request,
        "adoption/decide.html",
        {"adoption": adoption, "trial": adoption.trial},
        form=form,
        conflict=conflict,
    )


@login_required
def consent(request: HttpRequest, trial_pk: int) -> HttpResponse:
    adoption = selectors.adoption_for_viewer(request.user, trial_pk)
    roles = _roles(request, adoption)
    if not (roles["is_provider"] or roles["is_startup"]):
        raise PermissionDenied(_("Only the trial's two parties decide whether it is published."))
    party = "startup" if roles["is_startup"] else "provider"
    given = getattr(adoption, f"{party}_consent_at") is not None
    form = ConsentForm(
        request.POST or None,
        initial={
            "register_summary": adoption.register_summary,
            "register_title_cy": adoption.register_title_cy,
            "register_summary_cy": adoption.register_summary_cy,
            "agree": given,
        },
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        _result, conflict = run_service(
            form,
            lambda: services.consent_set(
                actor=request.user,
                adoption=adoption,
                party=party,
                agree=form.cleaned_data["agree"],
                summary=form.cleaned_data["register_summary"],
                title_cy=form.cleaned_data["register_title_cy"],
                summary_cy=form.cleaned_data["register_summary_cy"],
            ),
        )
        if not form.errors:
            messages.success(request, _("Your choice about the register is saved."))
            return redirect(adoption.get_absolute_url())
    return form_page(
        request,
        "adoption/consent.html",
        {"adoption": adoption, "trial": adoption.trial, "party": party},
        form=form,
        conflict=conflict,
    )


@login_required
def contact(request: HttpRequest, trial_pk: int) -> HttpResponse:
    adoption = selectors.adoption_for_viewer(request.user, trial_pk)
    if not services.is_startup(request.user, adoption.trial):
        raise PermissionDenied(_("Only the start-up chooses its contact e-mail."))
    form = ContactForm(request.POST or None, initial={"contact_email": adoption.contact_email})
    if request.method == "POST" and form.is_valid():
        run_service(
            form,
            lambda: services.contact_email_set(
                actor=request.user, adoption=adoption, email=form.cleaned_data["contact_email"]
            ),
        )
        if not form.errors:
            messages.success(request, _("Contact e-mail saved."))
            return redirect(adoption.get_absolute_url())
    return form_page(
        request, "adoption/contact.html", {"adoption": adoption, "trial": adoption.trial}, form=form
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: the form while it is open (for the start-up), then as submitted, with the
    public body's comment form."""
    report = selectors.report_for_viewer(request.user, pk)
    adoption = report.adoption
    trial = adoption.trial
    roles = _roles(request, adoption)
    kpis = list(trial.kpis.all())
    form = None
    comment_form = None
    conflict = False
    if report.submitted_at is None and roles["is_startup"]:
        form = ReportForm(request.POST or None, kpis=kpis)
        if request.method == "POST" and form.is_valid():
            _result, conflict = run_service(
                form,
                lambda: services.impact_report_submit(
                    actor=request.user, report=report, **form.service_data()
                ),
            )
            if not form.errors:
                messages.success(request, _("Impact report submitted. Thank you."))
                return redirect(adoption.get_absolute_url())
    elif request.method == "POST":
        if not roles["is_provider"]:
            raise PermissionDenied(_("Only the test bed's public body comments on a report."))
        comment_form = CommentForm(request.POST)
        if comment_form.is_valid():
            _result, conflict = run_service(
                comment_form,
                lambda: services.impact_report_comment(
                    actor=request.user, report=report, comment=comment_form.cleaned_data["comment"]
                ),
            )
            if not comment_form.errors:
                messages.success(request, _("Your comment is recorded."))
                return redirect(report.get_absolute_url())
    if comment_form is None and roles["is_provider"] and report.submitted_at:
        comment_form = CommentForm() if not report.provider_comment_at else None
    bound = form if form is not None else comment_form
    status = 200
    if bound is not None and bound.is_bound and bound.errors:
        status = 409 if conflict else 400
    return render(
        request,
        "adoption/report.html",
        {
            "report": report,
            "adoption": adoption,
            "trial": trial,
            "form": form,
            "comment_form": comment_form,
            **roles,
        },
        status=status,
    )
