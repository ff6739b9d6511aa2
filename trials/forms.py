from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Programme, Region
from accounts.services import programmes_open_to
from core.dates import DateField
from core.forms import ModelChoiceField, OneTimeTokenField
from testbeds.models import ApplicationQuestion, TestBed

from .models import PartnerRole
from .request_form import (
    add_proposal_fields,
    clean_kpi_rows,
    proposal_data,
    proposal_sections,
)

PROGRAMME_NOT_ALLOWED = _(
    "Choose a programme your start-up takes part in that runs on the trial's first day."
)


class TrialRequestForm(forms.Form):
    """Ask for a trial: the basics, then the test bed's own questions."""

    title = forms.CharField(
        label=_("Trial title"),
        max_length=200,
        help_text=_("For example: Air quality sensing on Keel Square."),
        error_messages={"required": _("Enter a title for the trial.")},
    )
    summary = forms.CharField(
        label=_("What do you want to trial?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences: the product, what you will test and what you need on site."),
        error_messages={"required": _("Say what you want to trial.")},
    )
    first_day = DateField(
        label=_("First day"),
        error_messages={"required": _("Enter the first day of the trial.")},
    )
    last_day = DateField(
        label=_("Last day"),
        error_messages={"required": _("Enter the last day of the trial.")},
    )
    programme = ModelChoiceField(
        label=_("Programme (optional)"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Not part of a programme"),
        error_messages={"invalid_choice": PROGRAMME_NOT_ALLOWED},
        help_text=_(
            "If an innovation programme funds or supports this trial, its officers will see it."
        ),
    )

    # A second submission of the same page (a double click) goes to the first one's trial.
    form_token = OneTimeTokenField()

    def __init__(
        self, *args, testbed: TestBed, organisation: Organisation | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.testbed = testbed
        # Only the programmes the start-up takes part in (the service checks their dates).
        self.fields["programme"].queryset = (
            programmes_open_to(organisation) if organisation else Programme.objects.none()
        )
        add_proposal_fields(self, testbed)
        self.questions = list(testbed.questions.filter(archived=False).order_by("position", "id"))
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = self._question_field(question)

    @property
    def sections(self) -> list[tuple[str, str, list[str]]]:
        """(heading, hint, field names): the basics, the proposal, the test bed's questions."""
        basics = ["title", "summary", "first_day", "last_day", "programme"]
        sections = [(_("About the trial"), "", basics), *proposal_sections(self)]
        if self.questions:
            names = [f"question_{question.pk}" for question in self.questions]
            sections.append((_("The test bed's questions"), "", names))
        return sections

    def proposal(self) -> tuple[dict, list[dict]]:
        """The plan and KPIs for ``trial_request``."""
        return proposal_data(self)

    @staticmethod
    def _question_field(question: ApplicationQuestion) -> forms.Field:
        common = {
            "label": question.text,
            "required": question.required,
            "help_text": question.help_text,
        }
        if question.kind == ApplicationQuestion.Kind.LONG_TEXT:
            return forms.CharField(
                max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common
            )
        if question.kind == ApplicationQuestion.Kind.YES_NO:
            return forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
            )
        if question.kind == ApplicationQuestion.Kind.CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
            )
        return forms.CharField(max_length=300, **common)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must be on or after the first day."))
        start, target = data.get("trl_start"), data.get("trl_target")
        if start and target and target < start:
            self.add_error("trl_target", _("The target TRL cannot be below the TRL at the start."))
        clean_kpi_rows(self, data)
        return data

    def answers(self) -> dict[str, str]:
        return {
            str(question.pk): self.cleaned_data.get(f"question_{question.pk}") or ""
            for question in self.questions
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


TRL_CHOICES = [("", _("Not known yet"))] + [(str(n), str(n)) for n in range(1, 10)]


class PlanForm(forms.Form):
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    problem_statement = forms.CharField(
        label=_("The problem it solves"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    objectives = forms.CharField(
        label=_("Objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the trial must show. One per line is easiest to read."),
    )
    hypothesis = forms.CharField(
        label=_("Critical assumptions and hypothesis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    setting_and_participants = forms.CharField(
        label=_("Setting and participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    trl_start = forms.TypedChoiceField(
        label=_("Technology readiness level (TRL) at the start"),
        choices=TRL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    trl_target = forms.TypedChoiceField(
        label=_("Target TRL at the end"),
        choices=TRL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    programme = ModelChoiceField(
        label=_("Programme (optional)"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Not part of a programme"),
        error_messages={"invalid_choice": PROGRAMME_NOT_ALLOWED},
    )
    approvals_note = forms.CharField(
        label=_("Notes on approvals (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    needs_trial = True

    def __init__(self, *args, trial=None, **kwargs) -> None:
        from .models import ApprovalItem, ApprovalState

        super().__init__(*args, **kwargs)
        # The programmes the start-up takes part in, and the trial's own (kept if it has one).
        choices = Programme.objects.none()
        if trial is not None:
            choices = Programme.objects.filter(
                Q(enrolments__organisation_id=trial.organisation_id) | Q(pk=trial.programme_id)
            ).distinct()
        self.fields["programme"].queryset = choices.order_by("name")
        for code, label in ApprovalItem.choices:
            self.fields[f"approval_{code}"] = forms.ChoiceField(
                label=label,
                choices=ApprovalState.choices,
                initial=ApprovalState.NOT_YET,
                widget=forms.RadioSelect(attrs={"inline": True}),
            )

    def clean(self) -> dict:
        data = super().clean()
        start, target = data.get("trl_start"), data.get("trl_target")
        if start and target and target < start:
            self.add_error("trl_target", _("The target TRL cannot be below the TRL at the start."))
        return data

    def service_data(self) -> dict:
        from .models import ApprovalItem

        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("approval_")}
        data["approvals"] = {
            code: {"status": self.cleaned_data[f"approval_{code}"], "note": ""}
            for code in ApprovalItem.values
        }
        return data

    @staticmethod
    def initial_from(trial) -> dict:
        from .models import ApprovalItem, ApprovalState

        initial = {
            name: getattr(trial, name)
            for name in [
                "product_name",
                "problem_statement",
                "objectives",
                "hypothesis",
                "setting_and_participants",
                "trl_start",
                "trl_target",
                "programme",
                "approvals_note",
            ]
        }
        for code in ApprovalItem.values:
            initial[f"approval_{code}"] = (trial.approvals.get(code) or {}).get(
                "status", ApprovalState.NOT_YET
            )
        return initial


class OutcomeForm(forms.Form):
    outcome_summary = forms.CharField(
        label=_("Results against the objectives"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    trl_achieved = forms.TypedChoiceField(
        label=_("TRL achieved"), choices=TRL_CHOICES, coerce=int, empty_value=None, required=False
    )
    user_feedback = forms.CharField(
        label=_("What users said"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    safety_incidents = forms.CharField(
        label=_("Safety incidents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write 'None' if there were none."),
    )
    inclusion_notes = forms.CharField(
        label=_("Inclusion and accessibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    environmental_notes = forms.CharField(
        label=_("Environmental impact"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        required=False,
        choices=[],
        widget=forms.RadioSelect,
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the procurement route, or the next trial."),
    )

    def __init__(self, *args, **kwargs) -> None:
        from .models import Recommendation

        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = Recommendation.choices

    @staticmethod
    def initial_from(trial) -> dict:
        return {name: getattr(trial, name) for name in OutcomeForm.base_fields}


class KpiForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=150, help_text=_("For example: Average journey time.")
    )
    unit = forms.CharField(
        label=_("Unit (optional)"),
        max_length=40,
        required=False,
        help_text=_("For example: minutes, %, kWh."),
    )
    baseline = forms.DecimalField(
        label=_("Baseline"),
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    target = forms.DecimalField(
        label=_("Target"),
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    direction = forms.ChoiceField(
        label=_("Which way is better?"), choices=[], widget=forms.RadioSelect
    )
    method = forms.CharField(
        label=_("How it is measured (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    data_source = forms.CharField(label=_("Data source (optional)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        from .models import Kpi

        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = Kpi.Direction.choices
        self.fields["direction"].initial = Kpi.Direction.HIGHER


class MeasurementForm(forms.Form):
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    date = DateField(label=_("Date"))
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


REASON_FIELD_KWARGS = {
    "label": _("Why are you correcting it? (optional)"),
    "help_text": _("The earlier value is kept in the trial's timeline and the evidence pack."),
    "max_length": 500,
    "required": False,
}


class MeasurementCorrectionForm(MeasurementForm):
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class LogEntryCorrectionForm(forms.Form):
    date = DateField(label=_("Date"))
    text = forms.CharField(
        label=_("Entry"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class KpiCorrectionForm(KpiForm):
    reason = forms.CharField(**REASON_FIELD_KWARGS)

    @staticmethod
    def initial_from(kpi) -> dict:
        from core.text import plain_number

        initial = {
            name: getattr(kpi, name)
            for name in ("name", "unit", "direction", "method", "data_source")
        }
        initial["baseline"] = plain_number(kpi.baseline)
        initial["target"] = plain_number(kpi.target)
        return initial


class NoMeasurementForm(forms.Form):
    no_measurement_reason = forms.CharField(
        label=_("Why this KPI was not measured"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the KPI was not measured.")},
    )


class LogEntryForm(forms.Form):
    date = DateField(label=_("Date"))
    text = forms.CharField(
        label=_("Entry"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A photo (JPEG, PNG, WebP) or a document (PDF, CSV, XLSX, DOCX), up to 15 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.csv,.xlsx,.docx"}
        ),
    )
    caption = forms.CharField(label=_("What it shows"), max_length=250)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("accepted", _("Accept the evidence")),
            ("changes_requested", _("Ask for changes")),
        ],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Needed when you ask for changes. They appear on the sign-off page when you accept."
        ),
    )


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Check a PDF you were given"),
        help_text=_(
            "We compare its SHA-256 with the packs this service issued. The file is not kept."
        ),
    )


class ChangeRequestForm(forms.Form):
    """New dates for an approved or running trial, with the reason."""

    first_day = DateField(
        label=_("New first day"),
        help_text=_("A trial that has started keeps its first day."),
        error_messages={"required": _("Enter the first day.")},
    )
    last_day = DateField(
        label=_("New last day"),
        error_messages={"required": _("Enter the last day.")},
    )
    reason = forms.CharField(
        label=_("Why do the dates need to change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the dates need to change.")},
    )

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must be on or after the first day."))
        return data


class PartnerInviteForm(forms.Form):
    """Invite an organisation to partner in the trial, by e-mail."""

    email = forms.EmailField(
        label=_("Their e-mail address"),
        max_length=254,
        help_text=_("The link in the invitation works for this address only."),
        error_messages={"required": _("Enter the partner's e-mail address.")},
    )
    role = forms.ChoiceField(
        label=_("Their role in the trial"),
        choices=PartnerRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the partner's role.")},
    )
    contribution = forms.CharField(
        label=_("What they bring"),
        max_length=300,
        help_text=_("One line, for example: supplies and installs the sensors."),
        error_messages={"required": _("Say in a line what the partner brings.")},
    )


NEW_ORGANISATION = "new"


class PartnerAcceptForm(forms.Form):
    """Accept a partner invitation for one of the person's organisations, or a new one."""

    organisation = forms.ChoiceField(
        label=_("Which organisation is the partner?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the organisation, or add a new one.")},
    )
    name = forms.CharField(label=_("Name of the new organisation"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[
            (Organisation.Kind.COMPANY, _("Company")),
            (Organisation.Kind.UNIVERSITY, _("University")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Choose a region"))] + Region.choices, required=False
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["organisation"].choices = [
            (pk, o.name) for pk, o in self.organisations.items()
        ] + [(NEW_ORGANISATION, _("A new organisation (company or university)"))]
        if not self.organisations:
            self.fields["organisation"].initial = NEW_ORGANISATION

    def service_data(self) -> dict:
        chosen = self.cleaned_data["organisation"]
        if chosen == NEW_ORGANISATION:
            return {
                "organisation": None,
                "new_organisation": {
                    "name": self.cleaned_data.get("name", ""),
                    "kind": self.cleaned_data.get("kind", ""),
                    "region": self.cleaned_data.get("region", ""),
                },
            }
        return {"organisation": self.organisations[chosen], "new_organisation": None}


class MessageForm(forms.Form):
    """A message in the trial's thread: plain text and, if wanted, one photo or document."""

    text = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, up to 10,000 characters."),
        error_messages={"required": _("Write the message.")},
        strip=False,
    )
    file = forms.FileField(
        label=_("Attach a photo or document (optional)"),
        required=False,
        help_text=_("JPEG, PNG, WebP, PDF, CSV, XLSX or DOCX. Checked like evidence files."),
    )
