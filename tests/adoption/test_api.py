"""The adoption API: the same rules as the pages, 400 with field errors and nothing saved,
404 for what is not yours, and an anonymous register that is cached."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from adoption.models import Adoption, ImpactReport, Interest
from tests.adoption.conftest import TODAY, accepted_trial, d, publish

pytestmark = pytest.mark.django_db


def api(membership=None) -> APIClient:
    client = APIClient()
    if membership is not None:
        client.force_authenticate(membership.user)
    return client


DECISION = {
    "status": "adopted",
    "route": "framework",
    "framework_name": "G-Cloud 14",
    "notice_url": "https://www.find-tender.service.gov.uk/Notice/1",
    "contract_value": "125000.50",
    "start_date": d(30).isoformat(),
    "sites": 12,
}


def test_get_and_put_the_decision(world):
    url = f"/api/v1/trials/{world.trial.pk}/adoption/"
    response = api(world.officer).get(url)
    assert response.status_code == 200 and response.json()["status"] == "undecided"
    response = api(world.provider).put(
        url, {"status": "procuring", "route": "open_tender"}, format="json"
    )
    assert response.status_code == 200, response.json()
    response = api(world.provider).put(url, DECISION, format="json")
    body = response.json()
    assert body["status"] == "adopted" and body["version"] == 2
    assert body["notice_source"] == "find_a_tender"
    assert [v["status"] for v in body["history"]] == ["adopted", "procuring"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"contract_value": "-1"}, "contract_value"),
        ({"contract_value": "1.234"}, "contract_value"),
        ({"contract_value": "2000000000"}, "contract_value"),
        ({"notice_url": "http://example.org/notice"}, "notice_url"),
        ({"start_date": d(-5).isoformat()}, "start_date"),
        ({"status": "not_adopted", "reasons": []}, "reasons"),
        ({"status": "adopted", "route": ""}, "route"),
        ({"colour": "blue"}, "colour"),
        ({"sites": -1}, "sites"),
    ],
)
def test_bad_decisions_are_400_with_the_field_and_nothing_saved(world, change, field):
    response = api(world.provider).put(
        f"/api/v1/trials/{world.trial.pk}/adoption/", {**DECISION, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Adoption.objects.get().version == 0


@pytest.mark.parametrize(
    "who, status", [("startup", 403), ("officer", 403), ("other_body", 404), ("other_startup", 404)]
)
def test_only_the_public_body_puts(world, who, status):
    response = api(getattr(world, who)).put(
        f"/api/v1/trials/{world.trial.pk}/adoption/", DECISION, format="json"
    )
    assert response.status_code == status
    assert api(None).get(f"/api/v1/trials/{world.trial.pk}/adoption/").status_code == 401


def test_interest_through_the_api(world):
    url = f"/api/v1/trials/{world.trial.pk}/adoption/interest/"
    assert api(world.other_body).post(url, {}, format="json").status_code == 404
    publish(world)
    response = api(world.other_body).post(url, {"note": "Same bins"}, format="json")
    assert response.status_code == 201 and response.json()["organisation_name"] == "Cyngor Gwynedd"
    assert api(world.other_body).post(url, {}, format="json").status_code == 409
    assert api(world.startup).post(url, {}, format="json").status_code == 403
    assert api(world.other_body).delete(url).status_code == 204
    assert api(world.other_body).delete(url).status_code == 404
    assert Interest.objects.get().withdrawn_at is not None


def test_impact_reports_list_and_submit(world):
    reports = api(world.startup).get(f"/api/v1/trials/{world.trial.pk}/impact-reports/").json()
    assert [r["months"] for r in reports] == [6, 12, 24]
    six = reports[0]["id"]
    kpi = world.trial.kpis.get()
    body = {
        "contracts": [{"buyer": "Gwynedd", "value": "40000.00", "date": TODAY.isoformat()}],
        "investment": "250000",
        "investment_round": "Seed",
        "jobs_created": 3,
        "kpi_results": [{"kpi_id": kpi.pk, "held": "improved", "figure": "8"}],
    }
    url = f"/api/v1/impact-reports/{six}/submit/"
    assert api(world.provider).post(url, body, format="json").status_code == 403
    assert api(world.other_startup).post(url, body, format="json").status_code == 404
    bad = api(world.startup).post(url, {**body, "kpi_results": []}, format="json")
    assert bad.status_code == 400 and f"kpi_{kpi.pk}" in bad.json()["errors"]
    assert ImpactReport.objects.get(pk=six).submitted_at is None
    response = api(world.startup).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["contracts"][0]["buyer"] == "Gwynedd"
    assert api(world.startup).post(url, body, format="json").status_code == 409


def test_the_register_api_is_anonymous_filtered_and_cached(world):
    publish(world)
    response = api().get("/api/v1/outcomes/")
    assert response.status_code == 200
    [outcome] = response.json()["results"]
    assert outcome["title"] == "Smart bins" and outcome["adoption_status"] == "undecided"
    assert api().get("/api/v1/outcomes/").headers["X-Cache"] == "hit"
    assert api().get("/api/v1/outcomes/?status=adopted").json()["count"] == 0
    assert api().get("/api/v1/outcomes/?q=smart").json()["count"] == 1
    assert api().get("/api/v1/outcomes/?region=wales").json()["count"] == 0


def test_register_api_queries_do_not_grow(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(world.startup).get("/api/v1/outcomes/").status_code == 200
        return len(captured)

    publish(world)
    few = count()
    for index in range(4):
        trial = accepted_trial(world.startup, world.provider, title=f"T{index}", kpis=2)
        Adoption.objects.filter(pk=trial.adoption.pk).update(
            published_at="2026-01-01T00:00:00Z", register_summary="x"
        )
    assert count() == few


def test_ids_beyond_any_integer_are_404_not_500(world):
    """SQLite cannot take such a number; the lookups must say 'not found' before asking it."""
    huge = 2**70
    client = api(world.other_body)
    assert client.get(f"/api/v1/trials/{huge}/adoption/").status_code == 404
    assert client.post(f"/api/v1/trials/{huge}/adoption/interest/", {}).status_code == 404
    assert client.get(f"/api/v1/trials/{huge}/impact-reports/").status_code == 404
