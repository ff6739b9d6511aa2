"""The adoption pages: who sees what (404 for everyone else), forms that refuse bad input
with a field error and save nothing, the register with filters, search, downloads and feed,
and query counts that do not grow with the rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from adoption import services
from adoption.models import Adoption
from tests.adoption.conftest import accepted_trial, adopted, d, publish
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def client_for(client, membership):
    client.force_login(membership.user)
    return client


def test_the_trial_page_links_to_the_adoption_record_for_the_parties(client, world):
    url = world.trial.get_absolute_url()
    page = client_for(client, world.startup).get(url)
    assert page.status_code == 200 and "What happened next" in page.text
    assert world.adoption.get_absolute_url() in page.text


@pytest.mark.parametrize(
    "who, status",
    [
        ("startup", 200),
        ("provider", 200),
        ("officer", 200),
        ("other_body", 404),
        ("other_startup", 404),
    ],
)
def test_only_parties_officers_and_staff_see_the_record(client, world, who, status):
    client_for(client, getattr(world, who))
    assert client.get(world.adoption.get_absolute_url()).status_code == status
    report = world.adoption.reports.get(months=6)
    assert client.get(report.get_absolute_url()).status_code == status


def test_staff_see_the_record(client, world, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(world.adoption.get_absolute_url()).status_code == 200


def test_the_public_body_records_procuring_then_adopted(client, world):
    client_for(client, world.provider)
    url = f"/trials/{world.trial.pk}/adoption/decide/"
    response = client.post(url, {"status": "procuring", "route": "open_tender"})
    assert response.status_code == 302
    data = {
        "status": "adopted",
        "route": "framework",
        "framework_name": "G-Cloud 14",
        "notice_url": "https://www.find-tender.service.gov.uk/Notice/1",
        "contract_value": "90000",
        "start_date": d(10).isoformat(),
        "sites": "3",
    }
    assert client.post(url, data).status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.status == "adopted" and adoption.version == 2
    page = client.get(adoption.get_absolute_url())
    assert "Version 2" in page.text and "Version 1" in page.text and "G-Cloud 14" in page.text


def test_a_bad_decision_rerenders_with_the_field_error(client, world):
    client_for(client, world.provider)
    response = client.post(
        f"/trials/{world.trial.pk}/adoption/decide/",
        {
            "status": "adopted",
            "route": "framework",
            "framework_name": "G",
            "contract_value": "-5",
            "start_date": d(10).isoformat(),
            "sites": "3",
            "notice_url": "http://x.example",
        },
    )
    assert response.status_code == 400
    assert "The amount cannot be negative." in response.text
    assert "https://" in response.text
    assert Adoption.objects.get().version == 0


@pytest.mark.parametrize("who, status", [("startup", 403), ("officer", 403), ("other_body", 404)])
def test_others_cannot_decide(client, world, who, status):
    client_for(client, getattr(world, who))
    url = f"/trials/{world.trial.pk}/adoption/decide/"
    assert client.post(url, adopted()).status_code == status
    assert Adoption.objects.get().version == 0


def test_consent_publishes_and_withdrawal_removes_at_once(
    client, world, django_capture_on_commit_callbacks
):
    register_page = client.get("/outcomes/")  # cached for anonymous readers
    assert "Smart bins" not in register_page.text
    with django_capture_on_commit_callbacks(execute=True):
        _consent_both(client, world)
    client.logout()
    assert "Smart bins" in client.get("/outcomes/").text
    assert client.get("/outcomes/").headers.get("X-Cache") == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(client, world.provider).post(
            f"/trials/{world.trial.pk}/adoption/register/", {"register_summary": "x"}
        )
    client.logout()
    assert "Smart bins" not in client.get("/outcomes/").text
    assert client.get(f"/outcomes/{world.adoption.pk}/").status_code == 404


def _consent_both(client, world):
    client_for(client, world.startup).post(
        f"/trials/{world.trial.pk}/adoption/register/",
        {"register_summary": "Bins that say when they are full.", "agree": "on"},
    )
    client_for(client, world.provider).post(
        f"/trials/{world.trial.pk}/adoption/register/",
        {"register_summary": "Bins that say when they are full.", "agree": "on"},
    )


def test_interest_on_a_published_outcome(client, world):
    assert (
        client_for(client, world.other_body)
        .get(f"/outcomes/{world.adoption.pk}/interest/")
        .status_code
        == 404
    )
    publish(world)
    services.contact_email_set(
        actor=world.startup.user, adoption=world.adoption, email="sales@bins.example"
    )
    page = client.get(f"/outcomes/{world.adoption.pk}/")
    assert "We want to adopt this too" in page.text and "sales@bins.example" not in page.text
    response = client.post(f"/outcomes/{world.adoption.pk}/interest/", {"note": "Same bins."})
    assert response.status_code == 302
    page = client.get(f"/outcomes/{world.adoption.pk}/")
    assert "sales@bins.example" in page.text  # revealed to the interested body
    again = client.post(f"/outcomes/{world.adoption.pk}/interest/", {"note": ""})
    assert again.status_code == 409
    # The start-up sees who is interested, until they withdraw.
    owner = Client()
    owner.force_login(world.startup.user)
    assert "Cyngor Gwynedd" in owner.get(world.adoption.get_absolute_url()).text
    client.post(f"/outcomes/{world.adoption.pk}/interest/withdraw/")
    assert not world.adoption.interests.filter(withdrawn_at__isnull=True).exists()
    assert "Cyngor Gwynedd" not in owner.get(world.adoption.get_absolute_url()).text


def test_the_start_up_submits_the_report_through_the_form(client, world):
    report = world.adoption.reports.get(months=6)
    kpi = world.trial.kpis.get()
    client_for(client, world.startup)
    bad = client.post(report.get_absolute_url(), {"contracts.0.buyer": "Gwynedd"})
    assert bad.status_code == 400
    report.refresh_from_db()
    assert report.submitted_at is None
    ok = client.post(
        report.get_absolute_url(),
        {
            "contracts.0.buyer": "Gwynedd Council",
            "contracts.0.value": "40000",
            "contracts.0.date": d(0).isoformat(),
            "investment": "",
            "jobs_created": "2",
            f"kpi_{kpi.pk}": "sustained",
            f"kpi_{kpi.pk}_figure": "9",
        },
    )
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.submitted_at and report.contracts[0]["buyer"] == "Gwynedd Council"
    # The public body comments; the start-up cannot.
    assert client.post(report.get_absolute_url(), {"comment": "x"}).status_code == 403
    client_for(client, world.provider)
    assert client.post(report.get_absolute_url(), {"comment": "Confirmed."}).status_code == 302
    report.refresh_from_db()
    assert report.provider_comment == "Confirmed."


def _published_outcomes(world, n: int):
    for index in range(n):
        trial = accepted_trial(world.startup, world.provider, title=f"Trial {index}", kpis=2)
        services.consent_set(
            actor=world.startup.user,
            adoption=trial.adoption,
            party="startup",
            agree=True,
            summary=f'=HYPERLINK("x") {index}',
        )
        services.consent_set(
            actor=world.provider.user, adoption=trial.adoption, party="provider", agree=True
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def test_register_queries_do_not_grow_with_the_rows(client, world):
    _published_outcomes(world, 2)
    few = {
        url: _queries(client, url)
        for url in ("/outcomes/", "/outcomes/outcomes.csv", "/outcomes/outcomes.json")
    }
    _published_outcomes(world, 6)
    from django.core.cache import cache

    cache.clear()
    many = {url: _queries(client, url) for url in few}
    assert many == few


def test_filters_search_and_downloads(client, world):
    publish(world)
    _published_outcomes(world, 2)
    Adoption.objects.filter(pk=world.adoption.pk).update(status="adopted")
    assert "Smart bins" in client.get("/outcomes/?q=smart").text
    assert "Smart bins" not in client.get("/outcomes/?q=nothing-like-it").text
    assert "Smart bins" in client.get("/outcomes/?status=adopted").text
    assert "Trial 0" not in client.get("/outcomes/?status=adopted").text
    assert "Smart bins" not in client.get("/outcomes/?region=wales").text
    assert client.get("/outcomes/?region=atlantis").status_code == 400
    assert "Smart bins" in client.get("/outcomes/?sector=health-care").text
    response = client.get("/outcomes/outcomes.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and rows[0]["adoption_status"] in {"undecided", "adopted"}
    assert all(not r["summary"].startswith("=") for r in rows)
    assert any(r["summary"].startswith("'=HYPERLINK") for r in rows)
    data = json.loads(client.get("/outcomes/outcomes.json?status=adopted").content)
    assert data["licence"] == "Open Government Licence v3.0"
    assert [o["title"] for o in data["outcomes"]] == ["Smart bins"]
    assert "summary" in data["columns"]
    feed = client.get("/outcomes/feed/")
    assert feed.status_code == 200 and b"Smart bins" in feed.content
    page = client.get("/outcomes/")
    assert "Open Government Licence" in page.text and "contract_value_gbp" in page.text


def test_the_register_never_shows_an_outcome_with_one_consent(client, world):
    services.consent_set(
        actor=world.startup.user,
        adoption=world.adoption,
        party="startup",
        agree=True,
        summary="Bins.",
    )
    assert "Smart bins" not in client.get("/outcomes/").text
    assert client.get(f"/outcomes/{world.adoption.pk}/").status_code == 404
    text = b"".join(client.get("/outcomes/outcomes.csv").streaming_content).decode()
    assert "Smart bins" not in text


def test_a_public_body_of_several_chooses_none_by_default(client, world):
    second = OrganisationFactory(public_body=True)
    MembershipFactory(user=world.other_body.user, organisation=second)
    publish(world)
    client_for(client, world.other_body)
    response = client.post(f"/outcomes/{world.adoption.pk}/interest/", {"note": ""})
    assert response.status_code == 400
    assert not world.adoption.interests.exists()
