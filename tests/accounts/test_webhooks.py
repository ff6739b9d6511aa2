"""Webhooks: signed deliveries a receiver can verify, retries with back-off, disabling,
refusal of private addresses, and the events the trial lifecycle emits.

Deliveries go to a real HTTP server on 127.0.0.1 in a thread (private addresses are
allowed for these tests, as the setting says), except where the refusal is the point.
"""

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import webhooks
from accounts.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory, enrolled
from trials import services as trial_services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class Receiver:
    """A tiny HTTP server that records each request and answers the statuses it is given."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/somewhere-else")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tbx?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, _, body in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def register(membership, url, events=("booking.approved",)) -> WebhookEndpoint:
    return webhooks.webhook_register(
        actor=membership.user, organisation=membership.organisation, url=url, events=list(events)
    )


def emit_one(endpoint, capture, event="booking.approved", object_id=7) -> WebhookDelivery:
    with capture(execute=True), transaction.atomic():
        webhooks.emit(
            event, organisations=[endpoint.organisation], object_type="trial", object_id=object_id
        )
    return WebhookDelivery.objects.filter(endpoint=endpoint).latest("id")


def make_due(delivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_receiver_with_the_secret_can_verify_the_signature(
    receiver, startup, django_capture_on_commit_callbacks
):
    endpoint = register(startup, receiver.url)
    before = int(time.time())
    delivery = emit_one(endpoint, django_capture_on_commit_callbacks, object_id=42)

    [(path, headers, body)] = receiver.requests
    assert path == "/hooks/tbx?source=test"
    expected = "sha256=" + hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-TBX-Signature"], expected)
    assert headers["X-TBX-Event"] == "booking.approved"
    assert headers["X-TBX-Delivery"] == str(delivery.pk)
    assert before <= int(headers["X-TBX-Timestamp"]) <= int(time.time())
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload == {
        "event": "booking.approved",
        "object": {"type": "trial", "id": 42},
        "time": payload["time"],
        "organisation": startup.organisation.slug,
    }
    assert payload["time"].endswith("Z")
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_failures_are_retried_with_back_off_then_given_up(
    receiver, startup, django_capture_on_commit_callbacks
):
    endpoint = register(startup, receiver.url)
    receiver.statuses = [500] * 10
    started = timezone.now()
    delivery = emit_one(endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    wait = delivery.next_attempt_at - started
    assert datetime.timedelta(seconds=59) < wait < datetime.timedelta(seconds=70)

    assert webhooks.deliver(delivery.pk) == "not due"  # nothing is sent before its time
    assert len(receiver.requests) == 1

    waits = [wait]
    for attempt in range(2, 8):
        make_due(delivery)
        before = timezone.now()
        if attempt == 2:
            assert webhooks.retry_due() == 1  # what beat runs every minute
        else:
            webhooks.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - before)
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120, 360, 720]
    assert delivery.status == "gave_up" and delivery.next_attempt_at is None
    assert sum(webhooks.BACKOFF) / 3600 == pytest.approx(20.6, abs=0.1)  # about a day
    assert len(receiver.requests) == 7
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 7 and endpoint.active

    # The next success resets the count of failures in a row.
    receiver.statuses = []
    emit_one(endpoint, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 0


def test_repeated_failure_disables_the_endpoint(
    receiver, startup, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    endpoint = register(startup, receiver.url)
    receiver.statuses = [503] * 10
    first = emit_one(endpoint, django_capture_on_commit_callbacks)
    emit_one(endpoint, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failure_count == 2
    emit_one(endpoint, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_at is not None
    assert "3 delivery attempts in a row failed" in endpoint.disabled_reason
    # Deliveries still waiting to be retried are given up; nothing more is sent.
    first.refresh_from_db()
    assert first.status == "gave_up"
    assert not WebhookDelivery.objects.filter(status__in=["pending", "failed"]).exists()
    event = AuditEvent.objects.get(action="webhook.disabled")
    assert event.actor is None and event.organisation == startup.organisation
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert (
            webhooks.emit(
                "booking.approved",
                organisations=[startup.organisation],
                object_type="trial",
                object_id=1,
            )
            == []
        )
    assert len(receiver.requests) == 3

    # An admin enables it again, from a clean slate.
    webhooks.webhook_enable(actor=startup.user, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failure_count == 0 and endpoint.disabled_reason == ""


def test_410_gone_disables_at_once(receiver, startup, django_capture_on_commit_callbacks):
    endpoint = register(startup, receiver.url)
    receiver.statuses = [410]
    delivery = emit_one(endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == "gave_up" and delivery.last_status_code == 410
    assert not endpoint.active and "410" in endpoint.disabled_reason


def test_redirects_are_not_followed(receiver, startup, django_capture_on_commit_callbacks):
    endpoint = register(startup, receiver.url)
    receiver.statuses = [302]
    delivery = emit_one(endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code == 302
    assert "Redirects are not followed" in delivery.last_error
    assert [path for path, _, _ in receiver.requests] == ["/hooks/tbx?source=test"]


def test_a_change_that_rolls_back_announces_nothing(
    receiver, startup, django_capture_on_commit_callbacks
):
    register(startup, receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhooks.emit(
            "booking.approved",
            organisations=[startup.organisation],
            object_type="trial",
            object_id=1,
        )
        raise RuntimeError("rolled back")
    assert callbacks == [] and receiver.requests == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]:8080/",
        "https://localhost/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.10/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
    ],
)
def test_private_and_local_addresses_are_refused(startup, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as refused:
        register(startup, url)
    assert "url" in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.216.34/", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("https://user:pass@93.184.216.34/", "Leave the user name and password out"),
        ("not a url", "must start with https://"),
    ],
)
def test_only_plain_http_urls_are_accepted(startup, url, message):
    """Public addresses, so each URL is refused for its own reason, not a failed DNS lookup."""
    with pytest.raises(ValidationError) as refused:
        register(startup, url)
    assert message in " ".join(refused.value.message_dict["url"])
    assert not WebhookEndpoint.objects.exists()


def test_address_rules():
    assert webhooks.is_public_address("93.184.216.34")
    assert webhooks.is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    for address in ("127.0.0.1", "169.254.169.254", "10.0.0.1", "::1", "fe80::1", "fc00::1"):
        assert not webhooks.is_public_address(address)
    assert not webhooks.is_public_address("::ffff:10.0.0.1")
    assert not webhooks.is_public_address("2002:7f00:1::")  # 6to4 around 127.0.0.1


def test_addresses_are_checked_again_at_delivery(
    receiver, startup, settings, django_capture_on_commit_callbacks
):
    endpoint = register(startup, receiver.url)  # allowed while registering (test setting)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    delivery = emit_one(endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code is None
    assert "private, local or reserved" in delivery.last_error
    assert receiver.requests == []


def test_only_an_organisation_admin_manages_its_webhooks(receiver, startup):
    member = MembershipFactory(organisation=startup.organisation)
    with pytest.raises(PermissionDenied):
        register(member, receiver.url)
    endpoint = register(startup, receiver.url)
    outsider = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    for service in (webhooks.webhook_disable, webhooks.webhook_remove):
        with pytest.raises(PermissionDenied):
            service(actor=outsider.user, endpoint=endpoint)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_reveal_secret(actor=member.user, endpoint=endpoint)
    with pytest.raises(ValidationError):
        register(startup, receiver.url, events=["booking.exploded"])
    with pytest.raises(ValidationError):
        register(startup, receiver.url, events=[])


def test_a_booking_approval_reaches_the_startups_endpoint(
    receiver, startup, provider, settings, django_capture_on_commit_callbacks
):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team, admin=True)
    register(startup, receiver.url, events=["booking.approved"])
    register(provider, receiver.url, events=["booking.requested", "trial.status_changed"])
    register(officer, receiver.url, events=["booking.approved"])
    stranger = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    register(stranger, receiver.url, events=[e for e, _ in webhooks.WebhookEvent.choices])
    testbed = TestBedFactory(organisation=provider.organisation, requires_approval=True)
    enrolled(startup.organisation, programme)

    with django_capture_on_commit_callbacks(execute=True):
        trial = trial_services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title="Smart bins",
            summary="Sensors on bins.",
            first_day=TODAY + datetime.timedelta(days=5),
            last_day=TODAY + datetime.timedelta(days=9),
            programme=programme,
        )
    assert [(b["event"], b["organisation"]) for b in receiver.bodies()] == [
        ("booking.requested", provider.organisation.slug)
    ]
    receiver.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):
        trial_services.trial_approve(actor=provider.user, trial=trial)
    heard = sorted((b["event"], b["organisation"]) for b in receiver.bodies())
    assert heard == sorted(
        [
            ("trial.status_changed", provider.organisation.slug),
            ("booking.approved", startup.organisation.slug),
            ("booking.approved", programme.team.slug),
        ]
    )
    approved = next(b for b in receiver.bodies() if b["organisation"] == startup.organisation.slug)
    assert approved["object"] == {"type": "trial", "id": trial.pk}
    changed = next(b for b in receiver.bodies() if b["event"] == "trial.status_changed")
    assert changed["data"] == {"from_status": "requested", "to_status": "approved"}
    assert WebhookDelivery.objects.filter(status="delivered").count() == 4


def test_webhook_pages(receiver, client, startup):
    member = MembershipFactory(organisation=startup.organisation)
    client.force_login(member.user)
    page = client.get(reverse("integrations:webhooks")).content.decode()
    assert "Only an admin" in page
    assert client.get(reverse("integrations:webhook_create")).status_code == 403

    client.force_login(startup.user)
    response = client.post(
        reverse("integrations:webhook_create"),
        {
            "organisation": str(startup.organisation.pk),
            "url": receiver.url,
            "events": ["booking.approved", "evidence_pack.reviewed"],
        },
    )
    assert response.status_code == 200, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["booking.approved", "evidence_pack.reviewed"]
    assert endpoint.secret in response.content.decode()  # shown once after creation
    assert "no-store" in response.headers["Cache-Control"]

    detail_url = reverse("integrations:webhook", args=[endpoint.pk])
    detail = client.get(detail_url).content.decode()
    assert endpoint.secret not in detail and "Show the secret" in detail
    shown = client.post(reverse("integrations:webhook_secret", args=[endpoint.pk]))
    assert endpoint.secret in shown.content.decode()
    assert AuditEvent.objects.filter(action="webhook.secret_viewed").count() == 1
    renewed = client.post(reverse("integrations:webhook_secret", args=[endpoint.pk]), {"new": "1"})
    old_secret = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret in renewed.content.decode()

    client.post(reverse("integrations:webhook_disable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.active
    client.post(reverse("integrations:webhook_enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.active

    bad = client.post(
        reverse("integrations:webhook_create"),
        {"organisation": str(startup.organisation.pk), "url": "ftp://x.org/", "events": []},
    )
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()

    client.force_login(member.user)
    assert endpoint.url not in client.get(reverse("integrations:webhooks")).content.decode()
    assert client.get(detail_url).status_code == 404
    assert (
        client.post(reverse("integrations:webhook_delete", args=[endpoint.pk])).status_code == 404
    )
    client.force_login(startup.user)
    assert (
        client.post(
            reverse("integrations:webhook_delete", args=[endpoint.pk]), {"confirm": "yes"}
        ).status_code
        == 302
    )
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_removed_while_sending_is_no_error(receiver, startup):
    endpoint = register(startup, receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="booking.approved", payload={"event": "booking.approved"}
    )
    webhooks.webhook_remove(actor=startup.user, endpoint=endpoint)
    assert webhooks._record(delivery.pk, webhooks.Outcome(status_code=200)) == "removed"
    assert webhooks.deliver(delivery.pk) == "skipped"


def stored_secret(endpoint) -> str:
    """The secret column as the database holds it."""
    from django.db import connection

    with connection.cursor() as cursor:
        table = WebhookEndpoint._meta.db_table
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()[0]


def test_the_signing_secret_is_stored_encrypted(receiver, startup):
    endpoint = register(startup, receiver.url)
    secret = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    assert len(secret) >= 40
    stored = stored_secret(endpoint)
    assert stored.startswith("fernet:") and secret not in stored


def test_the_secret_still_reads_after_the_secret_key_is_rotated(receiver, startup, settings):
    from django.core.exceptions import ImproperlyConfigured

    endpoint = register(startup, receiver.url)
    secret = endpoint.secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        WebhookEndpoint.objects.get(pk=endpoint.pk)
    # Without the old key only signing fails: listing and emitting never read the secret.
    assert [e.pk for e in webhooks.endpoints_for_admin(startup.user)] == [endpoint.pk]
    with transaction.atomic():
        webhooks.emit(
            "booking.approved",
            organisations=[startup.organisation],
            object_type="trial",
            object_id=1,
        )
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_a_secret_stored_before_encryption_reads_and_is_encrypted_on_save(receiver, startup):
    from django.db import connection

    endpoint = register(startup, receiver.url)
    with connection.cursor() as cursor:
        table = WebhookEndpoint._meta.db_table
        cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", ["plain-old", endpoint.pk])
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint.secret == "plain-old"
    endpoint.save(update_fields=["secret"])
    assert stored_secret(endpoint).startswith("fernet:")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "plain-old"
