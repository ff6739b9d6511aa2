"""Adoption API: the same services and tenancy as the pages (404 for what is not yours)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from accounts.permissions import organisations_of
from core.cache import cached_page, is_anonymous_read, keep_page, page_key
from trials.api.views import errors

from .. import selectors, services
from ..models import ImpactReport
from .serializers import (
    AdoptionSerializer,
    DecisionFieldsSerializer,
    ImpactReportSerializer,
    ImpactReportSubmitSerializer,
    InterestSerializer,
    InterestWriteSerializer,
    OutcomeSerializer,
)


def _valid(serializer_class, request: Request) -> dict:
    if not hasattr(request.data, "keys"):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    allowed = set(serializer_class().fields)
    unknown = set(request.data) - allowed
    if unknown:
        raise serializers.ValidationError(
            {name: [_("This field cannot be set here.")] for name in sorted(unknown)}
        )
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class AdoptionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: AdoptionSerializer, **errors(404)},
        summary="A trial's adoption record (its parties, the programme's officers, staff)",
    )
    def get(self, request: Request, pk: int) -> Response:
        adoption = selectors.adoption_for_viewer(request.user, pk)
        return Response(AdoptionSerializer(adoption).data)

    @extend_schema(
        request=DecisionFieldsSerializer,
        responses={200: AdoptionSerializer, **errors(400, 403, 404)},
        summary="Record or revise what happened next (the test bed's public body)",
        description="Each change is a new version with who and when. Not adopted needs "
        "reasons; adopted and procuring need a route; adopted also needs a value or band, a "
        "start date and a scale. Money in pounds and pence, at most £1 billion; dates not "
        "before the trial; notice links https only.",
    )
    def put(self, request: Request, pk: int) -> Response:
        adoption = selectors.adoption_for_viewer(request.user, pk)
        if not services.is_provider(request.user, adoption.trial):
            raise services.common.not_yours()
        data = _valid(DecisionFieldsSerializer, request)
        adoption = services.adoption_decide(actor=request.user, adoption=adoption, **data)
        return Response(AdoptionSerializer(adoption).data)


class InterestView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _adoption(self, request: Request, pk: int):
        adoption = (
            selectors.published()
            .filter(trial__pk=pk)  # trial_id skips the range check: OverflowError
            .select_related("trial__testbed__organisation", "trial__organisation")
            .first()
        )
        if adoption is None:
            raise Http404
        return adoption

    @extend_schema(
        request=InterestWriteSerializer,
        responses={201: InterestSerializer, **errors(400, 403, 404, 409)},
        summary="Register your public body's interest in adopting a published outcome",
    )
    def post(self, request: Request, pk: int) -> Response:
        adoption = self._adoption(request, pk)
        data = _valid(InterestWriteSerializer, request)
        organisation = None
        if data.get("organisation"):
            organisation = (
                organisations_of(request.user, kind=Organisation.Kind.PUBLIC_BODY)
                .filter(slug=data["organisation"])
                .first()
            )
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": [_("You do not act for this public body.")]}
                )
        interest = services.interest_register(
            actor=request.user,
            adoption=adoption,
            note=data.get("note", ""),
            organisation=organisation,
        )
        return Response(InterestSerializer(interest).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Withdrawn."), **errors(404)},
        summary="Withdraw your public body's interest",
    )
    def delete(self, request: Request, pk: int) -> Response:
        adoption = self._adoption(request, pk)
        services.interest_withdraw(actor=request.user, adoption=adoption)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrialImpactReportsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: ImpactReportSerializer(many=True), **errors(404)},
        summary="A trial's impact reports (6, 12 and 24 months after acceptance)",
    )
    def get(self, request: Request, pk: int) -> Response:
        adoption = selectors.adoption_for_viewer(request.user, pk)
        reports = adoption.reports.select_related("adoption").order_by("months")
        return Response(ImpactReportSerializer(reports, many=True).data)


class ImpactReportSubmitView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ImpactReportSubmitSerializer,
        responses={200: ImpactReportSerializer, **errors(400, 403, 404, 409)},
        summary="Submit an impact report (the start-up); it cannot be changed afterwards",
        description="A result is needed for each of the trial's KPIs. A report after its due "
        "date is accepted and marked late.",
    )
    def post(self, request: Request, pk: int) -> Response:
        report = selectors.report_for_viewer(request.user, pk)
        if not services.is_startup(request.user, report.adoption.trial):
            raise PermissionDenied(_("Only the start-up submits impact reports."))
        data = _valid(ImpactReportSubmitSerializer, request)
        data["contracts"] = [dict(c) for c in data.get("contracts", [])]
        data["kpi_results"] = [dict(r) for r in data.get("kpi_results", [])]
        report = services.impact_report_submit(actor=request.user, report=report, **data)
        return Response(ImpactReportSerializer(ImpactReport.objects.get(pk=report.pk)).data)


OUTCOME_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to search for."),
    OpenApiParameter("region", str),
    OpenApiParameter("sector", str),
    OpenApiParameter("technology", str),
    OpenApiParameter("status", str, description="An adoption status."),
]


class OutcomeListView(generics.ListAPIView):
    """The public outcomes register: anonymous, cached like the catalogue."""

    serializer_class = OutcomeSerializer
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=OUTCOME_PARAMETERS,
        summary="The public outcomes register (open data, Open Government Licence v3.0)",
    )
    def get(self, request: Request, *args, **kwargs) -> HttpResponse:
        if not is_anonymous_read(request) or "HTTP_AUTHORIZATION" in request.META:
            return super().get(request, *args, **kwargs)
        key = page_key("api-outcomes", request)
        cached = cached_page(key)
        if cached is not None:
            return cached
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            keep_page(key, JSONRenderer().render(response.data), "application/json")
        return response

    def get_queryset(self):
        params = self.request.query_params
        outcomes = selectors.filter_outcomes(
            selectors.published(),
            region=str(params.get("region", ""))[:30],
            sector=str(params.get("sector", ""))[:30],
            technology=str(params.get("technology", ""))[:30],
            status=str(params.get("status", ""))[:20],
            q=str(params.get("q", ""))[:200],
        )
        return outcomes.only("pk").order_by("-published_at", "-id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.register_rows(page)
