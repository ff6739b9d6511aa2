"""``programmes/{id}/enrolments/``: the start-ups taking part in a programme, and enrolling
another (the programme's officers; 404 for everyone else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation, ProgrammeEnrolment
from accounts.services import programme_enrol

from ..selectors import enrolments_of, officer_programme
from .serializers import TeamSerializer


class EnrolmentSerializer(serializers.ModelSerializer):
    organisation = TeamSerializer(read_only=True, help_text="The start-up.")
    enrolled_by = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeEnrolment
        fields = ["organisation", "enrolled_at", "enrolled_by"]

    def get_enrolled_by(self, enrolment: ProgrammeEnrolment) -> str:
        return enrolment.enrolled_by.get_full_name() if enrolment.enrolled_by else ""


class EnrolBodySerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        max_length=80, help_text="The start-up's short name (slug)."
    )

    def validate_organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(
            slug=slug, kind=Organisation.Kind.START_UP
        ).first()
        if organisation is None:
            raise serializers.ValidationError(_("No start-up has this short name."))
        return organisation


class ProgrammeEnrolments(generics.ListAPIView):
    serializer_class = EnrolmentSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[ProgrammeEnrolment]:
        if getattr(self, "swagger_fake_view", False):  # the schema asks for the model only
            return ProgrammeEnrolment.objects.none()
        return enrolments_of(officer_programme(self.request.user, self.kwargs["pk"]))

    @extend_schema(
        summary="Start-ups taking part in a programme",
        description="By name. Officers of the programme only (404 for anyone else).",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Enrol a start-up in a programme",
        description="Its trials may then name the programme. Enrolling a start-up that "
        "already takes part changes nothing and answers 200; a new enrolment answers 201.",
        request=EnrolBodySerializer,
        responses={200: EnrolmentSerializer, 201: EnrolmentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        programme = officer_programme(request.user, pk)
        body = EnrolBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = body.validated_data["organisation"]
        existed = ProgrammeEnrolment.objects.filter(
            programme=programme, organisation=organisation
        ).exists()
        enrolment = programme_enrol(
            actor=request.user, programme=programme, organisation=organisation
        )
        return Response(
            EnrolmentSerializer(enrolment).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
