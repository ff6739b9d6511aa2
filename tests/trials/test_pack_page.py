"""Evidence packs as accessible HTML pages (issue 22, point 8): the same content and version
as the PDF, for the same people, linked from the trial page and the pack's check page; the
PDF carries its title and language."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import MembershipFactory, OrganisationFactory
from tests.trials.test_packs import completed_trial, pack_bytes, submit, text_of  # noqa: F401
from trials import services
from trials.models import EvidencePack

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(completed_trial, startup, django_capture_on_commit_callbacks):  # noqa: F811
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    return pack


def page_url(pack) -> str:
    return reverse("trials:pack_page", args=[pack.trial_id, pack.pk])


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_has_the_same_content_as_the_pdf(client, pack, startup):
    client.force_login(startup.user)
    response = client.get(page_url(pack))
    assert response.status_code == 200
    html = response.content.decode()
    page = visible_text(html)
    pdf = " ".join(text_of(pack_bytes(pack)).split())
    for expected in [
        "Executive summary",
        "Overflow reports fell from 30 to 12 a week.",
        "Key performance indicators",
        "Overflow reports",
        "Resident satisfaction",
        "Survey postponed by the council.",
        "Fitted 40 sensors",
        "Sensor on a bin",
        "Mount sensors higher.",
        "Scale up",
        pack.code,
        f"Version {pack.version}",
    ]:
        assert expected in page, expected
        assert expected in pdf, expected
    # Real structure: one h1, section headings, tables with column headers, an image with alt.
    assert html.count("<h1") == 1
    assert '<h2 class="govuk-heading-l" id="kpis">' in html
    assert '<th scope="col"' in html
    assert 'alt="Sensor on a bin"' in html
    assert reverse("trials:pack_pdf", args=[pack.trial_id, pack.pk]) in html
    assert reverse("verify", args=[pack.code]) in html


def test_the_page_shows_that_version_even_after_later_edits(
    client,
    pack,
    startup,
    officer,
    completed_trial,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    services.pack_review(
        actor=officer.user, pack=pack, decision="changes_requested", comments="More detail"
    )
    services.trial_update_outcome(
        actor=startup.user, trial=completed_trial, lessons_learned="Changed after review."
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.trial_submit(actor=startup.user, trial=completed_trial)
    client.force_login(startup.user)
    assert "Changed after review." not in client.get(page_url(pack)).content.decode()
    assert "Changed after review." in client.get(page_url(second)).content.decode()


def test_the_photo_is_served_to_viewers_only(client, pack, startup, provider):
    url = reverse("trials:pack_photo", args=[pack.trial_id, pack.pk, 1])
    client.force_login(provider.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    missing = reverse("trials:pack_photo", args=[pack.trial_id, pack.pk, 2])
    assert client.get(missing).status_code == 404
    stranger = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404
    assert client.get(page_url(pack)).status_code == 404
    client.logout()
    assert client.get(page_url(pack)).status_code == 302


def test_linked_from_the_trial_page_and_the_check_page(client, pack, startup):
    client.force_login(startup.user)
    assert page_url(pack) in client.get(pack.trial.get_absolute_url()).content.decode()
    client.logout()
    assert page_url(pack) in client.get(reverse("verify", args=[pack.code])).content.decode()


def test_a_welsh_pack_reads_in_welsh_and_says_so(
    client,
    completed_trial,  # noqa: F811
    startup,
    django_capture_on_commit_callbacks,
):
    startup.user.language = "cy"
    startup.user.save()
    pack = submit(completed_trial, startup, django_capture_on_commit_callbacks)
    client.force_login(MembershipFactory(organisation=completed_trial.testbed.organisation).user)
    html = client.get(page_url(pack)).content.decode()
    assert '<article lang="cy"' in html
    assert "Crynodeb gweithredol" in html
    assert '<html lang="en' in html  # the page around it is in the reader's language


def test_the_pdf_carries_its_title_and_language(pack, completed_trial):  # noqa: F811
    root = PdfReader(io.BytesIO(pack_bytes(pack))).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    reader = PdfReader(io.BytesIO(pack_bytes(pack)))
    assert reader.metadata.title == f"Evidence pack: {completed_trial.title}"
    assert EvidencePack.objects.filter(pk=pack.pk, state="ready").exists()
