import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from testbeds.models import Booking
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TestBedFactory,
    enrolled,
)
from trials import services


@pytest.fixture
def completed_pack_trial():
    """A completed trial with everything a submission needs, committed to the database."""
    today = timezone.localdate()
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    testbed = TestBedFactory()
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Worker trial",
        summary="Rendered by a real worker.",
        first_day=today,
        last_day=today + datetime.timedelta(days=9),
        programme=enrolled(startup.organisation),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    services.trial_start(actor=startup.user, trial=trial)
    services.trial_update_plan(actor=startup.user, trial=trial, objectives="Work")
    kpi = services.kpi_add(actor=startup.user, trial=trial, name="Uptime", baseline=90, target=99)
    services.measurement_add(actor=startup.user, kpi=kpi, value=99.5, date=today)
    image = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(image, "JPEG")
    services.evidence_file_add(
        actor=startup.user,
        trial=trial,
        upload=SimpleUploadedFile("p.jpg", image.getvalue()),
        caption="Site",
    )
    services.trial_complete(actor=startup.user, trial=trial)
    services.trial_update_outcome(
        actor=startup.user,
        trial=trial,
        outcome_summary="It worked.",
        trl_achieved=8,
        lessons_learned="Plenty.",
        safety_incidents="None",
        recommendation="scale",
    )
    trial.refresh_from_db()
    assert Booking.objects.filter(pk=trial.booking_id).exists()
    return trial, startup
