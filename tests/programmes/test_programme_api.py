"""The programme list in the API: only the caller's own programmes."""

import pytest
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_lists_only_the_programmes_of_the_callers_teams():
    mine = ProgrammeFactory(name="North East Innovation", region_focus="north-east")
    also_mine = ProgrammeFactory(team=mine.team, name="UK-wide pilots", region_focus="")
    ProgrammeFactory(name="Someone else's")
    officer = MembershipFactory(organisation=mine.team).user
    client = APIClient()
    client.force_authenticate(officer)
    body = client.get("/api/v1/programmes/").json()
    assert body["count"] == 2
    by_name = {item["name"]: item for item in body["results"]}
    assert set(by_name) == {"North East Innovation", "UK-wide pilots"}
    item = by_name["North East Innovation"]
    assert item["region_focus"] == "north-east"
    assert item["region_focus_label"] == "North East"
    assert item["team"] == {"name": mine.team.name, "slug": mine.team.slug}
    assert item["links"]["page"] == f"/programmes/{mine.pk}/"
    assert item["links"]["report_csv"] == f"/api/v1/programmes/{mine.pk}/report.csv"
    assert by_name["UK-wide pilots"]["region_focus_label"] == ""
    assert also_mine.pk in [i["id"] for i in body["results"]]


def test_someone_in_no_programme_team_sees_none():
    client = APIClient()
    client.force_authenticate(MembershipFactory(organisation=OrganisationFactory()).user)
    assert client.get("/api/v1/programmes/").json()["count"] == 0
    assert APIClient().get("/api/v1/programmes/").status_code == 401
