"""Corrections: a measurement, a log entry or a KPI put right before the evidence is submitted.

A typo must not go into the signed pack, and nobody must be able to rewrite the record
unseen. So a correction is allowed only while the trial is editable (until submission, and
again after changes are requested), changes the row in place, stamps it ``corrected_at``, and
writes a ``TrialEvent`` of kind "correction" (status unchanged) whose note says what the
earlier value was. Events are never edited, so the trial's history keeps every earlier value;
the evidence pack marks corrected values and lists the corrections in its timeline.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import User
from accounts.permissions import is_member
from core.exceptions import Conflict
from core.text import plain_number

from ..models import Kpi, LogEntry, Measurement, Trial, TrialEvent
from .common import _decimal, _editable_by_startup, actor_name


def _date(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


def _quoted(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def record_correction(
    *, trial: Trial, actor: User, what: str, changes: list[str], reason: str = ""
) -> TrialEvent:
    """The trial's history entry for a correction: what was corrected, each earlier value
    → the new one, and why. The caller holds the trial's lock."""
    note = _("%(what)s corrected: %(changes)s.") % {"what": what, "changes": "; ".join(changes)}
    reason = reason.strip()
    if reason:
        note += " " + _("Reason: %(reason)s") % {"reason": reason[:500]}
    return TrialEvent.objects.create(
        trial=trial,
        kind=TrialEvent.Kind.CORRECTION,
        actor=actor,
        actor_name=actor_name(actor),
        from_status=trial.status,
        to_status=trial.status,
        note=note,
        created_at=timezone.now(),
    )


@transaction.atomic
def measurement_correct(
    *,
    actor: User,
    measurement: Measurement,
    value: Any,
    date: datetime.date,
    note: str = "",
    reason: str = "",
) -> Measurement:
    """Put a recorded value right (its value, date or note), keeping the earlier one in the
    trial's history. Only the start-up, and only until the evidence is submitted."""
    trial = _editable_by_startup(actor, measurement.kpi.trial)
    measurement = (
        Measurement.objects.select_for_update().select_related("kpi").get(pk=measurement.pk)
    )
    new_value = _decimal(value, "value")
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    note = str(note).strip()[:500]
    changes = []
    if new_value != measurement.value:
        changes.append(
            _("value %(old)s → %(new)s")
            % {"old": plain_number(measurement.value), "new": plain_number(new_value)}
        )
    if date != measurement.date:
        changes.append(
            _("date %(old)s → %(new)s") % {"old": _date(measurement.date), "new": _date(date)}
        )
    if note != measurement.note:
        changes.append(
            _("note %(old)s → %(new)s") % {"old": _quoted(measurement.note), "new": _quoted(note)}
        )
    if not changes:
        raise ValidationError({"value": _("Change the value, the date or the note to correct it.")})
    record_correction(
        trial=trial,
        actor=actor,
        what=_("Measurement of %(kpi)s on %(date)s")
        % {"kpi": _quoted(measurement.kpi.name), "date": _date(measurement.date)},
        changes=changes,
        reason=reason,
    )
    measurement.value, measurement.date, measurement.note = new_value, date, note
    measurement.corrected_at = timezone.now()
    measurement.save(update_fields=["value", "date", "note", "corrected_at"])
    record_event(
        actor=actor,
        action="measurement.corrected",
        target=trial,
        organisation=trial.organisation,
        summary=f"{measurement.kpi.name}: {'; '.join(changes)}"[:200],
    )
    return measurement


def require_log_author(actor: User, entry: LogEntry) -> None:
    """Only the organisation that wrote a log entry corrects it (403 for the other side)."""
    if not is_member(actor, entry.organisation):
        raise PermissionDenied(_("Only the organisation that wrote an entry can correct it."))


@transaction.atomic
def log_entry_correct(
    *,
    actor: User,
    entry: LogEntry,
    text: str,
    date: datetime.date,
    reason: str = "",
) -> LogEntry:
    """Put a log entry right. Whoever's organisation wrote it (the start-up, the provider or a
    partner) may correct it, until the evidence is submitted; the earlier text stays in the
    trial's history."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("organisation", "testbed")
        .get(pk=entry.trial_id)
    )
    entry = LogEntry.objects.select_for_update().select_related("organisation").get(pk=entry.pk)
    require_log_author(actor, entry)
    if not trial.is_editable:
        raise Conflict(
            _("The trial is submitted or closed: its log cannot change."), code="not_editable"
        )
    text = str(text).strip()
    if not text:
        raise ValidationError({"text": _("Write the entry.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    changes = []
    if text[:10000] != entry.text:
        changes.append(_("text was %(old)s") % {"old": _quoted(entry.text, 1000)})
    if date != entry.date:
        changes.append(_("date %(old)s → %(new)s") % {"old": _date(entry.date), "new": _date(date)})
    if not changes:
        raise ValidationError({"text": _("Change the text or the date to correct the entry.")})
    record_correction(
        trial=trial,
        actor=actor,
        what=_("Log entry of %(date)s") % {"date": _date(entry.date)},
        changes=changes,
        reason=reason,
    )
    entry.text, entry.date = text[:10000], date
    entry.corrected_at = timezone.now()
    entry.save(update_fields=["text", "date", "corrected_at"])
    record_event(
        actor=actor,
        action="log.corrected",
        target=trial,
        organisation=entry.organisation,
        summary=text[:100],
    )
    return entry


# What a KPI correction reports (the no-measurement explanation is prose, not a value).
KPI_CORRECTABLE = ("name", "unit", "baseline", "target", "direction")


def kpi_changes(kpi: Kpi, new: dict[str, Any]) -> list[str]:
    """The KPI's corrected fields, each as "field old → new", for its history entry."""
    labels = {
        "name": _("name"),
        "unit": _("unit"),
        "baseline": _("baseline"),
        "target": _("target"),
        "direction": _("direction"),
    }
    changes = []
    for field in KPI_CORRECTABLE:
        if field not in new:
            continue
        old, value = getattr(kpi, field), new[field]
        if field in ("baseline", "target"):
            if Decimal(old) == Decimal(value):
                continue
            old, value = plain_number(old), plain_number(value)
        elif field == "direction":
            if old == value:
                continue
            old = str(Kpi.Direction(old).label).lower()
            value = str(Kpi.Direction(value).label).lower()
        else:
            if old == value:
                continue
            old, value = _quoted(old), _quoted(value)
        changes.append(
            _("%(field)s %(old)s → %(new)s") % {"field": labels[field], "old": old, "new": value}
        )
    return changes


__all__ = [
    "kpi_changes",
    "log_entry_correct",
    "measurement_correct",
    "record_correction",
    "require_log_author",
]
