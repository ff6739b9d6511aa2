"""The programme list and the funnel, as the API shows them."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Programme


class TeamSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class ProgrammeLinksSerializer(serializers.Serializer):
    page = serializers.CharField(help_text="The programme's page for its officers.")
    funnel = serializers.CharField()
    report_csv = serializers.CharField()
    report_json = serializers.CharField()


class ProgrammeSerializer(serializers.ModelSerializer):
    team = TeamSerializer(read_only=True)
    region_focus = serializers.CharField(
        help_text="An ITL1 region code, or empty for a UK-wide programme."
    )
    region_focus_label = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "description",
            "team",
            "region_focus",
            "region_focus_label",
            "starts_on",
            "ends_on",
            "links",
        ]

    def get_region_focus_label(self, programme: Programme) -> str:
        return str(programme.get_region_focus_display()) if programme.region_focus else ""

    @extend_schema_field(ProgrammeLinksSerializer)
    def get_links(self, programme: Programme) -> dict:
        return {
            "page": programme.get_absolute_url(),
            "funnel": reverse("api:programme-funnel", kwargs={"pk": programme.pk}),
            "report_csv": reverse("api:programme-report-csv", kwargs={"pk": programme.pk}),
            "report_json": reverse("api:programme-report-json", kwargs={"pk": programme.pk}),
        }


class FunnelStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    conversion = serializers.FloatField(
        allow_null=True,
        help_text="This step's count over the step before (0–1); null for the first.",
    )
    median_days = serializers.FloatField(
        allow_null=True,
        help_text="Median days from the step before, among the trials that took both.",
    )
    list = serializers.CharField(help_text="The page that lists the trials behind the count.")


class DropOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    list = serializers.CharField()


class RegionFunnelSerializer(serializers.Serializer):
    region = serializers.CharField()
    label = serializers.CharField()
    steps = FunnelStepSerializer(many=True)
    drop_outs = DropOutSerializer(many=True)


class FunnelFiltersSerializer(serializers.Serializer):
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    region = serializers.CharField()
    sector = serializers.CharField()
    technology = serializers.CharField()


class FunnelSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    filters = FunnelFiltersSerializer()
    challenge_steps = FunnelStepSerializer(
        many=True,
        help_text="Challenges published in the period → applications → awards → trial "
        "requests from awards (empty when the programme set no challenge); the list behind "
        "each lists the challenges or applications.",
    )
    steps = FunnelStepSerializer(many=True)
    drop_outs = DropOutSerializer(many=True)
    regions = RegionFunnelSerializer(many=True)
