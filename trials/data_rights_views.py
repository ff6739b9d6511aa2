"""Pages for data rights: export an organisation's data; delete one's own account."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import is_admin_of
from accounts.selectors import organisation_for_member
from core.forms_util import error_message

from . import data_rights


@login_required
def organisation_export(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_member(user=request.user, slug=slug)
    if not is_admin_of(request.user, organisation):
        raise PermissionDenied(_("Only an admin of the organisation can export its data."))
    if request.method != "POST":
        return render(request, "accounts/export.html", {"organisation": organisation})
    archive = data_rights.organisation_export(actor=request.user, organisation=organisation)
    response = FileResponse(archive, as_attachment=True, filename=f"{organisation.slug}-data.zip")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(
                request, _("Tick the box to confirm that you want to delete your account.")
            )
            return redirect("account_delete")
        try:
            data_rights.account_delete(actor=request.user, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_message(error))
            return redirect("account_delete")
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("home")
    return render(request, "accounts/delete.html")
