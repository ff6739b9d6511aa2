"""Changes of an approved booking's dates, in the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.dates import ApiDateField

from ..models import ChangeRequest


class ChangeRequestSerializer(serializers.ModelSerializer):
    trial = serializers.PrimaryKeyRelatedField(read_only=True)
    first_day = serializers.DateField(source="start", read_only=True)
    last_day = serializers.DateField(read_only=True)
    old_first_day = serializers.DateField(source="old_start", read_only=True)
    old_last_day = serializers.DateField(read_only=True)
    requested_by = serializers.CharField(source="requested_by_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by_name", read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "trial",
            "kind",
            "status",
            "old_first_day",
            "old_last_day",
            "first_day",
            "last_day",
            "reason",
            "requested_by",
            "created_at",
            "decided_by",
            "decision_note",
            "decided_at",
        ]
        read_only_fields = fields


class ChangeRequestCreateSerializer(serializers.Serializer):
    first_day = ApiDateField(help_text=_("The new first day (unchanged to extend)."))
    last_day = ApiDateField(help_text=_("The new last day."))
    reason = serializers.CharField(max_length=2000)
