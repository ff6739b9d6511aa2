"""The deadline race: 50 submissions released together at the closing second, with real
threads and transactions (both databases; CI runs the suite on each). The clock is frozen
per thread at the service's ``now()``: half just before the closing time, half at or after.
Every one before is in, every one after is out, and none is half-written."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connections

from accounts.models import AuditEvent
from challenges import services
from challenges.models import Application, ApplicationStatus
from core.exceptions import Conflict
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory

from .conftest import build_challenge, fill

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 50


def test_fifty_submissions_at_the_closing_second():
    owner = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    testbed = TestBedFactory(organisation=owner.organisation)
    challenge = build_challenge(owner, [testbed])
    members, applications = [], []
    for _ in range(THREADS):
        member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
        application = services.application_start(
            actor=member.user, organisation=member.organisation, challenge=challenge
        )
        members.append(member)
        applications.append(fill(application, member.user, testbed))
    closes = challenge.closes_at
    # Even threads a few microseconds before the close, odd ones at it or just after.
    moments = [
        closes - datetime.timedelta(microseconds=i + 1)
        if i % 2 == 0
        else closes + datetime.timedelta(microseconds=i - 1)
        for i in range(THREADS)
    ]
    clock = threading.local()
    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def runner(index: int) -> None:
        clock.moment = moments[index]
        try:
            barrier.wait(timeout=30)
            outcomes[index] = services.application_submit(
                actor=members[index].user, application=applications[index]
            )
        except Exception as error:  # noqa: BLE001 — every outcome is checked below
            outcomes[index] = error
        finally:
            connections.close_all()

    with mock.patch("challenges.services.common.now", side_effect=lambda: clock.moment):
        threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    submitted_events = set(
        AuditEvent.objects.filter(action="application.submitted").values_list(
            "object_id", flat=True
        )
    )
    for index, application in enumerate(applications):
        row = Application.objects.get(pk=application.pk)
        before = moments[index] < closes
        if before:
            assert not isinstance(outcomes[index], Exception), outcomes[index]
            assert row.status == ApplicationStatus.SUBMITTED
            assert row.submitted_at == moments[index]
            assert row.submitted_by_id == members[index].user.pk
            assert str(row.pk) in submitted_events
        else:
            assert isinstance(outcomes[index], Conflict), outcomes[index]
            assert outcomes[index].code == "closed"
            assert row.status == ApplicationStatus.DRAFT
            assert row.submitted_at is None and row.submitted_by_id is None
            assert str(row.pk) not in submitted_events
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).count() == THREADS // 2
