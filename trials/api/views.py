"""Trial API: requests (booking), the lifecycle steps, and what each role may see."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation, Programme
from accounts.permissions import organisations_of
from accounts.services import programme_not_allowed_message
from core.downloads import private_file_response
from core.exceptions import Conflict
from testbeds.selectors import testbed_for_booking

from .. import selectors, services
from ..models import (
    EvidenceFile,
    EvidencePack,
    Kpi,
    LogEntry,
    Trial,
    TrialStatus,
)
from .change_serializers import ChangeRequestCreateSerializer, ChangeRequestSerializer
from .collaboration_serializers import (
    MessageCreateSerializer,
    MessageSerializer,
    PartnerInviteSerializer,
    PartnerSerializer,
)
from .serializers import (
    CompleteSerializer,
    ConflictSerializer,
    ErrorSerializer,
    EvidenceFileSerializer,
    EvidenceFileUploadSerializer,
    EvidencePackSerializer,
    KpiCreateSerializer,
    KpiSerializer,
    KpiUpdateSerializer,
    LogEntryCreateSerializer,
    LogEntrySerializer,
    MeasurementCreateSerializer,
    MeasurementSerializer,
    OptionalNoteSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    ReviewRequestSerializer,
    ReviewSerializer,
    TrialDetailSerializer,
    TrialOutcomeSerializer,
    TrialOutcomeUpdateSerializer,
    TrialPlanSerializer,
    TrialRequestSerializer,
    TrialSerializer,
    WaitlistEntrySerializer,
)

CONFLICT = OpenApiResponse(
    ConflictSerializer, description="The days are full or the step is out of order."
)


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field."),
    403: OpenApiResponse(
        ErrorSerializer, description="Not yours to do (the trial is visible to you)."
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object among those you can see."),
    409: OpenApiResponse(
        ConflictSerializer, description="Not possible in the trial's or pack's current state."
    ),
    413: OpenApiResponse(ErrorSerializer, description="The upload is too large."),
}


def errors(*codes: int) -> dict:
    """The error responses an operation can give, in the one error format."""
    return {code: ERROR_RESPONSES[code] for code in codes}


def _step_schema(summary: str, request=None):
    return extend_schema(
        request=request,
        responses={200: TrialDetailSerializer, **errors(400, 403, 404), 409: CONFLICT},
        summary=summary,
    )


class PassThroughNegotiation(BaseContentNegotiation):
    """Downloads answer with the file's own type whatever the client accepts; errors in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


DOWNLOAD = {"content_negotiation_class": PassThroughNegotiation, "renderer_classes": [JSONRenderer]}


class PagedActionsMixin:
    """Lists inside actions use the project's pagination, over querysets ordered by a unique key."""

    def page(self, queryset: QuerySet, serializer_class) -> Response:
        items = self.paginate_queryset(queryset)
        data = serializer_class(items, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def read(self, serializer_class, instance, *, status_code: int = 200) -> Response:
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def session_memberships(self) -> list:
        """The memberships CurrentOrganisationMiddleware read for this same person (with the
        browser session), else [] (with a token, the middleware saw nobody)."""
        user = self.request.user
        memberships = getattr(self.request._request, "memberships", None) or []
        if memberships and all(m.user_id == user.pk for m in memberships):
            return memberships
        return []

    def organisation_ids(self) -> list[int] | None:
        """The caller's organisation ids as the middleware read them, or None (read them)."""
        memberships = self.session_memberships()
        return [m.organisation_id for m in memberships] if memberships else None


def valid(serializer_class, request: Request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="Trials you can see",
        parameters=[
            OpenApiParameter("status", str, enum=TrialStatus.values),
            OpenApiParameter("testbed", str, description="Test bed slug"),
            OpenApiParameter("programme", int, description="Programme id"),
        ],
    ),
    retrieve=extend_schema(summary="One trial with its timeline", responses=TrialDetailSerializer),
)
class TrialViewSet(
    PagedActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TrialSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Trial]:
        trials = selectors.with_list_data(selectors.trials_visible_to(self.request.user))
        trials = selectors.filter_trials(trials, self.request.query_params)
        return trials.order_by("-created_at", "-id")

    def get_object(self) -> Trial:
        trial, _roles = selectors.trial_for_viewer(user=self.request.user, pk=self.kwargs["pk"])
        return trial

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        trial = self.get_object()
        prefetch_related_objects([trial], "events")
        return Response(TrialDetailSerializer(trial, context=self.get_serializer_context()).data)

    def _detail(self, trial: Trial) -> dict:
        """The trial as it is after a change (read again: the service may have moved it)."""
        trial = (
            selectors.with_list_data(Trial.objects.filter(pk=trial.pk))
            .prefetch_related("events")
            .get()
        )
        return TrialDetailSerializer(trial, context=self.get_serializer_context()).data

    def _startup(self, slug: str | None) -> Organisation:
        startups = self._startups()
        if slug:
            organisation = next((o for o in startups if o.slug == slug), None)
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": [_("You do not act for this start-up.")]}
                )
            return organisation
        found = startups[:2]
        if len(found) != 1:
            message = (
                _("Say which start-up the trial is for.")
                if found
                else _("You do not act for a start-up.")
            )
            raise serializers.ValidationError({"organisation": [message]})
        return found[0]

    @extend_schema(
        request=TrialRequestSerializer,
        responses={201: TrialDetailSerializer, 409: CONFLICT},
        summary="Request a trial (books the days once approved)",
    )
    def create(self, request: Request) -> Response:
        body = TrialRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        organisation = self._startup(data.get("organisation"))
        try:
            testbed = testbed_for_booking(slug=data["testbed"])
        except Http404:  # a test bed you cannot see is a bad field here, not a 404
            raise serializers.ValidationError(
                {"testbed": [_("No published test bed has this slug.")]}
            )
        fields = {
            "actor": request.user,
            "organisation": organisation,
            "testbed": testbed,
            "title": data["title"],
            "summary": data["summary"],
            "first_day": data["first_day"],
            "last_day": data["last_day"],
            "answers": data.get("answers") or {},
        }
        if data.get("waitlist"):
            entry = services.waitlist_join(**fields)
            return Response(WaitlistEntrySerializer(entry).data, status=status.HTTP_202_ACCEPTED)
        programme = self._programme(data.get("programme"))
        try:
            trial = services.trial_request(**fields, programme=programme)
        except Conflict as error:
            existing = error.details.get("existing_trial")
            if existing:  # a second live request for the same days: link to the first
                url = request.build_absolute_uri(reverse("api:trial-detail", args=[existing["id"]]))
                existing.update(api_url=url, web_url=request.build_absolute_uri(existing["url"]))
                existing["url"] = url
            raise
        return Response(self._detail(trial), status=status.HTTP_201_CREATED)

    def _startups(self) -> list[Organisation]:
        """The caller's start-ups. With the browser session, from the memberships that
        CurrentOrganisationMiddleware read for this same person (no query: every booking
        request asks this); with a token (the middleware saw nobody), read here."""
        memberships = self.session_memberships()
        if memberships:
            return [
                m.organisation
                for m in memberships
                if m.organisation.kind == Organisation.Kind.START_UP
            ]
        return list(
            organisations_of(self.request.user, kind=Organisation.Kind.START_UP).order_by("name")
        )

    @staticmethod
    def _programme(pk: int | None) -> Programme | None:
        if not pk:
            return None
        programme = Programme.objects.filter(pk=pk).first()
        if programme is None:  # the same answer as a programme not open to the start-up
            raise serializers.ValidationError({"programme": [programme_not_allowed_message()]})
        return programme

    def _run(self, request: Request, step: Callable, body_class=None, *, name: str) -> Response:
        trial = self.get_object()
        services.require_step(request.user, trial, name)
        kwargs = {}
        if body_class is not None:
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            kwargs = dict(body.validated_data)
        trial = step(actor=request.user, trial=trial, **kwargs)
        return Response(self._detail(trial))

    @_step_schema("Approve a request (provider)", OptionalNoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_approve, OptionalNoteSerializer, name="approve")

    @_step_schema("Decline a request (provider)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_decline, ReasonSerializer, name="decline")

    @_step_schema("Withdraw a request (start-up)", OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        return self._run(
            request, services.trial_withdraw, OptionalReasonSerializer, name="withdraw"
        )

    @_step_schema("Cancel an approved or active trial (either side)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_cancel, ReasonSerializer, name="cancel")

    @_step_schema("Start an approved trial (start-up)")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_start, name="start")

    @_step_schema("Complete an active trial (start-up)", CompleteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_complete, CompleteSerializer, name="complete")

    # Tracking: plan, outcome, KPIs, log, files --------------------------------------

    @extend_schema(
        request=TrialPlanSerializer,
        responses={200: TrialDetailSerializer, **errors(400, 403, 404, 409)},
        summary="Change the plan (start-up)",
        description="Send only the fields to change. Any other field (status, organisation, "
        "testbed, booking, answers …) is refused with 400 naming it.",
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        trial = self.get_object()
        services.require_step(request.user, trial, "plan")
        fields = valid(TrialPlanSerializer, request)
        if "programme" in fields:
            fields["programme"] = self._programme(fields["programme"])
        if "approvals" in fields:
            fields["approvals"] = {code: dict(entry) for code, entry in fields["approvals"].items()}
        trial = services.trial_update_plan(actor=request.user, trial=trial, **fields)
        return Response(self._detail(trial))

    @extend_schema(
        methods=["GET"],
        responses={200: TrialOutcomeSerializer, **errors(403, 404)},
        summary="The trial's outcome",
    )
    @extend_schema(
        methods=["PATCH"],
        request=TrialOutcomeUpdateSerializer,
        responses={200: TrialOutcomeSerializer, **errors(400, 403, 404, 409)},
        summary="Record the outcome (start-up, once the trial has started)",
    )
    @action(detail=True, methods=["get", "patch"])
    def outcome(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        if request.method == "PATCH":
            services.require_step(request.user, trial, "outcome")
            fields = valid(TrialOutcomeUpdateSerializer, request)
            trial = services.trial_update_outcome(actor=request.user, trial=trial, **fields)
        return self.read(TrialOutcomeSerializer, trial)

    @extend_schema(
        methods=["GET"],
        responses={200: KpiSerializer(many=True), **errors(403, 404)},
        summary="The trial's KPIs with their latest values",
    )
    @extend_schema(
        methods=["POST"],
        request=KpiCreateSerializer,
        responses={201: KpiSerializer, **errors(400, 403, 404, 409)},
        summary="Add a KPI (start-up)",
    )
    @action(detail=True, methods=["get", "post"])
    def kpis(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        kpis = selectors.kpis_visible_to(request.user).filter(trial=trial)
        if request.method == "POST":
            services.require_step(request.user, trial, "kpi")
            fields = valid(KpiCreateSerializer, request)
            kpi = services.kpi_add(actor=request.user, trial=trial, **fields)
            return self.read(KpiSerializer, kpis.get(pk=kpi.pk), status_code=201)
        return self.page(kpis, KpiSerializer)

    @extend_schema(
        methods=["GET"],
        responses={200: LogEntrySerializer(many=True), **errors(403, 404)},
        summary="The trial's log, newest first",
    )
    @extend_schema(
        methods=["POST"],
        request=LogEntryCreateSerializer,
        responses={201: LogEntrySerializer, **errors(400, 403, 404, 409)},
        summary="Write in the log",
        description="A member of the start-up writes progress; a member of the test bed's "
        "provider writes an observation.",
    )
    @action(detail=True, methods=["get", "post"], url_path="log-entries", url_name="log-entries")
    def log_entries(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        entries = (
            LogEntry.objects.filter(trial=trial)
            .select_related("organisation")
            .order_by("-date", "-id")
        )
        if request.method == "POST":
            services.require_step(request.user, trial, "log")
            fields = valid(LogEntryCreateSerializer, request)
            entry = services.log_entry_add(actor=request.user, trial=trial, **fields)
            return self.read(LogEntrySerializer, entries.get(pk=entry.pk), status_code=201)
        return self.page(entries, LogEntrySerializer)

    @extend_schema(
        methods=["GET"],
        responses={200: EvidenceFileSerializer(many=True), **errors(403, 404)},
        summary="The trial's photos and documents",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": EvidenceFileUploadSerializer},
        responses={201: EvidenceFileSerializer, **errors(400, 403, 404, 409, 413)},
        summary="Add a photo or document (start-up)",
        description="Checked by content; photos are re-encoded without metadata. "
        "Files over the upload limit answer 413.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def files(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        files = selectors.files_visible_to(request.user).filter(trial=trial)
        if request.method == "POST":
            services.require_step(request.user, trial, "file")
            fields = valid(EvidenceFileUploadSerializer, request)
            evidence = services.evidence_file_add(
                actor=request.user, trial=trial, upload=fields["file"], caption=fields["caption"]
            )
            return self.read(EvidenceFileSerializer, files.get(pk=evidence.pk), status_code=201)
        return self.page(files.filter(removed_at__isnull=True), EvidenceFileSerializer)

    # Evidence packs -------------------------------------------------------------------

    @extend_schema(
        request=None,
        responses={
            201: EvidencePackSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Not ready to submit: `errors.non_field_errors` lists what is missing.",
            ),
            **errors(403, 404, 409),
        },
        summary="Submit a completed trial for review (start-up)",
        description="Freezes a new evidence pack version; its PDF is rendered in the background.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        pack = services.trial_submit(actor=request.user, trial=self.get_object())
        return self.read(
            EvidencePackSerializer,
            selectors.packs_visible_to(request.user).get(pk=pack.pk),
            status_code=201,
        )

    @extend_schema(
        responses={200: EvidencePackSerializer(many=True), **errors(403, 404)},
        summary="The trial's evidence pack versions, newest first",
    )
    @action(detail=True, methods=["get"], url_path="evidence-packs", url_name="evidence-packs")
    def evidence_packs(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        packs = selectors.with_reviews(EvidencePack.objects.filter(trial=trial)).order_by(
            "-version", "-id"
        )
        return self.page(packs, EvidencePackSerializer)

    @extend_schema(
        methods=["GET"],
        responses={200: ChangeRequestSerializer(many=True), **errors(403, 404)},
        summary="The trial's changes of dates, oldest first",
    )
    @extend_schema(
        methods=["POST"],
        request=ChangeRequestCreateSerializer,
        responses={201: ChangeRequestSerializer, **errors(400, 403, 404), 409: CONFLICT},
        summary="Ask to extend, shorten or move an approved or active trial (start-up)",
        description="The current days stay booked until the provider approves. One change "
        "is open at a time; a started trial keeps its first day and cannot end before today.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="change-requests",
        url_name="change-requests",
    )
    def change_requests(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        changes = selectors.change_requests_visible_to(request.user).filter(trial=trial)
        if request.method == "POST":
            services.require_step(request.user, trial, "change")
            fields = valid(ChangeRequestCreateSerializer, request)
            change = services.change_request_create(actor=request.user, trial=trial, **fields)
            return self.read(ChangeRequestSerializer, change, status_code=201)
        return self.page(changes, ChangeRequestSerializer)

    # Working together: partners and messages ------------------------------------------

    @extend_schema(
        methods=["GET"],
        responses={200: PartnerSerializer(many=True), **errors(403, 404)},
        summary="The trial's partners and open invitations",
    )
    @extend_schema(
        methods=["POST"],
        request=PartnerInviteSerializer,
        responses={201: PartnerSerializer, **errors(400, 403, 404, 409)},
        summary="Invite a partner by e-mail (start-up)",
        description="The e-mail carries a one-time link that works for the invited address "
        "only; an invitee without an account signs up through it.",
    )
    @action(detail=True, methods=["get", "post"])
    def partners(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        partners = selectors.partners_of(trial)
        if request.method == "POST":
            services.require_step(request.user, trial, "partners")
            fields = valid(PartnerInviteSerializer, request)
            partner, _token = services.partner_invite(actor=request.user, trial=trial, **fields)
            return self.read(PartnerSerializer, partners.get(pk=partner.pk), status_code=201)
        return self.page(partners, PartnerSerializer)

    @extend_schema(
        request=None,
        responses={204: None, **errors(403, 404, 409)},
        summary="Remove a partner, or withdraw an invitation (start-up)",
        description="What the partner added stays, marked as theirs.",
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"partners/(?P<partner_id>[0-9]+)",
        url_name="partner",
    )
    def partner(self, request: Request, pk: str, partner_id: str) -> Response:
        trial = self.get_object()
        partner = selectors.partner_of(trial, partner_id)
        services.require_step(request.user, trial, "partners")
        services.partner_remove(actor=request.user, partner=partner)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        responses={200: MessageSerializer(many=True), **errors(403, 404)},
        summary="The trial's messages, oldest first",
    )
    @extend_schema(
        methods=["POST"],
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateSerializer,
        },
        responses={201: MessageSerializer, **errors(400, 403, 404, 413)},
        summary="Write in the trial's thread (start-up, provider, partners, officers)",
        description="Plain text up to 10,000 characters, with an optional photo or document "
        "checked like evidence files. Messages are never edited or deleted.",
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        listed = selectors.messages_of(trial)
        if request.method == "POST":
            fields = valid(MessageCreateSerializer, request)
            upload = fields.get("file")
            message = services.message_post(
                actor=request.user,
                trial=trial,
                text=fields["text"],
                uploads=[upload] if upload else [],
            )
            return self.read(MessageSerializer, listed.get(pk=message.pk), status_code=201)
        return self.page(listed, MessageSerializer)


class ScopedViewSet(PagedActionsMixin, viewsets.GenericViewSet):
    """Objects of the trials the person can see; anything else answers 404."""

    permission_classes = [permissions.IsAuthenticated]


@extend_schema_view(
    retrieve=extend_schema(responses={200: KpiSerializer, **errors(403, 404)}, summary="One KPI"),
    partial_update=extend_schema(
        request=KpiUpdateSerializer,
        responses={200: KpiSerializer, **errors(400, 403, 404, 409)},
        summary="Change a KPI, or say why it was not measured (start-up)",
    ),
    destroy=extend_schema(
        responses={204: None, **errors(403, 404, 409)}, summary="Remove a KPI (start-up)"
    ),
)
class KpiViewSet(ScopedViewSet):
    serializer_class = KpiSerializer

    def get_queryset(self) -> QuerySet[Kpi]:
        return selectors.kpis_visible_to(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(KpiSerializer, self.get_object())

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        kpi = self.get_object()
        services.require_step(request.user, kpi.trial, "kpi")
        fields = valid(KpiUpdateSerializer, request)
        services.kpi_update(actor=request.user, kpi=kpi, **fields)
        return self.read(KpiSerializer, self.get_queryset().get(pk=kpi.pk))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.kpi_remove(actor=request.user, kpi=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        responses={200: MeasurementSerializer(many=True), **errors(403, 404)},
        summary="The KPI's measurements, oldest first",
    )
    @extend_schema(
        methods=["POST"],
        request=MeasurementCreateSerializer,
        responses={201: MeasurementSerializer, **errors(400, 403, 404, 409)},
        summary="Record a measurement (start-up, once the trial has started)",
    )
    @action(detail=True, methods=["get", "post"])
    def measurements(self, request: Request, pk: str) -> Response:
        kpi = self.get_object()
        measurements = selectors.measurements_visible_to(request.user).filter(kpi=kpi)
        if request.method == "POST":
            services.require_step(request.user, kpi.trial, "measurement")
            fields = valid(MeasurementCreateSerializer, request)
            measurement = services.measurement_add(actor=request.user, kpi=kpi, **fields)
            return self.read(
                MeasurementSerializer, measurements.get(pk=measurement.pk), status_code=201
            )
        return self.page(measurements, MeasurementSerializer)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: EvidenceFileSerializer, **errors(403, 404)},
        summary="One evidence file's details",
    ),
    destroy=extend_schema(
        responses={204: None, **errors(403, 404, 409)},
        summary="Take a file out of the trial (start-up)",
        description="The file is kept: packs issued before still list it.",
    ),
)
class EvidenceFileViewSet(ScopedViewSet):
    serializer_class = EvidenceFileSerializer

    def get_queryset(self) -> QuerySet[EvidenceFile]:
        return selectors.files_visible_to(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(EvidenceFileSerializer, self.get_object())

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        evidence = self.get_object()
        if evidence.removed_at is not None:
            raise Http404
        services.evidence_file_remove(actor=request.user, evidence=evidence)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as an attachment, with its own content type.",
            ),
            **errors(403, 404),
        },
        summary="Download an evidence file",
    )
    @action(detail=True, methods=["get"], **DOWNLOAD)
    def download(self, request: Request, pk: str) -> FileResponse:
        evidence = self.get_object()
        return private_file_response(
            evidence.file.open("rb"),
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: EvidencePackSerializer, **errors(403, 404)},
        summary="One evidence pack version with its reviews",
    ),
)
class EvidencePackViewSet(ScopedViewSet):
    serializer_class = EvidencePackSerializer

    def get_queryset(self) -> QuerySet[EvidencePack]:
        return selectors.packs_visible_to(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(EvidencePackSerializer, self.get_object())

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF, exactly as stored (see its sha256)."
            ),
            **errors(403, 404),
        },
        summary="Download the pack's PDF (404 until it is ready)",
    )
    @action(detail=True, methods=["get"], **DOWNLOAD)
    def pdf(self, request: Request, pk: str) -> FileResponse:
        pack = self.get_object()
        if pack.state != EvidencePack.State.READY or not pack.file:
            raise Http404
        return private_file_response(
            pack.file.open("rb"),
            filename=f"evidence-pack-{pack.code}-v{pack.version}.pdf",
            content_type="application/pdf",
        )

    @extend_schema(
        request=ReviewRequestSerializer,
        responses={201: ReviewSerializer, **errors(400, 403, 404, 409)},
        summary="Accept the latest version, or ask for changes (reviewer)",
        description="The programme's officers review; without a programme, the provider's "
        "admins. Accepting issues a final version with a sign-off page.",
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        pack = self.get_object()
        services.require_step(request.user, pack.trial, "review")
        fields = valid(ReviewRequestSerializer, request)
        review = services.pack_review(actor=request.user, pack=pack, **fields)
        return self.read(ReviewSerializer, review, status_code=201)

    @extend_schema(
        request=None,
        responses={200: EvidencePackSerializer, **errors(403, 404, 409)},
        summary="Render a failed pack again",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        pack = services.pack_retry(actor=request.user, pack=self.get_object())
        return self.read(EvidencePackSerializer, self.get_queryset().get(pk=pack.pk))
