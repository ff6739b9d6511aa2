"""Forms of the adoption pages. They read the input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from core.dates import DateField
from testbeds.models import SectorCode, TechnologyCode

from .models import AdoptionStatus, KpiHeld, NotAdoptedReason, NoticeSource, Route, ValueBand

BLANK = [("", _("Choose"))]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What happened after the trial?"),
        choices=AdoptionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened after the trial.")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("If not adopted: why not?"),
        choices=NotAdoptedReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose every reason that applies."),
    )
    reason_other = forms.CharField(label=_("Other reason"), required=False, max_length=300)
    route = forms.ChoiceField(
        label=_("If adopted or procuring: the route"),
        choices=Route.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    framework_name = forms.CharField(
        label=_("Framework name"),
        required=False,
        max_length=200,
        help_text=_("For a framework call-off, for example G-Cloud 14."),
    )
    route_other = forms.CharField(label=_("Other route"), required=False, max_length=200)
    notice_url = forms.CharField(
        label=_("Public notice link (optional)"),
        required=False,
        max_length=500,
        help_text=_(
            "The https link to the notice on Find a Tender, Contracts Finder, Public Contracts "
            "Scotland, Sell2Wales, eTendersNI or elsewhere."
        ),
    )
    notice_source = forms.ChoiceField(
        label=_("Where the notice is published"),
        choices=BLANK + list(NoticeSource.choices),
        required=False,
        help_text=_("Leave it to us to tell from the link, if you like."),
    )
    contract_value = forms.CharField(
        label=_("Contract value in pounds"),
        required=False,
        max_length=20,
        help_text=_("For example 125000 or 125000.50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    value_band = forms.ChoiceField(
        label=_("Or a value band"), choices=BLANK + list(ValueBand.choices), required=False
    )
    start_date = DateField(label=_("Start date"), required=False)
    sites = forms.CharField(label=_("Sites"), required=False, max_length=12)
    users = forms.CharField(label=_("Users"), required=False, max_length=12)
    population = forms.CharField(label=_("Population covered"), required=False, max_length=12)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentForm(forms.Form):
    register_summary = forms.CharField(
        label=_("Summary for the register"),
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        help_text=_(
            "In plain English, for anyone: what was tried, where, and what it showed. "
            "Either party can write it."
        ),
    )
    # The register in Welsh (core.bilingual): the same texts as a test bed's or a challenge's.
    register_title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        help_text=_("Shown to visitors reading in Welsh; the English is shown where it is empty."),
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    register_summary_cy = forms.CharField(
        label=_("Summary in Welsh (optional)"),
        max_length=1500,
        required=False,
        help_text=_(
            "Welsh-speaking visitors see the Welsh text; where there is none, they see the "
            "English with a note that it is not available in Welsh, and the other way round."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "lang": "cy"}),
    )
    agree = forms.BooleanField(
        label=_("We agree to publish this outcome in the public register"), required=False
    )


class ContactForm(forms.Form):
    contact_email = forms.CharField(
        label=_("Contact e-mail for interested public bodies"),
        required=False,
        max_length=254,
        help_text=_("Shown only to public bodies that registered interest. Leave empty to hide."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class InterestForm(forms.Form):
    note = forms.CharField(
        label=_("A short note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, where you would use it and when."),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your confirmation or comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your confirmation or comment.")},
    )


CONTRACT_ROWS = 3


class ReportForm(forms.Form):
    """The impact report: three rows for follow-on contracts, then figures, then a result
    for each of the trial's KPIs (fields added per KPI)."""

    investment = forms.CharField(
        label=_("Private investment raised since the trial (£)"), required=False, max_length=20
    )
    investment_round = forms.CharField(
        label=_("Investment round"),
        required=False,
        max_length=100,
        help_text=_("For example seed or Series A."),
    )
    jobs_created = forms.CharField(label=_("Jobs created"), required=False, max_length=8)
    jobs_safeguarded = forms.CharField(label=_("Jobs safeguarded"), required=False, max_length=8)
    further_bodies_count = forms.CharField(
        label=_("Number of further public bodies using the product"), required=False, max_length=8
    )
    further_bodies = forms.CharField(
        label=_("Which public bodies?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Anything else (optional)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kpis=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = list(kpis)
        for index in range(CONTRACT_ROWS):
            n = index + 1
            self.fields[f"contracts.{index}.buyer"] = forms.CharField(
                label=_("Contract %(n)s: buyer") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"contracts.{index}.value"] = forms.CharField(
                label=_("Contract %(n)s: value (£)") % {"n": n}, required=False, max_length=20
            )
            self.fields[f"contracts.{index}.date"] = DateField(
                label=_("Contract %(n)s: date awarded") % {"n": n},
                required=False,
            )
            self.fields[f"contracts.{index}.link"] = forms.CharField(
                label=_("Contract %(n)s: notice link (optional)") % {"n": n},
                required=False,
                max_length=500,
            )
        for kpi in self.kpis:
            self.fields[f"kpi_{kpi.pk}"] = forms.ChoiceField(
                label=_("“%(name)s” in live use") % {"name": kpi.name},
                choices=KpiHeld.choices,
                widget=forms.RadioSelect(attrs={"inline": True}),
                required=False,
            )
            self.fields[f"kpi_{kpi.pk}_figure"] = forms.CharField(
                label=_("“%(name)s”: latest figure") % {"name": kpi.name}
                + (f" ({kpi.unit})" if kpi.unit else ""),
                required=False,
                max_length=30,
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        contracts = []
        for index in range(CONTRACT_ROWS):
            contracts.append(
                {
                    key: data.pop(f"contracts.{index}.{key}", "")
                    for key in ("buyer", "value", "date", "link")
                }
            )
        results = {}
        for kpi in self.kpis:
            results[str(kpi.pk)] = {
                "held": data.pop(f"kpi_{kpi.pk}", ""),
                "figure": data.pop(f"kpi_{kpi.pk}_figure", ""),
            }
        return {**data, "contracts": contracts, "kpi_results": results}


class OutcomeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Any region"))] + list(Region.choices), required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("Any sector"))] + list(SectorCode.choices),
        required=False,
    )
    technology = forms.ChoiceField(
        label=_("Technology"),
        choices=[("", _("Any technology"))] + list(TechnologyCode.choices),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Adoption status"),
        choices=[("", _("Any status"))] + list(AdoptionStatus.choices),
        required=False,
    )
