"""Who am I: the person behind the credentials, their organisations and roles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiToken, Membership
from ..permissions import programmes_for_officer
from .serializers import MeSerializer


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=MeSerializer,
        summary="You: your organisations, your role in each, and your programmes",
        description="Useful to check a token: `auth` says how the request was authenticated "
        "and what it may do.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        me = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "is_staff": user.is_staff,
            "memberships": Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name", "organisation__id"),
            "programmes": programmes_for_officer(user)
            .select_related("team")
            .distinct()
            .order_by("name", "id"),
            "auth": {
                "method": "token" if token else "session",
                "token_name": token.name if token else None,
                "token_prefix": token.prefix if token else None,
                "scope": token.scope if token else ApiToken.Scope.WRITE,
                "expires_at": token.expires_at if token else None,
            },
        }
        return Response(MeSerializer(me).data)
