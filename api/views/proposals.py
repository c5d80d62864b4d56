"""Proposals, supports, comments, flags and moderation decisions."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.filters import Ordering, ProposalFilter
from consult.models import Comment, ModerationDecision, Organisation, Proposal, Theme
from consult.selectors import VISIBLE_STATUSES
from core.errors import ServiceError

from .. import serializers as s
from ..filters import ProposalFilterBackend
from ._common import (
    ApiDefaults,
    ApiView,
    consultation_or_404,
    load,
    parsed,
    participant_required,
    proposal_response,
    visible_proposal,
)

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
        theme = Theme.objects.filter(pk=data["theme"]).first()  # the service checks it is ours
        proposal = consult_services.proposal_create(
            author=participant, consultation=self.consultation, theme=theme,
            title=data["title"], summary=data["summary"], body=data["body"],
            estimated_cost=data["estimated_cost"], action_kind=data["action_kind"],
            partners=data["partners"], district=data["district"],
            organisation=load(Organisation, data["organisation"], "organisation"),
            year_costs={item["year"]: item["amount"] for item in data["year_costs"]},
            publish=data["publish"],
            translations=s.translations_of(data, "title", "summary", "body"),
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
        translations = s.translations_of(data, "title", "summary", "body")
        if "theme" in data:
            data["theme"] = Theme.objects.filter(pk=data["theme"]).first()
        if "organisation" in data:
            data["organisation"] = load(Organisation, data["organisation"], "organisation")
        consult_services.proposal_update(
            proposal=proposal, user=request.user, publish=publish, translations=translations,
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
            "support_count": Proposal.objects.values_list("support_count", flat=True).get(
                pk=proposal.pk),
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


class FollowView(ApiView):
    """Your following of a proposal (you are told what becomes of it: its fate in the results,
    the progress of the plan actions born from it). GET reads it, POST follows (twice changes
    nothing), DELETE stops following. Only a published, shortlisted or selected proposal that
    is not hidden can be followed; you need a participant profile."""

    permission_classes = [IsAuthenticated]

    def _state(self, request, proposal) -> Response:
        return Response({"proposal": proposal.pk, "following": consult_selectors.follows_proposal(
            participant=consult_rules.participant_of(request.user), proposal=proposal)})

    @extend_schema(responses=s.FollowSerializer)
    def get(self, request, pk: int):
        return self._state(request, visible_proposal(request, pk))

    @extend_schema(request=None, responses=s.FollowSerializer)
    def post(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        consult_services.proposal_follow(user=request.user, proposal=proposal)
        return self._state(request, proposal)

    @extend_schema(request=None, responses={200: s.FollowSerializer})
    def delete(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        consult_services.proposal_unfollow(user=request.user, proposal=proposal)
        return self._state(request, proposal)


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
        comment = consult_services.comment_create(
            author=participant, proposal=self.proposal, body=data["body"],
            parent_id=data["parent"])
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
