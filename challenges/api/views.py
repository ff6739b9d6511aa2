"""Challenge API: the same services and tenancy as the pages (404 for what is not yours)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation
from accounts.permissions import organisations_of
from testbeds.api.views import IsSignedInToChange
from testbeds.models import Sector, Technology, TestBed
from trials.api.views import errors

from .. import selectors, services
from ..models import Application
from .serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    AssessorSerializer,
    ChallengeCreateSerializer,
    ChallengeDetailSerializer,
    ChallengeSerializer,
    ConflictDeclarationSerializer,
    DecideSerializer,
    InviteSerializer,
    RankingRowSerializer,
    ScoresReadSerializer,
    ScoresWriteSerializer,
)


def _valid(serializer_class, request: Request) -> dict:
    allowed = set(serializer_class().fields)
    unknown = set(request.data) - allowed if hasattr(request.data, "keys") else set()
    if unknown:
        raise serializers.ValidationError(
            {name: [_("This field cannot be set here.")] for name in sorted(unknown)}
        )
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _pick(user, kind_filter, slug: str | None, field: str, none_message: str) -> Organisation:
    organisations = organisations_of(user).filter(kind__in=kind_filter)
    if slug:
        found = organisations.filter(slug=slug).first()
        if found is None:
            raise serializers.ValidationError({field: [_("You do not act for this organisation.")]})
        return found
    found = list(organisations[:2])
    if len(found) != 1:
        raise serializers.ValidationError(
            {field: [_("Say which organisation.") if found else none_message]}
        )
    return found[0]


@extend_schema_view(
    list=extend_schema(
        summary="Published challenges",
        parameters=[
            OpenApiParameter("phase", str, enum=["open", "upcoming", "closed"]),
            OpenApiParameter("region", str),
            OpenApiParameter("sector", str),
        ],
    ),
    retrieve=extend_schema(summary="One challenge", responses=ChallengeDetailSerializer),
)
class ChallengeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ChallengeSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsSignedInToChange()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        params = self.request.query_params
        challenges = selectors.filter_challenges(
            selectors.public_challenges(),
            region=str(params.get("region", ""))[:30],
            sector=str(params.get("sector", ""))[:30],
            phase=str(params.get("phase", ""))[:10],
        )
        return (
            selectors.with_list_data(challenges)
            .prefetch_related("technologies")
            .order_by("closes_at", "id")
        )

    def get_object(self):
        challenge = selectors.challenge_for_viewer(user=self.request.user, slug=self.kwargs["slug"])
        return challenge

    def _owned(self):
        return selectors.challenge_for_owner(user=self.request.user, slug=self.kwargs["slug"])

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        challenge = self.get_object()
        challenge = (
            type(challenge)
            .objects.select_related("owner")
            .prefetch_related("sectors", "technologies", "criteria", "questions", "links__testbed")
            .get(pk=challenge.pk)
        )
        return Response(ChallengeDetailSerializer(challenge).data)

    @extend_schema(
        request=ChallengeCreateSerializer,
        responses={201: ChallengeDetailSerializer, **errors(400, 403)},
        summary="Set a challenge (a draft) with its criteria, questions and test beds",
        description="Weights must add up to 100; otherwise nothing is saved. Another body's "
        "test bed is named once that body agrees.",
    )
    def create(self, request: Request) -> Response:
        data = _valid(ChallengeCreateSerializer, request)
        owner = _pick(
            request.user,
            services.common.OWNER_KINDS,
            data.pop("owner", None),
            "owner",
            _("You do not act for a public body or programme team."),
        )
        criteria = [dict(c) for c in data.pop("criteria", [])]
        questions = [dict(q) for q in data.pop("questions", [])]
        testbeds = data.pop("testbeds", [])
        data["sectors"] = list(Sector.objects.filter(code__in=data.get("sectors", [])))
        data["technologies"] = list(
            Technology.objects.filter(code__in=data.get("technologies", []))
        )
        with transaction.atomic():
            challenge = services.challenge_create(actor=request.user, owner=owner, **data)
            if criteria:
                services.criteria_set(actor=request.user, challenge=challenge, criteria=criteria)
            if questions:
                services.questions_set(actor=request.user, challenge=challenge, questions=questions)
            for slug in testbeds:
                testbed = TestBed.objects.filter(slug=slug, status="published").first()
                if testbed is None:
                    raise serializers.ValidationError(
                        {"testbeds": [_("No published test bed has this slug.")]}
                    )
                services.testbed_link(actor=request.user, challenge=challenge, testbed=testbed)
        self.kwargs["slug"] = challenge.slug
        return Response(ChallengeDetailSerializer(challenge).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ChallengeDetailSerializer, **errors(400, 404, 409)},
        summary="Publish a draft challenge (owner)",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str) -> Response:
        challenge = services.challenge_publish(actor=request.user, challenge=self._owned())
        return Response(ChallengeDetailSerializer(challenge).data)

    @extend_schema(
        methods=["GET"],
        responses={200: ApplicationSerializer(many=True), **errors(404)},
        summary="Applications you may see: the owner's view (submitted), or your start-up's",
    )
    @extend_schema(
        methods=["POST"],
        request=ApplicationWriteSerializer,
        responses={201: ApplicationSerializer, **errors(400, 403, 404, 409)},
        summary="Start your start-up's application (a draft), with any fields to save",
    )
    @action(detail=True, methods=["get", "post"])
    def applications(self, request: Request, slug: str) -> Response:
        challenge = self.get_object()
        if request.method == "POST":
            data = _valid(ApplicationWriteSerializer, request)
            organisation = _pick(
                request.user,
                [Organisation.Kind.START_UP],
                data.pop("organisation", None),
                "organisation",
                _("You do not act for a start-up."),
            )
            with transaction.atomic():
                application = services.application_start(
                    actor=request.user, organisation=organisation, challenge=challenge
                )
                if data:
                    application = services.application_save(
                        actor=request.user, application=application, **_fields(challenge, data)
                    )
            return Response(ApplicationSerializer(application).data, status=201)
        if services.is_owner(request.user, challenge):
            items = selectors.owner_applications(request.user, challenge)
        else:
            items = challenge.applications.filter(
                organisation__in=organisations_of(request.user)
            ).select_related("organisation", "testbed", "decision", "trial")
        page = self.paginate_queryset(items.order_by("id"))
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        responses={200: AssessorSerializer(many=True), **errors(404)},
        summary="The challenge's assessors (owner)",
    )
    @extend_schema(
        methods=["POST"],
        request=InviteSerializer,
        responses={201: AssessorSerializer, **errors(400, 404, 409)},
        summary="Invite an assessor by e-mail (owner)",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def assessors(self, request: Request, slug: str) -> Response:
        challenge = self._owned()
        if request.method == "POST":
            data = _valid(InviteSerializer, request)
            assessor, _token = services.assessor_invite(
                actor=request.user, challenge=challenge, email=data["email"]
            )
            return Response(_assessor(assessor), status=201)
        return Response([_assessor(a) for a in challenge.assessors.order_by("email", "id")])

    @extend_schema(
        responses={200: RankingRowSerializer(many=True), **errors(404)},
        summary="Ranking by weighted mean, with spread and coverage (owner)",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def ranking(self, request: Request, slug: str) -> Response:
        challenge = self._owned()
        rows = selectors.ranking(challenge, request.user)
        return Response(RankingRowSerializer(rows, many=True).data)


def _assessor(assessor) -> dict:
    return {"id": assessor.pk, "email": assessor.email, "status": assessor.status}


def _fields(challenge, data: dict) -> dict:
    """API fields as the service takes them (test bed by slug; nested shapes as dicts)."""
    fields = dict(data)
    if "testbed" in fields:
        slug = fields["testbed"]
        fields["testbed"] = TestBed.objects.filter(slug=slug).first() if slug else None
        if slug and fields["testbed"] is None:
            raise serializers.ValidationError(
                {"testbed": [_("Choose one of the challenge's test beds.")]}
            )
    if "plan" in fields:
        fields["plan"] = dict(fields["plan"])
    if "kpis" in fields:
        fields["kpis"] = [dict(k) for k in fields["kpis"]]
    if "answers" in fields:
        fields["answers"] = dict(fields["answers"])
    return fields


@extend_schema_view(
    retrieve=extend_schema(summary="One application you may see"),
)
class ApplicationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Application.objects.none()

    def get_object(self):
        application, access = selectors.application_for_viewer(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        self.access = access
        return application

    def _readable(self) -> Application:
        application = self.get_object()
        if not self.access.can_read:
            raise Http404
        return application

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(ApplicationSerializer(self._readable()).data)

    @extend_schema(
        request=ApplicationWriteSerializer,
        responses={200: ApplicationSerializer, **errors(400, 404, 409)},
        summary="Save fields of your draft (before the close)",
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        application = self.get_object()
        if not self.access.applicant:
            raise Http404
        data = _valid(ApplicationWriteSerializer, request)
        data.pop("organisation", None)
        application = services.application_save(
            actor=request.user, application=application, **_fields(application.challenge, data)
        )
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        request=None,
        responses={200: ApplicationSerializer, **errors(400, 404, 409)},
        summary="Submit your application (before the closing time, to the second)",
        description="After the closing time: 409 `closed`, with the closing time.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        if not self.access.applicant:
            raise Http404
        application = services.application_submit(actor=request.user, application=application)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        request=ConflictDeclarationSerializer,
        responses={201: ConflictDeclarationSerializer, **errors(400, 403, 404, 409)},
        summary="Declare a conflict of interest, or none (assessor, before seeing it)",
    )
    @action(detail=True, methods=["post"])
    def conflict(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        if self.access.assessor is None:
            raise Http404
        data = _valid(ConflictDeclarationSerializer, request)
        declaration = services.conflict_declare(actor=request.user, application=application, **data)
        return Response(
            {"conflicted": declaration.conflicted, "note": declaration.note}, status=201
        )

    @extend_schema(
        methods=["GET"],
        responses={200: ScoresReadSerializer, **errors(403, 404)},
        summary="Your scores; others' once yours are submitted (assessor)",
    )
    @extend_schema(
        methods=["POST"],
        request=ScoresWriteSerializer,
        responses={200: ScoresReadSerializer, **errors(400, 403, 404, 409)},
        summary="Save scores per criterion, or submit them (assessor)",
    )
    @action(detail=True, methods=["get", "post"])
    def scores(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        if self.access.assessor is None:
            raise Http404
        if not self.access.declared:
            services.require_cleared(request.user, application)
        if request.method == "POST":
            data = _valid(ScoresWriteSerializer, request)
            services.scores_save(
                actor=request.user,
                application=application,
                scores={s["criterion"]: (s["score"], s["comment"]) for s in data["scores"]},
                submit=data["submit"],
            )
        seen = selectors.scores_for_assessor(self.access.assessor, application)
        own = seen["own"]
        return Response(
            ScoresReadSerializer(
                {
                    "submitted": bool(own and own.is_submitted),
                    "own": list(own.scores.select_related("assessment__assessor")) if own else [],
                    "others": seen["others"],
                }
            ).data
        )

    @extend_schema(
        request=DecideSerializer,
        responses={200: ApplicationSerializer, **errors(400, 403, 404, 409)},
        summary="Decide: awarded (becomes a trial request), reserve or not funded (owner)",
        description="Only after the close, and with scores from at least two assessors "
        "without a conflict (409 otherwise).",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        if not self.access.owner:
            raise Http404
        data = _valid(DecideSerializer, request)
        services.decide(actor=request.user, application=application, **data)
        application.refresh_from_db()
        return Response(ApplicationSerializer(application).data)
