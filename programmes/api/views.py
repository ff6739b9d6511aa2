"""The programmes a person may see, and each programme's funnel."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from accounts.models import Programme

from ..selectors import programmes_for
from .serializers import ProgrammeSerializer


class ProgrammeList(generics.ListAPIView):
    serializer_class = ProgrammeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Programme]:
        return programmes_for(self.request.user)

    @extend_schema(
        summary="Programmes you are an officer of",
        description="The programmes whose team you belong to, newest first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
