"""Webhooks: organisations' systems hear about bookings, trials and evidence packs.

- ``emit`` (called inside a service's transaction) writes one WebhookDelivery per
  endpoint that registered for the event and enqueues its sending on commit, so a change
  that rolls back announces nothing.
- ``deliver`` (a Celery task) POSTs the JSON body, signed: ``X-TBX-Signature:
  sha256=<hex HMAC-SHA256 of the raw body with the endpoint's secret>``, with
  ``X-TBX-Event``, ``X-TBX-Delivery`` and ``X-TBX-Timestamp``. A 2xx is delivered; a
  410 disables the endpoint at once; anything else (another status, a redirect — never
  followed —, a timeout, a refused address) is retried after 1 min, 5 min, 30 min,
  2 h, 6 h and 12 h (about a day), then given up. ``WEBHOOK_DISABLE_AFTER_FAILURES``
  failed attempts in a row, whichever deliveries they belong to, disable the endpoint.
- ``retry_due`` (Celery beat, every minute) sends the retries that are due.
- Server-side request forgery: only http(s) URLs, without user names or passwords; the
  host is resolved and every address must be public (no loopback, link-local, private,
  shared, multicast, reserved or unspecified address) unless
  ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` is set — checked when the URL is registered and
  again at each delivery, and the connection goes to the address that was checked, so a
  DNS answer that changes in between cannot redirect it.

The services at the bottom (register, disable, enable, remove, secret) check that the
actor is an admin of the endpoint's organisation, run in one transaction and record an
event.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import try_enqueue

from .events import record_event
from .models import (
    Membership,
    Organisation,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from .permissions import require_member

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, … failed attempt; after the last, give up.
BACKOFF = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600]
TIMEOUT = 5
# While an attempt is in flight its delivery is claimed for this long, so the retry sweep
# does not send it a second time.
CLAIM = datetime.timedelta(minutes=2)
MAX_ENDPOINTS_PER_ORGANISATION = 10
USER_AGENT = "TestBedExchange-Webhooks/1.0"
Status = WebhookDelivery.Status


def disable_after() -> int:
    return int(getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILURES", 10))


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


# Addresses ----------------------------------------------------------------------------


class RefusedUrl(ValueError):
    """A URL the service will not send to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return not (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str, *, resolve: bool = True) -> Target:
    """The URL's target, its host resolved and every address checked; RefusedUrl if not."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise RefusedUrl(_("Enter a valid URL."))
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl(_("The URL must start with https:// (or http://)."))
    if not parts.hostname:
        raise RefusedUrl(_("The URL must name a host."))
    if parts.username or parts.password:
        raise RefusedUrl(_("Leave the user name and password out of the URL."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname
    addresses: tuple[str, ...] = ()
    if resolve:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise RefusedUrl(_("The host %(host)s could not be found.") % {"host": host})
        addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
        if not addresses:
            raise RefusedUrl(_("The host %(host)s could not be found.") % {"host": host})
        if not allow_private():
            for address in addresses:
                if not is_public_address(address):
                    raise RefusedUrl(
                        _(
                            "%(host)s is a private, local or reserved address (%(address)s): "
                            "webhooks go only to public addresses."
                        )
                        % {"host": host, "address": address}
                    )
    return Target(parts.scheme, host, port, path, addresses)


# Signing and sending -----------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    """What ``X-TBX-Signature`` carries; a receiver recomputes it and compares in constant time."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Outcome:
    status_code: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(url: str, *, headers: dict[str, str], body: bytes) -> Outcome:
    """POST the body once: no redirects, a 5-second timeout, a checked address."""
    try:
        target = check_url(url)
    except RefusedUrl as refused:
        return Outcome(error=str(refused))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, address=target.addresses[0], timeout=TIMEOUT
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(error=f"{type(error).__name__}: {error}"[:300] or "Connection failed")
    finally:
        connection.close()
    outcome = Outcome(status_code=response.status)
    if 300 <= response.status < 400:
        outcome.error = _("Redirects are not followed: register the final URL.")
    elif not outcome.delivered:
        outcome.error = (response.reason or "")[:300]
    return outcome


# Emitting ------------------------------------------------------------------------------


def _timestamp(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _emit(
    event: str,
    organisation_ids: Iterable[int | None],
    *,
    object_type: str,
    object_id: int,
    data: dict[str, Any] | None = None,
    read: dict[frozenset[int], list[WebhookEndpoint]] | None = None,
) -> list[WebhookDelivery]:
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event: {event}")
    ids = frozenset(pk for pk in organisation_ids if pk)
    if not ids:
        return []
    active = read.get(ids) if read is not None else None
    if active is None:
        active = list(
            WebhookEndpoint.objects.filter(organisation_id__in=ids, active=True)
            .select_related("organisation")
            .defer("secret")  # decrypted only to sign, in deliver()
        )
        if read is not None:
            read[ids] = active
    endpoints = [endpoint for endpoint in active if event in endpoint.events]
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        payload: dict[str, Any] = {
            "event": event,
            "object": {"type": object_type, "id": object_id},
            "time": _timestamp(now),
            "organisation": endpoint.organisation.slug,
        }
        if data:
            payload["data"] = data
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=payload, created_at=now, next_attempt_at=now
        )
        transaction.on_commit(partial(try_enqueue, deliver, delivery.pk))
        deliveries.append(delivery)
    return deliveries


def emit(
    event: str,
    *,
    organisations: Iterable[Organisation | None],
    object_type: str,
    object_id: int,
    data: dict[str, Any] | None = None,
) -> list[WebhookDelivery]:
    """Announce an event to the organisations' endpoints that registered for it.

    Call it inside the transaction that made the change: the deliveries are written in
    it and sent after it commits.
    """
    return _emit(
        event,
        (organisation.pk for organisation in organisations if organisation is not None),
        object_type=object_type,
        object_id=object_id,
        data=data,
    )


ENDPOINTS_READ = "_webhook_endpoints_read"


def emit_for_trial(event: str, trial: Any, *, pack: Any = None, **data: Any) -> None:
    """Announce an event about a trial (or one of its evidence packs) to its parties:
    the start-up, the test bed's public body and, if it has one, the programme's team.

    The parties' endpoints are read once per trial object: a service that emits several
    events about one trial in one transaction (requested, approved…) reads them once."""
    _emit(
        event,
        (
            trial.organisation_id,
            trial.testbed.organisation_id,
            trial.programme.team_id if trial.programme_id else None,
        ),
        object_type="evidence_pack" if pack is not None else "trial",
        object_id=pack.pk if pack is not None else trial.pk,
        data=data or None,
        read=_read_in_this_transaction(trial),
    )


def _read_in_this_transaction(trial: Any) -> dict | None:
    """Where the trial's parties' endpoints are kept until the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        return None
    read = trial.__dict__.get(ENDPOINTS_READ)
    if read is None:
        read = trial.__dict__[ENDPOINTS_READ] = {}
        transaction.on_commit(lambda: trial.__dict__.pop(ENDPOINTS_READ, None))
    return read


# Delivering ---------------------------------------------------------------------------


@shared_task(name="accounts.webhooks.deliver", acks_late=True)
def deliver(delivery_id: int) -> str:
    """Make one attempt at a delivery that is due, and record what happened."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status not in (Status.PENDING, Status.FAILED):
            return "skipped"
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return "not due"
        endpoint = delivery.endpoint
        if not endpoint.active:
            delivery.status = Status.GAVE_UP
            delivery.next_attempt_at = None
            delivery.last_error = _("The endpoint is disabled.")
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return "gave up"
        delivery.attempts += 1
        delivery.next_attempt_at = now + CLAIM
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-TBX-Event": delivery.event,
        "X-TBX-Delivery": str(delivery.pk),
        "X-TBX-Timestamp": str(int(time.time())),
        "X-TBX-Signature": signature(endpoint.secret, body),
    }
    outcome = send(endpoint.url, headers=headers, body=body)
    return _record(delivery.pk, outcome)


def _record(delivery_id: int, outcome: Outcome) -> str:
    now = timezone.now()
    with transaction.atomic():
        # The endpoint first, then the delivery: the order webhook_disable takes them in.
        endpoint_id = (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True)
        ).first()
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if endpoint is None or delivery is None:  # removed while the request was in flight
            return "removed"
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:300]
        if outcome.delivered:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.save()
            if endpoint.failure_count:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=0)
            return "delivered"
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=F("failure_count") + 1)
        endpoint.refresh_from_db(fields=["failure_count"])
        gone = outcome.status_code == 410
        if gone or delivery.attempts > len(BACKOFF):
            delivery.status = Status.GAVE_UP
            delivery.next_attempt_at = None
        else:
            delivery.status = Status.FAILED
            delivery.next_attempt_at = now + datetime.timedelta(
                seconds=BACKOFF[delivery.attempts - 1]
            )
        delivery.save()
        if endpoint.active and (gone or endpoint.failure_count >= disable_after()):
            reason = (
                _("The receiver answered 410 Gone.")
                if gone
                else _("%(n)s delivery attempts in a row failed.") % {"n": endpoint.failure_count}
            )
            webhook_disable(actor=None, endpoint=endpoint, reason=reason)
    return "gone" if gone else delivery.status


@shared_task(name="accounts.webhooks.retry_due")
def retry_due(limit: int = 500) -> int:
    """Enqueue the deliveries whose next attempt is due (Celery beat runs this each minute)."""
    due = list(
        WebhookDelivery.objects.filter(
            status__in=[Status.PENDING, Status.FAILED],
            next_attempt_at__lte=timezone.now(),
            endpoint__active=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver.delay(pk)
    return len(due)


# Reads for the pages ------------------------------------------------------------------


def admin_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations the person is an admin of (one join: their own membership's role)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN
    ).order_by("name", "id")


def endpoints_for_admin(user: User) -> QuerySet[WebhookEndpoint]:
    return (
        WebhookEndpoint.objects.filter(organisation__in=admin_organisations(user))
        .select_related("organisation")
        .defer("secret")  # read (and decrypted) only when an admin asks to see it
        .order_by("organisation__name", "-created_at", "-id")
    )


def endpoint_for_admin(user: User, pk: int) -> WebhookEndpoint:
    endpoint = endpoints_for_admin(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = 25) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.order_by("-created_at", "-id")[:limit])


# Services -------------------------------------------------------------------------------


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    unknown = [event for event in chosen if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": _("Unknown event: %(e)s") % {"e": ", ".join(unknown)}})
    return [event for event in WebhookEvent.values if event in chosen]


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": _("Keep the URL under 500 characters.")})
    try:
        check_url(url)
    except RefusedUrl as refused:
        raise ValidationError({"url": str(refused)})
    return url


def webhook_register(
    *, actor: User, organisation: Organisation, url: str, events: Iterable[str]
) -> WebhookEndpoint:
    """An admin registers a URL for some events. The secret is made here."""
    require_member(actor, organisation, admin=True)
    events = _clean_events(events)
    url = _clean_url(url)  # resolves the host: outside the transaction
    with transaction.atomic():
        require_member(actor, organisation, admin=True)
        if organisation.webhook_endpoints.count() >= MAX_ENDPOINTS_PER_ORGANISATION:
            raise ValidationError(
                {
                    "url": _("An organisation can register up to %(n)s URLs.")
                    % {"n": MAX_ENDPOINTS_PER_ORGANISATION}
                }
            )
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            url=url,
            events=events,
            secret=new_secret(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="webhook.registered",
            target=endpoint,
            organisation=organisation,
            summary=f"{url} ({', '.join(events)})"[:300],
        )
    return endpoint


@transaction.atomic
def webhook_disable(
    *, actor: User | None, endpoint: WebhookEndpoint, reason: str = ""
) -> WebhookEndpoint:
    """Stop sending to an endpoint (actor None: disabled automatically). Deliveries still
    waiting are given up."""
    if actor is not None:
        require_member(actor, endpoint.organisation, admin=True)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.active:
        return endpoint
    reason = (reason or "").strip() or _("Disabled by %(name)s.") % {
        "name": actor.get_full_name() if actor else _("the service")
    }
    endpoint.active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:300]
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
    endpoint.deliveries.filter(status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.GAVE_UP, next_attempt_at=None, last_error=_("The endpoint was disabled.")
    )
    record_event(
        actor=actor,
        action="webhook.disabled",
        target=endpoint,
        organisation=endpoint.organisation,
        summary=f"{endpoint.url}: {reason}"[:300],
    )
    return endpoint


def webhook_enable(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send to the endpoint again, from the next event on (its URL is checked again)."""
    require_member(actor, endpoint.organisation, admin=True)
    _clean_url(endpoint.url)  # resolves the host: outside the transaction
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.active = True
        endpoint.failure_count = 0
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.save(update_fields=["active", "failure_count", "disabled_at", "disabled_reason"])
        record_event(
            actor=actor,
            action="webhook.enabled",
            target=endpoint,
            organisation=endpoint.organisation,
            summary=endpoint.url,
        )
    return endpoint


@transaction.atomic
def webhook_remove(*, actor: User, endpoint: WebhookEndpoint) -> None:
    require_member(actor, endpoint.organisation, admin=True)
    record_event(
        actor=actor,
        action="webhook.removed",
        target=endpoint,
        organisation=endpoint.organisation,
        summary=endpoint.url,
    )
    endpoint.delete()


@transaction.atomic
def webhook_reveal_secret(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """The signing secret, for an admin to copy into the receiving system (audited)."""
    require_member(actor, endpoint.organisation, admin=True)
    record_event(
        actor=actor,
        action="webhook.secret_viewed",
        target=endpoint,
        organisation=endpoint.organisation,
        summary=endpoint.url,
    )
    return endpoint.secret


@transaction.atomic
def webhook_new_secret(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """Replace the signing secret (say, after a leak); the old one stops at once."""
    require_member(actor, endpoint.organisation, admin=True)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    record_event(
        actor=actor,
        action="webhook.secret_replaced",
        target=endpoint,
        organisation=endpoint.organisation,
        summary=endpoint.url,
    )
    return endpoint.secret
