"""Counts of consultations (immutable count runs)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from consult.models import Consultation
from planning import services as plan_services
from planning.models import CountRun

from .. import serializers as s
from ..filters import CountRunFilter
from ._common import ApiDefaults, load, parsed


class CountRunList(ApiDefaults, generics.ListAPIView):
    """Counts of consultations (immutable records). POST (the city's planners, after voting
    closed) counts a consultation; `official: true` marks the selected proposals."""

    queryset = CountRun.objects.order_by("-created_at", "-pk")
    serializer_class = s.CountRunSerializer
    filterset_class = CountRunFilter

    @extend_schema(request=s.CountRunWriteSerializer, responses={201: s.CountRunDetailSerializer})
    def post(self, request):
        data = parsed(s.CountRunWriteSerializer, request)
        consultation = load(Consultation, data["consultation"], "consultation")
        run = plan_services.count_run_create(
            consultation=consultation, rule=data["rule"], min_votes=data["min_votes"],
            tie_break=data["tie_break"], official=data["official"], user=request.user)
        return Response(s.CountRunDetailSerializer(run).data, status=status.HTTP_201_CREATED)


class CountRunDetail(ApiDefaults, generics.RetrieveAPIView):
    """A count with its outcome and explanation (download it to re-count and compare)."""

    queryset = CountRun.objects.all()
    serializer_class = s.CountRunDetailSerializer
