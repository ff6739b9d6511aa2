"""Pages for a trial's partners: invite, remove, and the invitation link itself."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import user_has_verified_email
from core.confirm import confirm_page, is_confirmed
from core.exceptions import Conflict
from core.forms_util import apply_validation_error, error_message

from . import selectors, services
from .forms import PartnerAcceptForm, PartnerInviteForm


@login_required
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """The start-up invites a partner by e-mail."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    if not roles.startup:
        raise PermissionDenied(_("Only the start-up running the trial invites partners."))
    form = PartnerInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                partner, _token = services.partner_invite(
                    actor=request.user, trial=trial, **form.cleaned_data
                )
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("The invitation has been sent to %(email)s.") % {"email": partner.email},
                )
                return redirect(f"{trial.get_absolute_url()}#partners")
    return render(
        request, "trials/partner_invite.html", {"form": form, "trial": trial}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_remove(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    """Remove a partner, or withdraw an invitation not yet taken up: asks first."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    services.require_step(request.user, trial, "partners")
    partner = selectors.partner_of(trial, partner_pk)
    name = partner.organisation or partner.email
    if not is_confirmed(request):
        if partner.status == "active":
            title = _("Remove %(name)s as a partner?")
            lines = [
                _("They no longer see the trial or add to it."),
                _("What they added stays, marked as theirs."),
            ]
            button = _("Remove partner")
        else:
            title = _("Withdraw the invitation to %(name)s?")
            lines = [_("The link in the invitation stops working.")]
            button = _("Withdraw the invitation")
        return confirm_page(
            request,
            title=title % {"name": name},
            caption=trial.title,
            consequences=lines,
            button=button,
            back_url=f"{trial.get_absolute_url()}#partners",
        )
    try:
        services.partner_remove(actor=request.user, partner=partner)
    except Conflict as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _("%(name)s is no longer a partner. What they added stays, marked as theirs.")
            % {"name": name},
        )
    return redirect(f"{trial.get_absolute_url()}#partners")


def partner_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a partner invitation.

    Signed out: the invited address counts as verified for a sign-up (the link reached
    it); sign in or create an account, and come back here. Signed in with the invited
    address: say which organisation partners, and join.
    """
    partner = services.partner_for_token(token)
    if partner is None or partner.status != "invited":
        return render(
            request,
            "trials/partner_invitation_invalid.html",
            {"partner": partner},
            status=404 if partner is None else 410,
        )
    here = reverse("trials:partner_invitation", kwargs={"token": token})
    context = {"partner": partner, "trial": partner.trial, "here": here}
    if not request.user.is_authenticated:
        get_adapter(request).stash_verified_email(request, partner.email)
        return render(request, "trials/partner_invitation.html", context)
    if not user_has_verified_email(request.user, partner.email):
        return render(
            request, "trials/partner_invitation.html", {**context, "wrong_person": True}, status=403
        )
    form = PartnerAcceptForm(
        request.POST or None, organisations=selectors.partner_organisation_choices(request.user)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                joined = services.partner_accept(
                    user=request.user, token=token, **form.service_data()
                )
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            except (ValidationError, PermissionDenied) as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is now a partner in this trial.")
                    % {"name": joined.organisation.name},
                )
                return redirect(joined.trial)
    return render(
        request, "trials/partner_invitation.html", {**context, "form": form}, status=status
    )
