"""The adoption record: opened on acceptance, decisions as versions, interest, impact
reports, consent — each rule with its refusal, and nothing saved on bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import AuditEvent, Notification, WebhookDelivery, WebhookEndpoint
from adoption import services
from adoption.models import Adoption, AdoptionDecision, ImpactReport, Interest
from adoption.services.common import add_months
from core.exceptions import Conflict
from tests.adoption.conftest import TODAY, adopted, d, publish

pytestmark = pytest.mark.django_db


def test_acceptance_opens_an_undecided_record_with_three_reports_due(world):
    adoption = world.adoption
    assert adoption.status == "undecided" and adoption.version == 0
    assert adoption.accepted_on == TODAY
    reports = list(adoption.reports.order_by("months"))
    assert [r.months for r in reports] == [6, 12, 24]
    assert [r.due_on for r in reports] == [add_months(TODAY, m) for m in (6, 12, 24)]
    # Opening it again (the receiver is idempotent) changes nothing.
    assert services.adoption_open(world.trial) == adoption
    assert ImpactReport.objects.filter(adoption=adoption).count() == 3


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), 24) == datetime.date(2028, 1, 15)


def test_decisions_are_versions_with_who_and_when(world):
    services.adoption_decide(
        actor=world.provider.user, adoption=world.adoption, status="procuring", route="open_tender"
    )
    adoption = services.adoption_decide(
        actor=world.provider.user, adoption=world.adoption, **adopted()
    )
    assert adoption.status == "adopted" and adoption.version == 2
    assert adoption.contract_value == Decimal("125000.50")
    assert adoption.notice_source == "contracts_finder"  # told from the address
    versions = list(adoption.versions.all())
    assert [v.status for v in versions] == ["adopted", "procuring"]
    assert versions[1].decided_by_name == world.provider.user.get_full_name()
    assert adoption.decided_at is not None
    assert AuditEvent.objects.filter(action="adoption.decided").count() == 2
    # The same decision again is not a new version.
    services.adoption_decide(actor=world.provider.user, adoption=adoption, **adopted())
    assert AdoptionDecision.objects.filter(adoption=adoption).count() == 2
    with pytest.raises(ValueError):
        versions[0].save()


def test_the_start_up_is_told_in_its_own_language(world):
    world.startup.user.language = "cy"
    world.startup.user.save()
    services.adoption_decide(actor=world.provider.user, adoption=world.adoption, **adopted())
    notice = Notification.objects.filter(user=world.startup.user).order_by("-id").first()
    assert "Smart bins" in notice.subject and "What happened next" not in notice.subject


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "maybe"}, "status"),
        ({"status": "not_adopted"}, "reasons"),
        ({"status": "not_adopted", "reasons": ["cost", "bogus"]}, "reasons"),
        ({"status": "not_adopted", "reasons": ["other"]}, "reason_other"),
        ({"status": "procuring"}, "route"),
        ({"status": "procuring", "route": "framework"}, "framework_name"),
        (adopted(route="other", framework_name=""), "route_other"),
        (adopted(notice_url="http://www.contractsfinder.service.gov.uk/x"), "notice_url"),
        (adopted(notice_url="javascript:alert(1)"), "notice_url"),
        (adopted(contract_value="-1"), "contract_value"),
        (adopted(contract_value="12.345"), "contract_value"),
        (adopted(contract_value="1000000000.01"), "contract_value"),
        (adopted(contract_value="NaN"), "contract_value"),
        (adopted(contract_value="lots"), "contract_value"),
        (adopted(contract_value=None), "contract_value"),
        (adopted(start_date=None), "start_date"),
        (adopted(start_date=d(-1)), "start_date"),
        (adopted(start_date="2027-02-30"), "start_date"),
        (adopted(start_date=d(365 * 11)), "start_date"),
        (adopted(sites=None), "sites"),
        (adopted(sites=-3), "sites"),
        (adopted(users="1e9"), "users"),
        (adopted(value_band="huge", contract_value=None), "value_band"),
    ],
)
def test_bad_decisions_name_the_field_and_save_nothing(world, data, field):
    with pytest.raises(ValidationError) as error:
        services.adoption_decide(actor=world.provider.user, adoption=world.adoption, **data)
    assert field in error.value.message_dict
    world.adoption.refresh_from_db()
    assert world.adoption.status == "undecided" and world.adoption.version == 0
    assert not AdoptionDecision.objects.exists()


def test_not_adopted_keeps_reasons_and_drops_procurement_fields(world):
    adoption = services.adoption_decide(
        actor=world.provider.user,
        adoption=world.adoption,
        status="not_adopted",
        reasons=["other", "cost"],
        reason_other="Service redesign",
        route="framework",
        contract_value="10",
    )
    assert adoption.reasons == ["cost", "other"]
    assert adoption.reason_labels() == ["Cost", "Service redesign"]
    assert adoption.route == "" and adoption.contract_value is None


def test_a_band_instead_of_a_value(world):
    adoption = services.adoption_decide(
        actor=world.provider.user,
        adoption=world.adoption,
        **adopted(contract_value="", value_band="100k_500k"),
    )
    assert adoption.value_band == "100k_500k" and adoption.contract_value is None


@pytest.mark.parametrize("who", ["startup", "officer", "other_body", "other_startup"])
def test_only_the_test_beds_public_body_decides(world, who):
    with pytest.raises(PermissionDenied):
        services.adoption_decide(
            actor=getattr(world, who).user, adoption=world.adoption, **adopted()
        )
    assert not AdoptionDecision.objects.exists()


def test_decided_webhook_goes_to_the_parties(world, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(
        organisation=world.startup.organisation,
        url="https://hooks.example.org/x",
        events=["adoption.decided"],
        secret="s",
    )
    services.adoption_decide(actor=world.provider.user, adoption=world.adoption, **adopted())
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "adoption.decided"
    assert delivery.payload["data"]["to_status"] == "adopted"


def test_consent_of_both_publishes_and_either_withdraws_at_once(world):
    with pytest.raises(ValidationError) as error:
        services.consent_set(
            actor=world.startup.user, adoption=world.adoption, party="startup", agree=True
        )
    assert "register_summary" in error.value.message_dict
    services.consent_set(
        actor=world.startup.user,
        adoption=world.adoption,
        party="startup",
        agree=True,
        summary="Bins that report when full.",
    )
    world.adoption.refresh_from_db()
    assert world.adoption.published_at is None
    with pytest.raises(PermissionDenied):
        services.consent_set(
            actor=world.startup.user, adoption=world.adoption, party="provider", agree=True
        )
    adoption = services.consent_set(
        actor=world.provider.user, adoption=world.adoption, party="provider", agree=True
    )
    assert adoption.published_at is not None
    adoption = services.consent_set(
        actor=world.provider.user, adoption=adoption, party="provider", agree=False
    )
    assert adoption.published_at is None and adoption.startup_consent_at is not None


def test_interest_from_another_public_body_once_and_withdrawn(world):
    with pytest.raises(Http404):  # not in the register yet
        services.interest_register(actor=world.other_body.user, adoption=world.adoption)
    publish(world)
    interest = services.interest_register(
        actor=world.other_body.user, adoption=world.adoption, note="We have the same bins."
    )
    assert interest.organisation == world.other_body.organisation
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert {world.startup.user.pk, world.provider.user.pk} <= told
    with pytest.raises(Conflict):
        services.interest_register(actor=world.other_body.user, adoption=world.adoption)
    for who in ("provider", "startup", "other_startup"):
        with pytest.raises(PermissionDenied):
            services.interest_register(actor=getattr(world, who).user, adoption=world.adoption)
    services.interest_withdraw(actor=world.other_body.user, adoption=world.adoption)
    assert Interest.objects.get().withdrawn_at is not None
    with pytest.raises(Http404):
        services.interest_withdraw(actor=world.other_body.user, adoption=world.adoption)
    # Interested again after withdrawing: a new interest.
    services.interest_register(actor=world.other_body.user, adoption=world.adoption)
    assert Interest.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_interest_note_is_checked(world):
    publish(world)
    with pytest.raises(ValidationError):
        services.interest_register(
            actor=world.other_body.user, adoption=world.adoption, note="x" * 1001
        )
    assert not Interest.objects.exists()


def test_contact_e_mail_is_the_start_ups_choice(world):
    with pytest.raises(ValidationError):
        services.contact_email_set(actor=world.startup.user, adoption=world.adoption, email="no")
    with pytest.raises(PermissionDenied):
        services.contact_email_set(
            actor=world.provider.user, adoption=world.adoption, email="a@b.org"
        )
    adoption = services.contact_email_set(
        actor=world.startup.user, adoption=world.adoption, email="sales@bins.example"
    )
    assert adoption.contact_email == "sales@bins.example"


def report_data(world, **extra) -> dict:
    kpi = world.trial.kpis.get()
    return {
        "contracts": [
            {
                "buyer": "Gwynedd Council",
                "value": "40000",
                "date": TODAY.isoformat(),
                "link": "https://www.sell2wales.gov.wales/x",
            },
            {"buyer": "", "value": "", "date": ""},  # an empty form row
        ],
        "investment": "250000",
        "investment_round": "Seed",
        "jobs_created": 3,
        "jobs_safeguarded": "2",
        "further_bodies": "Gwynedd",
        "further_bodies_count": 1,
        "kpi_results": {str(kpi.pk): {"held": "improved", "figure": "8"}},
        **extra,
    }


def test_the_start_up_submits_a_report_once(world):
    report = world.adoption.reports.get(months=6)
    with pytest.raises(PermissionDenied):
        services.impact_report_submit(
            actor=world.provider.user, report=report, **report_data(world)
        )
    report = services.impact_report_submit(
        actor=world.startup.user, report=report, **report_data(world)
    )
    assert report.submitted_at and not report.late
    assert report.contracts == [
        {
            "buyer": "Gwynedd Council",
            "value": "40000.00",
            "date": TODAY.isoformat(),
            "link": "https://www.sell2wales.gov.wales/x",
        }
    ]
    assert report.kpi_results[0]["held"] == "improved"
    assert report.investment == Decimal("250000.00") and report.jobs_safeguarded == 2
    with pytest.raises(Conflict):
        services.impact_report_submit(actor=world.startup.user, report=report, **report_data(world))
    # The public body comments once; the report itself stays as it was.
    with pytest.raises(PermissionDenied):
        services.impact_report_comment(actor=world.startup.user, report=report, comment="Fine")
    report = services.impact_report_comment(
        actor=world.provider.user, report=report, comment="Confirmed: 12 sites live."
    )
    assert report.provider_comment == "Confirmed: 12 sites live."
    with pytest.raises(Conflict):
        services.impact_report_comment(actor=world.provider.user, report=report, comment="Again")


def test_a_late_report_is_accepted_and_marked_late(world):
    report = world.adoption.reports.get(months=6)
    ImpactReport.objects.filter(pk=report.pk).update(due_on=d(-1))
    report = services.impact_report_submit(
        actor=world.startup.user, report=report, **report_data(world)
    )
    assert report.late


@pytest.mark.parametrize(
    "extra, field",
    [
        (
            {"contracts": [{"buyer": "", "value": "5", "date": TODAY.isoformat()}]},
            "contracts.0.buyer",
        ),
        (
            {"contracts": [{"buyer": "X", "value": "-5", "date": TODAY.isoformat()}]},
            "contracts.0.value",
        ),
        (
            {"contracts": [{"buyer": "X", "value": "5", "date": d(-10).isoformat()}]},
            "contracts.0.date",
        ),
        (
            {"contracts": [{"buyer": "X", "value": "5", "date": d(3).isoformat()}]},
            "contracts.0.date",
        ),
        (
            {
                "contracts": [
                    {"buyer": "X", "value": "5", "date": TODAY.isoformat(), "link": "ftp://x"}
                ]
            },
            "contracts.0.link",
        ),
        ({"contracts": "lots"}, "contracts"),
        ({"investment": "1e12"}, "investment"),
        ({"investment": "100", "investment_round": ""}, "investment_round"),
        ({"jobs_created": -1}, "jobs_created"),
        ({"kpi_results": {}}, "kpi_"),
    ],
)
def test_bad_reports_name_the_field_and_save_nothing(world, extra, field):
    report = world.adoption.reports.get(months=6)
    with pytest.raises(ValidationError) as error:
        services.impact_report_submit(
            actor=world.startup.user, report=report, **report_data(world, **extra)
        )
    assert any(key.startswith(field) for key in error.value.message_dict), error.value
    report.refresh_from_db()
    assert report.submitted_at is None and report.contracts == []


def test_reminders_two_weeks_before_and_on_the_day_sent_once(
    world, django_capture_on_commit_callbacks
):
    report = world.adoption.reports.get(months=6)
    ImpactReport.objects.filter(pk=report.pk).update(due_on=d(14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_reminders()
        again = services.send_reminders()
    assert first["soon"] == 1 and again["soon"] == 0
    ImpactReport.objects.filter(pk=report.pk).update(due_on=TODAY)
    assert services.send_reminders()["due"] == 1
    assert services.send_reminders()["due"] == 0
    reminders = Notification.objects.filter(user=world.startup.user, key__startswith="adoption:")
    assert reminders.count() == 2
    assert len(mail.outbox) == 1  # the "soon" one, sent on commit (captured above)
    # A submitted report is never reminded.
    services.impact_report_submit(actor=world.startup.user, report=report, **report_data(world))
    other = world.adoption.reports.get(months=12)
    ImpactReport.objects.filter(pk=other.pk).update(due_on=TODAY)
    assert services.send_reminders()["due"] == 1


def test_reminders_run_from_the_periodic_registry(world):
    from core import periodic

    assert "impact_report_reminders" in periodic.jobs()
    ImpactReport.objects.filter(adoption=world.adoption, months=6).update(due_on=TODAY)
    run = periodic.run_job("impact_report_reminders")
    assert run.ran and run.result == {"due": 1}
    assert not any(periodic.run_job("impact_report_reminders").result.values())


def test_adoption_is_opened_by_the_real_review(world):
    """Through pack_review itself (with a rendered pack): the receiver opens the record."""
    assert Adoption.objects.filter(trial=world.trial).count() == 1


def test_the_organisations_export_carries_its_adoption_records(world):
    import json
    import zipfile

    from trials.data_rights import organisation_export

    services.adoption_decide(actor=world.provider.user, adoption=world.adoption, **adopted())
    publish(world)
    services.interest_register(actor=world.other_body.user, adoption=world.adoption, note="Us")
    for member, key in ((world.startup, "records"), (world.other_body, "interest_registered")):
        handle = organisation_export(actor=member.user, organisation=member.organisation)
        with zipfile.ZipFile(handle) as archive:
            data = json.loads(archive.read("data.json"))
        assert len(data["adoption"][key]) == 1, key
    assert data["adoption"]["records"] == []  # the other body ran and hosted none
