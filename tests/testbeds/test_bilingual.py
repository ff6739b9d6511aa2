"""Test beds listed in Welsh and English: pages, fallback notes, search, API, e-mails, packs."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts import services as account_services
from core.bilingual import reader_text, text_in
from testbeds import services
from testbeds.models import Booking, TestBed
from testbeds.selectors import CatalogueQuery, catalogue_search
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, TestBedFactory
from trials import services as trial_services
from trials.evidence import build_pack_content
from trials.models import Trial

pytestmark = pytest.mark.django_db

NOT_IN_WELSH = "Nid yw'r testun hwn ar gael yn Gymraeg."
NOT_IN_ENGLISH = "This text is not available in English."


def welsh(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get("/language/cy/", {"next": "/"})
    return client


@pytest.fixture
def harbour():
    """Both languages throughout."""
    return TestBedFactory(
        name="Caernarfon Harbour Smart Quay",
        name_cy="Cei Clyfar Harbwr Caernarfon",
        summary="A working harbour quay with tide sensors.",
        summary_cy="Cei harbwr gweithredol gyda synwyryddion llanw.",
        description="The quay below the castle has mooring sensors.",
        description_cy="Mae gan y cei islaw'r castell synwyryddion angorfa.",
        region="wales",
    )


@pytest.fixture
def library():
    """A summary in both languages, a description only in Welsh."""
    return TestBedFactory(
        name="Bangor Community Library Lab",
        name_cy="Labordy Llyfrgell Gymunedol Bangor",
        summary="A busy town library with a digital skills room.",
        summary_cy="Llyfrgell brysur yn y dref gydag ystafell sgiliau digidol.",
        description="",
        description_cy="Mae'r llyfrgell yn croesawu tua 800 o ymwelwyr yr wythnos.",
        region="wales",
    )


def test_reader_text_prefers_the_readers_language_and_says_when_it_falls_back():
    assert reader_text("Hello", "Helo", "cy").text == "Helo"
    assert reader_text("Hello", "Helo", "en-gb").text == "Hello"
    only_english = reader_text("Hello", "", "cy")
    assert (only_english.text, only_english.language) == ("Hello", "en")
    with translation.override("cy"):
        assert reader_text("Hello", "").note == NOT_IN_WELSH
    only_welsh = reader_text("", "Helo", "en-gb")
    assert (only_welsh.text, only_welsh.language, only_welsh.note) == ("Helo", "cy", NOT_IN_ENGLISH)
    assert reader_text("", "", "cy") == reader_text("", "", "cy")
    assert not reader_text("", "", "cy").note
    assert text_in("Hello", "Helo", "cy") == "Helo"


def test_a_welsh_visitor_reads_welsh_and_an_english_one_english(client, harbour):
    english = client.get(harbour.get_absolute_url()).content.decode()
    assert "Caernarfon Harbour Smart Quay" in english
    assert "The quay below the castle" in english
    assert NOT_IN_ENGLISH not in english
    cymraeg = welsh().get(harbour.get_absolute_url()).content.decode()
    assert "Cei Clyfar Harbwr Caernarfon" in cymraeg
    assert "Mae gan y cei islaw&#x27;r castell" in cymraeg
    assert "The quay below the castle" not in cymraeg
    assert NOT_IN_WELSH.replace("'", "&#x27;") not in cymraeg


def test_text_missing_in_one_language_shows_the_other_with_a_note(client, library):
    english = client.get(library.get_absolute_url()).content.decode()
    assert '<div class="govuk-body" lang="cy"><p>Mae&#x27;r llyfrgell' in english
    assert NOT_IN_ENGLISH in english
    english_only = TestBedFactory(summary="Only English.", summary_cy="")
    cymraeg = welsh().get(english_only.get_absolute_url()).content.decode()
    assert 'lang="en">Only English.' in cymraeg
    assert NOT_IN_WELSH.replace("'", "&#x27;") in cymraeg
    catalogue = welsh().get("/testbeds/").content.decode()
    assert "Llyfrgell brysur yn y dref" in catalogue and 'lang="en">Only English.' in catalogue


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("harbwr", ["Caernarfon Harbour Smart Quay"]),
        ("harbour", ["Caernarfon Harbour Smart Quay"]),
        ("llyfrgell", ["Bangor Community Library Lab"]),
        ("library", ["Bangor Community Library Lab"]),
        ("ymwelwyr", ["Bangor Community Library Lab"]),  # only in the Welsh description
        ("synwyryddion", ["Caernarfon Harbour Smart Quay"]),
    ],
)
def test_search_matches_either_language(client, harbour, library, words, found):
    """The same on SQLite and PostgreSQL (run with DATABASE_URL for the second)."""
    page = client.get("/testbeds/", {"q": words})
    assert [t.name for t in page.context["page"]] == found
    body = client.get("/api/v1/testbeds/", {"q": words}).json()
    assert [row["name"] for row in body["results"]] == found


def test_api_returns_both_languages_tagged(client, library):
    row = client.get(f"/api/v1/testbeds/{library.slug}/").json()
    assert row["name_cy"] == "Labordy Llyfrgell Gymunedol Bangor"
    assert row["texts"] == [
        {
            "language": "en",
            "name": "Bangor Community Library Lab",
            "summary": "A busy town library with a digital skills room.",
            "description": "",
        },
        {
            "language": "cy",
            "name": "Labordy Llyfrgell Gymunedol Bangor",
            "summary": "Llyfrgell brysur yn y dref gydag ystafell sgiliau digidol.",
            "description": "Mae'r llyfrgell yn croesawu tua 800 o ymwelwyr yr wythnos.",
        },
    ]


def test_a_listing_can_be_written_in_welsh_only_but_needs_a_summary_in_one():
    body = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    api = APIClient()
    api.force_authenticate(body.user)
    fields = {"name": "Porth", "region": "wales", "sectors": ["transport"]}
    refused = api.post("/api/v1/testbeds/", fields, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["summary"] == ["Enter a summary in English or in Welsh."]
    made = api.post(
        "/api/v1/testbeds/", {**fields, "summary_cy": "Porth i dreialon."}, format="json"
    )
    assert made.status_code == 201, made.content
    testbed = TestBed.objects.get(slug=made.json()["slug"])
    assert (testbed.summary, testbed.summary_cy) == ("", "Porth i dreialon.")
    testbed = services.testbed_update(
        actor=body.user, testbed=testbed, description_cy="Disgrifiad."
    )
    assert "a description" not in services.publication_gaps(testbed)


def test_the_form_asks_for_a_summary_in_one_language(client):
    body = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    client.force_login(body.user)
    page = client.post("/testbeds/new/", {"name": "Porth", "region": "wales"})
    assert "Enter a summary in English or in Welsh." in page.content.decode()
    form = client.get("/testbeds/new/").content.decode()
    assert 'name="summary_cy"' in form and 'lang="cy"' in form


def test_e_mails_name_the_test_bed_in_the_recipients_language(
    library, django_capture_on_commit_callbacks
):
    provider = MembershipFactory(organisation=library.organisation, admin=True).user
    account_services.user_set_language(user=provider, language="cy")
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    first = datetime.date.today() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        trial_services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=library,
            title="Sgrin",
            summary="S",
            first_day=first,
            last_day=first + datetime.timedelta(days=8),
        )
    [message] = [m for m in mail.outbox if provider.email in m.to]
    assert "Labordy Llyfrgell Gymunedol Bangor" in message.subject
    assert "Labordy Llyfrgell Gymunedol Bangor" in message.body


def test_members_follow_a_welsh_working_language_unless_they_chose():
    admin = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    council = admin.organisation
    chose_english = MembershipFactory(organisation=OrganisationFactory()).user
    account_services.user_set_language(user=chose_english, language="en-gb")
    never_chose = MembershipFactory(organisation=council).user
    account_services.organisation_update(
        actor=admin.user, organisation=council, working_language="cy"
    )
    never_chose.refresh_from_db()
    assert never_chose.language == "cy"
    newcomer = MembershipFactory(organisation=OrganisationFactory()).user
    account_services.membership_add(actor=admin.user, organisation=council, user=newcomer)
    account_services.membership_add(actor=admin.user, organisation=council, user=chose_english)
    newcomer.refresh_from_db()
    chose_english.refresh_from_db()
    assert (newcomer.language, chose_english.language) == ("cy", "en-gb")
    with pytest.raises(ValidationError):
        account_services.organisation_update(
            actor=admin.user, organisation=council, working_language="fr"
        )


def test_signing_in_shows_the_service_in_the_organisations_language():
    creator = MembershipFactory(organisation=OrganisationFactory()).user
    account_services.organisation_create(
        actor=creator,
        kind="public_body",
        name="Cyngor Sir",
        region="wales",
        working_language="cy",
    )
    creator.refresh_from_db()
    assert creator.language == "cy"
    client = Client()
    client.post("/accounts/login/", {"login": creator.email, "password": PASSWORD})
    assert client.get("/testbeds/")["Content-Language"] == "cy"


def test_the_evidence_pack_names_the_test_bed_in_the_submitters_language(library):
    startup = OrganisationFactory(start_up=True)
    booking = Booking.objects.create(
        testbed=library,
        organisation=startup,
        start=datetime.date(2026, 5, 1),
        end=datetime.date(2026, 5, 9),
        status="confirmed",
        unit=1,
    )
    trial = Trial.objects.create(
        organisation=startup, testbed=library, booking=booking, title="T", summary="S"
    )

    def content(language: str):
        return build_pack_content(
            trial,
            code="ABC",
            version=1,
            generated_at=timezone.now(),
            status="draft",
            language=language,
        )

    welsh_pack, english_pack = content("cy"), content("en-gb")
    assert welsh_pack.testbed_name == "Labordy Llyfrgell Gymunedol Bangor"
    assert welsh_pack.testbed_summary.startswith("Llyfrgell brysur")
    assert english_pack.testbed_name == "Bangor Community Library Lab"


DEMO_SEARCHES = {
    "harbwr": ["Caernarfon Harbour Smart Quay"],
    "harbour": ["Caernarfon Harbour Smart Quay"],
    "llyfrgell": ["Bangor Community Library Lab"],
    "gliniadur": ["Bangor Community Library Lab"],
    "synwyryddion": ["Caernarfon Harbour Smart Quay"],
    "dreialon": ["Bangor Community Library Lab", "Caernarfon Harbour Smart Quay"],
}


def test_search_finds_the_same_on_the_demo_data():
    """These lists hold on SQLite and on PostgreSQL (CI runs both)."""
    call_command("seed_demo", stdout=io.StringIO())
    for words, found in DEMO_SEARCHES.items():
        results = catalogue_search(CatalogueQuery(q=words, sort="name"))
        assert [t.name for t in results] == found, words


def test_the_listing_shows_its_region_lit_on_the_map(client):
    """Issue 22, point 6: where a test bed is, as its address and its region's tile."""
    from tests.factories import TestBedFactory

    testbed = TestBedFactory(region="wales", address="1 Quay Street", postcode="LL55 2PB")
    html = client.get(testbed.get_absolute_url()).content.decode()
    assert "Where it is: Wales" in html
    assert "1 Quay Street" in html and "LL55 2PB" in html
    assert 'class="app-tile-map__svg"' in html
