"""Voting (your ballot, the ballot's proposals, results) and your own data (me)."""
from __future__ import annotations

from django.contrib.auth import logout
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult import eligibility
from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services
from consult import tasks as consult_tasks
from consult.filters import shuffled
from consult.models import Phase, Proposal
from core.errors import NotAllowed
from core.login_limits import client_address
from planning import selectors as plan_selectors

from .. import serializers as s
from ..filters import order_seed
from ._common import ApiDefaults, ApiView, consultation_or_404, parsed, participant_required
from .proposals import PROPOSAL_FILTER_PARAMETERS


class ConsultationEligibility(ApiView):
    """What you may do in a consultation — submit proposals, support them, vote — and, for
    what you may not, what you need and where to get it (`docs/eligibility.md`); anonymous
    readers are told to sign in. Phases aside: the consultation's dates say when."""

    @extend_schema(responses=s.EligibilitySerializer)
    def get(self, request, pk: int):
        consultation = consultation_or_404(pk)
        data = {"minimum_age": consultation.minimum_age}
        for action in eligibility.ACTIONS:
            need = eligibility.requirement(user=request.user, consultation=consultation,
                                           action=action)
            data[action] = {
                "rule": eligibility.eligibility_for(consultation, action),
                "allowed": need is None or not need.blocking,
                "needs": None if need is None else {
                    "code": need.code, "message": need.message, "url": need.url,
                    "blocking": need.blocking},
            }
        return Response(s.EligibilitySerializer(data).data)


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
            raise Http404(consult_selectors.NOT_VOTED)
        return Response(s.BallotSerializer(ballot).data)

    @extend_schema(request=s.BallotWriteSerializer, responses=s.BallotSerializer)
    def put(self, request, pk: int):
        consultation = consultation_or_404(pk)
        data = parsed(s.BallotWriteSerializer, request)
        participant = participant_required(request)
        ballot = consult_services.ballot_submit(
            participant=participant, consultation=consultation,
            choices={choice["proposal"]: choice["points"] for choice in data["choices"]},
            voting_code=data.get("voting_code", ""))
        return Response(s.BallotSerializer(ballot).data)


class BallotProposalList(ApiDefaults, generics.ListAPIView):
    """The proposals on the ballot, in a random order per voter (`seed`)."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.BallotProposalSerializer

    @extend_schema(parameters=[PROPOSAL_FILTER_PARAMETERS[-1]])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        return shuffled(
            consult_selectors.proposals_on_ballot(consultation=consultation)
            .select_related("theme", "organisation", "author__user", "author__city")
            .prefetch_related("year_costs"),
            order_seed(self.request, consultation),
        )


class TallyPending(exceptions.APIException):
    """Voting has closed and a worker is storing the totals: ask again shortly."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "tally_pending"

    def __init__(self):
        super().__init__(str(consult_tasks.TALLY_PENDING))


class ResultList(ApiDefaults, generics.ListAPIView):
    """Votes and points per proposal, once voting has closed."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ResultSerializer

    def get_queryset(self):
        consultation = consultation_or_404(self.kwargs["pk"])
        if consultation.phase not in (Phase.COUNTING, Phase.RESULTS):
            raise NotAllowed(_("Votes per proposal are shown once voting has closed."))
        if consult_tasks.stored_tally(consultation=consultation) is None:
            raise TallyPending
        return consult_selectors.vote_totals(consultation=consultation)


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
            public_name=data.get("public_name", participant.public_name),
            age_band=data.get("age_band", participant.age_band),
            gender=data.get("gender", participant.gender),
        )
        return my_data(request, participant)

    @extend_schema(request=s.AccountDeleteSerializer, responses={204: None})
    def delete(self, request):
        data = parsed(s.AccountDeleteSerializer, request)
        consult_services.account_delete(user=request.user, password=data["password"])
        logout(request._request)  # a browser session ends with the account
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeData(ApiView):
    """Download my data: everything Cabildo holds about you (profile, proposals, supports,
    comments, ballots)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return my_data(request)


class ReceiptCheck(ApiView):
    """Check a ballot's receipt code: whether that ballot is in the official count and which
    count (rule, input hash). No personal data; the ballot's holder, authenticated, also gets
    its choices and its voter number in the published ballot file. An unknown code is a 404.
    Lookups are limited per address (shared with the web page): 429 beyond the limit."""

    permission_classes: list = []

    @extend_schema(responses={200: s.ReceiptSerializer, 404: None, 429: None})
    def get(self, request, code: str):
        wait = plan_selectors.receipt_lookup_wait(address=client_address(request))
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        check = plan_selectors.receipt_check(code=code, user=request.user)
        if check is None:
            raise Http404(str(plan_selectors.RECEIPT_NOT_FOUND))
        return Response(s.ReceiptSerializer(check).data)
