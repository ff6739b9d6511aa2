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
            "report_csv": reverse("api:programme-report-csv", kwargs={"pk": programme.pk}),
            "report_json": reverse("api:programme-report-json", kwargs={"pk": programme.pk}),
        }
