"""REST API views. Thin, like the web views: they load what the URL names (404 when the viewer
may not see it), parse the request with an input serializer, call the same service the web calls
(consult.services, planning.services) and serialize the result. A service's NotAllowed becomes a
403 and any other ServiceError a 400, through the one error format of api.exceptions."""
from __future__ import annotations

from django.contrib.auth import logout
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.filters import Ordering, ProposalFilter, shuffled
from consult.models import (
    City,
    Comment,
    Consultation,
    ModerationDecision,
    Organisation,
    Phase,
    Proposal,
    Theme,
)
from consult.selectors import VISIBLE_STATUSES
from core.errors import NotAllowed, ServiceError
from planning import rules as plan_rules
from planning import selectors as plan_selectors
from planning import services as plan_services
from planning.models import (
    Action,
    BudgetLine,
    CountRun,
    Indicator,
    IndicatorPeriod,
    Objective,
    PlanComment,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)
from reports import selectors as report_selectors
from reports.models import PublishedReport

from . import serializers as s
from .exceptions import from_service_error, handler
from .filters import ConsultationFilter, CountRunFilter, ProposalFilterBackend, order_seed
from .permissions import ReadOrAuthenticated
from .schema import CabildoAutoSchema
from .throttles import AnonThrottle, WriteThrottle


class ApiDefaults:
    """What every API view shares: token then session authentication (so that an anonymous
    write gets 401 with `WWW-Authenticate: Token`), read-or-authenticated, throttles, the error
    format and the schema. One mixin, no tower."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ReadOrAuthenticated]
    throttle_classes = [AnonThrottle, WriteThrottle]
    schema = CabildoAutoSchema()

    def get_exception_handler(self):
        return handler

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            exc = from_service_error(exc)
            if isinstance(exc, exceptions.PermissionDenied) and not (
                self.request.user and self.request.user.is_authenticated
            ):
                # Logging in might help: 401 with WWW-Authenticate, as for permission classes.
                exc = exceptions.NotAuthenticated(exc.detail)
        return super().handle_exception(exc)


class ApiView(ApiDefaults, APIView):
    pass


# --- helpers -----------------------------------------------------------------------------------


def participant_required(request):
    participant = consult_rules.participant_of(request.user)
    if participant is None:
        raise NotAllowed(_("Complete your profile before you take part."))
    return participant


def consultation_or_404(pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("city"), pk=pk)


def visible_proposal(request, pk: int) -> Proposal:
    """A proposal whose content the viewer may read (`consult.rules.can_read_proposal`, as on
    the web, where others see only that it is hidden)."""
    try:
        proposal = consult_selectors.proposal_for_reader(user=request.user, pk=pk)
    except Proposal.DoesNotExist as error:
        raise Http404(_("No such proposal.")) from error
    if not consult_rules.can_read_proposal(request.user, proposal):
        raise Http404(_("No such proposal."))
    return proposal


def proposal_response(request, pk: int) -> Response:
    proposal = visible_proposal(request, pk)
    participant = consult_rules.participant_of(request.user)
    if participant is not None:
        proposal.is_supported = consult_selectors.supports_proposal(
            participant=participant, proposal=proposal)
    return Response(s.ProposalSerializer(proposal).data)


def load(model, pk, field: str):
    """An object named in a request body; a missing one is a 400 on that field."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(_("No such %(what)s.") % {"what": model._meta.verbose_name},
                           field=field)
    return obj


def parsed(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- reference data ----------------------------------------------------------------------------


class CityList(ApiDefaults, generics.ListAPIView):
    """The network's cities."""

    queryset = City.objects.order_by("kind", "name")
    serializer_class = s.CitySerializer
    filterset_fields = ["kind", "country", "slug"]


class CityDetail(ApiDefaults, generics.RetrieveAPIView):
    queryset = City.objects.all()
    serializer_class = s.CitySerializer


class OrganisationList(ApiDefaults, generics.ListAPIView):
    """Civil-society organisations (their members are not shown)."""

    queryset = Organisation.objects.order_by("name", "pk")
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["city", "kind"]


class OrganisationDetail(ApiDefaults, generics.RetrieveAPIView):
    queryset = Organisation.objects.all()
    serializer_class = s.OrganisationSerializer


class ConsultationList(ApiDefaults, generics.ListAPIView):
    """Consultations with their current phase (filter by city and by phase now)."""

    queryset = Consultation.objects.select_related("city").order_by("-voting_opens_at", "pk")
    serializer_class = s.ConsultationSerializer
    filterset_class = ConsultationFilter


class ConsultationDetail(ApiDefaults, generics.RetrieveAPIView):
    """A consultation with its phase, themes and headline counts."""

    queryset = Consultation.objects.select_related("city").prefetch_related("themes")
    serializer_class = s.ConsultationDetailSerializer


class ThemeList(ApiDefaults, generics.ListAPIView):
    queryset = Theme.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ThemeSerializer

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        return consultation.themes.order_by("position", "name", "pk")


# --- proposals ---------------------------------------------------------------------------------

PROPOSAL_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in title, summary or description."),
    OpenApiParameter("status", str, enum=[str(v) for v in VISIBLE_STATUSES],
                     description="A public status."),
    OpenApiParameter("order", str, enum=[value for value, _label in Ordering.CHOICES],
                     description="Default: most supported; random (per voter) while voting."),
    OpenApiParameter("theme", str, description="A theme slug."),
    OpenApiParameter("organisation", str, description="An organisation slug."),
    OpenApiParameter("district", str, description="A district with proposals."),
    OpenApiParameter("seed", int, description="Seed of the random order (default: stable "
                                              "per user)."),
]


@extend_schema(parameters=PROPOSAL_FILTER_PARAMETERS, methods=["GET"])
class ProposalList(ApiDefaults, generics.ListCreateAPIView):
    """The public proposals of a consultation, filtered and ordered like the web list (default
    order: most supported; random per voter during voting). POST submits a proposal."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ProposalSerializer
    filter_backends = [ProposalFilterBackend]
    filterset_class = ProposalFilter  # the web's FilterSet, applied by ProposalFilterBackend

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.consultation = consultation_or_404(kwargs["pk"])

    def get_queryset(self):
        participant = consult_rules.participant_of(self.request.user)
        return consult_selectors.proposals_listed(
            consultation=self.consultation, participant=participant
        ).prefetch_related("year_costs")

    @extend_schema(request=s.ProposalWriteSerializer, responses={201: s.ProposalSerializer})
    def post(self, request, pk: int):
        data = parsed(s.ProposalWriteSerializer, request)
        participant = participant_required(request)
        theme = self.consultation.themes.filter(pk=data["theme"]).first()
        if theme is None:
            raise ServiceError(_("Choose a theme of this consultation."), field="theme")
        proposal = consult_services.proposal_create(
            author=participant, consultation=self.consultation, theme=theme,
            title=data["title"], summary=data["summary"], body=data["body"],
            estimated_cost=data["estimated_cost"], action_kind=data["action_kind"],
            partners=data["partners"], district=data["district"],
            organisation=load(Organisation, data["organisation"], "organisation"),
            year_costs={item["year"]: item["amount"] for item in data["year_costs"]},
            publish=data["publish"],
        )
        response = proposal_response(request, proposal.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ProposalDetail(ApiView):
    """A proposal. Drafts are visible to their author only; hidden proposals to their author
    and the city's moderators. PATCH: the author edits while proposals are open."""

    @extend_schema(responses=s.ProposalSerializer)
    def get(self, request, pk: int):
        return proposal_response(request, pk)

    @extend_schema(request=s.ProposalUpdateSerializer, responses=s.ProposalSerializer)
    def patch(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        data = dict(parsed(s.ProposalUpdateSerializer, request))
        year_costs = data.pop("year_costs", None)
        publish = data.pop("publish", False)
        if "theme" in data:
            theme = proposal.consultation.themes.filter(pk=data["theme"]).first()
            if theme is None:
                raise ServiceError(_("Choose a theme of this consultation."), field="theme")
            data["theme"] = theme
        if "organisation" in data:
            data["organisation"] = load(Organisation, data["organisation"], "organisation")
        consult_services.proposal_update(
            proposal=proposal, user=request.user, publish=publish,
            year_costs=None if year_costs is None else {
                item["year"]: item["amount"] for item in year_costs},
            **data,
        )
        return proposal_response(request, pk)


class ProposalWithdraw(ApiView):
    """The author withdraws their proposal before voting, with a public reason."""

    @extend_schema(request=s.ReasonSerializer, responses=s.ProposalSerializer)
    def post(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        data = parsed(s.ReasonSerializer, request)
        consult_services.proposal_withdraw(proposal=proposal, user=request.user,
                                           reason=data["reason"])
        return proposal_response(request, pk)


class ProposalReject(ApiView):
    """The city's moderators or planners reject a proposal before voting, with a public
    reason."""

    @extend_schema(request=s.ReasonSerializer, responses=s.ProposalSerializer)
    def post(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        data = parsed(s.ReasonSerializer, request)
        consult_services.proposal_reject(proposal=proposal, user=request.user,
                                         reason=data["reason"])
        return proposal_response(request, pk)


class SupportView(ApiView):
    """Your support of a proposal: GET reads it, PUT adds it (twice changes nothing), DELETE
    removes it. Supports change only while proposals are open."""

    permission_classes = [IsAuthenticated]

    def _state(self, participant, proposal) -> Response:
        return Response({
            "proposal": proposal.pk,
            "supported": consult_selectors.supports_proposal(participant=participant,
                                                              proposal=proposal),
            "support_count": proposal.supports.count(),
        })

    @extend_schema(responses=s.SupportSerializer)
    def get(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        return self._state(consult_rules.participant_of(request.user), proposal)

    @extend_schema(request=None, responses=s.SupportSerializer)
    def put(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        participant = participant_required(request)
        consult_services.support_add(participant=participant, proposal=proposal)
        return self._state(participant, proposal)

    @extend_schema(request=None, responses={200: s.SupportSerializer})
    def delete(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        participant = participant_required(request)
        consult_services.support_remove(participant=participant, proposal=proposal)
        return self._state(participant, proposal)


class CommentList(ApiDefaults, generics.ListAPIView):
    """The comments on a proposal, each with its replies (one level deep). Hidden comments show
    no body, except to their author and the city's moderators. POST comments or replies."""

    queryset = Comment.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.CommentSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.proposal = visible_proposal(request, kwargs["pk"])

    def get_queryset(self):
        return consult_selectors.comments_of(proposal=self.proposal).order_by("created_at", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["participant"] = consult_rules.participant_of(user)
        context["can_moderate"] = user.is_authenticated and consult_rules.can_moderate(
            user, self.proposal)
        return context

    @extend_schema(request=s.CommentWriteSerializer, responses={201: s.ReplySerializer})
    def post(self, request, pk: int):
        data = parsed(s.CommentWriteSerializer, request)
        participant = participant_required(request)
        parent = None
        if data["parent"] is not None:
            parent = Comment.objects.filter(pk=data["parent"], proposal=self.proposal).first()
            if parent is None:
                raise ServiceError(_("You can only reply to a comment on this proposal."),
                                   field="parent")
        comment = consult_services.comment_create(
            author=participant, proposal=self.proposal, body=data["body"], parent=parent)
        return Response(s.ReplySerializer(comment, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class FlagCreate(ApiView):
    """Report a proposal or a comment to the city's moderators."""

    @extend_schema(request=s.FlagWriteSerializer, responses={201: s.FlagSerializer})
    def post(self, request):
        data = parsed(s.FlagWriteSerializer, request)
        participant = participant_required(request)
        proposal = comment = None
        try:
            if data["proposal"] is not None:
                proposal = visible_proposal(request, data["proposal"])
            else:
                comment = Comment.objects.select_related("proposal").get(pk=data["comment"])
                visible_proposal(request, comment.proposal_id)
        except (Http404, Comment.DoesNotExist) as error:
            field = "proposal" if data["proposal"] is not None else "comment"
            raise ServiceError(_("There is nothing to report here."), field=field) from error
        flag = consult_services.flag_create(
            reporter=participant, reason=data["reason"], detail=data["detail"],
            proposal=proposal, comment=comment)
        return Response(s.FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class ModerationDecisionList(ApiDefaults, generics.ListAPIView):
    """Moderation decisions you may read: as a moderator, those of your cities; as an author,
    those on your proposals and comments. POST (moderators): hide or restore with a reason."""

    queryset = ModerationDecision.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ModerationDecisionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return consult_selectors.moderation_decisions_readable(user=self.request.user)

    @extend_schema(request=s.ModerationDecisionWriteSerializer,
                   responses={201: s.ModerationDecisionSerializer})
    def post(self, request):
        data = parsed(s.ModerationDecisionWriteSerializer, request)
        proposal = load(Proposal, data["proposal"], "proposal")
        comment = load(Comment, data["comment"], "comment")
        decision = consult_services.moderation_decide(
            moderator=request.user, action=data["action"], reason=data["reason"],
            proposal=proposal, comment=comment)
        return Response(s.ModerationDecisionSerializer(decision).data,
                        status=status.HTTP_201_CREATED)


class ModerationDecisionDetail(ApiDefaults, generics.RetrieveAPIView):
    """A moderation decision you may read (see the list)."""

    queryset = ModerationDecision.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ModerationDecisionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return consult_selectors.moderation_decisions_readable(user=self.request.user)


# --- voting ------------------------------------------------------------------------------------


class BallotView(ApiView):
    """Your ballot in a consultation. PUT submits or replaces it while voting is open, checked
    against the consultation's voting method (the same service and transaction as the web)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.BallotSerializer)
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        ballot = consult_selectors.ballot_of(
            participant=consult_rules.participant_of(request.user), consultation=consultation)
        if ballot is None:
            raise Http404(_("You have not voted in this consultation."))
        return Response(s.BallotSerializer(ballot).data)

    @extend_schema(request=s.BallotWriteSerializer, responses=s.BallotSerializer)
    def put(self, request, pk: int):
        consultation = consultation_or_404(pk)
        data = parsed(s.BallotWriteSerializer, request)
        participant = participant_required(request)
        ballot = consult_services.ballot_submit(
            participant=participant, consultation=consultation,
            choices={choice["proposal"]: choice["points"] for choice in data["choices"]})
        return Response(s.BallotSerializer(ballot).data)


class BallotProposalList(ApiDefaults, generics.ListAPIView):
    """The proposals on the ballot, in a random order per voter (`seed`)."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ProposalSerializer

    @extend_schema(parameters=[PROPOSAL_FILTER_PARAMETERS[-1]])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        return shuffled(
            consult_selectors.proposals_on_ballot(consultation=consultation)
            .select_related("theme", "organisation", "author__user")
            .prefetch_related("year_costs"),
            order_seed(self.request, consultation),
        )


class ResultList(ApiDefaults, generics.ListAPIView):
    """Votes and points per proposal, once voting has closed."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ResultSerializer

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        if consultation.phase not in (Phase.COUNTING, Phase.RESULTS):
            raise NotAllowed(_("Votes per proposal are shown once voting has closed."))
        return consult_selectors.vote_totals(consultation=consultation).select_related("theme")


def my_data(request, participant=None) -> Response:
    participant = participant or consult_rules.participant_of(request.user)
    if participant is None:
        data = {"account": {"username": request.user.get_username(),
                            "email": request.user.email}}
    else:
        data = consult_selectors.participant_data(participant=participant)
    return Response(s.MeSerializer({"data": data}).data)


class Me(ApiView):
    """Everything Cabildo holds about you. PATCH changes your optional profile answers
    (district, age band, gender); DELETE deletes your account (with your password, as on the
    web): your contributions stay, anonymised, so totals hold."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return my_data(request)

    @extend_schema(request=s.ProfileUpdateSerializer, responses=s.MeSerializer)
    def patch(self, request):
        data = parsed(s.ProfileUpdateSerializer, request)
        participant = participant_required(request)
        participant = consult_services.participant_update(
            participant=participant,
            district=data.get("district", participant.district),
            age_band=data.get("age_band", participant.age_band),
            gender=data.get("gender", participant.gender),
        )
        return my_data(request, participant)

    @extend_schema(request=s.AccountDeleteSerializer, responses={204: None})
    def delete(self, request):
        data = parsed(s.AccountDeleteSerializer, request)
        user = request.user
        if not user.check_password(data["password"]):
            raise ServiceError(_("This is not your password."), field="password")
        participant = consult_rules.participant_of(user)
        logout(request._request)  # a browser session ends with the account
        if participant is not None:
            consult_services.participant_erase(participant=participant)
        else:
            user.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeData(ApiView):
    """Download my data: everything Cabildo holds about you (profile, proposals, supports,
    comments, ballots)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return my_data(request)


# --- counts ------------------------------------------------------------------------------------


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


# --- plans -------------------------------------------------------------------------------------


def plan_or_404(request, pk: int) -> StrategyPlan:
    try:
        return plan_selectors.plan_for_reader(user=request.user, pk=pk)
    except StrategyPlan.DoesNotExist as error:
        raise Http404(_("No such plan.")) from error


def live_plan_or_error(request, pk: int) -> StrategyPlan:
    plan = plan_or_404(request, pk)
    if not plan_rules.can_see_live_plan(request.user, plan):
        raise NotAllowed(_("The plan is being revised: read its approved version."))
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
            title=data.get("title", plan.title),
            description=data.get("description", plan.description),
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


class _LivePlanList(ApiDefaults, generics.ListAPIView):
    """Base of the lists of a plan's live parts (objectives, actions, lines, indicators)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.plan = plan_or_404(request, kwargs["pk"])
        if request.method == "GET" and not plan_rules.can_see_live_plan(request.user, self.plan):
            raise NotAllowed(_("The plan is being revised: read its approved version."))


def plan_part(model, plan: StrategyPlan, pk, field: str):
    """An objective or action of this plan named in a request body (400 on the field if not)."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, plan=plan).first()
    if obj is None:
        raise ServiceError(str(plan_services.NOT_OF_THIS_PLAN[field]), field=field)
    obj.plan = plan
    return obj


def loaded_all(model, pks, field: str) -> list:
    objs = list(model.objects.filter(pk__in=set(pks)))
    if len(objs) != len(set(pks)):
        raise ServiceError(_("No such %(what)s.") % {"what": model._meta.verbose_name},
                           field=field)
    return objs


def action_relations(plan: StrategyPlan, data: dict) -> dict:
    """Ids of the action's objective, partner cities and proposals → objects."""
    if "objective" in data:
        data["objective"] = plan_part(Objective, plan, data["objective"], "objective")
    if "partner_cities" in data:
        data["partner_cities"] = loaded_all(City, data["partner_cities"], "partner_cities")
    if "proposals" in data:
        data["proposals"] = loaded_all(Proposal, data["proposals"], "proposals")
    return data


def indicator_targets(data: dict) -> tuple[dict | None, dict | None]:
    items = data.pop("targets", None)
    if items is None:
        return None, None
    targets = {item["year"]: item["target"] for item in items if "target" in item}
    comments = {item["year"]: item["target_comment"] for item in items
                if "target_comment" in item}
    return targets, comments


def indicators_with_periods():
    return Indicator.objects.prefetch_related(
        Prefetch("periods", queryset=IndicatorPeriod.objects.order_by("year")))


def indicator_response(pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.IndicatorSerializer(indicators_with_periods().get(pk=pk)).data,
                    status=code)


class PlanObjectiveList(_LivePlanList):
    """A plan's objectives. POST (the city's planners, while the plan is a draft or returned)
    adds one."""

    queryset = Objective.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ObjectiveSerializer

    def get_queryset(self):
        return Objective.objects.filter(plan=self.plan).order_by("position", "pk")

    @extend_schema(request=s.ObjectiveWriteSerializer, responses={201: s.ObjectiveSerializer})
    def post(self, request, pk: int):
        data = parsed(s.ObjectiveWriteSerializer, request)
        objective = plan_services.objective_create(plan=self.plan, user=request.user, **data)
        return Response(s.ObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)


class PlanActionList(_LivePlanList):
    """A plan's actions. POST (the city's planners, while the plan is a draft or returned) adds
    one under an objective of the plan."""

    queryset = Action.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ActionSerializer

    def get_queryset(self):
        return (Action.objects.filter(plan=self.plan)
                .prefetch_related("partner_cities", "proposals"))

    @extend_schema(request=s.ActionWriteSerializer, responses={201: s.ActionSerializer})
    def post(self, request, pk: int):
        data = action_relations(self.plan, dict(parsed(s.ActionWriteSerializer, request)))
        action = plan_services.action_create(plan=self.plan, user=request.user, **data)
        return Response(s.ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class PlanIndicatorList(_LivePlanList):
    """A plan's indicators with their targets and actuals per year. POST (the city's planners,
    while the plan is a draft or returned) adds one, for an action or an objective, with its
    targets per year."""

    queryset = Indicator.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.IndicatorSerializer

    def get_queryset(self):
        return indicators_with_periods().filter(plan=self.plan)

    @extend_schema(request=s.IndicatorWriteSerializer, responses={201: s.IndicatorSerializer})
    def post(self, request, pk: int):
        data = dict(parsed(s.IndicatorWriteSerializer, request))
        targets, comments = indicator_targets(data)
        data["action"] = plan_part(Action, self.plan, data["action"], "action")
        data["objective"] = plan_part(Objective, self.plan, data["objective"], "objective")
        indicator = plan_services.indicator_create(
            plan=self.plan, user=request.user, targets=targets, target_comments=comments, **data)
        return indicator_response(indicator.pk, status.HTTP_201_CREATED)


class _PlanPartDetail(ApiView):
    """Base of the details of a plan's parts: GET as the live lists; PATCH and DELETE load the
    part if its plan is visible and leave the rest to the service."""

    model = None

    def _part(self, request, pk: int, *, read: bool):
        obj = get_object_or_404(self.model.objects.all(), pk=pk)
        obj.plan = (live_plan_or_error if read else plan_or_404)(request, obj.plan_id)
        return obj


class ObjectiveDetail(_PlanPartDetail):
    """An objective. PATCH and DELETE (an objective without actions): the city's planners,
    while the plan is a draft or returned."""

    model = Objective

    @extend_schema(responses=s.ObjectiveSerializer)
    def get(self, request, pk: int):
        return Response(s.ObjectiveSerializer(self._part(request, pk, read=True)).data)

    @extend_schema(request=s.ObjectiveUpdateSerializer, responses=s.ObjectiveSerializer)
    def patch(self, request, pk: int):
        objective = self._part(request, pk, read=False)
        data = parsed(s.ObjectiveUpdateSerializer, request)
        objective = plan_services.objective_update(objective=objective, user=request.user,
                                                   **data)
        return Response(s.ObjectiveSerializer(objective).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        objective = self._part(request, pk, read=False)
        plan_services.objective_delete(objective=objective, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionDetail(_PlanPartDetail):
    """An action. PATCH and DELETE (with its budget lines and indicators): the city's planners,
    while the plan is a draft or returned."""

    model = Action

    @extend_schema(responses=s.ActionSerializer)
    def get(self, request, pk: int):
        return Response(s.ActionSerializer(self._part(request, pk, read=True)).data)

    @extend_schema(request=s.ActionUpdateSerializer, responses=s.ActionSerializer)
    def patch(self, request, pk: int):
        action = self._part(request, pk, read=False)
        data = action_relations(action.plan, dict(parsed(s.ActionUpdateSerializer, request)))
        action = plan_services.action_update(action=action, user=request.user, **data)
        return Response(s.ActionSerializer(action).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        action = self._part(request, pk, read=False)
        plan_services.action_delete(action=action, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorDetail(_PlanPartDetail):
    """An indicator with its periods. PATCH (targets: only the years sent change) and DELETE:
    the city's planners, while the plan is a draft or returned."""

    model = Indicator

    @extend_schema(responses=s.IndicatorSerializer)
    def get(self, request, pk: int):
        indicator = self._part(request, pk, read=True)
        return indicator_response(indicator.pk)

    @extend_schema(request=s.IndicatorUpdateSerializer, responses=s.IndicatorSerializer)
    def patch(self, request, pk: int):
        indicator = self._part(request, pk, read=False)
        data = dict(parsed(s.IndicatorUpdateSerializer, request))
        targets, comments = indicator_targets(data)
        for name, model in (("action", Action), ("objective", Objective)):
            if name in data:
                data[name] = plan_part(model, indicator.plan, data[name], name)
        plan_services.indicator_update(indicator=indicator, user=request.user, targets=targets,
                                       target_comments=comments, **data)
        return indicator_response(pk)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        indicator = self._part(request, pk, read=False)
        plan_services.indicator_delete(indicator=indicator, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorActuals(ApiView):
    """Monitoring: the city's planners record an indicator's actual value for a year, once the
    plan is approved."""

    @extend_schema(request=s.ActualWriteSerializer, responses=s.IndicatorSerializer)
    def put(self, request, pk: int):
        indicator = get_object_or_404(Indicator.objects.all(), pk=pk)
        indicator.plan = plan_or_404(request, indicator.plan_id)
        data = parsed(s.ActualWriteSerializer, request)
        plan_services.indicator_record_actual(indicator=indicator, user=request.user, **data)
        return indicator_response(pk)


class PlanBudgetLineList(_LivePlanList):
    """A plan's budget lines (per action and year). POST (the city's planners, while the plan is
    a draft or returned) adds one."""

    queryset = BudgetLine.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.BudgetLineSerializer

    def get_queryset(self):
        return BudgetLine.objects.filter(action__plan=self.plan).order_by(
            "action_id", "year", "source", "type", "pk")

    @extend_schema(request=s.BudgetLineWriteSerializer, responses={201: s.BudgetLineSerializer})
    def post(self, request, pk: int):
        data = dict(parsed(s.BudgetLineWriteSerializer, request))
        action = Action.objects.filter(pk=data.pop("action"), plan=self.plan).first()
        if action is None:
            raise ServiceError(_("Choose an action of this plan."), field="action")
        action.plan = self.plan
        line = plan_services.budget_line_create(action=action, user=request.user, **data)
        return Response(s.BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)


class BudgetLineDetail(ApiView):
    """A budget line. PATCH and DELETE: the city's planners, while the plan is a draft or
    returned."""

    def _line(self, request, pk: int, *, read: bool) -> BudgetLine:
        line = get_object_or_404(BudgetLine.objects.select_related("action"), pk=pk)
        plan = (live_plan_or_error if read else plan_or_404)(request, line.action.plan_id)
        line.action.plan = plan
        return line

    @extend_schema(responses=s.BudgetLineSerializer)
    def get(self, request, pk: int):
        return Response(s.BudgetLineSerializer(self._line(request, pk, read=True)).data)

    @extend_schema(request=s.BudgetLineUpdateSerializer, responses=s.BudgetLineSerializer)
    def patch(self, request, pk: int):
        line = self._line(request, pk, read=False)
        data = parsed(s.BudgetLineUpdateSerializer, request)
        line = plan_services.budget_line_update(line=line, user=request.user, **data)
        return Response(s.BudgetLineSerializer(line).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        line = self._line(request, pk, read=False)
        plan_services.budget_line_delete(line=line, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetLineSpending(ApiView):
    """Monitoring: the city's planners record what was spent on a budget line, once the plan is
    approved (null clears it)."""

    @extend_schema(request=s.SpendingWriteSerializer, responses=s.BudgetLineSerializer)
    def put(self, request, pk: int):
        line = get_object_or_404(BudgetLine.objects.select_related("action"), pk=pk)
        line.action.plan = plan_or_404(request, line.action.plan_id)
        data = parsed(s.SpendingWriteSerializer, request)
        line = plan_services.budget_line_record_spending(line=line, user=request.user,
                                                          spent=data["spent"])
        return Response(s.BudgetLineSerializer(line).data)


class PlanSubmit(ApiView):
    """The city's planners freeze the plan into a new version and send it to the council."""

    @extend_schema(request=s.PlanSubmitSerializer, responses={201: s.PlanVersionSerializer})
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.PlanSubmitSerializer, request)
        version = plan_services.plan_submit(plan=plan, user=request.user, note=data["note"])
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
    """Council decisions on a plan's versions (everybody sees approvals; the city's planners
    and council see returns too). POST: a council member of the city approves or returns the
    version under review."""

    queryset = ReviewDecision.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ReviewDecisionSerializer

    def get_queryset(self):
        plan = plan_or_404(self.request, self.kwargs["pk"])
        return plan_selectors.plan_decisions_readable(user=self.request.user, plan=plan)

    @extend_schema(request=s.ReviewDecisionWriteSerializer,
                   responses={201: s.ReviewDecisionSerializer})
    def post(self, request, pk: int):
        plan = plan_or_404(request, pk)
        data = parsed(s.ReviewDecisionWriteSerializer, request)
        decision = plan_services.plan_review_decide(
            plan=plan, user=request.user, decision=data["decision"], reason=data["reason"])
        return Response(s.ReviewDecisionSerializer(decision).data,
                        status=status.HTTP_201_CREATED)


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
        action = None
        if data["action"] is not None:
            action = Action.objects.filter(pk=data["action"], plan=plan).first()
            if action is None:
                raise ServiceError(_("Choose an action of this plan."), field="action")
        comment = plan_services.plan_comment_create(plan=plan, user=request.user,
                                                    body=data["body"], action=action)
        return Response(s.PlanCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- published reports -------------------------------------------------------------------------


class PublishedReportList(ApiDefaults, generics.ListAPIView):
    """Published reports (frozen: what the council saw stays what it saw), newest first."""

    serializer_class = s.PublishedReportSerializer
    filterset_fields = ["kind", "city", "consultation", "plan"]

    def get_queryset(self):
        return report_selectors.published_reports()

    queryset = PublishedReport.objects.none()  # for the schema; get_queryset() decides


class PublishedReportDetail(ApiView):
    """A published report's frozen tables, charts and summary."""

    @extend_schema(responses=s.PublishedReportDataSerializer)
    def get(self, request, pk: int):
        try:
            report = report_selectors.published_report_get(pk=pk)
        except PublishedReport.DoesNotExist as error:
            raise Http404(_("No such report.")) from error
        return Response(s.PublishedReportDataSerializer(
            report_selectors.published_report_data(report)).data)


# --- authentication ----------------------------------------------------------------------------


class ObtainToken(ApiDefaults, ObtainAuthToken):
    """Exchange a username and password for your API token (send it as
    `Authorization: Token <key>`)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        request=inline_serializer("TokenRequest", {
            "username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)



class NotFound(ApiView):
    """Any other URL under /api/: a 404 in the API's error format (not the HTML page)."""

    permission_classes = []
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404(_("There is no such API address."))

    def get(self, request, *args, **kwargs):  # pragma: no cover - initial() raised
        raise Http404

    post = put = patch = delete = get
