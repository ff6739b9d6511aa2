from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.dates import DateField
from core.text import validate_single_line

from .models import Membership, Organisation, Programme, Region, User


class SignupExtraForm(forms.Form):
    """Extra sign-up fields, added to allauth's sign-up form."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of organisation is it?"),
        choices=[
            (
                Organisation.Kind.START_UP,
                _("Start-up or small business: we want to trial a product"),
            ),
            (Organisation.Kind.PUBLIC_BODY, _("Public body: we offer test beds")),
        ],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", _("Choose a region"))] + list(Region.choices),
        help_text=_("Where the organisation is based."),
    )
    website = forms.URLField(label=_("Website (optional)"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("What the organisation does (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    working_language = forms.ChoiceField(
        label=_("Working language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Members who have not chosen a language of their own get e-mails and the service "
            "in this language."
        ),
    )

    def clean_working_language(self) -> str:
        return self.cleaned_data.get("working_language") or settings.LANGUAGE_CODE


class OrganisationEditForm(OrganisationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
        help_text=_("Admins can invite people and manage the organisation."),
    )


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


class ProgrammeForm(forms.ModelForm):
    starts_on = DateField(label=_("Start date"))
    ends_on = DateField(label=_("End date"))

    class Meta:
        model = Programme
        fields = ["name", "description", "region_focus", "starts_on", "ends_on"]
