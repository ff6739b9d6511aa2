"""The funnel: how far a programme's trials got, step by step, overall and by region."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from adoption.models import NotAdoptedReason
from programmes.filters import FigureFilter
from programmes.funnel import cohort, programme_funnel, step_trials
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, TestBedFactory
from tests.programmes.test_utilisation import trial
from trials.models import Trial, TrialEvent

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 2, 1, 9))
DAY = datetime.timedelta(days=1)


def through(programme, testbed, *, decided=None, completed=None, accepted=None, status, **kw):
    """A trial that took each step the given number of days after the one before."""
    item = trial(programme, testbed, status=status, **kw)
    item.refresh_from_db()
    times = {}
    at = item.created_at
    for name, after in (
        ("decided_at", decided),
        ("completed_at", completed),
        ("accepted_at", accepted),
    ):
        if after is None:
            break
        at = at + after * DAY
        times[name] = at
    Trial.objects.filter(pk=item.pk).update(**times)
    return item


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    wales = TestBedFactory(region="wales", sectors=["health-care"], technologies=["drones"])
    north = TestBedFactory(region="north-east", sectors=["transport"])
    through(programme, north, status="accepted", decided=2, completed=30, accepted=10)
    through(programme, north, status="accepted", decided=4, completed=50, accepted=20)
    through(programme, north, status="completed", decided=6, completed=40)
    through(programme, wales, status="active", decided=1)
    through(programme, wales, status="cancelled", decided=3)  # approved, then cancelled
    declined = through(programme, wales, status="declined", decided=5)
    TrialEvent.objects.create(trial=declined, to_status="declined", note="No insurance yet")
    through(programme, wales, status="withdrawn")
    through(programme, wales, status="requested")
    through(ProgrammeFactory(), north, status="accepted", decided=1, completed=1, accepted=1)
    return programme


def test_steps_conversions_and_medians(world):
    funnel = programme_funnel(world, FigureFilter())
    steps = {step.key: step for step in funnel.steps}
    assert [(s.key, s.count) for s in funnel.steps] == [
        ("requested", 8),
        ("approved", 5),
        ("completed", 3),
        ("accepted", 2),
        ("adoption_decided", 0),  # accepted here without an adoption record: never decided
        ("adopted", 0),
    ]
    assert steps["requested"].conversion is None
    assert steps["approved"].conversion == pytest.approx(5 / 8)
    assert steps["accepted"].conversion == pytest.approx(2 / 3)
    assert steps["approved"].median_days == 3.0  # 1, 2, 3, 4, 6
    assert steps["completed"].median_days == 40.0  # 30, 40, 50
    assert steps["accepted"].median_days == 15.0  # 10, 20
    assert {d.key: d.count for d in funnel.drop_outs} == {
        "declined": 1,
        "withdrawn": 1,
        "cancelled": 1,
        # Accepted trials not adopted, by reason (tests/adoption/test_programme.py)
        **{f"not_adopted:{code}": 0 for code in NotAdoptedReason.values},
    }


def test_by_region(world):
    funnel = programme_funnel(world, FigureFilter())
    regions = {region.code: region for region in funnel.regions}
    assert list(regions) == ["north-east", "wales"]  # the order of the regions, only those used
    assert [s.count for s in regions["north-east"].steps] == [3, 3, 3, 2, 0, 0]
    assert [s.count for s in regions["wales"].steps] == [5, 2, 0, 0, 0, 0]
    assert regions["wales"].steps[1].median_days == 2.0  # 1 and 3
    assert regions["north-east"].steps[1].median_days == 4.0
    assert {d.key: d.count for d in regions["wales"].drop_outs}["declined"] == 1


def test_filters_narrow_the_cohort(world):
    def requested(**filters) -> int:
        return programme_funnel(world, FigureFilter(**filters)).requested

    assert requested(region="wales") == 5
    assert requested(sector="transport") == 3
    assert requested(technology="drones") == 5
    assert requested(period_start=datetime.date(2026, 2, 2)) == 0
    assert (
        requested(period_start=datetime.date(2026, 2, 1), period_end=datetime.date(2026, 2, 1)) == 8
    )


def test_the_list_behind_each_figure_has_as_many_trials(world):
    funnel = programme_funnel(world, FigureFilter(region="wales"))
    trials = cohort(world, FigureFilter(region="wales"))
    for step in [*funnel.steps, *funnel.drop_outs]:
        assert step_trials(trials, step.key).count() == step.count, step.key
    [declined] = step_trials(trials, "declined")
    assert declined.reason == "No insurance yet"


def test_pages_link_every_number_to_its_list(client, world):
    client.force_login(MembershipFactory(organisation=world.team).user)
    page = client.get(reverse("programmes:funnel", args=[world.pk]), {"region": "wales"})
    assert page.status_code == 200
    html = page.content.decode()
    link = f"/programmes/{world.pk}/trials/?step=declined&amp;region=wales"
    assert link in html
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    body = listed.content.decode()
    assert "No insurance yet" in body and "1 trial" in body
    everywhere = client.get(reverse("programmes:funnel", args=[world.pk])).content.decode()
    by_region = f"/programmes/{world.pk}/trials/?step=approved&amp;region=north-east"
    assert by_region in everywhere


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_start": "2026-13-01"}, "Enter the start date as a real date."),
        ({"period_start": "2026-03-01", "period_end": "2026-01-01"}, "on or after the start"),
        ({"period_end": "3026-01-01"}, "Enter a date between 2000 and 2099."),
        ({"technology": "telepathy"}, "Select a valid choice."),
    ],
)
def test_bad_filters_get_a_clear_message(client, world, params, message):
    client.force_login(MembershipFactory(organisation=world.team).user)
    for name in ("programmes:funnel", "programmes:trials"):
        page = client.get(reverse(name, args=[world.pk]), params)
        assert page.status_code == 400
        assert message in page.content.decode()
    page = client.get(reverse("programmes:trials", args=[world.pk]), {"step": "nowhere"})
    assert page.status_code == 400
    assert "Choose a step of the funnel." in page.content.decode()


def test_only_the_programmes_officers(client, world):
    client.force_login(
        MembershipFactory(organisation=OrganisationFactory(programme_team=True)).user
    )
    assert client.get(reverse("programmes:funnel", args=[world.pk])).status_code == 404
    assert client.get(reverse("programmes:trials", args=[world.pk])).status_code == 404


def test_queries_do_not_grow_with_trials(client):
    programme = ProgrammeFactory()
    client.force_login(MembershipFactory(organisation=programme.team).user)
    url = reverse("programmes:funnel", args=[programme.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    through(programme, TestBedFactory(), status="accepted", decided=1, completed=2, accepted=3)
    client.get(url)
    small = queries()
    for region in ["wales", "london", "scotland", "north-west"]:
        testbed = TestBedFactory(region=region)
        for _ in range(3):
            through(programme, testbed, status="accepted", decided=1, completed=2, accepted=3)
            through(programme, testbed, status="declined", decided=1)
    assert queries() == small


def test_api_funnel_as_the_page_shows_it(world):
    api = APIClient()
    api.force_authenticate(MembershipFactory(organisation=world.team).user)
    body = api.get(f"/api/v1/programmes/{world.pk}/funnel/").json()
    assert [(s["key"], s["count"]) for s in body["steps"]] == [
        ("requested", 8),
        ("approved", 5),
        ("completed", 3),
        ("accepted", 2),
        ("adoption_decided", 0),  # accepted here without an adoption record: never decided
        ("adopted", 0),
    ]
    assert body["steps"][1]["conversion"] == pytest.approx(0.625)
    assert body["steps"][1]["median_days"] == 3.0
    assert body["steps"][0]["list"] == f"/programmes/{world.pk}/trials/?step=requested"
    wales = next(r for r in body["regions"] if r["region"] == "wales")
    assert wales["label"] == "Wales"
    assert (
        wales["drop_outs"][0]["list"]
        == f"/programmes/{world.pk}/trials/?step=declined&region=wales"
    )
    narrowed = api.get(f"/api/v1/programmes/{world.pk}/funnel/", {"region": "wales"}).json()
    assert narrowed["steps"][0]["count"] == 5 and narrowed["filters"]["region"] == "wales"
    bad = api.get(f"/api/v1/programmes/{world.pk}/funnel/", {"period_start": "2026-02-31"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["period_start"] == ["Enter the start date as a real date."]
    api.force_authenticate(MembershipFactory(organisation=OrganisationFactory()).user)
    assert api.get(f"/api/v1/programmes/{world.pk}/funnel/").status_code == 404
