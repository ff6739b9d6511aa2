"""Data for the fault tests, created inside the test's own database by a Django subprocess.

Run through ``servers.django_call(env, "function", *args)``; each function returns
something JSON can carry back (slugs, ids, API tokens).
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone

PASSWORD = "a-Good-fault-passw0rd"


def _startup(n: int, *, password: str | None = None):
    from allauth.account.models import EmailAddress

    from accounts.models import Membership, Organisation, Region, User

    organisation = Organisation.objects.create(
        kind=Organisation.Kind.START_UP,
        name=f"Fault start-up {n}",
        slug=f"fault-start-up-{n}",
        region=Region.NORTH_EAST,
    )
    # No password by default: hashing a hundred would take longer than the test.
    user = User.objects.create_user(
        f"startup{n}@faults.example.org", password, full_name=f"Start-up person {n}"
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    return user, organisation


def _write_token(user) -> str:
    from accounts.tokens import token_create

    return token_create(actor=user, name="fault test", scope="write")[1]


def _testbed(**fields):
    from tests.factories import TestBedFactory

    return TestBedFactory(**fields)


def booking_race(startups: int) -> dict:
    """A capacity-3 test bed that confirms at once, and start-ups with API tokens."""
    testbed = _testbed(capacity=3, requires_approval=False, notice_days=0, slug="race-bed")
    tokens = [_write_token(_startup(n)[0]) for n in range(startups)]
    first_day = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "testbed": testbed.slug,
        "testbed_id": testbed.pk,
        "tokens": tokens,
        "first_day": first_day.isoformat(),
        "last_day": (first_day + datetime.timedelta(days=4)).isoformat(),
    }


def catalogue() -> dict:
    """Published test beds, and a start-up (with a password and a write token)."""
    testbeds = [_testbed(requires_approval=False, capacity=2) for _ in range(3)]
    user, organisation = _startup(1, password=PASSWORD)
    first_day = timezone.localdate() + datetime.timedelta(days=20)
    return {
        "testbeds": [testbed.slug for testbed in testbeds],
        "email": user.email,
        "password": PASSWORD,
        "token": _write_token(user),
        "organisation_id": organisation.pk,
        "first_day": first_day.isoformat(),
        "last_day": (first_day + datetime.timedelta(days=2)).isoformat(),
    }


def submitted_pack() -> dict:
    """A completed trial, submitted: its pack is queued for rendering on commit.

    With CELERY_BROKER_URL set the render task goes to that broker (core.tasks.enqueue).
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.factories import MembershipFactory, enrolled
    from trials import services

    today = timezone.localdate()
    user, startup = _startup(1)
    testbed = _testbed()
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    trial = services.trial_request(
        actor=user,
        organisation=startup,
        testbed=testbed,
        title="Killed worker trial",
        summary="Its pack is rendered by a worker that is killed halfway.",
        first_day=today,
        last_day=today + datetime.timedelta(days=9),
        programme=enrolled(startup),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    services.trial_start(actor=user, trial=trial)
    services.trial_update_plan(actor=user, trial=trial, objectives="Survive a fault")
    kpi = services.kpi_add(actor=user, trial=trial, name="Uptime", baseline=90, target=99)
    services.measurement_add(actor=user, kpi=kpi, value=99.5, date=today)
    image = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(image, "JPEG")
    services.evidence_file_add(
        actor=user,
        trial=trial,
        upload=SimpleUploadedFile("site.jpg", image.getvalue()),
        caption="Site",
    )
    services.trial_complete(actor=user, trial=trial)
    services.trial_update_outcome(
        actor=user,
        trial=trial,
        outcome_summary="It worked.",
        trl_achieved=8,
        lessons_learned="Plenty.",
        safety_incidents="None",
        recommendation="scale",
    )
    trial.refresh_from_db()
    pack = services.trial_submit(actor=user, trial=trial)
    return {"trial_id": trial.pk, "pack_id": pack.pk}
