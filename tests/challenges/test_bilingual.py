"""Challenges written in Welsh and English: the reader's language, the fallback note, the API."""

import html

import pytest
from django.test import Client
from rest_framework.test import APIClient

from challenges import services
from tests.challenges.conftest import build_challenge
from tests.factories import TestBedFactory

pytestmark = pytest.mark.django_db

NOT_IN_WELSH = "Nid yw'r testun hwn ar gael yn Gymraeg."


def welsh() -> Client:
    client = Client()
    client.get("/language/cy/", {"next": "/"})
    return client


@pytest.fixture
def bilingual(provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    challenge = build_challenge(provider, [testbed], publish=False)
    services.challenge_update(
        actor=provider.user,
        challenge=challenge,
        title_cy="Llai o ymweliadau gofal cartref a gollwyd",
        summary_cy="Collir ymweliadau gwledig.",
        problem_cy="Mae gofalwyr yn colli ymweliadau mewn ardaloedd gwledig.",
    )
    services.challenge_publish(actor=provider.user, challenge=challenge)
    challenge.refresh_from_db()
    return challenge


def test_welsh_readers_get_the_welsh_text_and_others_the_english(bilingual, client):
    url = bilingual.get_absolute_url()
    cy = welsh().get(url).content.decode()
    assert "Llai o ymweliadau gofal cartref a gollwyd" in cy
    assert "Mae gofalwyr yn colli ymweliadau" in cy and NOT_IN_WELSH not in html.unescape(cy)
    en = client.get(url).content.decode()
    assert "Fewer missed home-care visits" in en and "Llai o ymweliadau" not in en
    listing = welsh().get("/challenges/").content.decode()
    assert "Collir ymweliadau gwledig." in listing


def test_english_only_text_is_shown_to_welsh_readers_with_a_note(provider):
    challenge = build_challenge(provider, [TestBedFactory(organisation=provider.organisation)])
    page = welsh().get(challenge.get_absolute_url()).content.decode()
    assert "Fewer missed home-care visits" in page
    assert NOT_IN_WELSH in html.unescape(page) and 'lang="en"' in page


def test_the_api_returns_both_languages_tagged(bilingual):
    body = APIClient().get(f"/api/v1/challenges/{bilingual.slug}/").json()
    texts = {text["language"]: text for text in body["texts"]}
    assert texts["cy"]["title"] == "Llai o ymweliadau gofal cartref a gollwyd"
    assert texts["en"]["problem"] == "Carers miss visits in rural areas."
