"""Counts of consultations (immutable count runs)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult.models import Consultation
from planning import selectors as plan_selectors
from planning import services as plan_services
from planning.models import CountRun

from .. import serializers as s
from ..filters import CountRunFilter
from ._common import ApiDefaults, load, parsed


class CountRunList(ApiDefaults, generics.ListAPIView):
    """Counts of consultations (immutable records). POST (the city's planners, after voting
    closed) asks a worker to count a consultation and answers 202 with the count job to poll
    (its URL in `Location`); `official: true` marks the selected proposals. 409 while a count of
    the consultation is under way."""

    queryset = CountRun.objects.order_by("-created_at", "-pk")
    serializer_class = s.CountRunSerializer
    filterset_class = CountRunFilter

    @extend_schema(request=s.CountRunWriteSerializer, responses={
        202: s.CountJobSerializer,
        409: OpenApiResponse(description="A count of this consultation is already under way."),
    })
    def post(self, request):
        data = parsed(s.CountRunWriteSerializer, request)
        consultation = load(Consultation, data["consultation"], "consultation")
        job = plan_services.count_job_request(
            consultation=consultation, rule=data["rule"], min_votes=data["min_votes"],
            tie_break=data["tie_break"], official=data["official"], user=request.user)
        return Response(s.CountJobSerializer(job).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": reverse("api:count-job-detail", args=[job.pk])})


class CountRunDetail(ApiDefaults, generics.RetrieveAPIView):
    """A count with its outcome and explanation (download it to re-count and compare)."""

    queryset = CountRun.objects.all()
    serializer_class = s.CountRunDetailSerializer


class CountJobList(ApiDefaults, generics.ListAPIView):
    """Counts asked for in the cities you count for (planners and city admins), newest first."""

    serializer_class = s.CountJobSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return plan_selectors.count_jobs_visible(user=self.request.user)


class CountJobDetail(ApiDefaults, generics.RetrieveAPIView):
    """A count asked for: `queued`, `running`, `done` (with its `count_run`) or `failed` (with
    the reason in `error`). 404 for anyone who does not count for the city."""

    serializer_class = s.CountJobSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return plan_selectors.count_jobs_visible(user=self.request.user)
