"""One thread per trial: the parties write plain text with checked attachments; never edited;
in-app at once, e-mail at most once per person per thread per 15 minutes; unread counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Notification, Organisation
from core.periodic import jobs
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from trials import services
from trials.models import Message, TrialPartner

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def add_partner(trial, startup) -> object:
    """A company that partners in the trial, with one member."""
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    member = MembershipFactory(organisation=company, admin=True)
    TrialPartner.objects.create(
        trial=trial,
        organisation=company,
        email=member.user.email,
        role="technology",
        contribution="Kit",
        token_hash=f"h{company.pk}",
        expires_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    return member.user


@pytest.fixture
def parties(active_trial, startup, provider, officer):
    return {
        "startup": startup.user,
        "provider": provider.user,
        "officer": officer.user,
        "partner": add_partner(active_trial, startup),
    }


def post(user, trial, text="Hello", uploads=()):
    return services.message_post(actor=user, trial=trial, text=text, uploads=uploads)


def test_every_party_writes_and_the_others_are_told(
    active_trial, parties, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for who in ("startup", "provider", "partner", "officer"):
            post(parties[who], active_trial, f"From the {who}")
    texts = list(Message.objects.filter(trial=active_trial).values_list("text", flat=True))
    assert texts == [
        "From the startup",
        "From the provider",
        "From the partner",
        "From the officer",
    ]
    # each message: a notification for each of the three others, none for its author
    assert Notification.objects.filter(key__startswith=f"message:{active_trial.pk}:").count() == 12
    assert not Notification.objects.filter(
        user=parties["startup"], key__endswith=f":{Message.objects.first().pk}"
    ).exists()


def test_strangers_cannot_write(active_trial, parties):
    stranger = MembershipFactory(organisation=OrganisationFactory(start_up=True)).user
    with pytest.raises(PermissionDenied):
        post(stranger, active_trial)


def test_message_limits_and_hostile_files(active_trial, parties):
    with pytest.raises(ValidationError) as raised:
        post(parties["startup"], active_trial, "x" * 10_001)
    assert "10,000" in str(raised.value)
    with pytest.raises(ValidationError):
        post(parties["startup"], active_trial, "  ")
    hostile = SimpleUploadedFile("notes.pdf", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError) as raised:
        post(parties["startup"], active_trial, "See attached", [hostile])
    assert "file" in raised.value.message_dict
    assert not Message.objects.exists()
    assert post(parties["startup"], active_trial, "x" * 10_000).pk


def test_attachment_is_checked_and_served_to_parties_only(client, active_trial, parties):
    message = post(
        parties["partner"], active_trial, "Photo", [SimpleUploadedFile("site.jpg", jpeg())]
    )
    attachment = message.attachments.get()
    assert attachment.kind == "photo" and attachment.sha256
    url = reverse("trials:message_attachment", args=[active_trial.pk, attachment.pk])
    client.force_login(parties["officer"])
    assert client.get(url).status_code == 200
    client.force_login(MembershipFactory(organisation=OrganisationFactory(start_up=True)).user)
    assert client.get(url).status_code == 404


def test_messages_are_never_edited_or_deleted(active_trial, parties):
    message = post(parties["startup"], active_trial)
    message.text = "Changed"
    with pytest.raises(ValueError):
        message.save()
    with pytest.raises(ValueError):
        message.delete()


def test_e_mail_at_most_once_per_person_per_thread_per_15_minutes(
    active_trial, parties, django_capture_on_commit_callbacks
):
    provider = parties["provider"]
    for text in ("First", "Second", "Third"):  # each committed on its own, as in the service
        with django_capture_on_commit_callbacks(execute=True):
            post(parties["startup"], active_trial, text)
    to_provider = [m for m in mail.outbox if m.to == [provider.email]]
    assert len(to_provider) == 1 and "First" in to_provider[0].body
    # all three are in the service at once
    assert (
        Notification.objects.filter(user=provider, read_at=None, key__startswith="message:").count()
        == 3
    )
    mail.outbox.clear()
    later = timezone.now() + datetime.timedelta(minutes=16)
    sent = services.send_waiting_message_emails(now=later)
    assert sent == 3  # the provider, the officer and the partner, one digest each
    digest = next(m for m in mail.outbox if m.to == [provider.email])
    assert "Second" in digest.body and "Third" in digest.body and "First" not in digest.body
    mail.outbox.clear()
    assert services.send_waiting_message_emails(now=later) == 0  # idempotent
    assert mail.outbox == []


def test_read_messages_are_not_e_mailed(
    client, active_trial, parties, django_capture_on_commit_callbacks
):
    for text in ("First", "Second"):
        with django_capture_on_commit_callbacks(execute=True):
            post(parties["startup"], active_trial, text)
    client.force_login(parties["provider"])
    client.get(reverse("trials:messages", args=[active_trial.pk]))
    mail.outbox.clear()
    later = timezone.now() + datetime.timedelta(minutes=16)
    services.send_waiting_message_emails(now=later)
    assert parties["provider"].email not in {m.to[0] for m in mail.outbox}


def test_the_digest_is_a_registered_periodic_job():
    assert "send_message_emails" in jobs()


def test_unread_count_in_the_header_without_an_extra_query(client, active_trial, parties):
    post(parties["startup"], active_trial, "One")
    post(parties["startup"], active_trial, "Two")
    client.force_login(parties["provider"])
    page = client.get("/trials/").content.decode()
    assert 'href="/trials/messages/"' in page
    assert '2<span class="govuk-visually-hidden"> unread messages' in page
    client.get(reverse("trials:messages", args=[active_trial.pk]))
    page = client.get("/trials/").content.decode()
    assert "unread messages" not in page


def test_thread_page_query_count_is_constant(client, active_trial, parties, startup):
    client.force_login(parties["officer"])
    post(parties["startup"], active_trial, "One", [SimpleUploadedFile("a.jpg", jpeg())])
    url = reverse("trials:messages", args=[active_trial.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(8):
        post(parties["partner"], active_trial, f"More {n}", [SimpleUploadedFile("b.jpg", jpeg())])
    add_partner(active_trial, startup)
    add_partner(active_trial, startup)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and b"More 7" in response.content
    assert len(many.captured_queries) == len(few.captured_queries)


def test_page_posts_without_javascript(client, active_trial, parties):
    client.force_login(parties["partner"])
    url = reverse("trials:messages", args=[active_trial.pk])
    response = client.post(
        url, {"text": "From the partner", "file": SimpleUploadedFile("a.jpg", jpeg())}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "From the partner" in page and "a.jpg" in page
    too_long = client.post(url, {"text": "x" * 10_001})
    assert too_long.status_code == 400
    assert "10,000" in too_long.content.decode()


def test_api_list_and_post(client, active_trial, parties):
    client.force_login(parties["officer"])
    base = f"/api/v1/trials/{active_trial.pk}/messages/"
    created = client.post(base, {"text": "Officer here"}, content_type="application/json")
    assert created.status_code == 201, created.content
    upload = client.post(
        base, {"text": "With a photo", "file": SimpleUploadedFile("a.jpg", jpeg())}
    )
    assert upload.status_code == 201 and upload.json()["attachments"][0]["kind"] == "photo"
    listed = client.get(base).json()
    assert [m["text"] for m in listed["results"]] == ["Officer here", "With a photo"]
    too_long = client.post(base, {"text": "x" * 10_001}, content_type="application/json")
    assert too_long.status_code == 400 and too_long.json()["errors"]["text"]
    client.force_login(UserFactory())
    assert client.get(base).status_code == 404


def test_a_deleted_account_leaves_its_messages_without_its_name(active_trial, parties):
    from trials.data_rights import DELETED_NAME, account_delete

    partner = parties["partner"]
    post(partner, active_trial, "Kept, without my name")
    account_delete(actor=partner, user=partner)
    message = Message.objects.get(text="Kept, without my name")
    assert message.author_name == DELETED_NAME


def test_inbox_and_api_list_query_counts_are_constant(client, active_trial, parties, startup):
    from tests.factories import TestBedFactory

    client.force_login(parties["provider"])
    post(parties["startup"], active_trial, "One", [SimpleUploadedFile("a.jpg", jpeg())])
    api = f"/api/v1/trials/{active_trial.pk}/messages/"
    client.get("/trials/messages/")
    with CaptureQueriesContext(connection) as inbox_few:
        client.get("/trials/messages/")
    with CaptureQueriesContext(connection) as api_few:
        client.get(api)
    for n in range(4):  # more threads, more messages and attachments
        # One live trial per start-up, test bed and day (issue 21, item 2): a bed each.
        testbed = TestBedFactory(organisation=active_trial.testbed.organisation, capacity=5)
        other = services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title=f"Other {n}",
            summary="S",
            first_day=active_trial.booking.start,
            last_day=active_trial.booking.last_day,
        )
        post(parties["startup"], other, f"Thread {n}")
        post(parties["partner"], active_trial, f"More {n}", [SimpleUploadedFile("b.jpg", jpeg())])
    with CaptureQueriesContext(connection) as inbox_many:
        page = client.get("/trials/messages/").content.decode()
    with CaptureQueriesContext(connection) as api_many:
        listed = client.get(api).json()
    assert "Other 3" in page and listed["count"] == 5
    assert len(inbox_many.captured_queries) == len(inbox_few.captured_queries)
    assert len(api_many.captured_queries) == len(api_few.captured_queries)


def test_the_organisation_export_carries_messages_partners_and_changes(
    client, active_trial, parties, startup
):
    import json
    import zipfile

    post(parties["provider"], active_trial, "Exported words")
    services.change_request_create(
        actor=startup.user,
        trial=active_trial,
        first_day=active_trial.booking.start,
        last_day=active_trial.booking.last_day + datetime.timedelta(days=3),
        reason="More time",
    )
    client.force_login(startup.user)
    response = client.post(reverse("organisation_export", args=[startup.organisation.slug]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    record = json.loads(archive.read("data.json"))["trials"][0]
    assert record["messages"][0]["text"] == "Exported words"
    assert record["partners"][0]["role"] == "technology"
    assert record["changes_of_dates"][0]["reason"] == "More time"
