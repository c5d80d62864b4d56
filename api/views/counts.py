"""Counts of consultations (immutable count runs)."""
from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult.models import Consultation
from core.errors import ServiceError
from planning import selectors as plan_selectors
from planning import services as plan_services
from planning.models import CountRun

from .. import serializers as s
from ..filters import CountRunFilter
from ._common import ApiDefaults, ApiView, consultation_or_404, load, parsed

NOT_PUBLISHED = _("The results of this consultation are not published yet.")


class CountRunList(ApiDefaults, generics.ListAPIView):
    """Counts of consultations (immutable records): of the consultations whose results are
    published, and every count of the cities you count for. POST (the city's planners, after voting
    closed) asks a worker to count a consultation and answers 202 with the count job to poll
    (its URL in `Location`); `options` go to the rule (mes-add1, mes-add1u); `official: true`
    also makes it the official count (with a standard reason). 409 while a count of the
    consultation is under way."""

    queryset = CountRun.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.CountRunSerializer
    filterset_class = CountRunFilter

    def get_queryset(self):
        return plan_selectors.count_runs_visible(user=self.request.user).order_by(
            "-created_at", "-pk")

    @extend_schema(request=s.CountRunWriteSerializer, responses={
        202: s.CountJobSerializer,
        409: OpenApiResponse(description="A count of this consultation is already under way."),
    })
    def post(self, request):
        data = parsed(s.CountRunWriteSerializer, request)
        consultation = load(Consultation, data["consultation"], "consultation")
        job = plan_services.count_job_request(
            consultation=consultation, rule=data["rule"], min_votes=data["min_votes"],
            tie_break=data["tie_break"], options=data["options"], official=data["official"],
            user=request.user)
        return Response(s.CountJobSerializer(job).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": reverse("api:count-job-detail", args=[job.pk])})


class CountRunDetail(ApiDefaults, generics.RetrieveAPIView):
    """A count with its outcome and explanation (download it to re-count and compare). 404
    before the consultation's results are published, except for the city's planners."""

    queryset = CountRun.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.CountRunDetailSerializer

    def get_queryset(self):
        return plan_selectors.count_runs_visible(user=self.request.user)


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


class CountCompare(ApiView):
    """The city's planners compare two or more counts of a consultation side by side: rule and
    parameters, what each selects (and what not every one selects), money spent and left, the
    share of voters with a funded proposal (stored with each count)."""

    @extend_schema(
        parameters=[OpenApiParameter("runs", OpenApiTypes.INT, many=True, required=True,
                                     description="Two or more count ids of this consultation.")],
        responses={200: s.CountCompareColumnSerializer(many=True)})
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        plan_services.ensure_counter(user=request.user, consultation=consultation)
        try:
            ids = sorted({int(v) for v in request.query_params.getlist("runs")})
        except ValueError:
            ids = []
        columns = plan_selectors.count_runs_compare(consultation=consultation, run_ids=ids[:20])
        if len(ids) < 2 or len(columns) != len(ids):
            raise ServiceError(_("Name two or more counts of this consultation to compare."),
                               field="runs")
        return Response(s.CountCompareColumnSerializer(columns, many=True).data)


class OfficialChoiceList(ApiView):
    """GET: the history of the consultation's official count (latest first: the official one),
    for the city's planners, and for everybody once the results are published. POST (the city's
    planners): make one of its counts official, with a reason (required; a count of another
    consultation is a 400)."""

    @extend_schema(responses=s.OfficialChoiceSerializer(many=True))
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        state = plan_selectors.results_public_state(consultation=consultation,
                                                    user=request.user)
        if not state["show_selection"]:
            plan_services.ensure_counter(user=request.user, consultation=consultation)
        choices = plan_selectors.official_choices(consultation=consultation)
        return Response(s.OfficialChoiceSerializer(choices, many=True).data)

    @extend_schema(request=s.OfficialChoiceWriteSerializer,
                   responses={201: s.OfficialChoiceSerializer})
    def post(self, request, pk: int):
        consultation = consultation_or_404(pk)
        data = parsed(s.OfficialChoiceWriteSerializer, request)
        choice = plan_services.official_choose(
            consultation=consultation, count_run_id=data["count_run"], user=request.user,
            reason=data["reason"])
        return Response(s.OfficialChoiceSerializer(choice).data, status=status.HTTP_201_CREATED)


class ResultsPublicationView(ApiView):
    """GET: when the consultation's results were published (404 before). POST (the city's
    planners, once there is an official count): publish them; a second time is a 400."""

    @extend_schema(responses={200: s.ResultsPublicationSerializer})
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        publication = plan_selectors.results_publication_of(consultation=consultation)
        if publication is None:
            raise Http404(NOT_PUBLISHED)
        return Response(s.ResultsPublicationSerializer(publication).data)

    @extend_schema(request=None, responses={201: s.ResultsPublicationSerializer})
    def post(self, request, pk: int):
        consultation = consultation_or_404(pk)
        publication = plan_services.results_publish(consultation=consultation,
                                                    user=request.user)
        return Response(s.ResultsPublicationSerializer(publication).data,
                        status=status.HTTP_201_CREATED)


class ResultSummary(ApiView):
    """The official count in brief, as the public results page shows it: money allocated and
    left, proposals selected, ballots with at least one funded proposal, the rule in one plain
    sentence (in the request's language) and the comparison with a plain greedy count of the
    same ballots (stored with the count). Everybody once the results are published, the city's
    planners before (a preview); 404 otherwise."""

    @extend_schema(responses={200: s.ResultSummarySerializer})
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        state = plan_selectors.results_public_state(consultation=consultation,
                                                    user=request.user)
        if not state["show_selection"] or state["official"] is None:
            raise Http404(NOT_PUBLISHED)
        summary = plan_selectors.results_summary(consultation=consultation,
                                                 run=state["official"].count_run)
        return Response(s.ResultSummarySerializer(summary).data)
