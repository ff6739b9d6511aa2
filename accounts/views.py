"""Account, organisation, invitation and programme pages. Thin: services decide."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import confirm_page, is_confirmed
from core.exceptions import Conflict
from core.forms_util import apply_validation_error, error_message, form_status
from core.pagination import paginate
from core.redirects import redirect_back

from . import selectors, services
from .forms import InvitationForm, OrganisationEditForm, OrganisationForm, ProfileForm
from .middleware import remember_language, switch_organisation
from .models import Invitation, Membership
from .permissions import is_admin_of
from .signals import INVITATION_SESSION_KEY


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=request.user, full_name=form.cleaned_data["full_name"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your name has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=form_status(form))


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/organisation_list.html")


@login_required
@require_POST
def organisation_switch(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    if not switch_organisation(request, organisation_id):
        raise Http404
    messages.success(
        request, _("You are now acting for %(name)s.") % {"name": request.organisation.name}
    )
    return redirect_back(request, request.POST.get("next"), "home")


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            switch_organisation_after_create(request, organisation.pk)
            messages.success(request, _("%(name)s has been set up.") % {"name": organisation.name})
            return redirect(organisation)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "creating": True},
        status=form_status(form),
    )


def switch_organisation_after_create(request: HttpRequest, organisation_id: int) -> None:
    request.memberships = list(
        Membership.objects.filter(user=request.user).select_related("organisation")
    )
    switch_organisation(request, organisation_id)


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    is_admin = is_admin_of(request.user, organisation)
    context = {
        "organisation": organisation,
        "is_admin": is_admin,
        "members": selectors.organisation_members(organisation),
        "invitations": selectors.organisation_pending_invitations(organisation) if is_admin else [],
        "invitation_form": InvitationForm() if is_admin else None,
    }
    return render(request, "accounts/organisation_detail.html", context)


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    if not is_admin_of(request.user, organisation):
        raise PermissionDenied
    fields = ("name", "region", "website", "description", "working_language")
    initial = {f: getattr(organisation, f) for f in fields}
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The organisation's details have been saved."))
            return redirect(organisation)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=form_status(form),
    )


@login_required
def invitation_send(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_send(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect(organisation)
    elif not is_admin_of(request.user, organisation):
        raise PermissionDenied
    return render(
        request,
        "accounts/invitation_form.html",
        {"form": form, "organisation": organisation},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
            caption=organisation.name,
            consequences=[_("The link in the invitation stops working.")],
            button=_("Withdraw the invitation"),
            back_url=organisation.get_absolute_url(),
        )
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email},
        )
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=organisation
    )
    if not is_confirmed(request):
        leaving = membership.user_id == request.user.pk
        return confirm_page(
            request,
            title=_("Leave %(name)s?") % {"name": organisation.name}
            if leaving
            else _("Remove %(person)s from %(name)s?")
            % {"person": membership.user, "name": organisation.name},
            consequences=[
                _("You no longer see or act for the organisation's test beds and trials.")
                if leaving
                else _("They no longer see or act for the organisation's test beds and trials."),
                _("What was done on the organisation's behalf stays."),
            ],
            button=_("Leave") if leaving else _("Remove"),
            back_url=organisation.get_absolute_url(),
        )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect(organisation)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
        return redirect("accounts:organisations")
    messages.success(request, _("%(person)s has been removed.") % {"person": membership.user})
    return redirect(organisation)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail.

    Signed in: confirm and join. Signed out: remember the invitation, and let the
    person sign in or sign up; the invited address counts as verified because the
    link reached it. Joining happens as they sign in (see signals).
    """
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.status != "pending":
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"invitation": invitation},
            status=404 if invitation is None else 410,
        )
    if not request.user.is_authenticated:
        request.session[INVITATION_SESSION_KEY] = token
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except (ValidationError, PermissionDenied, Conflict) as error:
            messages.error(request, error_message(error))
        else:
            switch_organisation_after_create(request, membership.organisation_id)
            messages.success(
                request, _("You have joined %(name)s.") % {"name": membership.organisation.name}
            )
            return redirect(membership.organisation)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


@login_required
@require_POST
def organisation_calendar_reset(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_for_member(user=request.user, slug=slug)
    services.organisation_reset_calendar_token(actor=request.user, organisation=organisation)
    messages.success(
        request, _("The trials calendar has a new address. Any old one no longer works.")
    )
    return redirect(organisation)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What the service has told the person, newest first; opening the page reads them."""
    page = paginate(request, request.user.notifications.order_by("-created_at", "-id"))
    unread_ids = [n.pk for n in page if n.read_at is None]
    response = render(
        request, "accounts/notifications.html", {"page": page, "unread_ids": unread_ids}
    )
    if unread_ids:
        services.notifications_mark_read(user=request.user, ids=unread_ids)
    return response


def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """The header's language link: remember the choice in the language cookie, go back.

    A plain link (not a form), so pages carry no CSRF token and anonymous pages can be
    cached. For a signed-in person it is also the language of their e-mails and
    notifications — a preference of their own, nothing anyone else sees.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=code)
    response = redirect_back(request, request.GET.get("next"), "/")
    remember_language(response, code)
    return response
