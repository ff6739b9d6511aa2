"""API: deciding a change of an approved booking's dates."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..models import ChangeRequest
from .change_serializers import ChangeRequestSerializer
from .serializers import OptionalNoteSerializer, OptionalReasonSerializer, ReasonSerializer
from .views import CONFLICT, ScopedViewSet, errors, valid


def _decision_schema(summary: str, request, description: str = ""):
    return extend_schema(
        request=request,
        responses={200: ChangeRequestSerializer, **errors(400, 403, 404), 409: CONFLICT},
        summary=summary,
        description=description,
    )


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: ChangeRequestSerializer, **errors(403, 404)},
        summary="One change of dates",
    ),
)
class ChangeRequestViewSet(ScopedViewSet):
    serializer_class = ChangeRequestSerializer

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return selectors.change_requests_visible_to(self.request.user)

    def get_object(self) -> ChangeRequest:
        return selectors.change_request_for_viewer(
            self.request.user,
            self.kwargs["pk"],
            self.organisation_ids(),
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.read(ChangeRequestSerializer, self.get_object())

    def _decide(self, request: Request, step: str, body_class, service: Callable) -> Response:
        change = self.get_object()
        services.require_change_step(request.user, change, step)
        fields = valid(body_class, request)
        change = service(actor=request.user, change=change, **fields)
        return self.read(ChangeRequestSerializer, change)

    @_decision_schema(
        "Approve new dates (provider)",
        OptionalNoteSerializer,
        "Rules and capacity are checked again under the test bed lock; full days answer 409 "
        "with the nearest dates that fit, and the change stays open.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(
            request, "approve", OptionalNoteSerializer, services.change_request_approve
        )

    @_decision_schema("Decline new dates (provider)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._decide(request, "decline", ReasonSerializer, services.change_request_decline)

    @_decision_schema("Withdraw a change of dates (start-up)", OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._decide(
            request, "withdraw", OptionalReasonSerializer, services.change_request_withdraw
        )
