from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Trial, TrialEvent


class TrialEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrialEvent
        fields = ["from_status", "to_status", "actor_name", "note", "created_at"]
        read_only_fields = fields


class TrialSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    startup = serializers.CharField(source="organisation.name", read_only=True)
    testbed = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provider = serializers.CharField(source="testbed.organisation.name", read_only=True)
    first_day = serializers.DateField(source="booking.start", read_only=True)
    last_day = serializers.DateField(read_only=True)
    booking_status = serializers.CharField(source="booking.status", read_only=True)
    programme = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Trial
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "status",
            "organisation",
            "startup",
            "testbed",
            "provider",
            "first_day",
            "last_day",
            "booking_status",
            "programme",
            "answers",
            "product_name",
            "problem_statement",
            "objectives",
            "hypothesis",
            "setting_and_participants",
            "trl_start",
            "trl_target",
            "approvals",
            "approvals_note",
            "outcome_summary",
            "trl_achieved",
            "user_feedback",
            "lessons_learned",
            "safety_incidents",
            "inclusion_notes",
            "environmental_notes",
            "recommendation",
            "next_steps",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class TrialDetailSerializer(TrialSerializer):
    events = TrialEventSerializer(many=True, read_only=True)

    class Meta(TrialSerializer.Meta):
        fields = [*TrialSerializer.Meta.fields, "events"]
        read_only_fields = fields


class TrialRequestSerializer(serializers.Serializer):
    testbed = serializers.SlugField(help_text=_("Slug of a published test bed."))
    organisation = serializers.SlugField(
        required=False, help_text=_("Slug of your start-up; defaults to your only start-up.")
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=3000)
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text=_("Inclusive."))
    programme = serializers.IntegerField(required=False, allow_null=True)
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        help_text=_("Question id → answer."),
    )
    waitlist = serializers.BooleanField(
        required=False, default=False, help_text=_("Join the waitlist instead of requesting.")
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OptionalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    nearest_free_windows = serializers.ListField(child=serializers.DictField(), required=False)


class WaitlistEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    first_day = serializers.DateField(source="start")
    last_day = serializers.DateField()
