"""Hostile input: each case gets a clear 4xx (or is rendered inert) and stores nothing."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from testbeds.models import TestBed
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    enrolled,
)
from trials import services
from trials.models import EvidenceFile, Trial
from trials.tasks import render_pack

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SCRIPT = "<script>alert('tbx')</script>"
PAYLOADS = [
    SCRIPT,
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<b>bold</b><font size=80>big</font><para>x</para><img src='/etc/passwd'/>",
    "javascript:alert(1)",
    "Evil\u202egnp.exe",  # right-to-left override
    "{{ 7*7 }} {% debug %}",
]


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def hostile_trial(django_capture_on_commit_callbacks):
    """A trial whose every free-text field carries hostile text, all the way to a pack."""
    text = " ".join(PAYLOADS)
    startup = MembershipFactory(
        organisation=OrganisationFactory(start_up=True, name=SCRIPT), admin=True
    )
    testbed = TestBedFactory(name=f"Bed {SCRIPT}", summary=text, description=text)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    programme = ProgrammeFactory(name=f"Prog {SCRIPT}")
    officer = MembershipFactory(organisation=programme.team)
    with django_capture_on_commit_callbacks(execute=True):
        trial = services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title=f"Trial {SCRIPT}",
            summary=text,
            first_day=TODAY,
            last_day=d(5),
            programme=enrolled(startup.organisation, programme),
        )
        services.trial_approve(actor=provider.user, trial=trial, note=text)
    services.trial_start(actor=startup.user, trial=trial)
    services.trial_update_plan(
        actor=startup.user, trial=trial, objectives=text, problem_statement=text
    )
    kpi = services.kpi_add(
        actor=startup.user, trial=trial, name=f"KPI {SCRIPT}", baseline=0, target=1, unit="<u>"
    )
    services.measurement_add(actor=startup.user, kpi=kpi, value=1, date=TODAY, note=text)
    services.log_entry_add(actor=startup.user, trial=trial, text=text)
    services.trial_complete(actor=startup.user, trial=trial)
    services.trial_update_outcome(
        actor=startup.user,
        trial=trial,
        outcome_summary=text,
        trl_achieved=7,
        lessons_learned=text,
        safety_incidents=text,
        recommendation="adapt",
    )
    services.trial_update_plan(actor=startup.user, trial=trial, trl_start=6)
    pack = services.trial_submit(actor=startup.user, trial=trial)
    render_pack(pack.pk)
    services.trial_request(  # left waiting, so the provider's queue shows a hostile request
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title=f"Waiting {SCRIPT}",
        summary=text,
        first_day=d(20),
        last_day=d(27),
    )
    trial.refresh_from_db()
    return {
        "trial": trial,
        "startup": startup,
        "provider": provider,
        "officer": officer,
        "pack": pack,
    }


def assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert "<img src=x onerror" not in html
    assert "<svg onload" not in html
    assert "&lt;script&gt;" in html  # the text is there, escaped


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("startup", "trial"),
        ("provider", "trial"),
        ("officer", "trial"),
        ("officer", "programme"),
        ("startup", "trials"),
        ("provider", "queue"),
        ("provider", "dashboard"),
        ("anonymous", "catalogue"),
        ("anonymous", "testbed"),
        ("anonymous", "verify"),
    ],
)
def test_markup_in_every_text_field_is_inert_in_pages(client, hostile_trial, who, page):
    trial = hostile_trial["trial"]
    if who != "anonymous":
        client.force_login(hostile_trial[who].user)
    url = {
        "trial": trial.get_absolute_url(),
        "programme": reverse("programmes:detail", args=[trial.programme_id]),
        "trials": reverse("trials:list"),
        "queue": reverse("trials:approval_queue"),
        "dashboard": reverse("provider_dashboard"),
        "catalogue": reverse("testbeds:catalogue") + "?q=" + "bed",
        "testbed": trial.testbed.get_absolute_url(),
        "verify": reverse("verify", args=[hostile_trial["pack"].code]),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_markup_is_plain_text_in_emails(hostile_trial):
    bodies = [message.body for message in mail.outbox]
    assert any(SCRIPT in body for body in bodies)  # the text arrives as written...
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None)  # ...in plain text: nothing renders it
        assert "&lt;" not in message.body and "&#x27;" not in message.body, message.subject


def test_markup_is_literal_in_calendar_feeds(client, hostile_trial):
    testbed = hostile_trial["trial"].testbed
    response = client.get(reverse("testbed_calendar", args=[testbed.calendar_token]))
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert events
    for event in events:
        assert SCRIPT in str(event["summary"])  # shown as text by calendar apps; no HTML part
    assert "X-ALT-DESC" not in response.content.decode()


def test_markup_is_literal_in_the_pdf(hostile_trial):
    pack = hostile_trial["pack"]
    pack.refresh_from_db()
    with pack.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "<script>alert('tbx')</script>" in text
    assert "<font size=80>big</font>" in text  # reportlab markup shown, not obeyed


def test_exports_neutralise_formulas_from_hostile_titles(client, hostile_trial):
    trial = hostile_trial["trial"]
    Trial.objects.filter(pk=trial.pk).update(title="=cmd|' /C calc'!A0")
    client.force_login(hostile_trial["officer"].user)
    response = client.get(f"/api/v1/programmes/{trial.programme_id}/report.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=cmd|" in text


@pytest.fixture
def startup_client(client, startup):
    client.force_login(startup.user)
    return client


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Air\x00quality", "Null characters are not allowed."),
        ("summary", "x\x00", "Null characters are not allowed."),
        ("title", "x" * 5000, "at most 200 characters"),
        ("first_day", "2027-02-30", "First day must be a real date"),
        ("first_day", "not-a-date", "First day must be a real date"),
        ("last_day", "0000-00-00", "Last day must be a real date"),
        ("first_day", "9999999-01-01", "First day must be a real date"),
    ],
)
def test_bad_request_form_input_gets_a_message_and_stores_nothing(
    startup_client, field, value, message
):
    testbed = TestBedFactory()
    data = {"title": "Trial", "summary": "S", "first_day": d(10), "last_day": d(20), field: value}
    response = startup_client.post(reverse("trials:request", args=[testbed.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Trial.objects.exists()


def test_reversed_range_gets_a_message(startup_client):
    testbed = TestBedFactory()
    data = {"title": "T", "summary": "S", "first_day": d(20), "last_day": d(10)}
    response = startup_client.post(reverse("trials:request", args=[testbed.slug]), data)
    assert response.status_code == 400
    assert "on or after the first day" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "T\x00", "summary": "S"},
        {"title": "T", "summary": "S", "first_day": "2027-13-01"},
        {"title": ["list"], "summary": {"dict": 1}},
        {"title": "T" * 100_000, "summary": "S"},
        {"title": "T", "summary": "S", "answers": {"1": "x" * 10_000}},
        {"title": "T", "summary": "S", "first_day": "2027-01-10", "last_day": "2026-01-10"},
    ],
)
def test_bad_api_input_answers_4xx_and_stores_nothing(startup_client, body):
    testbed = TestBedFactory()
    payload = {"testbed": testbed.slug, "first_day": str(d(10)), "last_day": str(d(20)), **body}
    response = startup_client.post("/api/v1/trials/", payload, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "message" in response.json()
    assert not Trial.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"title": "\\ud800"}', b"\xff\xfe\x00garbage", b"[]", b"null"],
)
def test_malformed_json_answers_400(startup_client, raw):
    response = startup_client.generic(
        "POST", "/api/v1/trials/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Trial.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"q": "x" * 10_000},
        {"q": "' OR 1=1 --"},
        {"q": "& | ! <-> :*"},
        {"trl": "-1"},
        {"region": "../../etc"},
        {"available_from": "2027-01-01", "available_to": "2026-01-01"},
        {"available_from": "2027-01-01", "available_to": "2099-01-01"},
        {"page": "99999"},
        {"page": "-1"},
        {"sort": "; DROP TABLE"},
    ],
)
def test_hostile_catalogue_queries_never_fail(client, query):
    TestBedFactory()
    # Bad filters are a 400 with the error on the field (issue 21, item 6), never a 500.
    assert client.get(reverse("testbeds:catalogue"), query).status_code in (200, 400)
    assert client.get("/api/v1/testbeds/", query).status_code in (200, 400, 404)
    assert TestBed.objects.count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"programme": "²"},  # str.isdigit() says yes, int() says no
        {"programme": "9" * 30},
        {"status": "<b>"},
        {"testbed": "\x00"},
    ],
)
def test_hostile_trial_list_filters_never_fail(startup_client, query):
    assert startup_client.get("/trials/", query).status_code == 200
    assert startup_client.get("/api/v1/trials/", query).status_code == 200
    for pk in ("²", "9" * 30):
        assert startup_client.get(f"/api/v1/trials/{pk}/").status_code == 404


def zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/bomb.bin", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(120):
                member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", zip_bomb_docx()),
        ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("data.csv", b"<html><script>alert(1)</script></html>"),
        ("doc.pdf", b"%PDF-1.4\n1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n%%EOF\n"),
        ("x.exe", b"MZ\x90\x00"),
        ("empty.pdf", b""),
    ],
)
def test_hostile_evidence_uploads_are_refused(client, startup, provider, name, content):
    testbed = TestBedFactory(organisation=provider.organisation)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="T",
        summary="S",
        first_day=TODAY,
        last_day=d(3),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:file_add", args=[trial.pk]),
        {"file": SimpleUploadedFile(name, content), "caption": "Hostile"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not EvidenceFile.objects.exists()
