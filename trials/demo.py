"""Demo trials in every state of the lifecycle, for `manage.py seed_demo`. Safe to run again.

Every state change goes through the services. Trials that should look as if they ran
in the past are requested for future dates (the rules allow nothing else), approved,
and then have their booking moved back with a direct update: the one liberty the demo
takes, so that start dates, measurements and packs have a history to show.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DemoAccounts
from accounts.models import User
from testbeds.availability import rebuild_free_runs
from testbeds.demo_images import demo_photo
from testbeds.models import Booking, TestBed

from . import services
from .models import Trial

ONE_DAY = datetime.timedelta(days=1)


def _today() -> datetime.date:
    return timezone.localdate()


def _provider_of(testbed: TestBed, accounts: DemoAccounts) -> User:
    return accounts.provider if testbed.organisation == accounts.provider_body else accounts.admin


def _request(
    accounts: DemoAccounts, testbed: TestBed, title: str, summary: str, days: int, programme=True
) -> Trial:
    start = _today() + datetime.timedelta(days=max(testbed.notice_days, 1) + 7)
    length = max(days, testbed.min_days)
    # One live request per start-up, test bed and day: after the start-up's own, if any.
    while existing := services.live_request_overlapping(
        accounts.startup_org, testbed, start, start + datetime.timedelta(days=length)
    ):
        start = existing.booking.end
    return services.trial_request(
        actor=accounts.startup,
        organisation=accounts.startup_org,
        testbed=testbed,
        title=title,
        summary=summary,
        first_day=start,
        last_day=start + datetime.timedelta(days=length - 1),
        answers={},
        programme=accounts.programme if programme else None,
    )


def _approve(trial: Trial, accounts: DemoAccounts) -> Trial:
    if trial.status == "requested":
        services.trial_approve(
            actor=_provider_of(trial.testbed, accounts), trial=trial, note="Welcome aboard."
        )
        trial.refresh_from_db()
    return trial


def _move_into_past(trial: Trial, first_day_offset: int) -> None:
    """Demo only: shift the booking so the trial began `first_day_offset` days ago."""
    booking = trial.booking
    length = booking.end - booking.start
    start = _today() - datetime.timedelta(days=first_day_offset)
    unit = booking.unit
    if booking.status == Booking.Status.CONFIRMED:
        # Keep the capacity rule (and PostgreSQL's exclusion constraint) in the past too: a
        # unit free over the new days, or the same length earlier until one is.
        for _attempt in range(24):
            taken = set(
                Booking.objects.filter(
                    testbed_id=booking.testbed_id,
                    status=Booking.Status.CONFIRMED,
                    start__lt=start + length,
                    end__gt=start,
                )
                .exclude(pk=booking.pk)
                .values_list("unit", flat=True)
            )
            free = [n for n in range(1, booking.testbed.capacity + 1) if n not in taken]
            if free:
                unit = free[0]
                break
            start -= length
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + length, unit=unit)
    rebuild_free_runs([booking.testbed_id])
    trial.refresh_from_db()


def _plan(trial: Trial, accounts: DemoAccounts, product: str, objectives: str) -> None:
    services.trial_update_plan(
        actor=accounts.startup,
        trial=trial,
        product_name=product,
        problem_statement="Council teams find out about problems only when residents report them.",
        objectives=objectives,
        hypothesis="Live sensor data lets teams act before residents notice.",
        setting_and_participants="The test bed's site, its staff and the residents who use it.",
        trl_start=6,
        trl_target=8,
        approvals={
            "dpia": {"status": "in-place", "note": "Signed off by the council's DPO."},
            "data-sharing": {"status": "in-place", "note": ""},
            "ethics": {"status": "not-needed", "note": ""},
            "insurance": {"status": "in-place", "note": "Public liability £5m."},
            "clinical-safety": {"status": "not-needed", "note": ""},
        },
    )


KPIS = [
    ("Overflow reports per week", "reports", 30, 10, "lower", [26, 19, 14, 11]),
    ("Collections avoided", "%", 0, 20, "higher", [6, 12, 17, 22]),
    ("Sensor uptime", "%", 90, 99, "higher", [97, 98, 99.2, 99.5]),
]


def _measure(trial: Trial, accounts: DemoAccounts, weeks: int) -> None:
    for name, unit, baseline, target, direction, values in KPIS:
        kpi = services.kpi_add(
            actor=accounts.startup,
            trial=trial,
            name=name,
            unit=unit,
            baseline=baseline,
            target=target,
            direction=direction,
            method="Weekly export from the platform, checked by the provider.",
            data_source="Wearwell dashboard",
        )
        for week, value in enumerate(values[:weeks]):
            day = trial.booking.start + datetime.timedelta(days=7 * week + 6)
            services.measurement_add(
                actor=accounts.startup,
                kpi=kpi,
                value=value,
                date=min(day, _today()),
                note=f"Week {week + 1}",
            )


def _log(trial: Trial, accounts: DemoAccounts) -> None:
    services.log_entry_add(
        actor=accounts.startup,
        trial=trial,
        text="All sensors fitted and reporting. Two needed re-mounting after the first week.",
        date=min(trial.booking.start + ONE_DAY, _today()),
    )
    services.log_entry_add(
        actor=_provider_of(trial.testbed, accounts),
        trial=trial,
        text="Site staff report the installation was tidy and caused no disruption.",
        date=min(trial.booking.start + datetime.timedelta(days=3), _today()),
    )


def _photo(trial: Trial, accounts: DemoAccounts, scene: str, seed: int) -> None:
    upload = SimpleUploadedFile("site.jpg", demo_photo(scene, seed), content_type="image/jpeg")
    services.evidence_file_add(
        actor=accounts.startup, trial=trial, upload=upload, caption="The trial in place on site"
    )
    csv = io.BytesIO(b"week,overflow_reports\n1,26\n2,19\n3,14\n4,11\n")
    csv.name = "weekly-overflows.csv"
    services.evidence_file_add(
        actor=accounts.startup,
        trial=trial,
        upload=SimpleUploadedFile("weekly-overflows.csv", csv.getvalue(), content_type="text/csv"),
        caption="Weekly overflow reports exported from the platform",
    )


def _outcome(trial: Trial, accounts: DemoAccounts) -> None:
    services.trial_update_outcome(
        actor=accounts.startup,
        trial=trial,
        outcome_summary=(
            "Overflow reports fell from 30 to 11 a week and 22% of collections were avoided."
        ),
        trl_achieved=8,
        user_feedback=(
            "Crews liked planning rounds from the map; residents noticed cleaner streets."
        ),
        lessons_learned="Mount sensors higher on communal bins; agree data access before day one.",
        safety_incidents="None",
        inclusion_notes="Route changes were checked with the council's accessibility officer.",
        environmental_notes="Fewer collection runs saved an estimated 1.2 tonnes of CO2.",
        recommendation="scale",
        next_steps="Procure through the council's smart city framework.",
    )


def _ran(
    trial: Trial, accounts: DemoAccounts, began_days_ago: int, scene: str, seed: int, weeks: int = 4
) -> Trial:
    trial = _approve(trial, accounts)
    _move_into_past(trial, began_days_ago)
    services.trial_start(actor=accounts.startup, trial=trial)
    _plan(
        trial,
        accounts,
        "BinSense",
        "Cut overflowing bins by two thirds.\nAvoid a fifth of collections.",
    )
    _measure(trial, accounts, weeks)
    _log(trial, accounts)
    _photo(trial, accounts, scene, seed)
    trial.refresh_from_db()
    return trial


def _finished(trial: Trial, accounts: DemoAccounts, scene: str, seed: int) -> Trial:
    trial = _ran(trial, accounts, began_days_ago=trial.booking.days + 5, scene=scene, seed=seed)
    services.trial_complete(actor=accounts.startup, trial=trial)
    _outcome(trial, accounts)
    trial.refresh_from_db()
    return trial


def _submitted(trial: Trial, accounts: DemoAccounts):
    """Submit, and render the pack now: reviews need it ready, and the demo should not wait
    for a broker (rendering is idempotent, so the task queued on commit then does nothing)."""
    from .tasks import render_pack

    pack = services.trial_submit(actor=accounts.startup, trial=trial)
    render_pack(pack.pk)
    pack.refresh_from_db()
    return pack


def seed_trials(accounts: DemoAccounts, testbeds: list[TestBed]) -> None:
    by_name = {t.name: t for t in testbeds}
    existing = set(
        Trial.objects.filter(organisation=accounts.startup_org).values_list("title", flat=True)
    )

    def new(title: str) -> bool:
        return title not in existing

    if new("Air quality sensing on Keel Square"):
        _request(
            accounts,
            by_name["Sunderland 5G Smart Street"],
            "Air quality sensing on Keel Square",
            "Low-cost NO2 and particulate sensors on 12 lamp posts, reporting over 5G.",
            days=28,
        )
    if new("Visitor flow counting in Mowbray Park"):
        _request(
            accounts,
            by_name["Mowbray Park Living Lab"],
            "Visitor flow counting in Mowbray Park",
            "Privacy-preserving people counters at the park's four gates.",
            days=21,
        )
    if new("Smart bins at the bus depot"):
        trial = _request(
            accounts,
            by_name["Hendon Bus Depot Charging Hub"],
            "Smart bins at the bus depot",
            "Fill-level sensors on the depot's 40 bins to plan collections.",
            days=42,
        )
        _ran(trial, accounts, began_days_ago=20, scene="depot", seed=101, weeks=3)
    if new("Energy dashboards for the civic centre"):
        trial = _request(
            accounts,
            by_name["Sunderland Civic Centre Digital Twin Floor"],
            "Energy dashboards for the civic centre",
            "Live energy dashboards on the digital twin floor, with nudges for staff.",
            days=28,
        )
        _finished(trial, accounts, scene="lab", seed=102)
    if new("Connected bins on the bus corridor"):
        trial = _request(
            accounts,
            by_name["Greater Manchester Bus Corridor"],
            "Connected bins on the bus corridor",
            "Fill-level sensors on bins at 30 bus stops along the corridor.",
            days=28,
        )
        trial = _finished(trial, accounts, scene="street", seed=103)
        _submitted(trial, accounts)
    if new("Retrofit monitoring in Salford"):
        trial = _request(
            accounts,
            by_name["Salford Energy House Field Site"],
            "Retrofit monitoring in Salford",
            "Sensors that tell residents when a retrofit is performing as designed.",
            days=21,
        )
        trial = _finished(trial, accounts, scene="lab", seed=104)
        pack = _submitted(trial, accounts)
        services.pack_review(
            actor=accounts.officer,
            pack=pack,
            decision="changes_requested",
            comments="Please add the survey of residents you mention in the outcome.",
        )
    if new("Livestock water monitoring on a hill farm"):
        trial = _request(
            accounts,
            by_name["Cumbria Hill Farm Connectivity Trial Site"],
            "Livestock water monitoring on a hill farm",
            "Trough level sensors over private 5G, alerting the farmer's phone.",
            days=28,
        )
        trial = _finished(trial, accounts, scene="farm", seed=105)
        pack = _submitted(trial, accounts)
        services.pack_review(
            actor=accounts.officer,
            pack=pack,
            decision="accepted",
            comments="Clear evidence against every KPI.",
        )


def render_waiting_packs() -> None:
    """Render packs still waiting (their on-commit task never ran, e.g. inside a test)."""
    from .models import EvidencePack
    from .tasks import render_pack

    for pack_id in EvidencePack.objects.filter(state="preparing").values_list("pk", flat=True):
        render_pack(pack_id)
