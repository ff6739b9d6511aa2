from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ErrorSerializer  # noqa: F401 — the one error format, for the views
from core.dates import ApiDateField

from ..models import (
    OUTCOME_FIELDS,
    PLAN_FIELDS,
    ApprovalState,
    EvidenceFile,
    EvidencePack,
    Kpi,
    LogEntry,
    Measurement,
    Recommendation,
    Review,
    Trial,
    TrialEvent,
    TrialStatus,
)
from ..selectors import kpi_rows


class TrialEventSerializer(serializers.ModelSerializer):
    # Blank on the first event (the request itself): declared so the schema allows "".
    from_status = serializers.ChoiceField(
        choices=TrialStatus.choices, allow_blank=True, read_only=True
    )

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
    programme = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Blank until the outcome is recorded: declared so the schema allows "".
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, read_only=True
    )

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
            *PLAN_FIELDS,
            *OUTCOME_FIELDS,
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
    first_day = ApiDateField()
    last_day = ApiDateField(help_text=_("Inclusive."))
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


class CompleteSerializer(OptionalNoteSerializer):
    keep_booking = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Keep the booked days after today (false: they go back to the test bed).",
    )


class ConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    nearest_free_windows = serializers.ListField(child=serializers.DictField(), required=False)
    existing_trial = serializers.DictField(
        required=False,
        help_text=_(
            "With code duplicate_request: the start-up's live trial on these days "
            "(id, url in the API, web_url)."
        ),
    )


class WaitlistEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    first_day = serializers.DateField(source="start")
    last_day = serializers.DateField()


# Tracking: plan, outcome, KPIs, measurements, log, files, evidence packs ------------------

IGNORED_KEYS = {"csrfmiddlewaretoken"}


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not declare, naming each, so nobody sets status and the like."""

    def to_internal_value(self, data):
        unknown = {}
        if hasattr(data, "keys"):
            unknown = {
                key: [_("This field cannot be set here.")]
                for key in sorted(set(data.keys()) - set(self.fields) - IGNORED_KEYS)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not unknown:
                raise
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **unknown})
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class PatchSerializer(StrictSerializer):
    """A partial change: only the fields sent are passed on, and at least one must be sent."""

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."))
        return attrs


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, **kwargs)


def _trl(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=9, **kwargs
    )


class ApprovalSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApprovalState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class TrialPlanSerializer(PatchSerializer):
    """A change to the trial's plan: only the fields sent change."""

    product_name = _text(max_length=200)
    problem_statement = _text(max_length=10000)
    objectives = _text(max_length=10000)
    hypothesis = _text(max_length=10000)
    setting_and_participants = _text(max_length=10000)
    trl_start = _trl(help_text=_("Technology readiness level at the start (1–9)."))
    trl_target = _trl(help_text=_("Target TRL at the end (1–9)."))
    approvals = serializers.DictField(
        child=ApprovalSerializer(),
        required=False,
        help_text=_(
            "Approval code (dpia, data-sharing, ethics, insurance, clinical-safety) → its state. "
            "Replaces the approvals recorded before."
        ),
    )
    approvals_note = _text(max_length=10000)
    programme = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Programme id, or null for none.")
    )


class TrialOutcomeSerializer(serializers.ModelSerializer):
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Trial
        fields = [
            "id",
            "status",
            "outcome_summary",
            "trl_achieved",
            "user_feedback",
            "lessons_learned",
            "safety_incidents",
            "inclusion_notes",
            "environmental_notes",
            "recommendation",
            "next_steps",
        ]
        read_only_fields = fields


class TrialOutcomeUpdateSerializer(PatchSerializer):
    """A change to the trial's outcome: only the fields sent change."""

    outcome_summary = _text(max_length=10000)
    trl_achieved = _trl(help_text=_("TRL achieved (1–9)."))
    user_feedback = _text(max_length=10000)
    lessons_learned = _text(max_length=10000)
    safety_incidents = _text(max_length=10000, help_text=_("Write 'None' if there were none."))
    inclusion_notes = _text(max_length=10000)
    environmental_notes = _text(max_length=10000)
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, allow_blank=True
    )
    next_steps = _text(max_length=10000)


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class KpiSerializer(serializers.ModelSerializer):
    """A KPI with its latest value, its progress from baseline to target, and whether it is met."""

    latest = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    met = serializers.SerializerMethodField()
    measurements_count = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = [
            "id",
            "trial",
            "position",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "method",
            "data_source",
            "no_measurement_reason",
            "latest",
            "progress",
            "met",
            "measurements_count",
            "created_at",
            "corrected_at",
        ]
        read_only_fields = fields

    def _row(self, kpi: Kpi) -> dict:
        rows = self.__dict__.setdefault("_rows", {})
        if kpi.pk not in rows:
            rows[kpi.pk] = kpi_rows([kpi])[0]
        return rows[kpi.pk]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True))
    def get_latest(self, kpi: Kpi) -> str | None:
        latest = self._row(kpi)["latest"]
        return None if latest is None else serializers.DecimalField(14, 4).to_representation(latest)

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True,
            help_text=_("Share of the way from baseline to target, 0 to 1; null before a value."),
        )
    )
    def get_progress(self, kpi: Kpi) -> float | None:
        progress = self._row(kpi)["progress"]
        return None if progress is None else max(min(progress, 1.0), 0.0)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_met(self, kpi: Kpi) -> bool | None:
        return self._row(kpi)["met"]

    def get_measurements_count(self, kpi: Kpi) -> int:
        return len(self._row(kpi)["measurements"])


class KpiCreateSerializer(StrictSerializer):
    """A new KPI: what is measured, from which baseline, towards which target."""

    name = serializers.CharField(max_length=150, allow_blank=True)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    baseline = _number()
    target = _number()
    direction = serializers.ChoiceField(
        choices=Kpi.Direction.choices, required=False, default=Kpi.Direction.HIGHER
    )
    method = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    data_source = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class KpiUpdateSerializer(PatchSerializer):
    """A change to a KPI: only the fields sent change."""

    name = serializers.CharField(max_length=150, required=False)
    unit = _text(max_length=40)
    baseline = _number(required=False)
    target = _number(required=False)
    direction = serializers.ChoiceField(choices=Kpi.Direction.choices, required=False)
    method = _text(max_length=10000)
    data_source = _text(max_length=200)
    no_measurement_reason = _text(
        max_length=2000, help_text=_("Why the KPI could not be measured, if it was not.")
    )
    reason = _text(
        max_length=500,
        help_text=_(
            "Why a value is corrected: kept in the trial's history with the earlier value."
        ),
    )


class MeasurementSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "value",
            "date",
            "note",
            "recorded_by",
            "created_at",
            "corrected_at",
        ]
        read_only_fields = fields

    def get_recorded_by(self, measurement: Measurement) -> str:
        user = measurement.recorded_by
        return user.get_full_name() if user is not None else ""


class MeasurementCreateSerializer(StrictSerializer):
    """A value of the KPI on a day (not in the future)."""

    value = _number()
    date = ApiDateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LogEntrySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "trial",
            "kind",
            "date",
            "text",
            "author_name",
            "organisation",
            "created_at",
            "corrected_at",
        ]
        read_only_fields = fields


class LogEntryCreateSerializer(StrictSerializer):
    """A log entry: progress from the start-up, or an observation from the provider."""

    text = serializers.CharField(max_length=10000, allow_blank=True)
    date = ApiDateField(required=False, help_text=_("Defaults to today."))


class EvidenceFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "trial",
            "kind",
            "caption",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "created_at",
            "removed_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, evidence: EvidenceFile) -> str:
        url = reverse("api:evidence-file-download", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class EvidenceFileUploadSerializer(StrictSerializer):
    """A photo or document to keep as evidence, with what it shows."""

    file = serializers.FileField(
        help_text=_("A photo (JPEG, PNG, WebP) or a document (PDF, CSV, XLSX, DOCX).")
    )
    caption = serializers.CharField(max_length=250, allow_blank=True)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "id",
            "pack",
            "decision",
            "reviewer_name",
            "reviewer_organisation",
            "comments",
            "reviewed_sha256",
            "created_at",
        ]
        read_only_fields = fields


class ReviewRequestSerializer(StrictSerializer):
    """A reviewer's decision on the latest pack version."""

    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    comments = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed when you ask for changes."),
    )


class EvidencePackSerializer(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = EvidencePack
        fields = [
            "id",
            "trial",
            "version",
            "code",
            "state",
            "is_final",
            "sha256",
            "size",
            "created_at",
            "rendered_at",
            "verify_url",
            "pdf_url",
            "reviews",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_verify_url(self, pack: EvidencePack) -> str:
        return self._absolute(pack.get_verify_url())

    @extend_schema_field(
        serializers.URLField(allow_null=True, help_text=_("Null until the PDF is ready."))
    )
    def get_pdf_url(self, pack: EvidencePack) -> str | None:
        if pack.state != EvidencePack.State.READY:
            return None
        return self._absolute(reverse("api:evidence-pack-pdf", args=[pack.pk]))
