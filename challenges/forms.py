"""Challenge forms, rendered in GOV.UK markup. Every step is a plain form post.

Dates use ``date_field`` so that the GOV.UK date input (day, month, year) replaces the
browser date field in one line when it lands in core.forms; the closing time adds a time
part, and the two are read as UK time (``timefmt.uk_moment``).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Programme, Region
from core.dates import DateField
from core.forms import ModelChoiceField, ModelMultipleChoiceField
from testbeds.models import ApplicationQuestion, Sector, SectorCode, Technology, TestBed
from trials.forms import TrialRequestForm
from trials.models import Kpi

from .models import Criterion, Decision, Question
from .timefmt import uk_moment


def date_field(**kwargs) -> DateField:
    """Every date field of the app, in one place: the GOV.UK date input, 2000–2100."""
    return DateField(**kwargs)


def time_field(**kwargs) -> forms.TimeField:
    return forms.TimeField(
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        help_text=_("UK time, on the 24-hour clock: for example 17:00."),
        **kwargs,
    )


REGION_CHOICES = [("", _("UK-wide"))] + list(Region.choices)


class ChallengeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title.")}
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences for the list of challenges."),
    )
    problem = forms.CharField(
        label=_("The problem, in plain English"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={"required": _("Describe the problem.")},
    )
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        help_text=_("Shown to visitors reading in Welsh; the English is shown where it is empty."),
    )
    summary_cy = forms.CharField(
        label=_("Summary in Welsh (optional)"), max_length=300, required=False
    )
    problem_cy = forms.CharField(
        label=_("The problem in Welsh (optional)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
    )
    programme = ModelChoiceField(
        label=_("Programme (optional)"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("None: not part of a programme"),
        help_text=_("The awards' trials become part of this programme."),
        error_messages={"invalid_choice": _("Choose one of your team's programmes.")},
    )
    affected = forms.CharField(
        label=_("Who is affected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    success = forms.CharField(
        label=_("What success looks like"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    region = forms.ChoiceField(label=_("Region"), choices=REGION_CHOICES, required=False)
    sectors = ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        required=False,
    )
    technologies = ModelMultipleChoiceField(
        label=_("Technologies"),
        queryset=Technology.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        required=False,
    )
    budget_per_award = forms.DecimalField(
        label=_("Budget or prize per award, in pounds (optional)"),
        min_value=0,
        max_digits=10,
        decimal_places=0,
        required=False,
    )
    awards = forms.IntegerField(label=_("Number of awards"), min_value=1, max_value=100, initial=1)
    eligibility = forms.CharField(
        label=_("Who can apply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("For example: UK-registered SMEs."),
    )
    opens_on = date_field(
        label=_("Opening date (optional)"),
        required=False,
        help_text=_("Leave empty to open as soon as it is published."),
    )
    opens_time = time_field(label=_("Opening time"), required=False)
    closes_on = date_field(
        label=_("Closing date"), error_messages={"required": _("Enter the closing date.")}
    )
    closes_time = time_field(
        label=_("Closing time"), error_messages={"required": _("Enter the closing time.")}
    )
    decisions_by = date_field(label=_("Decisions by (optional)"), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def __init__(self, *args, owner: Organisation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.none()
        if owner is not None and owner.is_programme_team:
            programmes = Programme.objects.filter(team=owner).order_by("name")
        if programmes.exists():
            self.fields["programme"].queryset = programmes
        else:
            del self.fields["programme"]

    def clean(self) -> dict:
        data = super().clean()
        try:
            if data.get("closes_on") and data.get("closes_time"):
                data["closes_at"] = uk_moment(data["closes_on"], data["closes_time"])
            if data.get("opens_on"):
                data["opens_at"] = uk_moment(
                    data["opens_on"], data.get("opens_time") or datetime.time(0, 0)
                )
        except ValidationError as error:
            self.add_error("closes_time" if "closes_at" not in data else "opens_time", error)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "title",
                "summary",
                "problem",
                "title_cy",
                "summary_cy",
                "problem_cy",
                "affected",
                "success",
                "region",
                "sectors",
                "technologies",
                "budget_per_award",
                "awards",
                "eligibility",
                "decisions_by",
                "contact_name",
                "contact_email",
            )
        }
        if "programme" in self.fields:
            fields["programme"] = data.get("programme")
        fields["closes_at"] = data["closes_at"]
        if data.get("opens_at"):
            fields["opens_at"] = data["opens_at"]
        return fields


CRITERION_ROWS = 8
QUESTION_ROWS = 10


class CriteriaForm(forms.Form):
    """Rows of criteria: a name, a weight (%) and what low and high scores look like."""

    def __init__(self, *args, existing: list[Criterion] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rows = max(CRITERION_ROWS, len(existing) + 2)
        for number in range(1, rows + 1):
            criterion = existing[number - 1] if number <= len(existing) else None
            self.fields[f"name_{number}"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": number},
                max_length=150,
                required=False,
                initial=criterion.name if criterion else "",
            )
            self.fields[f"weight_{number}"] = forms.IntegerField(
                label=_("Weight (%%) of criterion %(n)s") % {"n": number},
                min_value=1,
                max_value=100,
                required=False,
                initial=criterion.weight if criterion else None,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            )
            self.fields[f"guidance_{number}"] = forms.CharField(
                label=_("What a 0, a 5 and a 10 look like on criterion %(n)s") % {"n": number},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=3000,
                required=False,
                initial=criterion.guidance if criterion else "",
            )
        self.rows = rows

    def row_fields(self) -> list[list]:
        return [
            [self[f"name_{n}"], self[f"weight_{n}"], self[f"guidance_{n}"]]
            for n in range(1, self.rows + 1)
        ]

    def criteria(self) -> list[dict]:
        data = self.cleaned_data
        rows = []
        for number in range(1, self.rows + 1):
            name = data.get(f"name_{number}", "")
            if name:
                rows.append(
                    {
                        "name": name,
                        "weight": data.get(f"weight_{number}"),
                        "guidance": data.get(f"guidance_{number}", ""),
                    }
                )
        return rows


class QuestionsForm(forms.Form):
    def __init__(self, *args, existing: list[Question] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rows = max(QUESTION_ROWS, len(existing) + 2)
        for number in range(1, rows + 1):
            question = existing[number - 1] if number <= len(existing) else None
            self.fields[f"text_{number}"] = forms.CharField(
                label=_("Question %(n)s") % {"n": number},
                max_length=300,
                required=False,
                initial=question.text if question else "",
            )
            self.fields[f"hint_{number}"] = forms.CharField(
                label=_("Hint for question %(n)s (optional)") % {"n": number},
                max_length=300,
                required=False,
                initial=question.hint if question else "",
            )
            self.fields[f"kind_{number}"] = forms.ChoiceField(
                label=_("Type of answer to question %(n)s") % {"n": number},
                choices=Question.Kind.choices,
                required=False,
                initial=question.kind if question else Question.Kind.TEXT,
            )
            self.fields[f"required_{number}"] = forms.BooleanField(
                label=_("Question %(n)s must be answered") % {"n": number},
                required=False,
                initial=question.required if question else True,
            )
        self.rows = rows

    def row_fields(self) -> list[list]:
        return [
            [self[f"text_{n}"], self[f"hint_{n}"], self[f"kind_{n}"], self[f"required_{n}"]]
            for n in range(1, self.rows + 1)
        ]

    def questions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "text": data[f"text_{n}"],
                "hint": data.get(f"hint_{n}", ""),
                "kind": data.get(f"kind_{n}") or Question.Kind.TEXT,
                "required": data.get(f"required_{n}", False),
            }
            for n in range(1, self.rows + 1)
            if data.get(f"text_{n}")
        ]


class TestBedLinkForm(forms.Form):
    testbed = ModelChoiceField(
        label=_("Test bed"),
        queryset=TestBed.objects.none(),
        error_messages={"required": _("Choose a test bed.")},
        help_text=_("Your own test beds are added at once; another body's, once it agrees."),
    )

    def __init__(self, *args, owner=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["testbed"].queryset = (
            TestBed.objects.filter(status=TestBed.Status.PUBLISHED)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        self.fields["testbed"].label_from_instance = lambda t: f"{t.name} — {t.organisation.name}"


class FilterForm(forms.Form):
    PHASE_CHOICES = [
        ("", _("All")),
        ("open", _("Open")),
        ("upcoming", _("Opening soon")),
        ("closed", _("Closed")),
    ]
    phase = forms.ChoiceField(label=_("Status"), choices=PHASE_CHOICES, required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Any region"))] + list(Region.choices), required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("Any sector"))] + list(SectorCode.choices),
        required=False,
    )


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "Only the challenge's owner sees who asked. If they answer, the answer is published "
            "for everyone without your name."
        ),
        error_messages={"required": _("Enter your question.")},
    )


class ClarificationAnswerForm(forms.Form):
    question = forms.CharField(
        label=_("The question, as it will be published"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Leave out anything that says who asked."),
        error_messages={"required": _("Enter the question as it will be published.")},
    )
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Enter the answer.")},
    )


# The application, step by step ------------------------------------------------------------


class AboutStepForm(forms.Form):
    title = forms.CharField(label=_("Name of your proposal"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary of your proposal"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        required=False,
        help_text=_("What your product does and how it answers the challenge."),
    )
    partners = forms.CharField(
        label=_("Partner organisations (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("One a line: the organisation and its part in the trial."),
    )


class QuestionsStepForm(forms.Form):
    """The challenge's questions; a file question takes a PDF, spreadsheet, Word file or photo."""

    def __init__(self, *args, questions: list[Question], answers: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            common = {
                "label": question.text,
                "help_text": question.hint,
                "required": False,
                "initial": answers.get(str(question.pk), ""),
            }
            name = f"question_{question.pk}"
            if question.kind == Question.Kind.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect(attrs={"inline": True}),
                    **common,
                )
            elif question.kind == Question.Kind.NUMBER:
                self.fields[name] = forms.CharField(
                    max_length=30,
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}
                    ),
                    **common,
                )
            elif question.kind == Question.Kind.FILE:
                common.pop("initial")
                self.fields[name] = forms.FileField(**common)
            else:
                self.fields[name] = forms.CharField(
                    max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common
                )

    def answers(self) -> dict[str, str]:
        return {
            str(q.pk): self.cleaned_data.get(f"question_{q.pk}") or ""
            for q in self.questions
            if q.kind != Question.Kind.FILE
        }

    def uploads(self) -> list[tuple[Question, object]]:
        return [
            (q, self.cleaned_data[f"question_{q.pk}"])
            for q in self.questions
            if q.kind == Question.Kind.FILE and self.cleaned_data.get(f"question_{q.pk}")
        ]


class PlanStepForm(forms.Form):
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    problem_statement = forms.CharField(
        label=_("The problem it solves"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    objectives = forms.CharField(
        label=_("Objectives of the trial"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    hypothesis = forms.CharField(
        label=_("Critical assumptions and hypothesis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    setting_and_participants = forms.CharField(
        label=_("Setting and participants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    trl_start = forms.IntegerField(
        label=_("Technology readiness level (TRL) now"), min_value=1, max_value=9, required=False
    )
    trl_target = forms.IntegerField(
        label=_("TRL you aim for by the end"), min_value=1, max_value=9, required=False
    )


KPI_ROWS = 5


class KpisStepForm(forms.Form):
    """KPI rows in the trials' shape; empty rows are ignored. Two more rows appear each save."""

    def __init__(self, *args, kpis: list[dict] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rows = max(KPI_ROWS, len(kpis) + 2)
        for number in range(1, rows + 1):
            kpi = kpis[number - 1] if number <= len(kpis) else {}
            self.fields[f"name_{number}"] = forms.CharField(
                label=_("KPI %(n)s: name") % {"n": number},
                max_length=150,
                required=False,
                initial=kpi.get("name", ""),
            )
            self.fields[f"unit_{number}"] = forms.CharField(
                label=_("Unit"), max_length=40, required=False, initial=kpi.get("unit", "")
            )
            self.fields[f"baseline_{number}"] = forms.CharField(
                label=_("Baseline"), max_length=30, required=False, initial=kpi.get("baseline", "")
            )
            self.fields[f"target_{number}"] = forms.CharField(
                label=_("Target"), max_length=30, required=False, initial=kpi.get("target", "")
            )
            self.fields[f"direction_{number}"] = forms.ChoiceField(
                label=_("Better when"),
                choices=Kpi.Direction.choices,
                required=False,
                initial=kpi.get("direction", Kpi.Direction.values[0]),
            )
            self.fields[f"method_{number}"] = forms.CharField(
                label=_("How it is measured"),
                max_length=2000,
                required=False,
                initial=kpi.get("method", ""),
            )
            self.fields[f"data_source_{number}"] = forms.CharField(
                label=_("Data source"),
                max_length=200,
                required=False,
                initial=kpi.get("data_source", ""),
            )
        self.rows = rows

    def row_fields(self) -> list[list]:
        names = ("name", "unit", "baseline", "target", "direction", "method", "data_source")
        return [[self[f"{n}_{row}"] for n in names] for row in range(1, self.rows + 1)]

    def kpis(self) -> list[dict]:
        data = self.cleaned_data
        rows = []
        for number in range(1, self.rows + 1):
            if not data.get(f"name_{number}"):
                continue
            rows.append(
                {
                    "name": data[f"name_{number}"],
                    "unit": data.get(f"unit_{number}", ""),
                    "baseline": data.get(f"baseline_{number}", ""),
                    "target": data.get(f"target_{number}", ""),
                    "direction": data.get(f"direction_{number}") or Kpi.Direction.values[0],
                    "method": data.get(f"method_{number}", ""),
                    "data_source": data.get(f"data_source_{number}", ""),
                }
            )
        return rows


class TestBedStepForm(forms.Form):
    testbed = ModelChoiceField(
        label=_("Test bed"),
        queryset=TestBed.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
    )
    first_day = date_field(label=_("First day"), required=False)
    last_day = date_field(label=_("Last day"), required=False)

    def __init__(self, *args, testbeds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["testbed"].queryset = testbeds
        self.fields["testbed"].label_from_instance = lambda t: f"{t.name} — {t.organisation.name}"


class NewDatesForm(TestBedStepForm):
    """An awarded start-up picks new dates: all three are needed here, with the answers to
    the test beds' own questions (the chosen test bed's are checked by the booking service)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("testbed", "first_day", "last_day"):
            self.fields[name].required = True
        self.questions = list(
            ApplicationQuestion.objects.filter(
                testbed__in=self.fields["testbed"].queryset, archived=False
            )
            .select_related("testbed")
            .order_by("testbed__name", "position", "id")
        )
        for question in self.questions:
            field = TrialRequestForm._question_field(question)
            field.required = False
            field.label = f"{question.testbed.name}: {question.text}"
            self.fields[f"question_{question.pk}"] = field

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "testbed": data["testbed"],
            "first_day": data["first_day"],
            "last_day": data["last_day"],
            "answers": {str(q.pk): data.get(f"question_{q.pk}") or "" for q in self.questions},
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        required=False,
    )


# Assessment ------------------------------------------------------------------------------


class AssessorInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Assessor's e-mail address"),
        help_text=_("They need no account here: the invitation makes one that sees only this."),
        error_messages={"required": _("Enter an e-mail address.")},
    )


class AssessorAccountForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Enter your full name.")},
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
        error_messages={"required": _("Choose a password.")},
    )


class ConflictForm(forms.Form):
    conflicted = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this applicant or its partners?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "For example: you work for them, advise them, invest in them or compete with them. "
            "If you declare a conflict you will not see the application."
        ),
        error_messages={"required": _("Say whether you have a conflict of interest.")},
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


SCORE_CHOICES = [("", _("Not scored yet"))] + [(str(n), str(n)) for n in range(11)]


class ScoreForm(forms.Form):
    def __init__(self, *args, criteria: list[Criterion], own=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        saved = {s.criterion_id: s for s in (own.scores.all() if own else [])}
        for criterion in criteria:
            score = saved.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=_("Score for %(name)s (0 to 10)") % {"name": criterion.name},
                choices=SCORE_CHOICES,
                required=False,
                initial=str(score.score) if score else "",
                help_text=criterion.guidance,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": criterion.name},
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=3000,
                required=False,
                initial=score.comment if score else "",
            )

    def pairs(self) -> list[tuple]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple]:
        return {
            c.pk: (
                self.cleaned_data.get(f"score_{c.pk}") or None,
                self.cleaned_data.get(f"comment_{c.pk}", ""),
            )
            for c in self.criteria
        }


class ModerationNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Moderation note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": _("Write the note.")},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    feedback = forms.CharField(
        label=_("Feedback for the applicant"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Sent to the start-up with the decision."),
        error_messages={"required": _("Write the feedback for the applicant.")},
    )
