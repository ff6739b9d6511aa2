"""Impact reports 6, 12 and 24 months after acceptance: submitted once, then immutable."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import User
from accounts.notifications import members_of, notify
from accounts.webhooks import emit_for_trial
from core.exceptions import Conflict
from trials.models import Trial, TrialStatus

from ..models import ImpactReport, KpiHeld
from .common import (
    clean_count,
    clean_date,
    clean_https,
    clean_money,
    clean_text,
    refuse,
    require_provider,
    require_startup,
)

MAX_CONTRACTS = 20
REMINDER_DAYS_BEFORE = 14
# A reminder on the due day is still sent if the job missed a few days, never later.
DUE_REMINDER_GRACE = 7


def clean_report(trial: Trial, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    contracts = data.get("contracts") or []
    if not isinstance(contracts, list):
        errors["contracts"] = _("Give the contracts as a list.")
        contracts = []
    if len(contracts) > MAX_CONTRACTS:
        errors["contracts"] = _("List up to %(n)s contracts.") % {"n": MAX_CONTRACTS}
        contracts = []
    clean_contracts = []
    today = timezone.localdate()
    for index, contract in enumerate(contracts):
        prefix = f"contracts.{index}."
        if not isinstance(contract, dict):
            errors[f"contracts.{index}"] = _("Give each contract's buyer, value and date.")
            continue
        if not any(str(contract.get(key) or "").strip() for key in ("buyer", "value", "date")):
            continue  # an empty row of the form
        row_errors: dict[str, str] = {}
        buyer = clean_text(contract.get("buyer"), "buyer", row_errors, limit=200, single_line=True)
        if not buyer and "buyer" not in row_errors:
            row_errors["buyer"] = _("Name the buyer.")
        value = clean_money(contract.get("value"), "value", row_errors)
        if value is None and "value" not in row_errors:
            row_errors["value"] = _("Give the contract value in pounds.")
        date = clean_date(contract.get("date"), "date", row_errors, trial=trial)
        if date is None and "date" not in row_errors:
            row_errors["date"] = _("Give the date the contract was awarded.")
        elif date is not None and date > today:
            row_errors["date"] = _("The date cannot be in the future.")
        link = clean_https(contract.get("link"), "link", row_errors)
        for key, message in row_errors.items():
            errors[prefix + key] = message
        if not row_errors:
            clean_contracts.append(
                {"buyer": buyer, "value": str(value), "date": date.isoformat(), "link": link}
            )
    clean["contracts"] = clean_contracts
    clean["investment"] = clean_money(data.get("investment"), "investment", errors)
    clean["investment_round"] = clean_text(
        data.get("investment_round"), "investment_round", errors, limit=100, single_line=True
    )
    if clean["investment"] and not clean["investment_round"] and "investment_round" not in errors:
        errors["investment_round"] = _("Say which round (for example, seed or Series A).")
    for field in ("jobs_created", "jobs_safeguarded"):
        clean[field] = clean_count(data.get(field), field, errors, most=1_000_000)
    clean["further_bodies"] = clean_text(
        data.get("further_bodies"), "further_bodies", errors, limit=2000
    )
    clean["further_bodies_count"] = (
        clean_count(data.get("further_bodies_count"), "further_bodies_count", errors, most=100_000)
        or 0
    )
    clean["notes"] = clean_text(data.get("notes"), "notes", errors, limit=3000)
    given = data.get("kpi_results") or {}
    if isinstance(given, list):
        given = {str(item.get("kpi_id")): item for item in given if isinstance(item, dict)}
    if not isinstance(given, dict):
        given, errors["kpi_results"] = {}, _("Give a result for each KPI.")
    results = []
    for kpi in trial.kpis.all():
        item = given.get(str(kpi.pk)) or given.get(kpi.pk) or {}
        if not isinstance(item, dict):
            item = {}
        held = item.get("held") or ""
        field = f"kpi_{kpi.pk}"
        if held not in KpiHeld.values:
            errors[field] = _("Say whether “%(name)s” was sustained, improved or fell back.") % {
                "name": kpi.name
            }
            continue
        figure = item.get("figure")
        if figure in (None, ""):
            figure_text = ""
        else:
            try:
                number = Decimal(str(figure).strip())
                if not number.is_finite() or abs(number) >= Decimal("1e10"):
                    raise InvalidOperation
                figure_text = str(number)
            except (InvalidOperation, ValueError):
                errors[f"{field}_figure"] = _("Enter the figure as a number.")
                continue
        results.append(
            {
                "kpi_id": kpi.pk,
                "name": kpi.name,
                "unit": kpi.unit,
                "held": held,
                "figure": figure_text,
                "target": str(kpi.target),
            }
        )
    clean["kpi_results"] = results
    refuse(errors)
    return clean


def _locked_report(report: ImpactReport | int) -> ImpactReport:
    pk = report.pk if isinstance(report, ImpactReport) else report
    return (
        ImpactReport.objects.select_for_update(of=("self",))
        .select_related(
            "adoption__trial__organisation",
            "adoption__trial__testbed__organisation",
            "adoption__trial__programme__team",
            "adoption__trial__booking",
        )
        .get(pk=pk)
    )


@transaction.atomic
def impact_report_submit(*, actor: User, report: ImpactReport, **data: Any) -> ImpactReport:
    """The start-up's report. Once submitted it never changes; after its due day it is
    accepted and marked late. The public body and the programme's officers are told."""
    report = _locked_report(report)
    trial = report.adoption.trial
    require_startup(actor, trial)
    if report.submitted_at is not None:
        raise Conflict(_("This report was submitted and cannot be changed."), code="submitted")
    clean = clean_report(trial, data)
    now = timezone.now()
    for field, value in clean.items():
        setattr(report, field, value)
    report.submitted_at = now
    report.submitted_by = actor
    report.submitted_by_name = actor.get_full_name()
    report.late = timezone.localdate(now) > report.due_on
    report.save()
    record_event(
        actor=actor,
        action="impact_report.submitted",
        target=report,
        organisation=trial.organisation,
        summary=f"{trial.reference}: {report.months} months" + (" (late)" if report.late else ""),
    )
    emit_for_trial(
        "impact_report.submitted",
        trial,
        report_id=report.pk,
        months=report.months,
        late=report.late,
    )
    officers = members_of(trial.programme.team) if trial.programme_id else []
    notify(
        users=members_of(trial.testbed.organisation) + officers,
        subject=gettext_lazy("Impact report (%(months)s months): %(title)s"),
        subject_params={"months": report.months, "title": trial.title},
        template="adoption/notifications/report_submitted.txt",
        context={"trial": trial, "report": report},
        url=report.get_absolute_url(),
    )
    return report


@transaction.atomic
def impact_report_comment(*, actor: User, report: ImpactReport, comment: str) -> ImpactReport:
    """The public body's short confirmation or comment on a submitted report (once)."""
    report = _locked_report(report)
    trial = report.adoption.trial
    require_provider(actor, trial)
    if report.submitted_at is None:
        raise Conflict(_("The report has not been submitted yet."), code="not_submitted")
    if report.provider_comment_at is not None:
        raise Conflict(_("Your comment on this report is already recorded."), code="commented")
    errors: dict = {}
    comment = clean_text(comment, "comment", errors, limit=1000)
    if not comment and "comment" not in errors:
        errors["comment"] = _("Write your confirmation or comment.")
    refuse(errors)
    report.provider_comment = comment
    report.provider_comment_by_name = actor.get_full_name()
    report.provider_comment_at = timezone.now()
    report.save(
        update_fields=["provider_comment", "provider_comment_by_name", "provider_comment_at"]
    )
    record_event(
        actor=actor,
        action="impact_report.commented",
        target=report,
        organisation=trial.testbed.organisation,
        summary=f"{trial.reference}: {report.months} months",
    )
    return report


# Reminders ------------------------------------------------------------------------------


def _open_reports(**filters):
    return ImpactReport.objects.filter(
        submitted_at__isnull=True, adoption__trial__status=TrialStatus.ACCEPTED, **filters
    ).select_related("adoption__trial__organisation", "adoption__trial__programme__team")


def send_reminders(now: datetime.datetime | None = None) -> Counter:
    """Impact reports falling due: to the start-up two weeks before and on the due day, in
    the service and by e-mail. Each reminder has a key, so it is sent once however often the
    job runs; overdue reports also show on the start-up's and the programme's pages."""
    today = timezone.localdate(now or timezone.now())
    sent: Counter = Counter()
    steps = (
        (
            "soon",
            _open_reports(
                due_on__gt=today,
                due_on__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE),
            ),
            gettext_lazy("Impact report due on %(day)s: %(title)s"),
        ),
        (
            "due",
            _open_reports(
                due_on__lte=today, due_on__gte=today - datetime.timedelta(days=DUE_REMINDER_GRACE)
            ),
            gettext_lazy("Impact report due today (%(day)s): %(title)s"),
        ),
    )
    for kind, reports, subject in steps:
        with transaction.atomic():
            for report in reports:
                trial = report.adoption.trial
                sent[kind] += len(
                    notify(
                        users=members_of(trial.organisation),
                        subject=subject,
                        subject_params={
                            "day": report.due_on.strftime("%d/%m/%Y"),
                            "title": trial.title,
                        },
                        template="adoption/notifications/report_due.txt",
                        context={"trial": trial, "report": report, "kind": kind},
                        url=report.get_absolute_url(),
                        key=f"adoption:report:{report.pk}:{kind}",
                    )
                )
    return sent
