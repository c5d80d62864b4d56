"""Strategy plans: the plan itself, its revision, submission, versions, council
decisions and review comments (its parts: api.views.plan_parts)."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult.models import City, Consultation
from core.errors import NotAllowed
from planning import rules as plan_rules
from planning import selectors as plan_selectors
from planning import services as plan_services
from planning.models import (
    Action,
    CouncilVote,
    PlanComment,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)

from .. import serializers as s
from ._common import ApiDefaults, ApiView, load, parsed, plan_part


def plan_or_404(request, pk: int) -> StrategyPlan:
    try:
        return plan_selectors.plan_for_reader(user=request.user, pk=pk)
    except StrategyPlan.DoesNotExist as error:
        raise Http404(plan_selectors.NO_SUCH_PLAN) from error


def live_plan_or_error(request, pk: int) -> StrategyPlan:
    plan = plan_or_404(request, pk)
    if not plan_rules.can_see_live_plan(request.user, plan):
        raise NotAllowed(str(plan_selectors.LIVE_PLAN_HIDDEN))
    return plan


class PlanList(ApiDefaults, generics.ListAPIView):
    """Strategy plans: everybody sees plans with an approved version (as approved); the city's
    planners and council members also see drafts (live). POST (planners, after voting closed)
    drafts a plan from a consultation's official count."""

    serializer_class = s.PlanSerializer

    def get_queryset(self):
        return plan_selectors.plans_visible(user=self.request.user)

    def list(self, request, *args, **kwargs):
        cities = plan_selectors.working_city_ids(user=request.user)
        page = self.paginate_queryset(self.get_queryset())
        data = [s.plan_data(plan, live=plan.city_id in cities) for plan in page]
        return self.get_paginated_response(s.PlanSerializer(data, many=True).data)

    @extend_schema(
        request=inline_serializer("PlanDraftRequest", {
            "consultation": serializers.IntegerField(**s.ID_LIMITS),
            "title": serializers.CharField(max_length=200, required=False, allow_blank=True),
            "ceilings": s.YearCostSerializer(many=True, required=False),
        }),
        responses={201: s.PlanDetailSerializer},
    )
    def post(self, request):
        class Draft(serializers.Serializer):
            consultation = serializers.IntegerField(**s.ID_LIMITS)
            title = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                          default="")
            ceilings = s.YearCostSerializer(many=True, required=False, default=list)

        data = parsed(Draft, request)
        consultation = load(Consultation, data["consultation"], "consultation")
        plan, _conflicts = plan_services.plan_draft_for_consultation(
            consultation=consultation, user=request.user, title=data["title"],
            ceilings={item["year"]: item["amount"] for item in data["ceilings"]})
        plan = plan_selectors.plan_get(pk=plan.pk)
        return Response(s.PlanDetailSerializer(s.plan_data(plan, live=True, content=True)).data,
                        status=status.HTTP_201_CREATED)


class PlanDetail(ApiView):
    """A plan with its objectives, actions, budget lines and indicators: the live plan for the
    city's planners and council members, the approved version for everybody else."""

    @extend_schema(responses=s.PlanDetailSerializer)
    def get(self, request, pk: int):
        plan = plan_or_404(request, pk)
        live = plan_rules.can_view_workspace(request.user, plan)
        return Response(s.PlanDetailSerializer(s.plan_data(plan, live=live, content=True)).data)

    @extend_schema(request=s.PlanUpdateSerializer, responses=s.PlanDetailSerializer)
    def patch(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.PlanUpdateSerializer, request)
        ceilings = data.get("ceilings")
        plan_services.plan_update(
            plan=plan, user=request.user,
            title=data.get("title"), description=data.get("description"),
            translations=s.translations_of(data, "title", "description"),
            envelope=data.get("envelope", plan.envelope),
            ceilings=None if ceilings is None else {
                item["year"]: item["amount"] for item in ceilings},
        )
        return live_plan_response(pk)


def live_plan_response(pk: int) -> Response:
    plan = plan_selectors.plan_get(pk=pk)
    return Response(s.PlanDetailSerializer(s.plan_data(plan, live=True, content=True)).data)


class PlanRevision(ApiView):
    """The city's planners start revising an approved plan: the approved version stays in
    force (public, monitored) while they prepare the next one, which goes through review."""

    @extend_schema(request=None, responses=s.PlanDetailSerializer)
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        plan_services.plan_revision_start(plan=plan, user=request.user)
        return live_plan_response(pk)


class PlanSubmit(ApiView):
    """The city's planners freeze the plan into a new version and send it to the council."""

    @extend_schema(request=s.PlanSubmitSerializer, responses={201: s.PlanVersionSerializer})
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.PlanSubmitSerializer, request)
        version = plan_services.plan_submit(
            plan=plan, user=request.user, note=data["note"],
            override_checks=data["override_checks"], override_reason=data["override_reason"])
        return Response(s.PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PlanVersionList(ApiDefaults, generics.ListAPIView):
    """A plan's frozen versions: all for the city's planners and council, the approved ones for
    everybody else."""

    queryset = PlanVersion.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.PlanVersionSerializer

    def get_queryset(self):
        plan = plan_or_404(self.request, self.kwargs["pk"])
        versions = plan_selectors.plan_versions_readable(user=self.request.user, plan=plan)
        return versions.defer("snapshot")


class PlanVersionDetail(ApiView):
    @extend_schema(responses=s.PlanVersionDetailSerializer)
    def get(self, request, pk: int, number: int):
        plan = plan_or_404(request, pk)
        versions = plan_selectors.plan_versions_readable(user=request.user, plan=plan)
        version = get_object_or_404(versions, number=number)
        return Response(s.PlanVersionDetailSerializer(version).data)


class PlanDecisionList(ApiDefaults, generics.ListAPIView):
    """Council decisions on a plan's versions, with their tally (everybody sees approvals; the
    city's planners and council see returns too). Read-only: the council decides by voting
    (POST …/votes/); the decision is recorded when the city's council rule says so."""

    queryset = ReviewDecision.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ReviewDecisionSerializer

    def get_queryset(self):
        plan = plan_or_404(self.request, self.kwargs["pk"])
        return plan_selectors.plan_decisions_readable(user=self.request.user, plan=plan)


class PlanVoteList(ApiDefaults, generics.ListAPIView):
    """Council members' votes, with names and comments: public on approved versions; the city's
    planners and council also see the votes on other versions (under review, returned). POST: a
    council member of the city who does not plan for it votes on the version under review
    (approve, return with a comment, abstain; approving a version whose checks found errors
    needs override_checks and override_reason). A second vote by the same member is a 409."""

    queryset = CouncilVote.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.CouncilVoteSerializer

    def get_queryset(self):
        plan = plan_or_404(self.request, self.kwargs["pk"])
        return plan_selectors.plan_votes_readable(user=self.request.user, plan=plan)

    @extend_schema(request=s.CouncilVoteWriteSerializer,
                   responses={201: s.CouncilVoteSerializer})
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.CouncilVoteWriteSerializer, request)
        vote = plan_services.plan_vote_cast(plan=plan, user=request.user, **data)
        return Response(s.CouncilVoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class CouncilRuleDetail(ApiView):
    """How a city's council decides on plans (everybody reads it); PUT: the city's
    administrators change it."""

    @extend_schema(responses=s.CouncilRuleSerializer)
    def get(self, request, pk: int):
        return self._response(get_object_or_404(City, pk=pk))

    @extend_schema(request=s.CouncilRuleWriteSerializer, responses=s.CouncilRuleSerializer)
    def put(self, request, pk: int):
        city = get_object_or_404(City, pk=pk)
        plan_services.ensure_can_edit_council_rule(city=city, user=request.user)
        data = parsed(s.CouncilRuleWriteSerializer, request)
        plan_services.council_rule_update(city=city, user=request.user, **data)
        return self._response(city)

    def _response(self, city: City) -> Response:
        rule = plan_selectors.council_rule_of(city)
        return Response(s.CouncilRuleSerializer(rule, context={
            "members": len(plan_selectors.council_member_ids(city))}).data)


class PlanCommentList(ApiDefaults, generics.ListAPIView):
    """Remarks of the city's council members and planners on a plan (theirs to read)."""

    queryset = PlanComment.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.PlanCommentSerializer

    def get_queryset(self):
        plan = plan_or_404(self.request, self.kwargs["pk"])
        if not plan_rules.can_comment_plan(self.request.user, plan):
            raise NotAllowed(_("Only the city's planners and council members read the review "
                               "comments."))
        return plan_selectors.plan_comments(plan).order_by("created_at", "pk")

    @extend_schema(request=s.PlanCommentWriteSerializer,
                   responses={201: s.PlanCommentSerializer})
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.PlanCommentWriteSerializer, request)
        action = plan_part(Action, plan, data["action"], "action")
        comment = plan_services.plan_comment_create(plan=plan, user=request.user,
                                                    body=data["body"], action=action)
        return Response(s.PlanCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class Waiting(ApiView):
    """What waits for you as a member of a city's staff, per kind of work and city: the same
    read as the web's "Waiting for you" page (moderation, counts to make, plans returned,
    plans awaiting your council vote, phase changes of the next 7 days)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.WaitingSerializer)
    def get(self, request):
        waiting = plan_selectors.waiting_for(user=request.user)
        return Response(s.WaitingSerializer({
            "is_staff": bool(waiting), "total": waiting.total, "groups": waiting.groups,
        }).data)
