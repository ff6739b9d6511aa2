"""The tenancy matrix: every route, every role, the expected answer.

Routes are discovered from the URL resolver (pages and API alike), so a new route
without a rule here fails ``test_every_route_has_a_rule``. For each route and role the
expected status is: 200 for those who may see it, 404 for what is not theirs, 403 where
the object is visible but the action is not allowed, and a sign-in redirect (pages) or
401/403 (API) for anonymous visitors. Unsafe methods are tried only by roles that must
be refused, so the world stays intact for the next check.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from PIL import Image

from accounts import services as account_services
from testbeds import services as testbed_services
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    UserFactory,
    enrolled,
)
from trials import services
from trials.tasks import render_pack

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "startup_a",
    "startup_b",
    "provider",
    "provider_other",
    "officer",
    "officer_other",
    "staff",
    "partner",  # a company partnering in the active trial (and in nothing else)
]
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
LOGIN = "login"  # pages: a redirect to sign in; API: 401 or 403
TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 160)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """Two start-ups, two public bodies, two programmes, staff, and objects of every kind."""
    a = MembershipFactory(
        organisation=OrganisationFactory(start_up=True, slug="startup-a"), admin=True
    )
    b = MembershipFactory(
        organisation=OrganisationFactory(start_up=True, slug="startup-b"), admin=True
    )
    p = MembershipFactory(
        organisation=OrganisationFactory(public_body=True, slug="body-p"), admin=True
    )
    q = MembershipFactory(
        organisation=OrganisationFactory(public_body=True, slug="body-q"), admin=True
    )
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team, admin=True)
    other_programme = ProgrammeFactory()
    officer_other = MembershipFactory(organisation=other_programme.team, admin=True)
    staff = UserFactory(is_staff=True)
    testbed = TestBedFactory(organisation=p.organisation, slug="bed-p", capacity=3)
    draft = TestBedFactory(organisation=p.organisation, slug="draft-p", status="draft")
    TestBedFactory(organisation=q.organisation, slug="bed-q")
    photo = testbed_services.photo_add(
        actor=p.user, testbed=testbed, upload=io.BytesIO(jpeg()), alt_text="A"
    )
    blackout = testbed_services.blackout_add(
        actor=p.user, testbed=testbed, first_day=day(200), last_day=day(201), reason="Works"
    )
    question = testbed_services.question_add(
        actor=p.user, testbed=testbed, text="Insured?", kind="yes-no", required=False
    )

    enrolled(a.organisation, programme)

    # A start-up has one live trial per test bed and day (issue 21, item 2): the second
    # trial running now is on a second test bed of the same body.
    second_bed = TestBedFactory(organisation=p.organisation, slug="bed-p2", capacity=3)

    def trial(title: str, first: int, last: int, on=None):
        return services.trial_request(
            actor=a.user,
            organisation=a.organisation,
            testbed=on or testbed,
            title=title,
            summary="S",
            first_day=day(first),
            last_day=day(last),
            programme=programme,
        )

    with django_capture_on_commit_callbacks(execute=True):
        active = trial("Active", 0, 9)
        services.trial_approve(actor=p.user, trial=active)
        services.trial_start(actor=a.user, trial=active)
        kpi = services.kpi_add(actor=a.user, trial=active, name="K", baseline=0, target=1)
        measurement = services.measurement_add(actor=a.user, kpi=kpi, value=1, date=TODAY)
        log_entry = services.log_entry_add(actor=a.user, trial=active, text="Fitted")
        evidence = services.evidence_file_add(
            actor=a.user, trial=active, upload=SimpleUploadedFile("p.jpg", jpeg()), caption="Site"
        )
        submitted = trial("Submitted", 0, 4, on=second_bed)
        services.trial_approve(actor=p.user, trial=submitted)
        services.trial_start(actor=a.user, trial=submitted)
        services.trial_update_plan(actor=a.user, trial=submitted, objectives="O")
        kpi2 = services.kpi_add(actor=a.user, trial=submitted, name="K2", baseline=0, target=1)
        services.measurement_add(actor=a.user, kpi=kpi2, value=1, date=TODAY)
        services.trial_complete(actor=a.user, trial=submitted)
        services.trial_update_outcome(
            actor=a.user,
            trial=submitted,
            outcome_summary="R",
            trl_achieved=7,
            lessons_learned="L",
            safety_incidents="None",
            recommendation="scale",
        )
        pack = services.trial_submit(actor=a.user, trial=submitted)
    render_pack(pack.pk)
    pack.refresh_from_db()
    change = services.change_request_create(
        actor=a.user, trial=active, first_day=day(0), last_day=day(12), reason="Longer"
    )
    partner_user, partnership, open_invitation, partner_token = _partner(a, active)
    message = services.message_post(
        actor=partner_user,
        trial=active,
        text="Hello",
        uploads=[SimpleUploadedFile("m.jpg", jpeg())],
    )
    entry = services.waitlist_join(
        actor=a.user,
        organisation=a.organisation,
        testbed=testbed,
        title="W",
        summary="",
        first_day=day(300),
        last_day=day(305),
    )
    invitation, token = account_services.invitation_send(
        actor=a.user, organisation=a.organisation, email="new@example.org"
    )
    member_of_a = MembershipFactory(organisation=a.organisation)
    account_services.organisation_reset_calendar_token(actor=a.user, organisation=a.organisation)
    a.organisation.refresh_from_db()
    extra = _integrations(a)
    return World(
        users={
            "startup_a": a.user,
            "startup_b": b.user,
            "provider": p.user,
            "provider_other": q.user,
            "officer": officer.user,
            "officer_other": officer_other.user,
            "staff": staff,
            "partner": partner_user,
        },
        ids={
            "org_a": a.organisation.slug,
            "testbed": testbed.slug,
            "draft": draft.slug,
            "photo": photo.pk,
            "blackout": blackout.pk,
            "question": question.pk,
            "trial": active.pk,
            "submitted": submitted.pk,
            "kpi": kpi.pk,
            "measurement": measurement.pk,
            "log_entry": log_entry.pk,
            "file": evidence.pk,
            "pack": pack.pk,
            "change": change.pk,
            "partnership": partnership.pk,
            "open_invitation": open_invitation.pk,
            "partner_token": partner_token,
            "attachment": message.attachments.get().pk,
            "code": pack.code,
            "waitlist": entry.pk,
            "invitation": invitation.pk,
            "token": token,
            "membership": member_of_a.pk,
            "programme": programme.pk,
            "testbed_calendar": testbed.calendar_token,
            "org_calendar": a.organisation.calendar_token,
            **extra,
        },
    )


def _partner(a, trial):
    """A company's member who joined the trial as a partner, and an invitation still open."""
    from allauth.account.models import EmailAddress

    from accounts.models import Organisation

    company = OrganisationFactory(kind=Organisation.Kind.COMPANY, slug="company-c")
    member = MembershipFactory(organisation=company, admin=True)
    EmailAddress.objects.update_or_create(
        user=member.user, email=member.user.email, defaults={"verified": True, "primary": True}
    )
    _invitation, token = services.partner_invite(
        actor=a.user, trial=trial, email=member.user.email, role="technology", contribution="Kit"
    )
    partnership = services.partner_accept(user=member.user, token=token, organisation=company)
    open_invitation, open_token = services.partner_invite(
        actor=a.user, trial=trial, email="later@uni.example", role="evaluator", contribution="E"
    )
    return member.user, partnership, open_invitation, open_token


def _integrations(a) -> dict:
    """An API token and a webhook endpoint of start-up A, when those features exist."""
    from accounts import models

    ids = {}
    if hasattr(models, "ApiToken"):
        from accounts import tokens

        token, _plain = tokens.token_create(actor=a.user, name="CI", scope="write")
        ids["api_token"] = token.pk
    if hasattr(models, "WebhookEndpoint"):
        endpoint = models.WebhookEndpoint.objects.create(
            organisation=a.organisation,
            url="https://hooks.example.org/tbx",
            events=["booking.approved"],
        )
        ids["webhook"] = endpoint.pk
    return ids


@dataclass
class World:
    users: dict
    ids: dict


@dataclass
class Rule:
    """What each role gets for one route."""

    path: Callable[[dict], str] | None  # None: exempt (see reason)
    get: dict[str, object] = field(default_factory=dict)  # role → status, set of statuses, or LOGIN
    post: dict[str, object] = field(default_factory=dict)  # only refusals are tried
    reason: str = ""
    delete: dict[str, object] = field(default_factory=dict)  # only refusals are tried


def everyone(status=200) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(ok: set[str] | None = None, other=200) -> dict:
    """Anonymous visitors sign in first; the rest get 200 (or `other` unless in `ok`)."""
    expected: dict[str, object] = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        expected[role] = 200 if ok is None or role in ok else other
    return expected


def owned(viewers: set[str], status=200) -> dict:
    """Visible to `viewers`; 404 for every other signed-in role."""
    return {role: (status if role in viewers else 404) for role in SIGNED_IN} | {"anonymous": LOGIN}


def refused(viewers: set[str], doers: set[str]) -> dict:
    """For an action: 403 for viewers who may not act, 404 for non-viewers (doers not tried)."""
    expected: dict[str, object] = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        if role not in doers:
            expected[role] = 403 if role in viewers else 404
    return expected


TRIAL_VIEWERS = {"startup_a", "provider", "officer"}
PROVIDER = {"provider"}
STARTUP = {"startup_a"}
OFFICER = {"officer"}
ORG_A = {"startup_a"}


@dataclass(frozen=True)
class PathTemplate:
    """A rule's URL, filled in from the world's ids."""

    template: str

    def __call__(self, ids: dict) -> str:
        return self.template.format(**ids)


def p(template: str) -> Callable[[dict], str]:
    return PathTemplate(template)


def exempt(reason: str) -> Rule:
    return Rule(None, reason=reason)


ONE_TIME = exempt("needs a one-time key or a sign-in in progress; see tests/accounts")

RULES: dict[str, Rule] = {
    # Public pages and feeds
    "home": Rule(p("/"), everyone()),
    "about": Rule(p("/about/"), everyone()),
    "accessibility": Rule(p("/accessibility/"), everyone()),
    "privacy": Rule(p("/privacy/"), everyone()),
    "healthz": Rule(p("/healthz"), everyone()),
    "public_media": Rule(p("/media/private/trials/1/x.jpg"), everyone(404)),
    "verify": Rule(p("/verify/{code}/"), everyone()),
    "testbed_calendar": Rule(p("/calendars/testbeds/{testbed_calendar}.ics"), everyone()),
    "organisation_calendar": Rule(p("/calendars/organisations/{org_calendar}.ics"), everyone()),
    "set_language": Rule(None, reason="a POST that only sets the visitor's language cookie"),
    "language": Rule(p("/language/cy/?next=/testbeds/"), everyone(302)),
    "testbeds:catalogue": Rule(p("/testbeds/"), everyone()),
    "testbeds:detail": Rule(p("/testbeds/{testbed}/"), everyone()),
    # allauth: account pages for the signed-in person; one-time-key pages are covered in
    # tests/accounts (they need a key from an e-mail).
    "account_login": Rule(p("/accounts/login/"), {"anonymous": 200}),
    "account_signup": Rule(p("/accounts/signup/"), {"anonymous": 200}),
    "account_logout": Rule(p("/accounts/logout/"), signed_in() | {"anonymous": 302}),
    "account_inactive": Rule(p("/accounts/inactive/"), everyone()),
    "account_reauthenticate": Rule(p("/accounts/reauthenticate/"), signed_in()),
    "account_email": Rule(p("/accounts/email/"), signed_in()),
    "account_change_password": Rule(p("/accounts/password/change/"), signed_in()),
    "account_set_password": Rule(
        p("/accounts/password/set/"), signed_in(other=302) | dict.fromkeys(SIGNED_IN, 302)
    ),
    "account_reset_password": Rule(p("/accounts/password/reset/"), everyone()),
    "account_reset_password_done": Rule(p("/accounts/password/reset/done/"), everyone()),
    "account_reset_password_from_key_done": Rule(
        p("/accounts/password/reset/key/done/"), everyone()
    ),
    "account_email_verification_sent": Rule(p("/accounts/confirm-email/"), everyone()),
    "account_confirm_email": ONE_TIME,
    "account_reset_password_from_key": ONE_TIME,
    "account_confirm_login_code": ONE_TIME,
    "account_request_reauthentication_code": ONE_TIME,
    "account_confirm_reauthentication_code": ONE_TIME,
    "mfa_index": Rule(p("/accounts/2fa/"), signed_in()),
    "mfa_authenticate": ONE_TIME,
    "mfa_reauthenticate": ONE_TIME,
    # Security changes ask for the password again first (allauth reauthentication).
    "mfa_activate_totp": Rule(
        p("/accounts/2fa/totp/activate/"), signed_in(other=302) | dict.fromkeys(SIGNED_IN, 302)
    ),
    "mfa_deactivate_totp": Rule(
        p("/accounts/2fa/totp/deactivate/"),
        signed_in(other=302) | dict.fromkeys(SIGNED_IN, {302, 404}),
    ),
    "mfa_view_recovery_codes": Rule(
        p("/accounts/2fa/recovery-codes/"),
        signed_in(other=302) | dict.fromkeys(SIGNED_IN, {302, 404}),
    ),
    "mfa_generate_recovery_codes": Rule(
        p("/accounts/2fa/recovery-codes/generate/"),
        signed_in(other=302) | dict.fromkeys(SIGNED_IN, {302, 404}),
    ),
    "mfa_download_recovery_codes": Rule(
        p("/accounts/2fa/recovery-codes/download/"),
        signed_in(other=302) | dict.fromkeys(SIGNED_IN, {302, 404}),
    ),
    "usersessions_list": Rule(p("/accounts/sessions/"), signed_in()),
    "account_delete": Rule(
        p("/account/delete/"), signed_in(other=302) | {r: {200, 302} for r in SIGNED_IN}
    ),
    # Accounts and organisations
    "accounts:profile": Rule(p("/account/"), signed_in()),
    "accounts:notifications": Rule(p("/notifications/"), signed_in()),
    "accounts:organisations": Rule(p("/organisations/"), signed_in()),
    "accounts:organisation_create": Rule(p("/organisations/new/"), signed_in()),
    "accounts:organisation_switch": Rule(p("/organisations/switch/"), post={"anonymous": LOGIN}),
    "accounts:organisation": Rule(p("/organisations/{org_a}/"), owned(ORG_A)),
    "accounts:organisation_edit": Rule(p("/organisations/{org_a}/edit/"), owned(ORG_A)),
    "accounts:invitation_send": Rule(p("/organisations/{org_a}/invite/"), owned(ORG_A)),
    "accounts:invitation_revoke": Rule(
        p("/organisations/{org_a}/invitations/{invitation}/withdraw/"), post=refused(ORG_A, ORG_A)
    ),
    "accounts:membership_remove": Rule(
        p("/organisations/{org_a}/members/{membership}/remove/"), post=refused(ORG_A, ORG_A)
    ),
    "accounts:organisation_calendar_reset": Rule(
        p("/organisations/{org_a}/calendar/reset/"), post=refused(ORG_A, ORG_A)
    ),
    "accounts:invitation": Rule(p("/invitations/{token}/"), everyone()),
    "organisation_export": Rule(p("/organisations/{org_a}/export/"), owned(ORG_A)),
    # Programmes and dashboards
    "programmes:list": Rule(p("/programmes/"), signed_in()),
    "programmes:detail": Rule(p("/programmes/{programme}/"), owned(OFFICER)),
    "programmes:summary_pdf": Rule(p("/programmes/{programme}/summary.pdf"), owned(OFFICER)),
    "programmes:summary": Rule(p("/programmes/{programme}/summary/"), owned(OFFICER)),
    "programmes:utilisation": Rule(p("/programmes/{programme}/utilisation/"), owned(OFFICER)),
    "programmes:funnel": Rule(p("/programmes/{programme}/funnel/"), owned(OFFICER)),
    "programmes:trials": Rule(p("/programmes/{programme}/trials/"), owned(OFFICER)),
    "programmes:challenges": Rule(p("/programmes/{programme}/challenges/"), owned(OFFICER)),
    "programmes:startups": Rule(p("/programmes/{programme}/start-ups/"), owned(OFFICER)),
    "programmes:startup_enrol": Rule(
        p("/programmes/{programme}/start-ups/enrol/"), post=refused(set(), OFFICER)
    ),
    "regions": Rule(p("/regions/"), everyone()),
    "dashboard": Rule(p("/dashboard/"), signed_in()),
    "provider_dashboard": Rule(p("/dashboard/test-beds/"), signed_in()),
    # Test beds: provider pages
    "testbeds:mine": Rule(p("/testbeds/mine/"), signed_in()),
    "testbeds:create": Rule(
        p("/testbeds/new/"), signed_in(ok=PROVIDER | {"provider_other"}, other=403)
    ),
    "testbeds:edit": Rule(p("/testbeds/{testbed}/edit/"), owned(PROVIDER)),
    "testbeds:manage": Rule(p("/testbeds/{testbed}/manage/"), owned(PROVIDER)),
    "testbeds:photo_add": Rule(p("/testbeds/{testbed}/photos/new/"), owned(PROVIDER)),
    "testbeds:photo_edit": Rule(p("/testbeds/{testbed}/photos/{photo}/edit/"), owned(PROVIDER)),
    "testbeds:publish": Rule(p("/testbeds/{draft}/publish/"), post=refused(set(), PROVIDER)),
    "testbeds:pause": Rule(p("/testbeds/{testbed}/pause/"), post=refused(set(), PROVIDER)),
    "testbeds:retire": Rule(p("/testbeds/{testbed}/retire/"), post=refused(set(), PROVIDER)),
    "testbeds:photo_move": Rule(
        p("/testbeds/{testbed}/photos/{photo}/move/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:photo_remove": Rule(
        p("/testbeds/{testbed}/photos/{photo}/remove/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:blackout_add": Rule(
        p("/testbeds/{testbed}/closures/new/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:blackout_remove": Rule(
        p("/testbeds/{testbed}/closures/{blackout}/remove/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:calendar_reset": Rule(
        p("/testbeds/{testbed}/calendar/reset/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:question_add": Rule(
        p("/testbeds/{testbed}/questions/new/"), post=refused(set(), PROVIDER)
    ),
    "testbeds:question_archive": Rule(
        p("/testbeds/{testbed}/questions/{question}/archive/"), post=refused(set(), PROVIDER)
    ),
    # Trials
    "trials:list": Rule(p("/trials/"), signed_in()),
    "trials:approval_queue": Rule(p("/trials/requests/"), signed_in()),
    "trials:request": Rule(
        p("/trials/request/{testbed}/"), signed_in(ok={"startup_a", "startup_b"}, other=403)
    ),
    "trials:waitlist": Rule(p("/trials/waitlist/{waitlist}/"), owned(STARTUP)),
    "trials:waitlist_leave": Rule(
        p("/trials/waitlist/{waitlist}/leave/"), owned(STARTUP), post=refused(STARTUP, STARTUP)
    ),
    "trials:detail": Rule(p("/trials/{trial}/"), owned(TRIAL_VIEWERS)),
    "trials:plan": Rule(
        p("/trials/{trial}/plan/"), owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403}
    ),
    "trials:outcome": Rule(
        p("/trials/{trial}/outcome/"), owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403}
    ),
    "trials:kpi_add": Rule(
        p("/trials/{trial}/kpis/new/"), owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403}
    ),
    "trials:file_add": Rule(
        p("/trials/{trial}/files/new/"), owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403}
    ),
    "trials:file": Rule(p("/trials/{trial}/files/{file}/"), owned(TRIAL_VIEWERS)),
    "trials:file_rendition": Rule(
        p("/trials/{trial}/files/{file}/thumbnail/"), owned(TRIAL_VIEWERS)
    ),
    "trials:pack_pdf": Rule(p("/trials/{submitted}/packs/{pack}/pdf/"), owned(TRIAL_VIEWERS)),
    "trials:pack_page": Rule(p("/trials/{submitted}/packs/{pack}/"), owned(TRIAL_VIEWERS)),
    # That pack has no photo, so its viewers get 404 too (tests/trials/test_pack_page.py
    # checks a photo that exists); the point here is that nobody else gets more.
    "trials:pack_photo": Rule(
        p("/trials/{submitted}/packs/{pack}/photos/1/"), owned(TRIAL_VIEWERS, status=404)
    ),
    "trials:approve": Rule(
        p("/trials/{trial}/approve/"), post=refused(TRIAL_VIEWERS, set()) | {"provider": {302}}
    ),
    "trials:decline": Rule(p("/trials/{trial}/decline/"), post=refused(TRIAL_VIEWERS, PROVIDER)),
    "trials:calendar": Rule(p("/trials/{trial}/calendar.ics"), owned(TRIAL_VIEWERS)),
    "trials:withdraw": Rule(p("/trials/{trial}/withdraw/"), post=refused(TRIAL_VIEWERS, STARTUP)),
    "trials:cancel": Rule(
        p("/trials/{trial}/cancel/"), post=refused(TRIAL_VIEWERS, STARTUP | PROVIDER)
    ),
    "trials:start": Rule(p("/trials/{trial}/start/"), post=refused(TRIAL_VIEWERS, STARTUP)),
    "trials:complete": Rule(p("/trials/{trial}/complete/"), post=refused(TRIAL_VIEWERS, STARTUP)),
    "trials:measurement_add": Rule(
        p("/trials/{trial}/kpis/{kpi}/measurements/"), post=refused(TRIAL_VIEWERS, STARTUP)
    ),
    "trials:kpi_not_measured": Rule(
        p("/trials/{trial}/kpis/{kpi}/not-measured/"), post=refused(TRIAL_VIEWERS, STARTUP)
    ),
    "trials:kpi_remove": Rule(
        p("/trials/{trial}/kpis/{kpi}/remove/"), post=refused(TRIAL_VIEWERS, STARTUP)
    ),
    "trials:log_add": Rule(
        p("/trials/{trial}/log/"), post=refused(TRIAL_VIEWERS, STARTUP | PROVIDER)
    ),
    "trials:measurement_correct": Rule(
        p("/trials/{trial}/measurements/{measurement}/correct/"),
        owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403},
        post=refused(TRIAL_VIEWERS, STARTUP),
    ),
    "trials:kpi_correct": Rule(
        p("/trials/{trial}/kpis/{kpi}/correct/"),
        owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403},
        post=refused(TRIAL_VIEWERS, STARTUP),
    ),
    "trials:log_correct": Rule(
        p("/trials/{trial}/log/{log_entry}/correct/"),
        owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403},
        post=refused(TRIAL_VIEWERS, STARTUP),
    ),
    "trials:file_remove": Rule(
        p("/trials/{trial}/files/{file}/remove/"), post=refused(TRIAL_VIEWERS, STARTUP)
    ),
    "trials:submit": Rule(p("/trials/{trial}/submit/"), post=refused(TRIAL_VIEWERS, STARTUP)),
    "trials:partner_invite": Rule(
        p("/trials/{trial}/partners/new/"),
        owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403},
    ),
    "trials:partner_remove": Rule(
        p("/trials/{trial}/partners/{open_invitation}/remove/"),
        post=refused(TRIAL_VIEWERS, STARTUP),
    ),
    # Anyone may open an invitation link (it names its trial only); it works for its address.
    "trials:partner_invitation": Rule(
        p("/trials/partners/invitations/{partner_token}/"),
        {"anonymous": 200, "startup_b": 403, "officer_other": 403, "partner": 403},
    ),
    "trials:messages": Rule(
        p("/trials/{trial}/messages/"),
        owned(TRIAL_VIEWERS),
        post=refused(TRIAL_VIEWERS, TRIAL_VIEWERS),
    ),
    "trials:message_attachment": Rule(
        p("/trials/{trial}/messages/attachments/{attachment}/"), owned(TRIAL_VIEWERS)
    ),
    "trials:inbox": Rule(p("/trials/messages/"), signed_in()),
    "trials:change_request": Rule(
        p("/trials/{trial}/change-dates/"), owned(TRIAL_VIEWERS) | {"provider": 403, "officer": 403}
    ),
    "trials:change_approve": Rule(
        p("/trials/{trial}/change-requests/{change}/approve/"),
        post=refused(TRIAL_VIEWERS, PROVIDER),
    ),
    "trials:change_decline": Rule(
        p("/trials/{trial}/change-requests/{change}/decline/"),
        post=refused(TRIAL_VIEWERS, PROVIDER),
    ),
    "trials:change_withdraw": Rule(
        p("/trials/{trial}/change-requests/{change}/withdraw/"),
        post=refused(TRIAL_VIEWERS, STARTUP),
    ),
    "trials:pack_review": Rule(
        p("/trials/{submitted}/packs/{pack}/review/"), post=refused(TRIAL_VIEWERS, OFFICER)
    ),
    "trials:pack_retry": Rule(
        p("/trials/{submitted}/packs/{pack}/retry/"),
        post=refused(set(), TRIAL_VIEWERS) | {r: 404 for r in SIGNED_IN if r not in TRIAL_VIEWERS},
    ),
}


def _api(name: str, path: str, get: dict | None = None, post: dict | None = None) -> None:
    RULES[name] = Rule(p(path), get or {}, post or {})


API_TRIAL = owned(TRIAL_VIEWERS)
# The API: the same tenancy, in API statuses.
_api("api:testbed-list", "/api/v1/testbeds/", everyone())
_api("api:testbed-detail", "/api/v1/testbeds/{testbed}/", everyone())
_api(
    "api:testbed-availability",
    "/api/v1/testbeds/{testbed}/availability/?from=2026-01-01&to=2026-01-31",
    everyone(),
)
_api("api:testbed-pause", "/api/v1/testbeds/{testbed}/pause/", post=refused(set(), PROVIDER))
_api("api:testbed-publish", "/api/v1/testbeds/{draft}/publish/", post=refused(set(), PROVIDER))
_api("api:testbed-retire", "/api/v1/testbeds/{testbed}/retire/", post=refused(set(), PROVIDER))
_api("api:testbed-photos", "/api/v1/testbeds/{testbed}/photos/", post=refused(set(), PROVIDER))
_api("api:trial-list", "/api/v1/trials/", signed_in())
_api("api:trial-detail", "/api/v1/trials/{trial}/", API_TRIAL)
_api("api:trial-approve", "/api/v1/trials/{trial}/approve/", post=refused(TRIAL_VIEWERS, PROVIDER))
_api("api:trial-decline", "/api/v1/trials/{trial}/decline/", post=refused(TRIAL_VIEWERS, PROVIDER))
_api("api:trial-withdraw", "/api/v1/trials/{trial}/withdraw/", post=refused(TRIAL_VIEWERS, STARTUP))
_api(
    "api:trial-cancel",
    "/api/v1/trials/{trial}/cancel/",
    post=refused(TRIAL_VIEWERS, STARTUP | PROVIDER),
)
_api("api:trial-start", "/api/v1/trials/{trial}/start/", post=refused(TRIAL_VIEWERS, STARTUP))
_api("api:trial-complete", "/api/v1/trials/{trial}/complete/", post=refused(TRIAL_VIEWERS, STARTUP))
_api("api:trial-submit", "/api/v1/trials/{trial}/submit/", post=refused(TRIAL_VIEWERS, STARTUP))
_api("api:trial-outcome", "/api/v1/trials/{trial}/outcome/", API_TRIAL)
_api("api:trial-kpis", "/api/v1/trials/{trial}/kpis/", API_TRIAL, refused(TRIAL_VIEWERS, STARTUP))
_api(
    "api:trial-log-entries",
    "/api/v1/trials/{trial}/log-entries/",
    API_TRIAL,
    refused(TRIAL_VIEWERS, STARTUP | PROVIDER),
)
_api("api:trial-files", "/api/v1/trials/{trial}/files/", API_TRIAL, refused(TRIAL_VIEWERS, STARTUP))
_api("api:trial-evidence-packs", "/api/v1/trials/{submitted}/evidence-packs/", API_TRIAL)
_api(
    "api:trial-change-requests",
    "/api/v1/trials/{trial}/change-requests/",
    API_TRIAL,
    refused(TRIAL_VIEWERS, STARTUP),
)
_api("api:change-request-detail", "/api/v1/change-requests/{change}/", API_TRIAL)
_api(
    "api:trial-partners",
    "/api/v1/trials/{trial}/partners/",
    API_TRIAL,
    refused(TRIAL_VIEWERS, STARTUP),
)
RULES["api:trial-partner"] = Rule(
    p("/api/v1/trials/{trial}/partners/{partnership}/"),
    delete=refused(TRIAL_VIEWERS | {"partner"}, STARTUP),
)
_api(
    "api:trial-messages",
    "/api/v1/trials/{trial}/messages/",
    API_TRIAL,
    refused(TRIAL_VIEWERS, TRIAL_VIEWERS),
)
_api(
    "api:change-request-approve",
    "/api/v1/change-requests/{change}/approve/",
    post=refused(TRIAL_VIEWERS, PROVIDER),
)
_api(
    "api:change-request-decline",
    "/api/v1/change-requests/{change}/decline/",
    post=refused(TRIAL_VIEWERS, PROVIDER),
)
_api(
    "api:change-request-withdraw",
    "/api/v1/change-requests/{change}/withdraw/",
    post=refused(TRIAL_VIEWERS, STARTUP),
)
_api("api:kpi-detail", "/api/v1/kpis/{kpi}/", API_TRIAL)
_api(
    "api:kpi-measurements",
    "/api/v1/kpis/{kpi}/measurements/",
    API_TRIAL,
    refused(TRIAL_VIEWERS, STARTUP),
)
_api("api:measurement-detail", "/api/v1/measurements/{measurement}/", API_TRIAL)
_api("api:log-entry-detail", "/api/v1/log-entries/{log_entry}/", API_TRIAL)
_api("api:evidence-file-detail", "/api/v1/files/{file}/", API_TRIAL)
_api("api:evidence-file-download", "/api/v1/files/{file}/download/", API_TRIAL)
_api("api:evidence-pack-detail", "/api/v1/evidence-packs/{pack}/", API_TRIAL)
_api("api:evidence-pack-pdf", "/api/v1/evidence-packs/{pack}/pdf/", API_TRIAL)
_api(
    "api:evidence-pack-review",
    "/api/v1/evidence-packs/{pack}/review/",
    post=refused(TRIAL_VIEWERS, OFFICER),
)
_api(
    "api:evidence-pack-retry",
    "/api/v1/evidence-packs/{pack}/retry/",
    post=refused(set(), TRIAL_VIEWERS),
)
_api("api:programme-list", "/api/v1/programmes/", signed_in())
_api("api:programme-funnel", "/api/v1/programmes/{programme}/funnel/", owned(OFFICER))
_api(
    "api:programme-enrolments",
    "/api/v1/programmes/{programme}/enrolments/",
    owned(OFFICER),
    refused(set(), OFFICER),
)
_api("api:programme-report-csv", "/api/v1/programmes/{programme}/report.csv", owned(OFFICER))
_api("api:programme-report-json", "/api/v1/programmes/{programme}/report.json", owned(OFFICER))
_api("api:me", "/api/v1/me/", signed_in())
_api("api:not_found", "/api/v1/no-such-thing/", everyone(404) | {"anonymous": {401, 403, 404}})
_api("api:schema", "/api/schema/", everyone())
_api("api:docs", "/api/docs/", everyone())
# Integrations (API tokens and webhooks of the signed-in person or their organisations)
RULES.update(
    {
        "integrations:api_tokens": Rule(p("/account/api-tokens/"), signed_in()),
        "integrations:api_token_create": Rule(p("/account/api-tokens/new/"), signed_in()),
        "integrations:api_token_revoke": Rule(
            p("/account/api-tokens/{api_token}/revoke/"), post=refused(set(), STARTUP)
        ),
        "integrations:webhooks": Rule(p("/account/webhooks/"), signed_in()),
        # Staff act for no organisation, so they have no endpoint to register.
        "integrations:webhook_create": Rule(
            p("/account/webhooks/new/"), signed_in(ok=set(SIGNED_IN) - {"staff"}, other=403)
        ),
        "integrations:webhook": Rule(p("/account/webhooks/{webhook}/"), owned(ORG_A)),
        "integrations:webhook_secret": Rule(
            p("/account/webhooks/{webhook}/secret/"), post=refused(set(), ORG_A)
        ),
        "integrations:webhook_disable": Rule(
            p("/account/webhooks/{webhook}/disable/"), post=refused(set(), ORG_A)
        ),
        "integrations:webhook_enable": Rule(
            p("/account/webhooks/{webhook}/enable/"), post=refused(set(), ORG_A)
        ),
        "integrations:webhook_delete": Rule(
            p("/account/webhooks/{webhook}/delete/"), post=refused(set(), ORG_A)
        ),
    }
)


# The partner of the active trial sees that trial and what hangs off it, adds log entries,
# files and messages, and may take no step of the start-up's or the provider's; the submitted
# trial and everything else stays 404 to it (the defaults above).
PARTNER_SEES = {
    "trials:detail",
    "trials:calendar",
    "trials:file",
    "trials:file_rendition",
    "trials:file_add",
    "trials:messages",
    "trials:message_attachment",
    "api:trial-detail",
    "api:trial-outcome",
    "api:trial-kpis",
    "api:trial-log-entries",
    "api:trial-files",
    "api:trial-change-requests",
    "api:trial-partners",
    "api:trial-messages",
    "api:kpi-detail",
    "api:kpi-measurements",
    "api:measurement-detail",
    "api:log-entry-detail",
    "api:evidence-file-detail",
    "api:evidence-file-download",
    "api:change-request-detail",
}
PARTNER_VIEWS_BUT_MAY_NOT_OPEN = {
    "trials:measurement_correct",
    "trials:kpi_correct",
    "trials:log_correct",
    "trials:plan",
    "trials:outcome",
    "trials:kpi_add",
    "trials:change_request",
    "trials:partner_invite",
}
PARTNER_DOES = {"trials:log_add", "trials:messages", "api:trial-log-entries", "api:trial-files"}
PARTNER_DOES |= {"api:trial-messages"}
for _name, _rule in RULES.items():
    _rule.get, _rule.post = dict(_rule.get), dict(_rule.post)  # some rules share a dict
    if _name in PARTNER_SEES and "partner" in _rule.get:
        _rule.get["partner"] = 200
    if _name in PARTNER_VIEWS_BUT_MAY_NOT_OPEN:
        _rule.get["partner"] = 403
    if _rule.post.get("partner") == 404 and _rule.path is not None:
        on_active_trial = any(
            key in _rule.path.template
            for key in ("{trial}", "{kpi}", "{file}", "{change}", "{measurement}", "{log_entry}")
        )
        if _name in PARTNER_DOES:
            del _rule.post["partner"]
        elif on_active_trial:
            _rule.post["partner"] = 403


def route_names() -> set[str]:
    """Every named route, from the resolver (admin's own routes are checked by name prefix)."""
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                # An unnamed route could not have a rule: it counts as one without.
                names.add(namespace + (pattern.name or f"<unnamed {pattern.pattern}>"))

    walk(get_resolver(), "")
    return {name for name in names if not name.startswith("admin:")}


def test_every_route_has_a_rule():
    from tests.security.test_tenancy_adoption import ADOPTION_RULES
    from tests.security.test_tenancy_challenges import CHALLENGE_RULES

    missing = sorted(route_names() - set(RULES) - set(CHALLENGE_RULES) - set(ADOPTION_RULES))
    assert not missing, f"Routes without a tenancy rule: {missing}"
    for name, rule in RULES.items():
        assert rule.path is not None or rule.reason, name


def _matches(status: int, expected, *, api: bool, response) -> bool:
    if expected == LOGIN:
        if api:
            return status in (401, 403)
        return status == 302 and "/accounts/login/" in response.get("Location", "")
    if isinstance(expected, set):
        return status in expected
    return status == expected


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_the_matrix(world):
    failures = []
    clients = {role: _client(world, role) for role in ROLES}
    for name, rule in sorted(RULES.items()):
        if rule.path is None:
            continue
        url = rule.path(world.ids)
        # The rule's URL must reach the route it is named for, and something must be tried.
        reached = resolve(url.split("?")[0]).view_name
        if reached != name or not (rule.get or rule.post or rule.delete):
            failures.append(f"rule {name}: {url} reaches {reached}; tries {rule.get, rule.post}")
            continue
        api = url.startswith("/api/")
        for method, expectations in (
            ("get", rule.get),
            ("post", rule.post),
            ("delete", rule.delete),
        ):
            for role, expected in expectations.items():
                client = clients[role]
                response = getattr(client, method)(
                    url,
                    **({"content_type": "application/json"} if api and method != "get" else {}),
                )
                if response.status_code >= 500 or not _matches(
                    response.status_code, expected, api=api, response=response
                ):
                    failures.append(
                        f"{method.upper()} {url} as {role}: "
                        f"{response.status_code}, expected {expected}"
                    )
    assert not failures, "\n".join(failures)


def test_staff_see_the_admin_and_others_do_not(world):
    staff = _client(world, "staff")
    assert staff.get("/admin/").status_code == 200
    for role in ["startup_a", "provider", "officer", "anonymous"]:
        response = _client(world, role).get("/admin/")
        assert response.status_code == 302, role


def test_mass_assignment_is_refused(world):
    """Fields such as status, organisation, decision time and capacity cannot be set from outside.

    (Who decided is not a field: it is the actor of the trial's event.)
    """
    a = _client(world, "startup_a")
    trial = world.ids["trial"]
    response = a.patch(
        f"/api/v1/trials/{trial}/", {"status": "accepted"}, content_type="application/json"
    )
    assert response.status_code == 400
    response = a.patch(
        f"/api/v1/trials/{trial}/", {"organisation": "startup-b"}, content_type="application/json"
    )
    assert response.status_code == 400
    response = a.patch(
        f"/api/v1/trials/{trial}/",
        {"decided_at": "2020-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 400
    other = _client(world, "provider_other")
    response = other.patch(
        f"/api/v1/testbeds/{world.ids['testbed']}/",
        {"capacity": 50},
        content_type="application/json",
    )
    assert response.status_code == 404
    provider = _client(world, "provider")
    response = provider.patch(
        f"/api/v1/testbeds/{world.ids['testbed']}/",
        {"organisation": "body-q"},
        content_type="application/json",
    )
    assert response.status_code == 400
    from testbeds.models import TestBed
    from trials.models import Trial

    assert Trial.objects.get(pk=trial).status == "active"
    assert Trial.objects.get(pk=trial).decided_at.year != 2020
    assert TestBed.objects.get(slug=world.ids["testbed"]).capacity == 3
    assert TestBed.objects.get(slug=world.ids["testbed"]).organisation.slug == "body-p"
    assert Trial.objects.get(pk=trial).organisation.slug == "startup-a"
