"""Test bed API: the catalogue and the provider's listing. Services do the writing."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation
from accounts.permissions import organisations_of
from core.cache import cached_page, keep_page, page_key

from .. import selectors, services
from ..availability import calendar_days
from ..forms import CatalogueForm
from ..models import TestBed
from .serializers import (
    AvailabilityDaySerializer,
    AvailabilityQuerySerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    StatusReasonSerializer,
    TestBedSerializer,
    TestBedWriteSerializer,
)

CATALOGUE_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for"),
    OpenApiParameter(
        "region", OpenApiTypes.STR, many=True, description="ITL1 region code; repeat for several"
    ),
    OpenApiParameter(
        "sector", OpenApiTypes.STR, many=True, description="Sector code; repeat for several"
    ),
    OpenApiParameter("technology", OpenApiTypes.STR, many=True, description="Technology code"),
    OpenApiParameter("trl", OpenApiTypes.INT, description="Your product's TRL (1–9)"),
    OpenApiParameter("free", OpenApiTypes.BOOL, description="Only free test beds"),
    OpenApiParameter("available_from", OpenApiTypes.DATE, description="First day of the window"),
    OpenApiParameter("available_to", OpenApiTypes.DATE, description="Last day of the window"),
    OpenApiParameter("min_days", OpenApiTypes.INT, description="Consecutive free days needed"),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=["relevance", "name", "newest", "capacity"],
        description="Order",
    ),
]


def catalogue_query(request: Request):
    form = CatalogueForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError(
            {
                field: [error["message"] for error in errors]
                for field, errors in form.errors.get_json_data().items()
            }
        )
    return form.to_query()


class IsSignedInToChange(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


@extend_schema_view(
    list=extend_schema(parameters=CATALOGUE_PARAMETERS, summary="Search published test beds"),
    retrieve=extend_schema(summary="One test bed"),
    create=extend_schema(
        request=TestBedWriteSerializer,
        responses={201: TestBedSerializer},
        summary="List a test bed (draft)",
    ),
    partial_update=extend_schema(
        request=TestBedWriteSerializer, responses=TestBedSerializer, summary="Change a test bed"
    ),
)
class TestBedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TestBedSerializer
    lookup_field = "slug"
    # Any slug reaches the view, so a malformed one answers the API's JSON 404 too.
    lookup_value_regex = "[^/]+"
    permission_classes = [IsSignedInToChange]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        """The public catalogue, the same for everyone (nothing in it depends on who asks), so
        it is kept like the catalogue page, and signed-in callers get the same kept body once
        their token or session and rate limits have been checked (DRF does that first)."""
        if request.method not in ("GET", "HEAD"):
            return super().list(request, *args, **kwargs)
        key = page_key("api-testbeds", request)
        cached = cached_page(key)
        if cached is not None:
            return cached
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            keep_page(key, JSONRenderer().render(response.data), "application/json")
        return response

    def get_queryset(self) -> QuerySet[TestBed]:
        if self.action == "list":
            return selectors.with_listing_data(
                selectors.catalogue_search(catalogue_query(self.request))
            )
        return TestBed.objects.none()

    def get_object(self) -> TestBed:
        slug = self.kwargs["slug"]
        if self.action == "retrieve":
            return selectors.testbed_for_viewer(slug=slug, user=self.request.user)
        return selectors.testbed_for_provider(slug=slug, user=self.request.user)

    def _owner(self, slug: str | None) -> Organisation:
        bodies = organisations_of(self.request.user, kind=Organisation.Kind.PUBLIC_BODY)
        if slug:
            organisation = bodies.filter(slug=slug).first()
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": [_("You do not act for this public body.")]}
                )
            return organisation
        bodies = list(bodies[:2])
        if len(bodies) != 1:
            raise serializers.ValidationError(
                {
                    "organisation": [_("Say which public body owns the test bed.")]
                    if bodies
                    else [_("You do not act for a public body.")]
                }
            )
        return bodies[0]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = TestBedWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisation = self._owner(fields.pop("organisation", None))
        testbed = services.testbed_create(actor=request.user, organisation=organisation, **fields)
        return Response(self._read(testbed), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        testbed = self.get_object()
        data = TestBedWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "organisation" in fields:
            raise serializers.ValidationError(
                {"organisation": [_("The owner of a test bed cannot be changed.")]}
            )
        testbed = services.testbed_update(actor=request.user, testbed=testbed, **fields)
        return Response(self._read(testbed))

    def update(self, request: Request, *args, **kwargs) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def _read(self, testbed: TestBed) -> dict:
        testbed = selectors.with_listing_data(TestBed.objects.filter(pk=testbed.pk)).get()
        return TestBedSerializer(testbed, context=self.get_serializer_context()).data

    @extend_schema(request=None, responses=TestBedSerializer, summary="Publish a test bed")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str) -> Response:
        testbed = services.testbed_publish(actor=request.user, testbed=self.get_object())
        return Response(self._read(testbed))

    @extend_schema(
        request=StatusReasonSerializer, responses=TestBedSerializer, summary="Pause new requests"
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, slug: str) -> Response:
        testbed = self.get_object()  # 404 before anything is read from the body
        body = StatusReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        testbed = services.testbed_pause(actor=request.user, testbed=testbed, **body.validated_data)
        return Response(self._read(testbed))

    @extend_schema(
        request=StatusReasonSerializer, responses=TestBedSerializer, summary="Retire a test bed"
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, slug: str) -> Response:
        testbed = self.get_object()  # 404 before anything is read from the body
        body = StatusReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        testbed = services.testbed_retire(
            actor=request.user, testbed=testbed, **body.validated_data
        )
        return Response(self._read(testbed))

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day"),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, required=True, description="Last day (inclusive)"
            ),
        ],
        responses=AvailabilityDaySerializer(many=True),
        summary="Free places per day",
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[permissions.AllowAny],
        pagination_class=None,  # one list of days, as the schema says
    )
    def availability(self, request: Request, slug: str) -> Response:
        testbed = selectors.testbed_for_viewer(slug=slug, user=request.user)
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last = query.validated_data["from"], query.validated_data["to"]
        days = calendar_days(testbed, first, last + datetime.timedelta(days=1))
        return Response(AvailabilityDaySerializer(days, many=True).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer},
        summary="Add a photo",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: Request, slug: str) -> Response:
        testbed = self.get_object()  # 404 before the upload is read
        body = PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = services.photo_add(
            actor=request.user,
            testbed=testbed,
            upload=body.validated_data["image"],
            alt_text=body.validated_data["alt_text"],
            caption=body.validated_data["caption"],
        )
        return Response(
            PhotoSerializer(photo, context=self.get_serializer_context()).data, status=201
        )
