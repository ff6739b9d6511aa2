"""Pages for a trial's message thread, and the list of a person's threads."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.downloads import private_file_response
from core.forms_util import apply_validation_error
from core.pagination import paginate

from . import selectors, services
from .forms import MessageForm
from .models import MessageAttachment


@login_required
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """The trial's messages, newest last, and a form to write one (works without scripts)."""
    trial, roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                message = services.message_post(
                    actor=request.user,
                    trial=trial,
                    text=form.cleaned_data["text"],
                    uploads=request.FILES.getlist("file"),
                )
            except (ValidationError, PermissionDenied) as error:
                apply_validation_error(form, error)
            else:
                flash.success(request, _("Your message has been sent."))
                return redirect(f"{trial.get_absolute_url()}messages/#message-{message.pk}")
    else:
        services.thread_mark_read(user=request.user, trial=trial)
    context = {
        "trial": trial,
        "roles": roles,
        "form": form,
        **selectors.thread_data(trial),
    }
    return render(request, "trials/messages.html", context, status=status)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A message's attachment, for the trial's viewers only. Everyone else gets 404."""
    trial, _roles = selectors.trial_for_viewer(user=request.user, pk=pk)
    attachment = get_object_or_404(MessageAttachment, pk=attachment_pk, message__trial=trial)
    return private_file_response(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's trial threads with messages, latest first, with what is unread."""
    page = paginate(request, selectors.threads_for(request.user))
    unread = selectors.unread_by_trial(request.user)
    rows = [{"trial": trial, "unread": unread.get(trial.pk, 0)} for trial in page]
    return render(request, "trials/inbox.html", {"page": page, "rows": rows})
