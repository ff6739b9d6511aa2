"""What the trial request form asks beyond the basics, so the provider decides on the whole
proposal: the plan, the KPIs, and the approvals the test bed requires (only those it asks
for, each marked as required by the test bed).

``add_proposal_fields`` adds the fields to a form; ``proposal_data`` reads them back as the
``plan`` and ``kpis`` that ``trials.services.trial_request`` takes. Decision (issue 22 was
silent): the form offers three KPI rows (blank rows are ignored; more KPIs can be added on
the trial page afterwards, and the API takes up to 30), and asks the approvals as "in place",
"not yet in place" or "not needed", starting at "not yet in place".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from testbeds.models import TestBed

from .models import ApprovalItem, ApprovalState, Kpi

KPI_ROWS = 3
TRL_CHOICES = [("", gettext_lazy("Not sure yet"))] + [(n, str(n)) for n in range(1, 10)]
PLAN_FIELD_NAMES = [
    "product_name",
    "problem_statement",
    "objectives",
    "setting_and_participants",
    "trl_start",
    "trl_target",
]
KPI_PARTS = ("name", "unit", "baseline", "target", "direction")


def required_approvals(testbed: TestBed) -> list[tuple[str, str]]:
    """The approvals the test bed asks for, as (code, label), in the service's order."""
    asked = set(testbed.assurances or [])
    return [(code, str(label)) for code, label in ApprovalItem.choices if code in asked]


def _plan_fields() -> dict[str, forms.Field]:
    return {
        "product_name": forms.CharField(
            label=gettext_lazy("Product name (optional)"), max_length=200, required=False
        ),
        "problem_statement": forms.CharField(
            label=gettext_lazy("The problem it solves (optional)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "objectives": forms.CharField(
            label=gettext_lazy("Objectives (optional)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=gettext_lazy("What the trial must show. One per line is easiest to read."),
        ),
        "setting_and_participants": forms.CharField(
            label=gettext_lazy("Setting and participants (optional)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "trl_start": forms.TypedChoiceField(
            label=gettext_lazy("Technology readiness level (TRL) at the start"),
            choices=TRL_CHOICES,
            coerce=int,
            empty_value=None,
            required=False,
        ),
        "trl_target": forms.TypedChoiceField(
            label=gettext_lazy("Target TRL at the end"),
            choices=TRL_CHOICES,
            coerce=int,
            empty_value=None,
            required=False,
        ),
    }


def _kpi_fields(number: int) -> dict[str, forms.Field]:
    number_input = {"inputmode": "decimal", "class": "govuk-input--width-10"}
    return {
        f"kpi{number}_name": forms.CharField(
            label=gettext_lazy("KPI name"),
            max_length=150,
            required=False,
            help_text=gettext_lazy("For example: Average journey time.") if number == 1 else "",
        ),
        f"kpi{number}_unit": forms.CharField(
            label=gettext_lazy("Unit (optional)"), max_length=40, required=False
        ),
        f"kpi{number}_baseline": forms.DecimalField(
            label=gettext_lazy("Baseline"),
            max_digits=14,
            decimal_places=4,
            required=False,
            widget=forms.TextInput(attrs=number_input),
        ),
        f"kpi{number}_target": forms.DecimalField(
            label=gettext_lazy("Target"),
            max_digits=14,
            decimal_places=4,
            required=False,
            widget=forms.TextInput(attrs=number_input),
        ),
        f"kpi{number}_direction": forms.ChoiceField(
            label=gettext_lazy("Which way is better?"),
            choices=Kpi.Direction.choices,
            initial=Kpi.Direction.HIGHER,
            required=False,
            widget=forms.RadioSelect,
        ),
    }


def add_proposal_fields(form: forms.Form, testbed: TestBed) -> None:
    """Add the plan, the test bed's required approvals and the KPI rows to ``form``."""
    form.fields.update(_plan_fields())
    form.required_approvals = required_approvals(testbed)
    for code, label in form.required_approvals:
        form.fields[f"approval_{code}"] = forms.ChoiceField(
            label=_("%(approval)s (required by this test bed)") % {"approval": label},
            choices=ApprovalState.choices,
            initial=ApprovalState.NOT_YET,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Say whether %(approval)s is in place.") % {"approval": label}
            },
        )
    if form.required_approvals:
        form.fields["approvals_note"] = forms.CharField(
            label=gettext_lazy("Notes on approvals (optional)"),
            required=False,
            max_length=3000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    for number in range(1, KPI_ROWS + 1):
        form.fields.update(_kpi_fields(number))


def proposal_sections(form: forms.Form) -> list[tuple[str, str, list[str]]]:
    """(heading, hint, field names) for the template, in the order the form asks them."""
    sections = [
        (
            _("Your plan"),
            _("The provider reads this before deciding. You can change it later."),
            PLAN_FIELD_NAMES,
        )
    ]
    if form.required_approvals:
        names = [f"approval_{code}" for code, _label in form.required_approvals]
        sections.append(
            (
                _("Approvals this test bed requires"),
                _("Say where each stands now. You can update them before the trial starts."),
                [*names, "approvals_note"],
            )
        )
    for number in range(1, KPI_ROWS + 1):
        sections.append(
            (
                _("KPI %(number)s (optional)") % {"number": number},
                _("A measurable target, with where you start from (baseline).")
                if number == 1
                else "",
                [f"kpi{number}_{part}" for part in KPI_PARTS],
            )
        )
    return sections


def clean_kpi_rows(form: forms.Form, data: dict[str, Any]) -> None:
    """A KPI row that is started must have its name, baseline and target."""
    for number in range(1, KPI_ROWS + 1):
        name = (data.get(f"kpi{number}_name") or "").strip()
        baseline, target = data.get(f"kpi{number}_baseline"), data.get(f"kpi{number}_target")
        unit = (data.get(f"kpi{number}_unit") or "").strip()
        if not (name or unit or baseline is not None or target is not None):
            continue
        if not name:
            form.add_error(f"kpi{number}_name", _("Name KPI %(n)s.") % {"n": number})
        if baseline is None and f"kpi{number}_baseline" not in form.errors:
            form.add_error(
                f"kpi{number}_baseline", _("Enter the baseline of KPI %(n)s.") % {"n": number}
            )
        if target is None and f"kpi{number}_target" not in form.errors:
            form.add_error(
                f"kpi{number}_target", _("Enter the target of KPI %(n)s.") % {"n": number}
            )


def proposal_data(form: forms.Form) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The cleaned form as ``plan`` and ``kpis`` for ``trial_request``."""
    data = form.cleaned_data
    plan: dict[str, Any] = {
        name: data.get(name) for name in PLAN_FIELD_NAMES if data.get(name) not in ("", None)
    }
    if form.required_approvals:
        plan["approvals"] = {
            code: {"status": data[f"approval_{code}"], "note": ""}
            for code, _label in form.required_approvals
        }
        if data.get("approvals_note"):
            plan["approvals_note"] = data["approvals_note"]
    kpis = []
    for number in range(1, KPI_ROWS + 1):
        name = (data.get(f"kpi{number}_name") or "").strip()
        if not name:
            continue
        kpis.append(
            {
                "name": name,
                "unit": data.get(f"kpi{number}_unit") or "",
                "baseline": data[f"kpi{number}_baseline"],
                "target": data[f"kpi{number}_target"],
                "direction": data.get(f"kpi{number}_direction") or Kpi.Direction.HIGHER,
            }
        )
    return plan, kpis
