from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from core.dates import DateField
from core.forms import ModelMultipleChoiceField

from .models import ApplicationQuestion, Assurance, Sector, Technology, TestBed
from .selectors import SORTS, CatalogueQuery

TRL_CHOICES = [(n, str(n)) for n in range(1, 10)]


class CodeChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


# A filter inside a disclosure already titled with its name: the legend is for screen readers.
FILTER_CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"legend_hidden": True})


class CatalogueForm(forms.Form):
    """The catalogue's search and filters, all GET parameters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.MultipleChoiceField(
        label=_("Region"),
        choices=Region.choices,
        required=False,
        widget=FILTER_CHECKBOXES,
    )
    sector = forms.MultipleChoiceField(label=_("Sector"), required=False, widget=FILTER_CHECKBOXES)
    technology = forms.MultipleChoiceField(
        label=_("Technology"), required=False, widget=FILTER_CHECKBOXES
    )
    trl = forms.TypedChoiceField(
        label=_("Your product's readiness level (TRL)"),
        choices=[("", _("Any"))] + TRL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    free = forms.BooleanField(label=_("Free test beds only"), required=False)
    available_from = DateField(label=_("Free from"), required=False)
    available_to = DateField(label=_("Free until"), required=False)
    min_days = forms.IntegerField(
        label=_("For at least (days)"),
        required=False,
        min_value=1,
        max_value=730,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Best match")),
            ("name", _("Name")),
            ("newest", _("Newest")),
            ("capacity", _("Most parallel trials")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .models import SectorCode, TechnologyCode

        self.fields["sector"].choices = SectorCode.choices
        self.fields["technology"].choices = TechnologyCode.choices

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_to")
        if bool(start) != bool(end):
            raise ValidationError(_("Give both dates to search for free days, or neither."))
        if start and end:
            if end < start:
                self.add_error(
                    "available_to", _("The end date must be on or after the start date.")
                )
            elif (end - start).days > 366:
                self.add_error("available_to", _("Search at most a year at a time."))
            min_days = data.get("min_days") or 1
            if start and end and min_days > (end - start).days + 1:
                self.add_error("min_days", _("The dates give fewer days than you asked for."))
        return data

    def to_query(self) -> CatalogueQuery:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "relevance"
        return CatalogueQuery(
            q=data.get("q", ""),
            region=data.get("region", []),
            sector=data.get("sector", []),
            technology=data.get("technology", []),
            trl=data.get("trl"),
            free_only=bool(data.get("free")),
            available_from=data.get("available_from"),
            available_to=data.get("available_to"),
            min_days=data.get("min_days"),
            sort=sort if sort in SORTS else "relevance",
        )


# Outward code (area, district) and inward code (sector, unit), without the space; GIR 0AA too.
UK_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")


class TestBedForm(forms.Form):
    """Create or edit a test bed's listing. The service checks the rules again."""

    __test__ = False

    sections = [
        (_("About the test bed"), ["name", "summary", "description", "facilities"]),
        (_("In Welsh"), ["name_cy", "summary_cy", "description_cy"]),
        (_("Where it is"), ["region", "town", "address", "postcode"]),
        (_("What it suits"), ["sectors", "technologies", "trl_min", "trl_max", "capacity"]),
        (_("Who can use it"), ["eligibility", "assurances", "assurances_note"]),
        (_("Cost"), ["cost_model", "cost_amount", "cost_note"]),
        (
            _("Booking rules"),
            [
                "min_days",
                "max_days",
                "notice_days",
                "horizon_days",
                "requires_approval",
                "terms_url",
            ],
        ),
        (_("Contact"), ["contact_name", "contact_email", "contact_phone"]),
    ]

    name = forms.CharField(
        label=_("Name"),
        error_messages={"required": _("Enter a name for the test bed")},
        max_length=150,
        help_text=_("In English, or the name used in both languages."),
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_(
            "One or two sentences shown in search results, in English. Leave empty if you "
            "write the listing only in Welsh."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "en"}),
        help_text=_("What the place is, what is there, and what kinds of trial it has hosted."),
    )
    name_cy = forms.CharField(
        label=_("Name in Welsh (optional)"),
        max_length=150,
        required=False,
        help_text=_("Leave empty if the name is the same in Welsh."),
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    summary_cy = forms.CharField(
        label=_("Summary in Welsh (optional)"),
        max_length=300,
        required=False,
        help_text=_(
            "Welsh-speaking visitors see the Welsh text; where there is none, they see the "
            "English with a note that it is not available in Welsh, and the other way round."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "lang": "cy"}),
    )
    description_cy = forms.CharField(
        label=_("Description in Welsh (optional)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "cy"}),
    )
    facilities = forms.CharField(
        label=_("Facilities (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, for example: 5G standalone network, power at each lamp post."),
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Choose a region"))] + list(Region.choices)
    )
    town = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    address = forms.CharField(label=_("Address (optional)"), max_length=300, required=False)
    postcode = forms.CharField(
        label=_("Postcode (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
    )
    sectors = CodeChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one sector.")},
    )
    technologies = CodeChoiceField(
        label=_("Technologies (optional)"),
        queryset=Technology.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trl_min = forms.TypedChoiceField(
        label=_("Lowest technology readiness level (TRL)"),
        choices=TRL_CHOICES,
        coerce=int,
        initial=6,
        help_text=_("Close-to-market products are usually at TRL 6 to 9."),
    )
    trl_max = forms.TypedChoiceField(
        label=_("Highest technology readiness level (TRL)"),
        choices=TRL_CHOICES,
        coerce=int,
        initial=9,
    )
    capacity = forms.IntegerField(
        label=_("How many trials can run at the same time"),
        min_value=1,
        max_value=50,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    eligibility = forms.CharField(
        label=_("Who can apply (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assurances = forms.MultipleChoiceField(
        label=_("What trials must have in place"),
        choices=Assurance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assurances_note = forms.CharField(
        label=_("Other requirements (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cost_model = forms.ChoiceField(
        label=_("Cost"),
        choices=TestBed.Cost.choices,
        initial=TestBed.Cost.FREE,
        widget=forms.RadioSelect,
    )
    cost_amount = forms.DecimalField(
        label=_("Amount in pounds (if not free)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    cost_note = forms.CharField(
        label=_("About the cost (optional)"), max_length=300, required=False
    )
    min_days = forms.IntegerField(
        label=_("Shortest trial, in days"),
        min_value=1,
        max_value=730,
        initial=7,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    max_days = forms.IntegerField(
        label=_("Longest trial, in days"),
        min_value=1,
        max_value=730,
        initial=90,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    notice_days = forms.IntegerField(
        label=_("Notice needed before a trial starts, in days"),
        min_value=0,
        max_value=365,
        initial=14,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    horizon_days = forms.IntegerField(
        label=_("How far ahead trials can be booked, in days"),
        min_value=1,
        max_value=1095,
        initial=365,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    requires_approval = forms.BooleanField(
        label=_("We approve each request before it is confirmed"),
        required=False,
        initial=True,
        help_text=_("If not ticked, requests that fit are confirmed at once."),
    )
    terms_url = forms.URLField(
        label=_("Link to terms and conditions (optional)"), required=False, assume_scheme="https"
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail address"), required=False)
    contact_phone = forms.CharField(
        label=_("Contact telephone (optional)"), max_length=30, required=False
    )

    def clean_postcode(self) -> str:
        """A UK postcode, written the standard way ("sr13hs" → "SR1 3HS"). Nothing is looked
        up on the network: the page shows the address and the region the provider chose.
        Coordinates are no longer typed here (the API still takes them)."""
        text = "".join(self.cleaned_data.get("postcode", "").split()).upper()
        if not text:
            return ""
        if not UK_POSTCODE.match(text):
            raise forms.ValidationError(_("Enter a UK postcode, like SR1 3HS."))
        return f"{text[:-3]} {text[-3:]}"

    def clean(self) -> dict:
        data = super().clean()
        if "summary" in data and not (data.get("summary") or data.get("summary_cy")):
            self.add_error("summary", _("Enter a summary in English or in Welsh."))
        if data.get("trl_min") and data.get("trl_max") and data["trl_min"] > data["trl_max"]:
            self.add_error(
                "trl_max", _("The highest readiness level must not be below the lowest.")
            )
        if data.get("min_days") and data.get("max_days") and data["max_days"] < data["min_days"]:
            self.add_error(
                "max_days", _("The longest trial must not be shorter than the shortest.")
            )
        if (
            data.get("cost_model") not in (None, "", TestBed.Cost.FREE)
            and data.get("cost_amount") is None
        ):
            self.add_error("cost_amount", _("Enter the amount, or choose free."))
        return data

    @classmethod
    def initial_from(cls, testbed: TestBed) -> dict:
        initial = {
            name: getattr(testbed, name) for name in cls.base_fields if hasattr(testbed, name)
        }
        initial["facilities"] = "\n".join(testbed.facilities)
        initial["sectors"] = [s.code for s in testbed.sectors.all()]
        initial["technologies"] = [t.code for t in testbed.technologies.all()]
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["sectors"] = [s.code for s in data["sectors"]]
        data["technologies"] = [t.code for t in data["technologies"]]
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhotoForm(forms.Form):
    # A plain file field: the image pipeline checks the content, with clearer messages.
    image = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "A JPEG, PNG or WebP image up to 15 MB. Location data and other metadata are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Describe the photo for people who cannot see it"),
        max_length=250,
        help_text=_("For example: Bus depot at dusk with six electric buses on charge."),
    )
    caption = forms.CharField(label=_("Caption (optional)"), max_length=250, required=False)


class PhotoEditForm(forms.Form):
    alt_text = PhotoForm.base_fields["alt_text"]
    caption = PhotoForm.base_fields["caption"]


class BlackoutForm(forms.Form):
    first_day = DateField(label=_("First day closed"))
    last_day = DateField(label=_("Last day closed"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The last day must be on or after the first day."))
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Hint (optional)"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("Type of answer"),
        choices=ApplicationQuestion.Kind.choices,
        widget=forms.RadioSelect,
    )
    choices = forms.CharField(
        label=_("Choices, one per line (for 'one of several choices')"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
