"""Planning and tracking a trial: plan, outcome, KPIs, measurements and the progress log."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import Programme, User
from accounts.permissions import is_member
from accounts.services import check_programme_for_trial, programme_not_allowed_message
from core.exceptions import Conflict
from core.text import single_line

from ..models import (
    MEASURABLE_STATUSES,
    OUTCOME_FIELDS,
    PLAN_FIELDS,
    ApprovalItem,
    ApprovalState,
    Kpi,
    LogEntry,
    Measurement,
    Trial,
    TrialStatus,
)
from .common import (
    _decimal,
    _editable_by_startup,
    partner_organisation_of,
)
from .corrections import kpi_changes, record_correction

PLAN_WRITABLE = {*PLAN_FIELDS, "programme"}
OUTCOME_WRITABLE = set(OUTCOME_FIELDS)


def _clean_approvals(value: dict) -> dict:

    cleaned = {}
    for code, entry in (value or {}).items():
        if code not in ApprovalItem.values:
            raise ValidationError({"approvals": _("Unknown approval: %(code)s") % {"code": code}})
        state = entry.get("status") if isinstance(entry, dict) else entry
        if state not in ApprovalState.values:
            raise ValidationError({"approvals": _("Choose in place, not needed or not yet.")})
        note = entry.get("note", "") if isinstance(entry, dict) else ""
        cleaned[code] = {"status": state, "note": str(note)[:500]}
    return cleaned


def _check_programme_change(trial: Trial, programme: Programme | None) -> None:
    """The programme decides who reviews the evidence and which officers see the trial:
    it must be one the start-up is enrolled in (accounts.ProgrammeEnrolment) and running on
    the trial's first day, and it is fixed once evidence has been submitted."""
    if programme is not None and not isinstance(programme, Programme):
        raise ValidationError({"programme": programme_not_allowed_message()})
    new_id = programme.pk if programme is not None else None
    if new_id != trial.programme_id and trial.packs.exists():
        raise ValidationError(
            {"programme": _("The programme cannot change once evidence has been submitted.")}
        )
    if new_id is not None and new_id != trial.programme_id:
        # Only a programme the start-up takes part in, running on the trial's first day.
        check_programme_for_trial(trial.organisation, programme, trial.booking.start)


def _apply_fields(trial: Trial, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    for name, value in fields.items():
        if name == "approvals":
            value = _clean_approvals(value)
        if name == "programme":
            _check_programme_change(trial, value)
        setattr(trial, name, value)
    start, target = trial.trl_start, trial.trl_target
    if start is not None and target is not None and target < start:
        raise ValidationError(
            {"trl_target": _("The target TRL cannot be below the TRL at the start.")}
        )
    trial.full_clean(exclude=["organisation", "testbed", "booking", "requested_by", "answers"])
    return list(fields)


def _update(
    actor: User, trial: Trial, fields: dict[str, Any], allowed: set[str], action: str
) -> Trial:
    changed = _apply_fields(trial, fields, allowed)
    trial.save()
    record_event(
        actor=actor,
        action=action,
        target=trial,
        organisation=trial.organisation,
        summary=", ".join(changed),
    )
    return trial


@transaction.atomic
def trial_update_plan(*, actor: User, trial: Trial, **fields: Any) -> Trial:
    trial = _editable_by_startup(actor, trial)
    return _update(actor, trial, fields, PLAN_WRITABLE, "trial.plan_updated")


@transaction.atomic
def trial_update_outcome(*, actor: User, trial: Trial, **fields: Any) -> Trial:
    trial = _editable_by_startup(actor, trial)
    if trial.status in (TrialStatus.REQUESTED, TrialStatus.APPROVED):
        raise Conflict(_("Write the outcome once the trial has started."), code="too_early")
    return _update(actor, trial, fields, OUTCOME_WRITABLE, "trial.outcome_updated")


MAX_KPIS = 30
KPI_FIELDS = ("name", "baseline", "target", "direction", "unit", "method", "data_source")


def clean_kpi(
    *,
    name: str,
    baseline: Any,
    target: Any,
    direction: str = "higher",
    unit: str = "",
    method: str = "",
    data_source: str = "",
) -> dict[str, Any]:
    """A KPI's fields checked and normalised, ready for ``Kpi(**fields)``."""
    name = single_line(str(name), "name")
    unit = single_line(str(unit), "unit")
    data_source = single_line(str(data_source), "data_source")
    if not name:
        raise ValidationError({"name": _("Name the KPI.")})
    if direction not in Kpi.Direction.values:
        raise ValidationError({"direction": _("Choose whether higher or lower is better.")})
    return {
        "name": str(name).strip()[:150],
        "unit": str(unit).strip()[:40],
        "baseline": _decimal(baseline, "baseline"),
        "target": _decimal(target, "target"),
        "direction": direction,
        "method": str(method).strip(),
        "data_source": str(data_source).strip()[:200],
    }


def clean_kpis(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several KPIs at once (a request, an application): errors keyed ``kpis``, by row."""
    if len(kpis) > MAX_KPIS:
        raise ValidationError({"kpis": _("A trial can have up to 30 KPIs.")})
    cleaned, errors = [], {}
    for number, kpi in enumerate(kpis, start=1):
        unknown = set(kpi) - set(KPI_FIELDS)
        try:
            if unknown:
                raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
            cleaned.append(clean_kpi(**{"baseline": "", "target": "", **kpi}))
        except ValidationError as error:
            errors[number] = error.message_dict
    if errors:
        raise ValidationError(
            {
                "kpis": [
                    _("KPI %(number)s: %(problem)s")
                    % {"number": number, "problem": " ".join(sum(fields.values(), []))}
                    for number, fields in errors.items()
                ]
            }
        )
    return cleaned


def create_kpis(trial: Trial, cleaned: list[dict[str, Any]]) -> list[Kpi]:
    """Add already-cleaned KPIs after the trial's last one. The caller holds the trial."""
    if not cleaned:
        return []
    existing = trial.kpis.aggregate(count=Count("id"), last=Max("position"))
    if existing["count"] + len(cleaned) > MAX_KPIS:
        raise ValidationError({"name": _("A trial can have up to 30 KPIs.")})
    position = existing["last"] or 0  # after the last, even when an earlier one went
    return [
        Kpi.objects.create(trial=trial, position=position + number, **fields)
        for number, fields in enumerate(cleaned, start=1)
    ]


def apply_plan(trial: Trial, plan: dict[str, Any]) -> list[str]:
    """Set plan fields (not the programme) on a trial, checked; the caller saves it."""
    return _apply_fields(trial, plan, set(PLAN_FIELDS))


@transaction.atomic
def kpi_add(
    *,
    actor: User,
    trial: Trial,
    name: str,
    baseline: Any,
    target: Any,
    direction: str = "higher",
    unit: str = "",
    method: str = "",
    data_source: str = "",
):
    trial = _editable_by_startup(actor, trial)
    fields = clean_kpi(
        name=name,
        baseline=baseline,
        target=target,
        direction=direction,
        unit=unit,
        method=method,
        data_source=data_source,
    )
    (kpi,) = create_kpis(trial, [fields])
    record_event(
        actor=actor,
        action="kpi.added",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    return kpi


@transaction.atomic
def kpi_update(*, actor: User, kpi, **fields: Any):
    trial = _editable_by_startup(actor, kpi.trial)
    allowed = {
        "name",
        "unit",
        "baseline",
        "target",
        "direction",
        "method",
        "data_source",
        "no_measurement_reason",
        "reason",  # why it is corrected: goes into the trial's history, not on the KPI
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    reason = str(fields.pop("reason", "") or "")
    cleaned = {
        name: _decimal(value, name) if name in ("baseline", "target") else value
        for name, value in fields.items()
    }
    if "direction" in cleaned and cleaned["direction"] not in Kpi.Direction.values:
        raise ValidationError({"direction": _("Choose whether higher or lower is better.")})
    changes = kpi_changes(kpi, cleaned)
    for name, value in cleaned.items():
        setattr(kpi, name, value)
    kpi.full_clean(exclude=["trial"])
    if changes:
        # The KPI as first set is kept in the trial's history: the pack shows the correction.
        record_correction(
            trial=trial,
            actor=actor,
            what=_("KPI %(name)s") % {"name": f"“{kpi.name}”"},
            changes=changes,
            reason=reason,
        )
        kpi.corrected_at = timezone.now()
    kpi.save()
    record_event(
        actor=actor,
        action="kpi.updated",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    return kpi


@transaction.atomic
def kpi_remove(*, actor: User, kpi) -> None:
    trial = _editable_by_startup(actor, kpi.trial)
    record_event(
        actor=actor,
        action="kpi.removed",
        target=trial,
        organisation=trial.organisation,
        summary=kpi.name,
    )
    kpi.delete()


@transaction.atomic
def measurement_add(*, actor: User, kpi, value: Any, date: datetime.date, note: str = ""):
    """Record a value. Only while the trial runs or is being written up."""

    trial = _editable_by_startup(actor, kpi.trial)
    if trial.status not in MEASURABLE_STATUSES:
        raise Conflict(_("Measurements are recorded once the trial has started."), code="too_early")
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    measurement = Measurement.objects.create(
        kpi=kpi,
        value=_decimal(value, "value"),
        date=date,
        note=note.strip()[:500],
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="measurement.added",
        target=trial,
        organisation=trial.organisation,
        summary=f"{kpi.name}: {measurement.value}",
    )
    return measurement


@transaction.atomic
def measurement_remove(*, actor: User, measurement) -> None:
    trial = _editable_by_startup(actor, measurement.kpi.trial)
    record_event(
        actor=actor,
        action="measurement.removed",
        target=trial,
        organisation=trial.organisation,
        summary=f"{measurement.kpi.name}: {measurement.value} on {measurement.date}",
    )
    measurement.delete()


@transaction.atomic
def log_entry_add(*, actor: User, trial: Trial, text: str, date: datetime.date | None = None):
    """Progress from the start-up, an observation from the test bed's provider, or a note
    from a partner (attributed to the partner's organisation)."""

    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("testbed__organisation", "organisation")
        .get(pk=trial.pk)
    )
    partner = None
    if is_member(actor, trial.organisation):
        kind, organisation = LogEntry.Kind.PROGRESS, trial.organisation
    elif is_member(actor, trial.testbed.organisation):
        kind, organisation = LogEntry.Kind.OBSERVATION, trial.testbed.organisation
    elif (partner := partner_organisation_of(actor, trial)) is not None:
        kind, organisation = LogEntry.Kind.PARTNER, partner
    else:
        raise PermissionDenied(
            _("Only the start-up, the test bed's provider and partners write in the log.")
        )
    if kind == LogEntry.Kind.OBSERVATION:
        if trial.status in (TrialStatus.DECLINED, TrialStatus.WITHDRAWN, TrialStatus.ACCEPTED):
            raise Conflict(_("This trial no longer takes observations."), code="not_editable")
    elif not trial.is_editable:
        raise Conflict(
            _("The trial is submitted or closed: its log cannot change."), code="not_editable"
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the entry.")})
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    entry = LogEntry.objects.create(
        trial=trial,
        kind=kind,
        date=date,
        text=text.strip()[:10000],
        author=actor,
        author_name=actor.get_full_name(),
        organisation=organisation,
    )
    record_event(
        actor=actor,
        action=f"log.{kind}",
        target=trial,
        organisation=organisation,
        summary=text[:100],
    )
    return entry
