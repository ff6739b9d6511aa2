"""Corrections through the API: PATCH a measurement, a log entry (or a KPI, in views.py).

The same correction services as the trial page's "Correct" links: allowed until the evidence
is submitted (409 after), the earlier value kept in the trial's history as a "correction"
event, the row stamped ``corrected_at``. Only the fields sent change. Objects of trials the
person cannot see answer 404; a viewer who may not correct (the provider, for a start-up's
measurement) 403.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.dates import ApiDateField

from .. import selectors, services
from ..models import LogEntry, Measurement
from .serializers import LogEntrySerializer, MeasurementSerializer, PatchSerializer, _number
from .views import ScopedViewSet, errors, valid

REASON_HELP = _("Why it is corrected: kept in the trial's history with the earlier value.")


class MeasurementCorrectionSerializer(PatchSerializer):
    """A correction to a measurement: only the fields sent change."""

    value = _number(required=False)
    date = ApiDateField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=REASON_HELP
    )


class LogEntryCorrectionSerializer(PatchSerializer):
    """A correction to a log entry: only the fields sent change."""

    text = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    date = ApiDateField(required=False)
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=REASON_HELP
    )


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: MeasurementSerializer, **errors(403, 404)}, summary="One measurement"
    ),
    partial_update=extend_schema(
        request=MeasurementCorrectionSerializer,
        responses={200: MeasurementSerializer, **errors(400, 403, 404, 409)},
        summary="Correct a measurement (start-up, until submission)",
        description="The earlier value, date or note is kept in the trial's history and the "
        "evidence pack marks the value as corrected. 409 once the evidence is submitted.",
    ),
    destroy=extend_schema(
        responses={204: None, **errors(403, 404, 409)},
        summary="Remove a measurement (start-up)",
    ),
)
class MeasurementViewSet(ScopedViewSet):
    serializer_class = MeasurementSerializer

    def get_queryset(self) -> QuerySet[Measurement]:
        return selectors.measurements_visible_to(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(MeasurementSerializer, self.get_object())

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        measurement = self.get_object()
        services.require_step(request.user, measurement.kpi.trial, "measurement")
        fields = valid(MeasurementCorrectionSerializer, request)
        services.measurement_correct(
            actor=request.user,
            measurement=measurement,
            value=fields.get("value", measurement.value),
            date=fields.get("date", measurement.date),
            note=fields.get("note", measurement.note),
            reason=fields.get("reason", ""),
        )
        return self.read(MeasurementSerializer, self.get_queryset().get(pk=measurement.pk))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.measurement_remove(actor=request.user, measurement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: LogEntrySerializer, **errors(403, 404)}, summary="One log entry"
    ),
    partial_update=extend_schema(
        request=LogEntryCorrectionSerializer,
        responses={200: LogEntrySerializer, **errors(400, 403, 404, 409)},
        summary="Correct a log entry (its writer's organisation, until submission)",
        description="The earlier text or date is kept in the trial's history. "
        "409 once the evidence is submitted.",
    ),
)
class LogEntryViewSet(ScopedViewSet):
    serializer_class = LogEntrySerializer

    def get_queryset(self) -> QuerySet[LogEntry]:
        return selectors.log_entries_visible_to(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(LogEntrySerializer, self.get_object())

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        entry = self.get_object()
        services.require_log_author(request.user, entry)
        fields = valid(LogEntryCorrectionSerializer, request)
        services.log_entry_correct(
            actor=request.user,
            entry=entry,
            text=fields.get("text", entry.text),
            date=fields.get("date", entry.date),
            reason=fields.get("reason", ""),
        )
        return self.read(LogEntrySerializer, self.get_queryset().get(pk=entry.pk))
