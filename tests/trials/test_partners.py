"""Partners: invited by e-mail with a role, joined through the link (signing up if need be),
seeing the trial and adding marked evidence; never other trials; removal keeps their work."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Organisation, WebhookDelivery, WebhookEndpoint
from core.exceptions import Conflict
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TestBedFactory,
    UserFactory,
    enrolled,
)
from trials import selectors, services
from trials.models import LogEntry, TrialPartner

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 160)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def trial(startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=2)
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Smart bins",
        summary="S",
        first_day=TODAY,
        last_day=d(20),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    services.trial_start(actor=startup.user, trial=trial)
    trial.refresh_from_db()
    return trial


def verified_user(email: str):
    user = UserFactory(email=email)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def invite(startup, trial, email="kit@company.example", role="technology"):
    return services.partner_invite(
        actor=startup.user,
        trial=trial,
        email=email,
        role=role,
        contribution="Supplies and installs the sensors",
    )


@pytest.fixture
def company():
    return OrganisationFactory(kind=Organisation.Kind.COMPANY, region="north-east")


@pytest.fixture
def partner(startup, trial, company):
    """A company partner that has joined the trial."""
    user = verified_user("kit@company.example")
    MembershipFactory(user=user, organisation=company, admin=True)
    _partner, token = invite(startup, trial)
    services.partner_accept(user=user, token=token, organisation=company)
    return user


def test_invitation_e_mail_carries_a_link_that_works_once_for_its_address(
    startup, trial, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(startup, trial)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kit@company.example"]
    assert token in mail.outbox[0].body
    assert invitation.token_hash != token  # only the hash is stored
    stranger = verified_user("someone@else.example")
    with pytest.raises(PermissionDenied):
        services.partner_accept(
            user=stranger,
            token=token,
            new_organisation={"name": "Else Ltd", "kind": "company", "region": "north-east"},
        )
    invitee = verified_user("kit@company.example")
    joined = services.partner_accept(
        user=invitee,
        token=token,
        new_organisation={"name": "Kit Ltd", "kind": "company", "region": "north-east"},
    )
    assert joined.organisation.kind == "company" and joined.status == "active"
    with pytest.raises(Conflict):
        services.partner_accept(
            user=invitee,
            token=token,
            new_organisation={"name": "Kit 2 Ltd", "kind": "company", "region": "north-east"},
        )


def test_partner_sees_this_trial_only(startup, provider, trial, partner):
    other = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=trial.testbed,
        title="Another of the start-up's trials",
        summary="S",
        first_day=d(30),
        last_day=d(35),
    )
    visible = set(selectors.trials_visible_to(partner).values_list("pk", flat=True))
    assert visible == {trial.pk}
    assert other.pk not in visible
    assert selectors.requests_for_provider(partner).count() == 0
    roles = selectors.roles_for(partner, trial)
    assert roles.partner and not roles.startup and not roles.provider


def test_partner_adds_marked_log_entries_and_files(startup, trial, partner, company):
    entry = services.log_entry_add(actor=partner, trial=trial, text="Sensors fitted")
    assert entry.kind == LogEntry.Kind.PARTNER and entry.organisation == company
    evidence = services.evidence_file_add(
        actor=partner, trial=trial, upload=SimpleUploadedFile("p.jpg", jpeg()), caption="Kit"
    )
    assert evidence.organisation == company
    own = services.evidence_file_add(
        actor=startup.user, trial=trial, upload=SimpleUploadedFile("s.jpg", jpeg()), caption="Us"
    )
    assert own.organisation is None


def test_partner_cannot_take_the_start_ups_or_providers_steps(startup, provider, trial, partner):
    for step in ("approve", "cancel", "submit", "change", "plan", "partners", "complete"):
        with pytest.raises(PermissionDenied):
            services.require_step(partner, trial, step)
    with pytest.raises(PermissionDenied):
        services.change_request_create(
            actor=partner, trial=trial, first_day=TODAY, last_day=d(25), reason="x"
        )
    with pytest.raises(PermissionDenied):
        invite_as = services.partner_invite
        invite_as(
            actor=partner, trial=trial, email="x@y.example", role="evaluator", contribution="x"
        )


def test_removed_partner_loses_sight_but_their_work_stays(startup, trial, partner, company):
    services.log_entry_add(actor=partner, trial=trial, text="Sensors fitted")
    record = TrialPartner.objects.get(trial=trial, organisation=company)
    services.partner_remove(actor=startup.user, partner=record)
    assert not selectors.trials_visible_to(partner).exists()
    entry = LogEntry.objects.get(trial=trial, kind="partner")
    assert entry.organisation == company and entry.author_name
    with pytest.raises(PermissionDenied):
        services.log_entry_add(actor=partner, trial=trial, text="Still here?")


def test_bad_invitations_are_refused_clearly(startup, trial):
    with pytest.raises(ValidationError) as raised:
        services.partner_invite(
            actor=startup.user, trial=trial, email="not an address", role="boss", contribution=""
        )
    assert set(raised.value.message_dict) == {"email", "role", "contribution"}


def test_only_partner_kinds_may_partner(startup, trial):
    invitee = verified_user("kit@company.example")
    another_startup = OrganisationFactory(kind=Organisation.Kind.START_UP)
    MembershipFactory(user=invitee, organisation=another_startup)
    _partner, token = invite(startup, trial)
    with pytest.raises(ValidationError):
        services.partner_accept(user=invitee, token=token, organisation=another_startup)


def test_webhook_and_notification_when_a_partner_joins(
    startup, trial, company, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        organisation=startup.organisation,
        url="https://hooks.example.org/x",
        events=["trial.partner_added"],
    )
    user = verified_user("kit@company.example")
    MembershipFactory(user=user, organisation=company)
    _partner, token = invite(startup, trial)
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_accept(user=user, token=token, organisation=company)
    delivery = WebhookDelivery.objects.get(event="trial.partner_added")
    assert delivery.payload["data"]["role"] == "technology"
    assert any("joined your trial" in m.subject for m in mail.outbox)


def test_visibility_query_count_does_not_grow_with_trials(
    django_assert_num_queries, startup, trial, partner
):
    with django_assert_num_queries(2):  # the organisation ids, then the trials
        list(selectors.trials_visible_to(partner))
    with django_assert_num_queries(2):
        list(selectors.trials_visible_to(startup.user))


# Pages --------------------------------------------------------------------------------


def test_sign_up_through_the_invitation_link(
    client, startup, trial, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(startup, trial, email="new.person@uni.example", role="evaluator")
    link = re.search(r"https?://\S+/trials/partners/invitations/\S+/", mail.outbox[-1].body)
    path = "/" + link.group(0).split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and b"Create an account" in page.content
    signup = client.post(
        reverse("account_signup") + f"?next={path}",
        {
            "email": "new.person@uni.example",
            "full_name": "Nia Evans",
            "password1": "a-long-enough-password-2026",
            "password2": "a-long-enough-password-2026",
            "next": path,
        },
    )
    assert signup.status_code == 302, signup.content[:2000]
    assert signup["Location"].endswith(path)  # signed in (address verified by the link)
    bad = client.post(path, {"organisation": "new", "name": "", "kind": "", "region": ""})
    assert bad.status_code == 400
    joined = client.post(
        path,
        {
            "organisation": "new",
            "name": "Wearside University",
            "kind": "university",
            "region": "north-east",
        },
    )
    assert joined.status_code == 302 and joined["Location"] == trial.get_absolute_url()
    assert client.get(trial.get_absolute_url()).status_code == 200
    assert client.get(path).status_code == 410  # works once


def test_trial_page_lists_partners_and_marks_their_work(client, startup, trial, partner, company):
    services.log_entry_add(actor=partner, trial=trial, text="Sensors fitted by us")
    client.force_login(startup.user)
    page = client.get(trial.get_absolute_url()).content.decode()
    assert company.name in page and "Technology partner" in page
    assert "Sensors fitted by us" in page


def test_partner_pages(client, trial, partner):
    client.force_login(partner)
    assert client.get(trial.get_absolute_url()).status_code == 200
    assert client.get(reverse("trials:file_add", args=[trial.pk])).status_code == 200
    assert client.get(reverse("trials:plan", args=[trial.pk])).status_code == 403
    assert client.get(reverse("trials:partner_invite", args=[trial.pk])).status_code == 403
    assert client.get(reverse("trials:change_request", args=[trial.pk])).status_code == 403
    assert client.get(reverse("trials:approval_queue")).status_code == 200
    assert b"Smart bins" not in client.get(reverse("trials:approval_queue")).content


# API ----------------------------------------------------------------------------------


def test_api_invite_list_remove(client, startup, trial, partner):
    client.force_login(startup.user)
    base = f"/api/v1/trials/{trial.pk}/partners/"
    created = client.post(
        base,
        {"email": "eval@uni.example", "role": "evaluator", "contribution": "Evaluates"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "invited"
    listed = client.get(base).json()
    assert listed["count"] == 2
    partner_id = next(p["id"] for p in listed["results"] if p["status"] == "active")
    client.force_login(partner)
    assert client.delete(f"{base}{partner_id}/").status_code == 403
    client.force_login(startup.user)
    assert client.delete(f"{base}{partner_id}/").status_code == 204
    assert client.delete(f"{base}{partner_id}/").status_code == 409
    client.force_login(partner)
    assert client.get(base).status_code == 404


# Evidence pack ------------------------------------------------------------------------


def test_pack_lists_partners_and_older_packs_render_as_before(trial, partner, company):
    import pypdf

    from trials.evidence import build_pack_content
    from trials.pdf.content import content_from_json, content_to_json
    from trials.pdf.render import render_evidence_pack

    content = build_pack_content(
        trial, code="TBX-TEST-PART", version=1, generated_at=timezone.now(), status="Submitted"
    )
    assert [(p.name, p.role) for p in content.partners] == [(company.name, "Technology partner")]
    pdf = render_evidence_pack(content)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert company.name in text and "Technology partner" in text
    # A pack frozen before partners existed has no such key: it loads, and renders the same
    # bytes as the same content with no partners.
    old = content_to_json(content)
    old.pop("partners")
    without = content_to_json(content)
    without["partners"] = []
    assert render_evidence_pack(content_from_json(old)) == render_evidence_pack(
        content_from_json(without)
    )
    assert "Partners" not in "".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(render_evidence_pack(content_from_json(old)))).pages
    )


# Programme figures --------------------------------------------------------------------


def test_programme_counts_collaborations_and_local_ones(
    client, startup, provider, programme, officer
):
    from programmes import portfolio

    testbed = TestBedFactory(organisation=provider.organisation, capacity=3, region="wales")
    enrolled(startup.organisation, programme)
    startup.organisation.region = "north-east"
    startup.organisation.save()
    trials = [
        services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title=f"T{n}",
            summary="S",
            first_day=d(5 + n * 10),
            last_day=d(8 + n * 10),
            programme=programme,
        )
        for n in range(2)
    ]
    near = OrganisationFactory(kind=Organisation.Kind.COMPANY, region="north-east")
    far = OrganisationFactory(kind=Organisation.Kind.COMPANY, region="london")
    uni = OrganisationFactory(kind=Organisation.Kind.UNIVERSITY, region="north-east")
    for n, (trial, organisation) in enumerate(
        [(trials[0], near), (trials[1], near), (trials[0], far), (trials[1], uni)]
    ):
        TrialPartner.objects.create(
            trial=trial,
            organisation=organisation,
            email=f"p{n}@x.example",
            role="technology",
            contribution="Kit",
            token_hash=f"t{n}",
            expires_at=timezone.now(),
            accepted_at=timezone.now(),
        )
    figures = portfolio.programme_figures(programme, portfolio.PortfolioFilter())
    # the same start-up with `near` twice is one pair; the university is not a company
    assert figures.collaborations == portfolio.Collaborations(pairs=2, local=1)
    client.force_login(officer.user)
    page = client.get(reverse("programmes:detail", args=[programme.pk])).content.decode()
    assert "start-up–company collaborations" in page
