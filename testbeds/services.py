"""Every change to test beds, their photos, blackouts and questions goes through here.

Each service checks that the actor acts for the owning public body, runs in one
transaction and records an audit event. Booking changes live in trials.services,
which owns the trial lifecycle and calls testbeds.booking for capacity.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import record_event
from accounts.models import Organisation, User
from accounts.permissions import require_member
from core.cache import bump_page_version
from core.dates import check_in_range
from core.exceptions import Conflict
from core.images import ImageRejected, process_image
from core.text import single_line, unique_slug

from .availability import day_loads, rebuild_free_runs
from .booking import lock_testbed
from .models import (
    ApplicationQuestion,
    Assurance,
    Blackout,
    Sector,
    Technology,
    TestBed,
    TestBedPhoto,
    new_calendar_token,
)

EDITABLE_FIELDS = {
    "name",
    "summary",
    "description",
    "name_cy",
    "summary_cy",
    "description_cy",
    "region",
    "town",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "trl_min",
    "trl_max",
    "capacity",
    "facilities",
    "eligibility",
    "assurances",
    "assurances_note",
    "cost_model",
    "cost_amount",
    "cost_note",
    "min_days",
    "max_days",
    "notice_days",
    "horizon_days",
    "requires_approval",
    "terms_url",
    "contact_name",
    "contact_email",
    "contact_phone",
}
MAX_PHOTOS = 12


def require_provider(actor: User, testbed: TestBed) -> None:
    """The actor acts for the public body that owns the test bed."""
    require_member(actor, testbed.organisation)


def _validate_rules(testbed: TestBed) -> None:
    """Cross-field rules; raises ValidationError naming the fields."""
    errors: dict[str, str] = {}
    if not (testbed.summary.strip() or testbed.summary_cy.strip()):
        errors["summary"] = _("Enter a summary in English or in Welsh.")
    if testbed.trl_min and testbed.trl_max and testbed.trl_min > testbed.trl_max:
        errors["trl_max"] = _("The highest readiness level must not be below the lowest.")
    if testbed.capacity is not None and testbed.capacity < 1:
        errors["capacity"] = _("A test bed must take at least 1 trial at a time.")
    if testbed.min_days and testbed.max_days and testbed.max_days < testbed.min_days:
        errors["max_days"] = _("The longest trial must not be shorter than the shortest.")
    if testbed.cost_model != TestBed.Cost.FREE and testbed.cost_amount in (None, ""):
        errors["cost_amount"] = _("Enter the amount, or choose free.")
    if testbed.cost_model == TestBed.Cost.FREE:
        testbed.cost_amount = None
    unknown = [code for code in testbed.assurances if code not in Assurance.values]
    if unknown:
        errors["assurances"] = _("Choose assurances from the list.")
    if errors:
        raise ValidationError(errors)


def _clean_facilities(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    items = [str(item).strip()[:120] for item in value or [] if str(item).strip()]
    return items[:40]


def _apply(testbed: TestBed, data: dict[str, Any]) -> None:
    unknown = set(data) - EDITABLE_FIELDS - {"sectors", "technologies"}
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            if name == "facilities":
                value = _clean_facilities(value)
            if name == "cost_amount" and value is not None:
                value = Decimal(value)
            setattr(testbed, name, value)
    _validate_rules(testbed)
    testbed.full_clean(exclude=["organisation", "slug", "sectors", "technologies"])


def _set_tags(testbed: TestBed, data: dict[str, Any]) -> None:
    if "sectors" in data:
        testbed.sectors.set(_lookup(Sector, data["sectors"], "sectors"))
    if "technologies" in data:
        testbed.technologies.set(_lookup(Technology, data["technologies"], "technologies"))


def _lookup(model: type, values: Iterable[Any], field: str) -> list:
    codes = [value.code if hasattr(value, "code") else str(value) for value in values]
    found = list(model.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({field: _("Choose from the list.")})
    return found


@transaction.atomic
def testbed_create(*, actor: User, organisation: Organisation, **data: Any) -> TestBed:
    """A new test bed, as a draft, owned by a public body the actor acts for."""
    require_member(actor, organisation)
    if not organisation.is_public_body:
        raise PermissionDenied(_("Only public bodies can offer test beds."))
    if not data.get("sectors"):
        raise ValidationError({"sectors": _("Choose at least one sector.")})
    testbed = TestBed(organisation=organisation)
    _apply(testbed, data)
    testbed.slug = unique_slug(TestBed, testbed.name)
    testbed.save()
    _set_tags(testbed, data)
    rebuild_free_runs([testbed.pk])
    record_event(
        actor=actor,
        action="testbed.created",
        target=testbed,
        organisation=organisation,
        summary=testbed.name,
    )
    return testbed


@transaction.atomic
def testbed_update(*, actor: User, testbed: TestBed, **data: Any) -> TestBed:
    """Change a test bed's listing. Capacity changes are checked against bookings."""
    testbed = lock_testbed(testbed)
    require_provider(actor, testbed)
    if testbed.status == TestBed.Status.RETIRED:
        raise Conflict(_("A retired test bed cannot be changed."), code="retired")
    if "sectors" in data and not data["sectors"]:
        raise ValidationError({"sectors": _("Choose at least one sector.")})
    old_capacity = testbed.capacity
    _apply(testbed, data)
    if testbed.capacity < old_capacity:
        _check_capacity_reduction(testbed)
    testbed.save()
    _set_tags(testbed, data)
    if testbed.capacity != old_capacity:
        rebuild_free_runs([testbed.pk])
    bump_page_version()
    record_event(
        actor=actor,
        action="testbed.updated",
        target=testbed,
        organisation=testbed.organisation,
        summary=", ".join(sorted(data)),
    )
    return testbed


def _check_capacity_reduction(testbed: TestBed) -> None:
    """Refuse a lower capacity while more confirmed bookings than that share a day."""
    from .models import Booking

    today = timezone.localdate()
    last_end = Booking.objects.filter(
        testbed=testbed, status=Booking.Status.CONFIRMED, end__gt=today
    ).aggregate(last=Max("end"))["last"]
    if last_end is None:
        return
    loads = day_loads(testbed, today, last_end)
    over = [offset for offset, load in enumerate(loads) if load > testbed.capacity]
    if over:
        until = today + datetime.timedelta(days=over[-1])
        raise ValidationError(
            {
                "capacity": _(
                    "Confirmed bookings need %(units)s parallel places until %(date)s. "
                    "Cancel or wait for them before lowering the capacity."
                )
                % {"units": max(loads), "date": until.strftime("%d/%m/%Y")}
            }
        )


def publication_gaps(testbed: TestBed) -> list[str]:
    """What a listing still needs before it can be published."""
    gaps = []
    if not (testbed.description.strip() or testbed.description_cy.strip()):
        gaps.append(_("a description"))
    if not testbed.sectors.exists():
        gaps.append(_("at least one sector"))
    if not (testbed.contact_email or testbed.contact_phone):
        gaps.append(_("a contact e-mail address or telephone number"))
    if not testbed.town:
        gaps.append(_("the town or city"))
    return gaps


def _set_status(
    *, actor: User, testbed: TestBed, status: str, reason: str, allowed_from: set[str]
) -> TestBed:
    testbed = lock_testbed(testbed)
    require_provider(actor, testbed)
    if testbed.status not in allowed_from:
        raise Conflict(
            _("A %(status)s test bed cannot be %(action)s.")
            % {
                "status": testbed.get_status_display().lower(),
                "action": TestBed.Status(status).label.lower(),
            },
            code="invalid_status",
        )
    previous = testbed.status
    testbed.status = status
    testbed.status_reason = reason.strip()[:300]
    if status == TestBed.Status.PUBLISHED and testbed.published_at is None:
        testbed.published_at = timezone.now()
    testbed.save(update_fields=["status", "status_reason", "published_at", "updated_at"])
    bump_page_version()
    record_event(
        actor=actor,
        action=f"testbed.{status}",
        target=testbed,
        organisation=testbed.organisation,
        summary=f"{previous} → {status}: {reason}"[:300],
    )
    return testbed


@transaction.atomic
def testbed_publish(*, actor: User, testbed: TestBed) -> TestBed:
    gaps = publication_gaps(testbed)
    if gaps:
        raise ValidationError(
            _("Before publishing, add %(missing)s.") % {"missing": ", ".join(str(g) for g in gaps)}
        )
    return _set_status(
        actor=actor,
        testbed=testbed,
        status=TestBed.Status.PUBLISHED,
        reason="",
        allowed_from={TestBed.Status.DRAFT, TestBed.Status.PAUSED},
    )


@transaction.atomic
def testbed_pause(*, actor: User, testbed: TestBed, reason: str) -> TestBed:
    """Stop taking requests for a while; confirmed bookings stay."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why requests are paused.")})
    return _set_status(
        actor=actor,
        testbed=testbed,
        status=TestBed.Status.PAUSED,
        reason=reason,
        allowed_from={TestBed.Status.PUBLISHED},
    )


@transaction.atomic
def testbed_retire(*, actor: User, testbed: TestBed, reason: str) -> TestBed:
    """Withdraw the test bed for good. It leaves the catalogue; its trials keep their records."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the test bed is retired.")})
    return _set_status(
        actor=actor,
        testbed=testbed,
        status=TestBed.Status.RETIRED,
        reason=reason,
        allowed_from={TestBed.Status.DRAFT, TestBed.Status.PUBLISHED, TestBed.Status.PAUSED},
    )


@transaction.atomic
def testbed_reset_calendar_token(*, actor: User, testbed: TestBed) -> TestBed:
    """A new secret calendar address; the old one stops working."""
    require_provider(actor, testbed)
    testbed.calendar_token = new_calendar_token()
    testbed.save(update_fields=["calendar_token"])
    record_event(
        actor=actor,
        action="testbed.calendar_reset",
        target=testbed,
        organisation=testbed.organisation,
    )
    return testbed


def _check_photo_room(testbed: TestBed) -> None:
    if testbed.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            {"image": _("A test bed can have up to %(n)s photos.") % {"n": MAX_PHOTOS}}
        )


def photo_add(
    *, actor: User, testbed: TestBed, upload: IO[bytes], alt_text: str, caption: str = ""
) -> TestBedPhoto:
    """Add a photo. The upload is verified and re-encoded before anything is stored."""
    require_provider(actor, testbed)
    alt_text, caption = single_line(alt_text, "alt_text"), single_line(caption, "caption")
    if not alt_text:
        raise ValidationError({"alt_text": _("Describe the photo for people who cannot see it.")})
    _check_photo_room(testbed)  # early, before the costly image work; again under the lock
    try:
        processed = process_image(upload)
    except ImageRejected as error:
        raise ValidationError({"image": ValidationError(error.message, code=error.code)})
    stem = uuid.uuid4().hex
    with transaction.atomic():
        testbed = lock_testbed(testbed)
        _check_photo_room(testbed)
        position = (testbed.photos.aggregate(m=Max("position"))["m"] or 0) + 1
        photo = TestBedPhoto(
            testbed=testbed,
            position=position,
            alt_text=alt_text.strip(),
            caption=caption.strip(),
            sha256=processed.sha256,
            width=processed.renditions["display"].width,
            height=processed.renditions["display"].height,
        )
        fields = {
            "original": "original",
            "display": "display",
            "thumbnail": "thumbnail",
            "print_version": "print",
        }
        for field, rendition_name in fields.items():
            rendition = processed.renditions[rendition_name]
            name = f"{stem}-{rendition_name}.{rendition.extension}"
            getattr(photo, field).save(name, ContentFile(rendition.content), save=False)
        photo.save()
        bump_page_version()
        record_event(
            actor=actor,
            action="testbed.photo_added",
            target=testbed,
            organisation=testbed.organisation,
            summary=photo.alt_text,
        )
    return photo


@transaction.atomic
def photo_update(*, actor: User, photo: TestBedPhoto, alt_text: str, caption: str) -> TestBedPhoto:
    require_provider(actor, photo.testbed)
    alt_text, caption = single_line(alt_text, "alt_text"), single_line(caption, "caption")
    if not alt_text.strip():
        raise ValidationError({"alt_text": _("Describe the photo for people who cannot see it.")})
    photo.alt_text = alt_text.strip()
    photo.caption = caption.strip()
    photo.save(update_fields=["alt_text", "caption"])
    bump_page_version()
    record_event(
        actor=actor,
        action="testbed.photo_updated",
        target=photo.testbed,
        organisation=photo.testbed.organisation,
        summary=photo.alt_text,
    )
    return photo


@transaction.atomic
def photo_move(*, actor: User, photo: TestBedPhoto, up: bool) -> None:
    """Swap a photo with its neighbour; the first photo is the listing's main picture."""
    require_provider(actor, photo.testbed)
    photos = list(photo.testbed.photos.select_for_update().order_by("position", "id"))
    index = next(i for i, p in enumerate(photos) if p.pk == photo.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(photos):
        photos[index], photos[other] = photos[other], photos[index]
    for position, item in enumerate(photos, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    bump_page_version()
    record_event(
        actor=actor,
        action="testbed.photo_moved",
        target=photo.testbed,
        organisation=photo.testbed.organisation,
        summary=photo.alt_text,
    )


def photo_remove(*, actor: User, photo: TestBedPhoto) -> None:
    require_provider(actor, photo.testbed)
    files = [photo.original, photo.display, photo.thumbnail, photo.print_version]
    with transaction.atomic():
        bump_page_version()
        record_event(
            actor=actor,
            action="testbed.photo_removed",
            target=photo.testbed,
            organisation=photo.testbed.organisation,
            summary=photo.alt_text,
        )
        photo.delete()

        def delete_files() -> None:
            for file in files:
                if file:
                    file.storage.delete(file.name)

        transaction.on_commit(delete_files)


@transaction.atomic
def blackout_add(
    *, actor: User, testbed: TestBed, first_day: datetime.date, last_day: datetime.date, reason: str
) -> Blackout:
    """Close the test bed for some days. Confirmed bookings on those days are not touched."""
    require_provider(actor, testbed)
    check_in_range(first_day=first_day, last_day=last_day)  # before any date arithmetic
    testbed = lock_testbed(testbed)  # closures and bookings of one test bed change one at a time
    if last_day < first_day:
        raise ValidationError({"last_day": _("The last day must be on or after the first day.")})
    if not single_line(reason, "reason"):
        raise ValidationError({"reason": _("Say why the test bed is closed.")})
    end = last_day + datetime.timedelta(days=1)
    clash = testbed.blackouts.filter(start__lt=end, end__gt=first_day).first()
    if clash:
        # Closures never overlap, so closed days are counted once (utilisation relies on it).
        raise ValidationError(
            {
                "first_day": _("The test bed is already closed on some of these days: %(c)s.")
                % {"c": clash}
            }
        )
    blackout = Blackout.objects.create(
        testbed=testbed,
        start=first_day,
        end=last_day + datetime.timedelta(days=1),
        reason=reason.strip(),
    )
    rebuild_free_runs([testbed.pk])
    record_event(
        actor=actor,
        action="testbed.blackout_added",
        target=testbed,
        organisation=testbed.organisation,
        summary=str(blackout),
    )
    return blackout


@transaction.atomic
def blackout_remove(*, actor: User, blackout: Blackout) -> None:
    require_provider(actor, blackout.testbed)
    lock_testbed(blackout.testbed_id)
    record_event(
        actor=actor,
        action="testbed.blackout_removed",
        target=blackout.testbed,
        organisation=blackout.testbed.organisation,
        summary=str(blackout),
    )
    blackout.delete()
    rebuild_free_runs([blackout.testbed_id])


@transaction.atomic
def question_add(
    *,
    actor: User,
    testbed: TestBed,
    text: str,
    kind: str,
    required: bool = True,
    help_text: str = "",
    choices: Iterable[str] = (),
) -> ApplicationQuestion:
    require_provider(actor, testbed)
    text, help_text = single_line(text, "text"), single_line(help_text, "help_text")
    if kind not in ApplicationQuestion.Kind.values:
        raise ValidationError({"kind": _("Choose the type of answer.")})
    options = [c.strip()[:100] for c in choices if c.strip()]
    if kind == ApplicationQuestion.Kind.CHOICE and len(options) < 2:
        raise ValidationError({"choices": _("Give at least two choices, one per line.")})
    if kind != ApplicationQuestion.Kind.CHOICE:
        options = []
    position = (testbed.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = ApplicationQuestion.objects.create(
        testbed=testbed,
        position=position,
        text=text.strip(),
        help_text=help_text.strip(),
        kind=kind,
        choices=options,
        required=required,
    )
    record_event(
        actor=actor,
        action="testbed.question_added",
        target=testbed,
        organisation=testbed.organisation,
        summary=question.text,
    )
    return question


@transaction.atomic
def question_archive(*, actor: User, question: ApplicationQuestion) -> None:
    """Stop asking a question. Answers already given stay with their trials."""
    require_provider(actor, question.testbed)
    question.archived = True
    question.save(update_fields=["archived"])
    record_event(
        actor=actor,
        action="testbed.question_archived",
        target=question.testbed,
        organisation=question.testbed.organisation,
        summary=question.text,
    )
