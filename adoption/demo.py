"""Demo adoption records for `manage.py seed_demo`: what three accepted trials led to.

- "Connected street lighting on Keel Square": adopted through a framework call-off with a
  notice on Contracts Finder, its 6- and 12-month impact reports submitted, published in
  the outcomes register with its title and summary in English and Welsh, and Cyngor Gwynedd
  (council2@demo.test) interested in it;
- "Waste route planning at the civic centre": procuring, by open tender;
- "Livestock water monitoring on a hill farm" (accepted in the trials' demo): not adopted,
  with reasons.

Every change goes through the services. Like the trials' demo, it takes one liberty: it
moves dates into the past with direct updates (the street lighting trial ran and was
accepted 14 months ago), so reports are due and history has a shape. Safe to run again.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.demo import DemoAccounts
from testbeds.models import TestBed
from trials import services as trial_services
from trials.demo import _finished, _outcome, _provider_of, _ran, _request, _submitted
from trials.models import Trial

from . import services
from .models import Adoption, ImpactReport
from .services.common import add_months

ADOPTED = "Connected street lighting on Keel Square"
PROCURING = "Waste route planning at the civic centre"
NOT_ADOPTED = "Livestock water monitoring on a hill farm"
# The adopted outcome's register entry in Welsh too (core.bilingual): Welsh readers of
# /outcomes/ see it in Welsh; the procuring and not-adopted ones are not in the register.
ADOPTED_CY = "Goleuadau stryd cysylltiedig ar Sgwâr Keel"
SUMMARY_CY = (
    "Roedd goleuadau stryd clyfar ar Sgwâr Keel yn pylu pan oedd y stryd yn wag ac yn "
    "adrodd am eu diffygion eu hunain. Gostyngodd y defnydd o ynni 38%; yna prynodd "
    "Sunderland nhw ar draws y ddinas."
)


def _accept(trial: Trial, accounts: DemoAccounts) -> Trial:
    pack = _submitted(trial, accounts)
    trial_services.pack_review(
        actor=accounts.officer, pack=pack, decision="accepted", comments="Clear evidence."
    )
    trial.refresh_from_db()
    return trial


def _backdate_acceptance(trial: Trial, days_ago: int) -> Adoption:
    """Demo only: as if the evidence had been accepted ``days_ago`` days ago."""
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Trial.objects.filter(pk=trial.pk).update(accepted_at=moment, status_changed_at=moment)
    day = timezone.localdate(moment)
    Adoption.objects.filter(trial=trial).update(accepted_on=day)
    for report in ImpactReport.objects.filter(adoption__trial=trial):
        report.due_on = add_months(day, report.months)
        report.save(update_fields=["due_on"])
    return Adoption.objects.get(trial=trial)


def _kpi_results(trial: Trial) -> list[dict]:
    return [
        {"kpi_id": kpi.pk, "held": "sustained" if index else "improved", "figure": kpi.target}
        for index, kpi in enumerate(trial.kpis.all())
    ]


def _adopted(accounts: DemoAccounts, testbed: TestBed) -> None:
    trial = Trial.objects.filter(organisation=accounts.startup_org, title=ADOPTED).first()
    if trial is None:
        trial = _request(
            accounts,
            testbed,
            ADOPTED,
            "Lamp posts that dim when the street is empty and report faults themselves.",
            days=28,
        )
        trial = _ran(trial, accounts, began_days_ago=470, scene="street", seed=201)
        trial_services.trial_complete(actor=accounts.startup, trial=trial)
        trial.refresh_from_db()
    if trial.status == "completed":
        _outcome(trial, accounts)
        trial = _accept(trial, accounts)
    if trial.status != "accepted":
        return
    adoption = _backdate_acceptance(trial, days_ago=14 * 30 + 5)
    provider = _provider_of(trial.testbed, accounts)
    if adoption.version == 0:
        services.adoption_decide(
            actor=provider,
            adoption=adoption,
            status="procuring",
            route="framework",
            framework_name="Crown Commercial Service RM6263 Digital Specialists",
        )
        services.adoption_decide(
            actor=provider,
            adoption=adoption,
            status="adopted",
            route="framework",
            framework_name="Crown Commercial Service RM6263 Digital Specialists",
            notice_url="https://www.contractsfinder.service.gov.uk/Notice/demo-keel-square",
            contract_value="184500.00",
            start_date=adoption.accepted_on + datetime.timedelta(days=60),
            sites=420,
            population=277000,
            note="City-wide roll-out over two years.",
        )
    for months, contracts, investment in (
        (6, [{"buyer": "Gateshead Council", "value": "48000", "days_after": 120}], "350000"),
        (12, [{"buyer": "Durham County Council", "value": "96000", "days_after": 300}], "1200000"),
    ):
        report = adoption.reports.get(months=months)
        if report.submitted_at is not None:
            continue
        services.impact_report_submit(
            actor=accounts.startup,
            report=report,
            contracts=[
                {
                    "buyer": c["buyer"],
                    "value": c["value"],
                    "date": adoption.accepted_on + datetime.timedelta(days=c["days_after"]),
                    "link": "https://www.contractsfinder.service.gov.uk/Notice/demo",
                }
                for c in contracts
            ],
            investment=investment,
            investment_round="Seed" if months == 6 else "Series A",
            jobs_created=4 if months == 6 else 9,
            jobs_safeguarded=2,
            further_bodies="Gateshead Council; Durham County Council",
            further_bodies_count=months // 6,
            kpi_results=_kpi_results(trial),
        )
        # Demo only: submitted on time, a week before it was due.
        on_time = datetime.datetime.combine(
            report.due_on - datetime.timedelta(days=7),
            datetime.time(10),
            timezone.get_current_timezone(),
        )
        ImpactReport.objects.filter(pk=report.pk).update(submitted_at=on_time, late=False)
    six = adoption.reports.get(months=6)
    if not six.provider_comment_at:
        services.impact_report_comment(
            actor=provider, report=six, comment="Confirmed: the lights are live on 420 streets."
        )
    adoption.refresh_from_db()
    summary = (
        "Smart street lights on Keel Square dimmed when the street was empty and reported "
        "their own faults. Energy use fell by 38%; Sunderland then bought them city-wide."
    )
    if adoption.startup_consent_at is None or not adoption.register_summary_cy:
        services.consent_set(
            actor=accounts.startup,
            adoption=adoption,
            party="startup",
            agree=True,
            summary=summary,
            title_cy=ADOPTED_CY,
            summary_cy=SUMMARY_CY,
        )
    if adoption.provider_consent_at is None:
        services.consent_set(actor=provider, adoption=adoption, party="provider", agree=True)
    services.contact_email_set(
        actor=accounts.startup, adoption=adoption, email="partnerships@wearwell.example"
    )
    adoption.refresh_from_db()
    if not adoption.interests.filter(organisation=accounts.council2_body).exists():
        services.interest_register(
            actor=accounts.council2,
            adoption=adoption,
            note="Hoffem dreialu hyn ar yr harbwr yng Nghaernarfon.",
        )


def _procuring(accounts: DemoAccounts, testbed: TestBed) -> None:
    trial = Trial.objects.filter(organisation=accounts.startup_org, title=PROCURING).first()
    if trial is None:
        trial = _request(
            accounts,
            testbed,
            PROCURING,
            "Route planning for the civic centre's waste collections from live fill levels.",
            days=21,
        )
        trial = _finished(trial, accounts, scene="lab", seed=202)
    if trial.status == "completed":
        trial = _accept(trial, accounts)
    if trial.status != "accepted":
        return
    adoption = _backdate_acceptance(trial, days_ago=60)
    if adoption.version == 0:
        services.adoption_decide(
            actor=_provider_of(trial.testbed, accounts),
            adoption=adoption,
            status="procuring",
            route="open_tender",
            notice_url="https://www.find-tender.service.gov.uk/Notice/demo-civic-centre",
            value_band="100k_500k",
        )


def _not_adopted(accounts: DemoAccounts) -> None:
    trial = Trial.objects.filter(
        organisation=accounts.startup_org, title=NOT_ADOPTED, status="accepted"
    ).first()
    if trial is None:
        return
    adoption = services.adoption_open(trial)
    if adoption.version == 0:
        services.adoption_decide(
            actor=_provider_of(trial.testbed, accounts),
            adoption=adoption,
            status="not_adopted",
            reasons=["integration", "no_budget"],
            note="Would need the farm management system to take the alerts; no budget this year.",
        )


def seed_adoption(accounts: DemoAccounts, testbeds: list[TestBed]) -> None:
    by_name = {t.name: t for t in testbeds}
    _adopted(accounts, by_name["Sunderland 5G Smart Street"])
    _procuring(accounts, by_name["Sunderland Civic Centre Digital Twin Floor"])
    _not_adopted(accounts)
