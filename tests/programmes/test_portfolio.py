import csv
import datetime
import io
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Notification
from programmes import portfolio
from testbeds.models import Blackout, Booking
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, TestBedFactory
from trials import reminders
from trials.models import Kpi, Measurement, Trial

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def make_trial(programme, *, status="active", testbed=None, start=0, end=10, **fields) -> Trial:
    """A trial straight into the tables: these tests are about reading the figures."""
    testbed = testbed or TestBedFactory()
    startup = OrganisationFactory(start_up=True)
    booking = Booking.objects.create(
        testbed=testbed,
        organisation=startup,
        start=day(start),
        end=day(end),
        status="confirmed" if status not in ("requested", "declined") else "pending",
        unit=None
        if status in ("requested", "declined")
        else 1 + Booking.objects.filter(testbed=testbed).count(),
    )
    return Trial.objects.create(
        organisation=startup,
        testbed=testbed,
        booking=booking,
        programme=programme,
        title=fields.pop("title", "A trial"),
        summary="x",
        status=status,
        **fields,
    )


def kpi(trial, *, baseline, target, direction="higher", values=()):
    item = Kpi.objects.create(
        trial=trial, name="K", baseline=baseline, target=target, direction=direction
    )
    for offset, value in enumerate(values):
        Measurement.objects.create(kpi=item, value=value, date=day(-10 + offset))
    return item


@pytest.fixture
def programme():
    return ProgrammeFactory()


def test_kpi_success_counts_only_submitted_trials(programme):
    submitted = make_trial(programme, status="submitted")
    kpi(submitted, baseline=10, target=20, values=[15, 21])  # met (latest 21)
    kpi(submitted, baseline=10, target=20, values=[25, 12])  # not met (latest 12)
    kpi(submitted, baseline=40, target=30, direction="lower", values=[29])  # met
    kpi(submitted, baseline=1, target=2)  # never measured: not met
    accepted = make_trial(programme, status="accepted")
    kpi(accepted, baseline=0, target=5, values=[5])  # met
    running = make_trial(programme, status="active")
    kpi(running, baseline=0, target=5, values=[9])  # not counted: not submitted
    success = portfolio.kpi_success(Trial.objects.filter(programme=programme))
    assert (success.kpis, success.measured, success.met) == (5, 4, 3)
    assert success.share == pytest.approx(0.6)


def test_medians_from_request_to_decision_and_completion_to_acceptance(programme):
    for hours in [24, 48, 72, 240]:  # median of 1, 2, 3, 10 days = 2.5 days
        trial = make_trial(programme, status="approved")
        Trial.objects.filter(pk=trial.pk).update(
            created_at=NOW - datetime.timedelta(days=30),
            decided_at=NOW - datetime.timedelta(days=30) + datetime.timedelta(hours=hours),
        )
    for days in [5, 9, 20]:  # median 9 days
        trial = make_trial(programme, status="accepted")
        Trial.objects.filter(pk=trial.pk).update(
            completed_at=NOW - datetime.timedelta(days=40),
            accepted_at=NOW - datetime.timedelta(days=40 - days),
        )
    figures = portfolio.programme_figures(programme, portfolio.PortfolioFilter())
    assert figures.median_days_to_decision == 2.5
    assert figures.median_days_to_acceptance == 9.0


def test_breakdowns_and_filters(programme):
    north = TestBedFactory(region="north-east", sectors=["transport"])
    wales = TestBedFactory(region="wales", sectors=["health-care", "transport"])
    make_trial(programme, testbed=north, status="active")
    make_trial(programme, testbed=north, status="requested", start=100, end=110)
    make_trial(programme, testbed=wales, status="accepted", trl_start=6, trl_achieved=8)
    make_trial(ProgrammeFactory(), testbed=wales, status="active")  # another programme
    figures = portfolio.programme_figures(programme, portfolio.PortfolioFilter())
    assert figures.total == 3
    assert {code: n for code, _label, n in figures.by_status if n} == {
        "active": 1,
        "requested": 1,
        "accepted": 1,
    }
    assert {code: n for code, _label, n in figures.by_region} == {"north-east": 2, "wales": 1}
    assert {code: n for code, _label, n in figures.by_sector} == {"transport": 3, "health-care": 1}
    assert figures.trl.gains == {2: 1}
    only_wales = portfolio.programme_figures(programme, portfolio.PortfolioFilter(region="wales"))
    assert only_wales.total == 1
    period = portfolio.PortfolioFilter(period_start=day(50), period_end=day(200))
    assert portfolio.programme_figures(programme, period).total == 1


def test_utilisation_excludes_blackouts(provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    first, last = day(0), day(9)  # 10 days
    Blackout.objects.create(
        testbed=testbed, start=day(8), end=day(12), reason="Works"
    )  # 2 days inside
    startup = OrganisationFactory(start_up=True)
    Booking.objects.create(
        testbed=testbed, organisation=startup, start=day(-5), end=day(3), status="confirmed", unit=1
    )
    Booking.objects.create(
        testbed=testbed, organisation=startup, start=day(2), end=day(30), status="confirmed", unit=2
    )
    Booking.objects.create(
        testbed=testbed, organisation=startup, start=day(0), end=day(5), status="pending"
    )
    (row,) = portfolio.utilisation(type(testbed).objects.filter(pk=testbed.pk), first, last)
    # Booked place-days: 3 (days 0–2) + 8 (days 2–9); bookable: (10 − 2 closed) × 2 places.
    assert (row.booked_days, row.bookable_days) == (11, 16)
    assert row.share == pytest.approx(11 / 16)


def test_current_quarter():
    assert portfolio.current_quarter(datetime.date(2026, 11, 26)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert portfolio.current_quarter(datetime.date(2027, 2, 3)) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 3, 31),
    )


def test_programme_page_for_its_officers_only(client, programme):
    officer = MembershipFactory(organisation=programme.team)
    other = MembershipFactory(organisation=OrganisationFactory(programme_team=True))
    make_trial(programme, status="submitted", submitted_at=NOW)
    client.force_login(officer.user)
    page = client.get(reverse("programmes:detail", args=[programme.pk]))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    client.force_login(other.user)
    assert client.get(reverse("programmes:detail", args=[programme.pk])).status_code == 404
    assert client.get(f"/api/v1/programmes/{programme.pk}/report.csv").status_code == 404
    assert client.get(reverse("programmes:summary_pdf", args=[programme.pk])).status_code == 404


def test_programme_page_queries_do_not_grow(client, programme):
    officer = MembershipFactory(organisation=programme.team)
    client.force_login(officer.user)

    def queries() -> int:
        url = reverse("programmes:detail", args=[programme.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(3):
        kpi(
            make_trial(programme, status="submitted", submitted_at=NOW),
            baseline=0,
            target=1,
            values=[1],
        )
    small = queries()
    for _ in range(20):
        kpi(make_trial(programme, status="accepted"), baseline=0, target=1, values=[0])
        make_trial(programme, status="completed", completed_at=NOW - datetime.timedelta(days=60))
    assert queries() == small


def test_exports_neutralise_formulas(client, programme):
    officer = MembershipFactory(organisation=programme.team)
    trial = make_trial(programme, status="submitted", title='=HYPERLINK("x")')
    kpi(trial, baseline=-3, target=5, values=[6])
    client.force_login(officer.user)
    response = client.get(f"/api/v1/programmes/{programme.pk}/report.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == '\'=HYPERLINK("x")'
    assert rows[0]["baseline"] == "-3"  # a number, not neutralised text
    assert rows[0]["met"] == "Yes"
    data = json.loads(client.get(f"/api/v1/programmes/{programme.pk}/report.json").content)
    assert data["trials"][0]["title"] == '=HYPERLINK("x")'  # JSON carries the text as it is
    assert data["trials"][0]["kpis"][0]["met"] is True


def test_summary_pdf_is_one_page(client, programme):
    officer = MembershipFactory(organisation=programme.team)
    make_trial(programme, status="active")
    client.force_login(officer.user)
    response = client.get(reverse("programmes:summary_pdf", args=[programme.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert programme.name in reader.pages[0].extract_text()


def test_provider_dashboard(client, provider):
    testbed = TestBedFactory(organisation=provider.organisation, name="Harbour")
    make_trial(None, testbed=testbed, status="active", start=-2, end=5)
    client.force_login(provider.user)
    page = client.get(reverse("provider_dashboard"))
    html = page.content.decode()
    assert "Harbour" in html
    assert page.context["utilisation"][0].booked_days > 0


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2027-03-01", "2027-01-01", "The end date must be on or after the start date."),
        ("2020-01-01", "2027-01-01", "Choose a period of at most three years."),
    ],
)
def test_provider_dashboard_says_why_a_period_is_not_used(client, provider, start, end, message):
    client.force_login(provider.user)
    page = client.get(reverse("provider_dashboard"), {"period_start": start, "period_end": end})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert page.context["period"] == portfolio.current_quarter()


def test_reminders_go_once_to_the_right_people(
    startup, provider, programme, django_capture_on_commit_callbacks
):
    officer = MembershipFactory(organisation=programme.team)
    testbed = TestBedFactory(organisation=provider.organisation)
    starting = make_trial(programme, testbed=testbed, status="approved", start=3, end=10)
    starting.organisation = startup.organisation
    starting.save()
    overdue = make_trial(
        programme, status="completed", completed_at=NOW - datetime.timedelta(days=45)
    )
    startup_of_overdue = MembershipFactory(organisation=overdue.organisation)
    waiting = make_trial(
        programme, status="submitted", submitted_at=NOW - datetime.timedelta(days=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_reminders()
    assert first["starting"] == 2  # the start-up's admin and the provider's admin
    assert first["evidence_overdue"] == 2  # the start-up member and the officer
    assert first["reviews_waiting"] == 1  # the officer
    recipients = {n.user for n in Notification.objects.filter(key__contains=f":{starting.pk}:")}
    assert recipients == {startup.user, provider.user}
    assert set(
        Notification.objects.filter(key__contains=f"overdue:{overdue.pk}").values_list(
            "user", flat=True
        )
    ) == {
        startup_of_overdue.user.pk,
        officer.user.pk,
    }
    assert (
        Notification.objects.filter(key__contains=f"review:{waiting.pk}").get().user == officer.user
    )
    emails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_reminders()
    assert sum(second.values()) == 0
    assert len(mail.outbox) == emails


def test_notifications_page_and_unread_count(client, startup):
    Notification.objects.create(
        user=startup.user, subject="Trial approved: X", body="Good news", url="/trials/"
    )
    client.force_login(startup.user)
    home = client.get("/")
    assert home.context["unread_notifications"] == 1
    page = client.get(reverse("accounts:notifications"))
    assert "Trial approved: X" in page.content.decode()
    assert client.get("/").context["unread_notifications"] == 0
