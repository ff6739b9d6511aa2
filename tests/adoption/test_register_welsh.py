"""The public outcomes register in Welsh and English: a Welsh title and summary beside the
English, written through consent_set, shown to Welsh readers with the fallback note that test
beds and challenges use, tagged in the API, found by the register's search, and in the demo."""

import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from adoption import services
from adoption.models import Adoption
from tests.adoption.conftest import publish
from tests.adoption.test_pages import client_for

pytestmark = pytest.mark.django_db

NOT_IN_WELSH = "Nid yw'r testun hwn ar gael yn Gymraeg."
NOT_IN_ENGLISH = "This text is not available in English."
TITLE_CY = "Biniau clyfar"
SUMMARY_CY = "Biniau sy'n dweud pan fyddant yn llawn."


def welsh() -> Client:
    client = Client()
    client.get("/language/cy/", {"next": "/"})
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def bilingual(world):
    publish(world)
    services.consent_set(
        actor=world.startup.user,
        adoption=world.adoption,
        party="startup",
        agree=True,
        title_cy=TITLE_CY,
        summary_cy=SUMMARY_CY,
    )
    world.adoption.refresh_from_db()
    return world


def test_the_welsh_text_is_written_through_the_service_with_an_event(bilingual):
    adoption = Adoption.objects.get()
    assert (adoption.register_title_cy, adoption.register_summary_cy) == (TITLE_CY, SUMMARY_CY)
    assert adoption.register_summary == "Bins that say when they are full."  # kept
    event = AuditEvent.objects.filter(action="adoption.consent_given").latest("id")
    assert event.data["texts_changed"] == ["register_title_cy", "register_summary_cy"]


def test_bad_welsh_text_is_refused_and_changes_nothing(world):
    publish(world)
    with pytest.raises(ValidationError) as refused:
        services.consent_set(
            actor=world.startup.user,
            adoption=world.adoption,
            party="startup",
            agree=True,
            title_cy="Dwy\nlinell",
            summary_cy="x" * 1501,
        )
    assert set(refused.value.message_dict) == {"register_title_cy", "register_summary_cy"}
    adoption = Adoption.objects.get()
    assert (adoption.register_title_cy, adoption.register_summary_cy) == ("", "")


def test_welsh_readers_get_the_welsh_and_others_the_english(bilingual, client):
    url = f"/outcomes/{bilingual.adoption.pk}/"
    cy = text(welsh().get(url))
    assert TITLE_CY in cy and SUMMARY_CY in cy and NOT_IN_WELSH not in cy
    listing = text(welsh().get("/outcomes/"))
    assert TITLE_CY in listing and SUMMARY_CY in listing
    en = text(client.get(url))
    assert "Smart bins" in en and "Bins that say when they are full." in en
    assert TITLE_CY not in en and NOT_IN_ENGLISH not in en


def test_english_only_text_is_shown_to_welsh_readers_with_the_note(world):
    publish(world)
    page = welsh().get(f"/outcomes/{world.adoption.pk}/").content.decode()
    assert "Bins that say when they are full." in page
    assert NOT_IN_WELSH in html.unescape(page) and 'lang="en"' in page
    listing = text(welsh().get("/outcomes/"))
    assert "Smart bins" in listing and NOT_IN_WELSH in listing


def test_a_welsh_only_summary_publishes_and_english_readers_get_it_with_the_note(world, client):
    services.consent_set(
        actor=world.startup.user,
        adoption=world.adoption,
        party="startup",
        agree=True,
        summary="",
        summary_cy=SUMMARY_CY,
    )
    services.consent_set(
        actor=world.provider.user, adoption=world.adoption, party="provider", agree=True
    )
    page = client.get(f"/outcomes/{world.adoption.pk}/").content.decode()
    assert SUMMARY_CY in html.unescape(page)
    assert NOT_IN_ENGLISH in page and 'lang="cy"' in page


def test_the_consent_form_writes_the_welsh(client, world):
    url = f"/trials/{world.trial.pk}/adoption/register/"
    form = client_for(client, world.startup).get(url).content.decode()
    assert 'name="register_title_cy"' in form and 'lang="cy"' in form
    client.post(
        url,
        {
            "register_summary": "Bins that say when they are full.",
            "register_title_cy": TITLE_CY,
            "register_summary_cy": SUMMARY_CY,
            "agree": "on",
        },
    )
    adoption = Adoption.objects.get()
    assert (adoption.register_title_cy, adoption.register_summary_cy) == (TITLE_CY, SUMMARY_CY)
    assert adoption.startup_consent_at is not None
    assert TITLE_CY in text(client.get(url))  # shown again for editing


def test_the_api_returns_both_languages_tagged(bilingual):
    body = APIClient().get("/api/v1/outcomes/").json()
    (row,) = body["results"]
    assert (row["title_cy"], row["summary_cy"]) == (TITLE_CY, SUMMARY_CY)
    texts = {item["language"]: item for item in row["texts"]}
    assert texts["cy"] == {"language": "cy", "title": TITLE_CY, "summary": SUMMARY_CY}
    assert texts["en"]["title"] == "Smart bins"
    assert texts["en"]["summary"] == "Bins that say when they are full."
    # The parties' own record carries the Welsh too.
    private = APIClient()
    private.force_authenticate(bilingual.startup.user)
    register = private.get(f"/api/v1/trials/{bilingual.trial.pk}/adoption/").json()["register"]
    assert (register["title_cy"], register["summary_cy"]) == (TITLE_CY, SUMMARY_CY)


def test_english_only_outcomes_have_one_tagged_text_in_the_api(world):
    publish(world)
    (row,) = APIClient().get("/api/v1/outcomes/").json()["results"]
    assert [item["language"] for item in row["texts"]] == ["en"]
    assert row["title_cy"] == "" and row["summary_cy"] == ""


def test_the_open_data_has_the_welsh_columns_at_the_end(bilingual, client):
    response = client.get("/outcomes/outcomes.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",title_cy,summary_cy")
    assert lines[1].endswith(f",{TITLE_CY},{SUMMARY_CY}")


@pytest.mark.parametrize("words", ["clyfar", "BINIAU llawn", "Smart bins"])
def test_the_register_search_matches_either_language(bilingual, client, words):
    assert "Smart bins" in client.get("/outcomes/", {"q": words}).content.decode()
    assert APIClient().get("/api/v1/outcomes/", {"q": words}).json()["count"] == 1


def test_the_register_search_misses_words_in_neither_language(bilingual, client):
    assert "Smart bins" not in client.get("/outcomes/", {"q": "tractor"}).content.decode()


def test_the_demo_outcome_reads_in_welsh():
    from adoption.demo import ADOPTED_CY
    from adoption.demo import SUMMARY_CY as DEMO_SUMMARY_CY

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: still one, still in Welsh
    (outcome,) = Adoption.objects.filter(published_at__isnull=False)
    assert outcome.register_title_cy == ADOPTED_CY
    assert outcome.register_summary_cy == DEMO_SUMMARY_CY
    listing = text(welsh().get("/outcomes/"))
    assert ADOPTED_CY in listing and NOT_IN_WELSH not in listing
