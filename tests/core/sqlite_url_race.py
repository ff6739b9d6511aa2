"""Run by tests/core/test_sqlite_url.py in a process of its own, with DATABASE_URL naming a
SQLite file: migrate it, make 12 requests for the same days of a test bed with room for 3,
and have its provider approve all 12 at once through the web page, one thread each.
Prints ``RESULT {"statuses": [...], "approved": n, "options": {...}}``."""

import datetime
import json
import sys
import threading

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

THREADS = 12
CAPACITY = 3


def main() -> None:
    setup_test_environment()
    call_command("migrate", "--no-input", verbosity=0)
    from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory
    from trials import services
    from trials.models import Trial, TrialStatus

    testbed = TestBedFactory(capacity=CAPACITY)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    first = timezone.localdate() + datetime.timedelta(days=10)
    trials = []
    for index in range(THREADS):
        member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
        trials.append(
            services.trial_request(
                actor=member.user,
                organisation=member.organisation,
                testbed=testbed,
                title=f"Trial {index}",
                summary="The same days as everyone",
                first_day=first,
                last_day=first + datetime.timedelta(days=10),
            )
        )
    options = dict(connection.settings_dict["OPTIONS"])
    connections.close_all()

    barrier = threading.Barrier(THREADS)
    statuses: list = [None] * THREADS

    def approve(index: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(provider.user)
        try:
            barrier.wait(timeout=30)
            statuses[index] = client.post(f"/trials/{trials[index].pk}/approve/").status_code
        except Exception as error:  # noqa: BLE001 — reported to the test
            statuses[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    approved = Trial.objects.filter(testbed=testbed, status=TrialStatus.APPROVED).count()
    result = {"statuses": statuses, "approved": approved, "options": options}
    sys.stdout.write("RESULT " + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
