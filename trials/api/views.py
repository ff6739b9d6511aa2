"""Trial API: requests (booking), the lifecycle steps, and what each role may see."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation, Programme
from accounts.permissions import organisations_of
from testbeds.selectors import testbed_for_viewer

from .. import selectors, services
from ..models import Trial, TrialStatus
from .serializers import (
    ConflictSerializer,
    OptionalNoteSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    TrialDetailSerializer,
    TrialRequestSerializer,
    TrialSerializer,
    WaitlistEntrySerializer,
)

CONFLICT = OpenApiResponse(
    ConflictSerializer, description="The days are full or the step is out of order."
)


def _step_schema(summary: str, request=None):
    return extend_schema(
        request=request, responses={200: TrialDetailSerializer, 409: CONFLICT}, summary=summary
    )


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
class TrialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TrialSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Trial]:
        trials = selectors.with_list_data(selectors.trials_visible_to(self.request.user))
        params = self.request.query_params
        if params.get("status") in TrialStatus.values:
            trials = trials.filter(status=params["status"])
        if params.get("testbed"):
            trials = trials.filter(testbed__slug=params["testbed"])
        if (params.get("programme") or "").isdigit():
            trials = trials.filter(programme_id=int(params["programme"]))
        return trials.order_by("-created_at", "-id")

    def get_object(self) -> Trial:
        trial, _roles = selectors.trial_for_viewer(user=self.request.user, pk=self.kwargs["pk"])
        return trial

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self._detail(self.get_object()))

    def _detail(self, trial: Trial) -> dict:
        trial = (
            selectors.with_list_data(Trial.objects.filter(pk=trial.pk))
            .prefetch_related("events")
            .get()
        )
        return TrialDetailSerializer(trial, context=self.get_serializer_context()).data

    def _startup(self, slug: str | None) -> Organisation:
        startups = organisations_of(self.request.user, kind=Organisation.Kind.START_UP)
        if slug:
            organisation = startups.filter(slug=slug).first()
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": [_("You do not act for this start-up.")]}
                )
            return organisation
        found = list(startups[:2])
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
            testbed = testbed_for_viewer(slug=data["testbed"], user=request.user)
        except Exception:  # noqa: BLE001 — a test bed you cannot see is a bad field, not a 404
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
        programme = None
        if data.get("programme"):
            programme = Programme.objects.filter(pk=data["programme"]).first()
            if programme is None:
                raise serializers.ValidationError({"programme": [_("No programme has this id.")]})
        trial = services.trial_request(**fields, programme=programme)
        return Response(self._detail(trial), status=status.HTTP_201_CREATED)

    def _run(self, request: Request, step: Callable, body_class=None) -> Response:
        kwargs = {}
        if body_class is not None:
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            kwargs = dict(body.validated_data)
        trial = step(actor=request.user, trial=self.get_object(), **kwargs)
        return Response(self._detail(trial))

    @_step_schema("Approve a request (provider)", OptionalNoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_approve, OptionalNoteSerializer)

    @_step_schema("Decline a request (provider)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_decline, ReasonSerializer)

    @_step_schema("Withdraw a request (start-up)", OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_withdraw, OptionalReasonSerializer)

    @_step_schema("Cancel an approved or active trial (either side)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_cancel, ReasonSerializer)

    @_step_schema("Start an approved trial (start-up)")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_start)

    @_step_schema("Complete an active trial (start-up)", OptionalNoteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        return self._run(request, services.trial_complete, OptionalNoteSerializer)
