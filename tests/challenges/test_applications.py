"""Applications: one per start-up, drafts, submission to the second, nothing after the close."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent
from challenges import services
from challenges.models import ApplicationStatus
from core.exceptions import Conflict, InvalidTransition
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import applied, build_challenge, fill

pytestmark = pytest.mark.django_db


def freeze(moment):
    return mock.patch("challenges.services.common.now", return_value=moment)


def test_one_application_per_startup(world, startup):
    services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=world.challenge
    )
    with pytest.raises(Conflict) as error:
        services.application_start(
            actor=startup.user, organisation=startup.organisation, challenge=world.challenge
        )
    assert error.value.code == "exists"


def test_submission_needs_every_required_answer(world, startup):
    application = services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=world.challenge
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=startup.user, application=application)
    assert "Are you UK-registered?" in str(error.value)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_kpis_are_checked_as_a_trials_are(world, startup):
    application = services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=world.challenge
    )
    with pytest.raises(ValidationError) as error:
        services.application_save(
            actor=startup.user,
            application=application,
            kpis=[{"name": "X", "baseline": "lots", "target": "1"}],
        )
    assert "KPI 1" in str(error.value)


def test_a_late_submission_is_refused_with_the_closing_time(world, startup):
    application = fill(
        services.application_start(
            actor=startup.user, organisation=startup.organisation, challenge=world.challenge
        ),
        startup.user,
        world.testbed,
    )
    with freeze(world.challenge.closes_at), pytest.raises(Conflict) as error:
        services.application_submit(actor=startup.user, application=application)
    assert error.value.code == "closed"
    assert "closed at" in error.value.message and (
        "BST" in error.value.message or "GMT" in error.value.message
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT and application.submitted_at is None
    assert not AuditEvent.objects.filter(action="application.submitted").exists()


def test_a_second_before_the_close_is_in(world, startup):
    application = fill(
        services.application_start(
            actor=startup.user, organisation=startup.organisation, challenge=world.challenge
        ),
        startup.user,
        world.testbed,
    )
    moment = world.challenge.closes_at - datetime.timedelta(seconds=1)
    with freeze(moment):
        services.application_submit(actor=startup.user, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == moment


def test_nothing_is_editable_after_the_close(world, startup):
    application = applied(world.challenge, world.testbed, startup, submit=False)
    with freeze(world.challenge.closes_at + datetime.timedelta(minutes=5)):
        with pytest.raises(Conflict):
            services.application_save(actor=startup.user, application=application, title="Changed")
        with pytest.raises(Conflict):
            services.application_withdraw(actor=startup.user, application=application)
    application.refresh_from_db()
    assert application.title == "Route planner for carers"


def test_withdrawal_before_the_close_and_start_again(world, startup):
    application = applied(world.challenge, world.testbed, startup)
    services.application_withdraw(actor=startup.user, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    again = services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=world.challenge
    )
    assert again.pk == application.pk and again.status == ApplicationStatus.DRAFT


def test_submitted_cannot_be_submitted_again(world, startup):
    application = applied(world.challenge, world.testbed, startup)
    with pytest.raises(InvalidTransition):
        services.application_submit(actor=startup.user, application=application)


def test_only_the_challenges_agreed_test_beds_can_be_chosen(world, startup):
    from tests.factories import TestBedFactory

    elsewhere = TestBedFactory()
    application = services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=world.challenge
    )
    with pytest.raises(ValidationError):
        services.application_save(actor=startup.user, application=application, testbed=elsewhere)


def test_oversize_or_disguised_files_are_refused(provider, startup, settings):
    from tests.factories import TestBedFactory

    testbed = TestBedFactory(organisation=provider.organisation)
    challenge = build_challenge(
        provider,
        [testbed],
        questions=[{"text": "Your pitch deck", "kind": "file", "required": True}],
    )
    question = challenge.questions.get()
    application = services.application_start(
        actor=startup.user, organisation=startup.organisation, challenge=challenge
    )
    disguised = SimpleUploadedFile(
        "deck.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        services.application_file_set(
            actor=startup.user, application=application, question=question, upload=disguised
        )
    settings.MAX_UPLOAD_BYTES = 1000
    big = SimpleUploadedFile(
        "deck.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        services.application_file_set(
            actor=startup.user, application=application, question=question, upload=big
        )
    assert "too_large" in {e.code for e in error.value.error_dict["file"]}
    assert not application.files.exists()


def test_the_form_steps_work_as_plain_posts(world, startup):
    client = Client()
    client.force_login(startup.user)
    response = client.post(f"/challenges/{world.challenge.slug}/apply/")
    assert response.status_code == 302
    application = world.challenge.applications.get()
    base = f"/challenges/{world.challenge.slug}/applications/{application.pk}/edit/"
    question = world.challenge.questions.get(kind="yes-no")
    steps = {
        "about": {"title": "Rounds", "summary": "S", "partners": ""},
        "questions": {f"question_{question.pk}": "yes"},
        "plan": {"objectives": "Halve missed visits", "trl_start": "6", "trl_target": "7"},
        "kpis": {"name_1": "Missed", "baseline_1": "10", "target_1": "5", "direction_1": "lower"},
        "testbed": {
            "testbed": world.testbed.pk,
            "first_day": "2030-01-07",
            "last_day": "2030-01-20",
        },
    }
    for step, data in steps.items():
        response = client.post(base + step + "/", data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    application.refresh_from_db()
    assert application.kpis[0]["name"] == "Missed"
    assert services.application_gaps(application) == []
    response = client.post(
        f"/challenges/{world.challenge.slug}/applications/{application.pk}/submit/",
        {"confirm": "yes"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_bad_step_re_renders_with_errors_and_saves_nothing(world, startup):
    client = Client()
    client.force_login(startup.user)
    client.post(f"/challenges/{world.challenge.slug}/apply/")
    application = world.challenge.applications.get()
    response = client.post(
        f"/challenges/{world.challenge.slug}/applications/{application.pk}/edit/kpis/",
        {"name_1": "Missed", "baseline_1": "ten", "target_1": "5"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    application.refresh_from_db()
    assert application.kpis == []


def test_late_submission_page_says_when_it_closed(world, startup):
    application = applied(world.challenge, world.testbed, startup, submit=False)
    client = Client()
    client.force_login(startup.user)
    with freeze(world.challenge.closes_at + datetime.timedelta(seconds=1)):
        response = client.post(
            f"/challenges/{world.challenge.slug}/applications/{application.pk}/submit/",
            {"confirm": "yes"},
            follow=False,
        )
    assert response.status_code == 409
    assert "closed at" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_others_never_see_a_draft(world, startup):
    application = applied(world.challenge, world.testbed, startup, submit=False)
    url = f"/challenges/{world.challenge.slug}/applications/{application.pk}/"
    for user in (
        world.owner.user,
        MembershipFactory(organisation=OrganisationFactory(start_up=True)).user,
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
    client = Client()
    client.force_login(startup.user)
    assert client.get(url).status_code == 200


def test_the_organisation_export_carries_challenges_set_and_applications_made(world, client):
    """The data export (trials.data_rights) has a challenges section registered from above."""
    import io
    import json
    import zipfile

    from django.urls import reverse

    application = applied(world.challenge, world.testbed)
    start_up = application.organisation.memberships.get().user
    client.force_login(start_up)
    response = client.post(reverse("organisation_export", args=[application.organisation.slug]))
    data = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json")
    )
    made = data["challenges"]["applications"]
    assert [a["title"] for a in made] == ["Route planner for carers"]
    assert made[0]["kpis"][0]["name"] == "Missed visits a week"
    client.force_login(world.owner.user)
    response = client.post(reverse("organisation_export", args=[world.owner.organisation.slug]))
    data = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json")
    )
    assert [c["slug"] for c in data["challenges"]["set"]] == [world.challenge.slug]
    assert data["challenges"]["applications"] == []  # the start-ups' own, not the owner's
