"""Pages for integrators: personal API tokens and organisations' webhooks. Thin: services decide.

A new token, and a webhook's signing secret, are shown in the response to the POST that
made or asked for them, marked ``no-store``: they never pass through the session (which
lives in the database) or a URL.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import confirm_page, is_confirmed
from core.dates import DateField
from core.forms_util import apply_validation_error, error_message, form_status

from . import tokens, webhooks
from .models import ApiToken, WebhookEndpoint, WebhookEvent

# Forms ----------------------------------------------------------------------------------


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=tokens.MAX_NAME_LENGTH,
        help_text=gettext_lazy("Where the token is used, for example “Programme CRM”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("What can it do?"),
        choices=[
            (ApiToken.Scope.READ, gettext_lazy("Read only: see what you can see")),
            (
                ApiToken.Scope.WRITE,
                gettext_lazy("Read and write: also change what you can change"),
            ),
        ],
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = DateField(
        label=gettext_lazy("Expiry date (optional)"),
        required=False,
        help_text=gettext_lazy(
            "The token stops working at the end of this day. Leave empty for no expiry."
        ),
    )

    def clean_expires_on(self) -> datetime.date | None:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is not None and expires_on < timezone.localdate():
            raise ValidationError(_("The expiry date must be today or later."))
        return expires_on

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen day, local time."""
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        day_after = expires_on + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time()))


class WebhookForm(forms.Form):
    organisation = forms.ChoiceField(
        label=gettext_lazy("Organisation"), help_text=gettext_lazy("Whose events to send.")
    )
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Where to POST the events, for example https://crm.example.org/hooks/tbx. "
            "It must be reachable on the internet; redirects are not followed."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Your organisation hears the events of trials it takes part in: as the start-up, "
            "the test bed's owner or the programme team."
        ),
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        choices = [(pk, organisation.name) for pk, organisation in self.organisations.items()]
        field = self.fields["organisation"]
        if len(choices) <= 3:
            field.widget = forms.RadioSelect()
        if len(choices) == 1:
            field.initial = choices[0][0]
        field.choices = choices

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


# API tokens -----------------------------------------------------------------------------


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/integrations/api_tokens.html",
        {"tokens": tokens.tokens_of(request.user), "now": timezone.now()},
    )


@login_required
@never_cache
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = tokens.token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            return _no_store(
                render(
                    request,
                    "accounts/integrations/api_token_created.html",
                    {"token": token, "plain": plain},
                )
            )
    return render(
        request,
        "accounts/integrations/api_token_form.html",
        {"form": form},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequences=[
                _("Programs using this token can no longer reach the API."),
                _("A revoked token cannot be used again: create a new one if you need it."),
            ],
            button=_("Revoke token"),
            back_url=reverse("integrations:api_tokens"),
        )
    tokens.token_revoke(actor=request.user, token=token)
    message = _("The token “%(name)s” has been revoked: it no longer works.")
    messages.success(request, message % {"name": token.name})
    return redirect("integrations:api_tokens")


# Webhooks -------------------------------------------------------------------------------


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    organisations = list(webhooks.admin_organisations(request.user))
    return render(
        request,
        "accounts/integrations/webhooks.html",
        {
            "endpoints": webhooks.endpoints_for_admin(request.user),
            "can_register": bool(organisations),
        },
    )


@login_required
@never_cache
def webhook_create(request: HttpRequest) -> HttpResponse:
    organisations = list(webhooks.admin_organisations(request.user))
    if not organisations:
        raise PermissionDenied
    form = WebhookForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_register(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The webhook has been registered."))
            return _detail(request, endpoint, secret=endpoint.secret, created=True)
    return render(request, "accounts/integrations/webhook_form.html", {"form": form})


def _detail(
    request: HttpRequest, endpoint: WebhookEndpoint, *, secret: str = "", created: bool = False
) -> HttpResponse:
    response = render(
        request,
        "accounts/integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "deliveries": webhooks.recent_deliveries(endpoint),
            "secret": secret,
            "created": created,
        },
    )
    return _no_store(response) if secret else response


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, webhooks.endpoint_for_admin(request.user, pk))


@login_required
@require_POST
@never_cache
def webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.endpoint_for_admin(request.user, pk)
    if request.POST.get("new") == "1":
        secret = webhooks.webhook_new_secret(actor=request.user, endpoint=endpoint)
        messages.success(request, _("A new secret has been made: the old one no longer signs."))
    else:
        secret = webhooks.webhook_reveal_secret(actor=request.user, endpoint=endpoint)
    return _detail(request, webhooks.endpoint_for_admin(request.user, pk), secret=secret)


@login_required
@require_POST
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.endpoint_for_admin(request.user, pk)
    webhooks.webhook_disable(actor=request.user, endpoint=endpoint)
    messages.success(request, _("The webhook is disabled: nothing more is sent to it."))
    return redirect("integrations:webhook", pk=pk)


@login_required
@require_POST
def webhook_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.endpoint_for_admin(request.user, pk)
    try:
        webhooks.webhook_enable(actor=request.user, endpoint=endpoint)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("The webhook is enabled again."))
    return redirect("integrations:webhook", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.endpoint_for_admin(request.user, pk)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Delete this webhook?"),
            caption=endpoint.url,
            consequences=[
                _("Events are no longer sent to this address."),
                _("Its delivery history is deleted with it."),
            ],
            button=_("Delete this webhook"),
            back_url=reverse("integrations:webhook", kwargs={"pk": endpoint.pk}),
        )
    webhooks.webhook_remove(actor=request.user, endpoint=endpoint)
    messages.success(request, _("The webhook has been deleted."))
    return redirect("integrations:webhooks")
