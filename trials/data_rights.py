"""Data rights: an organisation takes all its data away; a person deletes their account.

These live in ``trials`` because they reach across every app. Deleting an account
anonymises the person's name where it was recorded (timelines, logs, reviews) and keeps
the trial records and issued evidence packs intact — the packs already issued are the
record of what was reviewed, and they are never changed.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Notification,
    Organisation,
    User,
)
from accounts.permissions import forget_memberships, require_member
from testbeds.models import Booking, TestBed

from .models import (
    OUTCOME_FIELDS,
    PLAN_FIELDS,
    ChangeRequest,
    LogEntry,
    Message,
    Review,
    Trial,
    TrialEvent,
    TrialPartner,
)

DELETED_NAME = "Deleted user"

#: What an app above ``trials`` adds to an organisation's export: a function of the
#: organisation returning (key in data.json, its data, [(file field, path in the zip)]).
ExportSection = Callable[[Organisation], tuple[str, object, list[tuple[Any, str]]]]
_export_sections: list[ExportSection] = []


#: What an app above ``trials`` erases when a person deletes their account: a function of the
#: person (still with their name, e-mail and memberships), run inside the deletion's transaction.
AccountEraser = Callable[[User], None]
_account_erasers: list[AccountEraser] = []


def register_account_eraser(eraser: AccountEraser) -> None:
    """Called from a higher app's ``ready()`` (adoption, challenges): trials never imports them."""
    if eraser not in _account_erasers:
        _account_erasers.append(eraser)


def register_export_section(section: ExportSection) -> None:
    """Called from a higher app's ``ready()`` (challenges, adoption): trials never imports them."""
    if section not in _export_sections:
        _export_sections.append(section)


def _trial_record(trial: Trial) -> dict:
    return {
        "id": trial.pk,
        "reference": trial.reference,
        "title": trial.title,
        "summary": trial.summary,
        "status": trial.status,
        "start_up": trial.organisation.name,
        "test_bed": trial.testbed.name,
        "first_day": trial.booking.start,
        "last_day": trial.booking.last_day,
        "programme": trial.programme.name if trial.programme else None,
        "answers": trial.answers,
        "plan": {name: getattr(trial, name) for name in PLAN_FIELDS},
        "outcome": {name: getattr(trial, name) for name in OUTCOME_FIELDS},
        "kpis": [
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "direction": kpi.direction,
                "measurements": [
                    {"date": m.date, "value": m.value, "note": m.note}
                    for m in kpi.measurements.all()
                ],
            }
            for kpi in trial.kpis.all()
        ],
        "log": [
            {"date": e.date, "kind": e.kind, "author": e.author_name, "text": e.text}
            for e in trial.log_entries.all()
        ],
        "timeline": [
            {
                "at": e.created_at,
                "by": e.actor_name,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in trial.events.all()
        ],
        "files": [
            {"name": f.original_name, "caption": f.caption, "kind": f.kind, "sha256": f.sha256}
            for f in trial.files.all()
        ],
        "evidence_packs": [
            {"code": p.code, "version": p.version, "state": p.state, "sha256": p.sha256}
            for p in trial.packs.all()
        ],
        "partners": [
            {
                "organisation": p.organisation.name if p.organisation else None,
                "role": p.role,
                "contribution": p.contribution,
                "status": p.status,
            }
            for p in trial.partners.all()
        ],
        "changes_of_dates": [
            {
                "kind": c.kind,
                "status": c.status,
                "from": [c.old_start, c.old_last_day],
                "to": [c.start, c.last_day],
                "reason": c.reason,
                "asked_by": c.requested_by_name,
                "decided_by": c.decided_by_name,
                "note": c.decision_note,
            }
            for c in trial.change_requests.all()
        ],
        "messages": [
            {
                "at": m.created_at,
                "by": m.author_name,
                "organisation": m.organisation_name,
                "text": m.text,
                "attachments": [a.original_name for a in m.attachments.all()],
            }
            for m in trial.messages.all()
        ],
    }


def _trials_of(organisation: Organisation):
    return (
        Trial.objects.filter(Q(organisation=organisation) | Q(testbed__organisation=organisation))
        .select_related("organisation", "testbed", "booking", "programme")
        .prefetch_related(
            "kpis__measurements",
            "log_entries",
            "events",
            "files",
            "packs",
            "partners__organisation",
            "change_requests",
            "messages__attachments",
        )
        .order_by("pk")
    )


def _copy(archive: zipfile.ZipFile, field, name: str) -> None:
    if not field:
        return
    try:
        with field.open("rb") as handle:
            archive.writestr(name, handle.read())
    except OSError:
        archive.writestr(
            name + ".missing.txt", _("The file could not be read when the export was made.")
        )


def organisation_export(*, actor: User, organisation: Organisation) -> IO[bytes]:
    """Everything the organisation owns or takes part in, as JSON plus its files, in a zip.

    Returns an open temporary file positioned at the start; the caller streams it.
    """
    require_member(actor, organisation, admin=True)
    trials = list(_trials_of(organisation))
    testbeds = list(
        TestBed.objects.filter(organisation=organisation).prefetch_related(
            "photos",
            "blackouts",
            Prefetch("bookings", queryset=Booking.objects.select_related("organisation")),
        )
    )
    data = {
        "exported_at": timezone.now(),
        "organisation": {
            "name": organisation.name,
            "kind": organisation.kind,
            "region": organisation.region,
            "website": organisation.website,
            "description": organisation.description,
        },
        "members": [
            {"name": m.user.full_name, "email": m.user.email, "role": m.role}
            for m in organisation.memberships.select_related("user")
        ],
        "test_beds": [
            {
                "name": t.name,
                "slug": t.slug,
                "status": t.status,
                "summary": t.summary,
                "description": t.description,
                "capacity": t.capacity,
                "closures": [
                    {"start": b.start, "end": b.end, "reason": b.reason} for b in t.blackouts.all()
                ],
                "bookings": [
                    {
                        "start": b.start,
                        "end": b.end,
                        "status": b.status,
                        "organisation__name": b.organisation.name,
                    }
                    for b in t.bookings.all()
                ],
            }
            for t in testbeds
        ],
        "trials": [_trial_record(trial) for trial in trials],
    }
    extra_files: list[tuple[Any, str]] = []
    for section in _export_sections:
        key, payload, files = section(organisation)
        data[key] = payload
        extra_files += files
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — handed to the response, which closes it
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for field, name in extra_files:
            _copy(archive, field, name)
        for testbed in testbeds:
            for photo in testbed.photos.all():
                _copy(archive, photo.original, f"test-beds/{testbed.slug}/photo-{photo.pk}.jpg")
        for trial in trials:
            for file in trial.files.all():
                _copy(archive, file.file, f"trials/{trial.pk}/files/{file.pk}-{file.original_name}")
            for pack in trial.packs.all():
                _copy(
                    archive, pack.file, f"trials/{trial.pk}/packs/{pack.code}-v{pack.version}.pdf"
                )
    with transaction.atomic():
        record_event(
            actor=actor,
            action="organisation.exported",
            target=organisation,
            organisation=organisation,
        )
    handle.seek(0)
    return handle


def _last_admin_of(user: User) -> list[Organisation]:
    """Organisations that would be left without an admin, though others are still in them."""
    stranded = []
    for membership in Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN
    ).select_related("organisation"):
        others = Membership.objects.filter(organisation=membership.organisation).exclude(user=user)
        if others.exists() and not others.filter(role=Membership.Role.ADMIN).exists():
            stranded.append(membership.organisation)
    return stranded


@transaction.atomic
def account_delete(*, actor: User, user: User) -> None:
    """Delete a person's account: their name goes from every record; the records stay."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("People delete only their own account."))
    stranded = _last_admin_of(user)
    if stranded:
        raise ValidationError(
            _(
                "Make someone else an admin of %(names)s first, "
                "so the organisation is not left without one."
            )
            % {"names": ", ".join(o.name for o in stranded)}
        )
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    for erase in _account_erasers:
        erase(user)
    TrialEvent.objects.filter(actor=user).update(actor_name=DELETED_NAME)
    LogEntry.objects.filter(author=user).update(author_name=DELETED_NAME)
    Review.objects.filter(reviewer=user).update(reviewer_name=DELETED_NAME)
    Message.objects.filter(author=user).update(author_name=DELETED_NAME)
    ChangeRequest.objects.filter(requested_by=user).update(requested_by_name=DELETED_NAME)
    ChangeRequest.objects.filter(decided_by=user).update(decided_by_name=DELETED_NAME)
    TrialPartner.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, removed_at__isnull=True
    ).update(removed_at=timezone.now())
    Notification.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    forget_memberships(user)
    forget_memberships(actor)
    ApiToken.objects.filter(user=user).delete()
    user.full_name = DELETED_NAME
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    record_event(
        actor=None, action="user.deleted", target=user, summary=f"account {user.pk} deleted"
    )
