"""The review of proposals before the vote: read and write a proposal's assessment, assign a
consultation's proposals to reviewers. The rules are `consult.services.review`'s."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services

from .. import serializers as s
from ._common import ApiView, consultation_or_404, load, parsed, visible_proposal

NOT_ASSESSED = gettext_lazy("This proposal has not been assessed yet.")


def _assessment_response(request, proposal) -> Response:
    """The staff see the whole assessment (notes, reviewer), even before its verdict; everyone
    else its public part once it has one."""
    if consult_rules.can_read_assessment_notes(request.user, proposal):
        assessment = consult_selectors.assessment_of(proposal=proposal)
        serializer = s.AssessmentStaffSerializer
    else:
        assessment = consult_selectors.assessment_public(proposal=proposal)
        serializer = s.AssessmentSerializer
    if assessment is None:
        raise Http404(NOT_ASSESSED)
    return Response(serializer(assessment).data)


class ProposalAssessmentView(ApiView):
    """A proposal's assessment. GET: its public part (verdict, reasons, validated cost and its
    split), and for the city's staff the notes for the planners and the reviewer. PUT: the
    city's reviewers, planners and administrators record it, between the close of proposals
    and the opening of the vote."""

    @extend_schema(responses=s.AssessmentStaffSerializer)
    def get(self, request, pk: int):
        return _assessment_response(request, visible_proposal(request, pk))

    @extend_schema(request=s.AssessmentWriteSerializer, responses=s.AssessmentStaffSerializer)
    def put(self, request, pk: int):
        proposal = visible_proposal(request, pk)
        data = parsed(s.AssessmentWriteSerializer, request)
        consult_services.assessment_save(
            user=request.user, proposal=proposal, verdict=data["verdict"],
            reason=data["reason"], validated_cost=data["validated_cost"],
            cost_reason=data["cost_reason"], notes=data["notes"],
            year_costs={item["year"]: item["amount"] for item in data["year_costs"]})
        return _assessment_response(request, visible_proposal(request, pk))


class AssignmentCreate(ApiView):
    """A city administrator assigns proposals of a consultation to one of the city's reviewers
    (or takes them back with `reviewer: null`), before voting opens."""

    @extend_schema(request=s.AssignmentWriteSerializer, responses=s.AssignmentSerializer)
    def post(self, request, pk: int):
        consultation = consultation_or_404(pk)
        data = parsed(s.AssignmentWriteSerializer, request)
        assigned = consult_services.assessment_assign(
            user=request.user, consultation=consultation, proposal_ids=data["proposals"],
            reviewer=load(get_user_model(), data["reviewer"], "reviewer"))
        return Response(s.AssignmentSerializer({"assigned": assigned}).data)
