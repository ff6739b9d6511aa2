"""Adoption API shapes. Write shapes accept only the fields they name; the services check
the rules between fields (a reason for not adopted, a route for adopted and procuring)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Region
from core.bilingual import translations
from core.dates import ApiDateField

from ..models import (
    MAX_POUNDS,
    AdoptionStatus,
    KpiHeld,
    NotAdoptedReason,
    NoticeSource,
    Route,
    ValueBand,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "max_value": MAX_POUNDS}
COUNT = {"min_value": 0, "max_value": 100_000_000}


class DecisionFieldsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AdoptionStatus.choices)
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=NotAdoptedReason.choices),
        required=False,
        max_length=len(NotAdoptedReason.values),
    )
    reason_other = serializers.CharField(max_length=300, required=False, allow_blank=True)
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True)
    framework_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    route_other = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notice_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="An https URL."
    )
    notice_source = serializers.ChoiceField(
        choices=NoticeSource.choices, required=False, allow_blank=True
    )
    contract_value = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    value_band = serializers.ChoiceField(
        choices=ValueBand.choices, required=False, allow_blank=True
    )
    start_date = ApiDateField(required=False, allow_null=True)
    sites = serializers.IntegerField(**COUNT, required=False, allow_null=True)
    users = serializers.IntegerField(**COUNT, required=False, allow_null=True)
    population = serializers.IntegerField(**COUNT, required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DecisionVersionSerializer(DecisionFieldsSerializer):
    number = serializers.IntegerField()
    decided_by_name = serializers.CharField()
    organisation_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class InterestSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class RegisterSerializer(serializers.Serializer):
    startup_consent = serializers.BooleanField()
    provider_consent = serializers.BooleanField()
    summary = serializers.CharField()
    title_cy = serializers.CharField()
    summary_cy = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class AdoptionSerializer(DecisionFieldsSerializer):
    """The adoption record, as its parties, the programme's officers and staff see it."""

    trial = serializers.IntegerField(source="trial_id")
    accepted_on = serializers.DateField()
    version = serializers.IntegerField()
    decided_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    contact_email = serializers.CharField()
    register = serializers.SerializerMethodField()
    interests = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_register(self, adoption) -> RegisterSerializer:
        return RegisterSerializer(
            {
                "startup_consent": adoption.startup_consent_at is not None,
                "provider_consent": adoption.provider_consent_at is not None,
                "summary": adoption.register_summary,
                "title_cy": adoption.register_title_cy,
                "summary_cy": adoption.register_summary_cy,
                "published_at": adoption.published_at,
            }
        ).data

    def get_interests(self, adoption) -> InterestSerializer(many=True):
        interests = adoption.interests.filter(withdrawn_at__isnull=True).select_related(
            "organisation"
        )
        return InterestSerializer(interests, many=True).data

    def get_history(self, adoption) -> DecisionVersionSerializer(many=True):
        return DecisionVersionSerializer(adoption.versions.all(), many=True).data


class InterestWriteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    organisation = serializers.SlugField(
        max_length=80,
        required=False,
        help_text="The public body that is interested, if you act for more than one.",
    )


class ContractSerializer(serializers.Serializer):
    buyer = serializers.CharField(max_length=200)
    value = serializers.DecimalField(**MONEY)
    date = ApiDateField()
    link = serializers.CharField(max_length=500, required=False, allow_blank=True)


class KpiResultSerializer(serializers.Serializer):
    kpi_id = serializers.IntegerField(min_value=1)
    held = serializers.ChoiceField(choices=KpiHeld.choices)
    figure = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )


class KpiResultReadSerializer(KpiResultSerializer):
    name = serializers.CharField()
    unit = serializers.CharField(required=False)
    figure = serializers.CharField(allow_blank=True)


class ImpactReportSubmitSerializer(serializers.Serializer):
    contracts = serializers.ListField(child=ContractSerializer(), required=False, max_length=20)
    investment = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    investment_round = serializers.CharField(max_length=100, required=False, allow_blank=True)
    jobs_created = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True
    )
    jobs_safeguarded = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True
    )
    further_bodies = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    further_bodies_count = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    kpi_results = serializers.ListField(child=KpiResultSerializer(), required=False, max_length=50)
    notes = serializers.CharField(max_length=3000, required=False, allow_blank=True)


class ImpactReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trial = serializers.IntegerField(source="adoption.trial_id")
    months = serializers.IntegerField()
    due_on = serializers.DateField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by_name = serializers.CharField()
    late = serializers.BooleanField()
    overdue = serializers.SerializerMethodField()
    contracts = ContractSerializer(many=True)
    investment = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    investment_round = serializers.CharField()
    jobs_created = serializers.IntegerField(allow_null=True)
    jobs_safeguarded = serializers.IntegerField(allow_null=True)
    further_bodies = serializers.CharField()
    further_bodies_count = serializers.IntegerField()
    kpi_results = KpiResultReadSerializer(many=True)
    notes = serializers.CharField()
    provider_comment = serializers.CharField()
    provider_comment_at = serializers.DateTimeField(allow_null=True)

    def get_overdue(self, report) -> bool:
        return report.is_overdue()


class TextsSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=["en", "cy"])
    title = serializers.CharField()
    summary = serializers.CharField()


def outcome_texts(adoption) -> list[dict[str, str]]:
    """The register's texts in each language with any, tagged, as test beds and challenges
    give theirs (core.bilingual.translations): ``title`` and ``summary``."""
    return [
        {
            "language": item["language"],
            "title": item["register_title"],
            "summary": item["register_summary"],
        }
        for item in translations(adoption, ("register_title", "register_summary"))
    ]


class OutcomeSerializer(serializers.Serializer):
    """One row of the public register: the open data's columns (see /outcomes/)."""

    id = serializers.IntegerField()
    trial_reference = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    start_up = serializers.CharField()
    test_bed = serializers.CharField()
    public_body = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)
    sectors = serializers.ListField(child=serializers.CharField())
    technologies = serializers.ListField(child=serializers.CharField())
    challenge = serializers.CharField()
    trial_start = serializers.DateField()
    trial_end = serializers.DateField()
    evidence_accepted_on = serializers.DateField()
    kpis_met = serializers.IntegerField()
    kpis_total = serializers.IntegerField()
    adoption_status = serializers.ChoiceField(choices=AdoptionStatus.choices)
    route = serializers.CharField()
    framework = serializers.CharField()
    contract_value_gbp = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    contract_value_band = serializers.CharField()
    not_adopted_reasons = serializers.ListField(child=serializers.CharField())
    notice_url = serializers.CharField()
    published_at = serializers.DateTimeField()
    verify_url = serializers.CharField()
    title_cy = serializers.CharField(help_text="The title in Welsh; empty if not written.")
    summary_cy = serializers.CharField(help_text="The summary in Welsh; empty if not written.")
    texts = TextsSerializer(
        many=True,
        help_text="The title and summary in each language written, tagged (en, cy).",
    )

    def to_representation(self, adoption):
        from ..opendata import row

        data = row(adoption)
        for field in ("sectors", "technologies", "not_adopted_reasons"):
            data[field] = [item for item in data[field].split(";") if item]
        data["texts"] = outcome_texts(adoption)
        return super().to_representation(data)
