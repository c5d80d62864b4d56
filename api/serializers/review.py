"""The review of proposals before the vote: a proposal's assessment and the assignment of
proposals to reviewers."""
from __future__ import annotations

from rest_framework import serializers

from consult.models import ProposalAssessment

from ._common import ID_LIMITS, MONEY, each_year_once, user_name
from .proposals import YearCostSerializer


class AssessmentSerializer(serializers.ModelSerializer):
    """What everyone reads of an assessment: the verdict, its reason, the validated cost (and
    why it differs from the estimate) and its split per year."""

    proposal = serializers.IntegerField(source="proposal_id", read_only=True)
    estimated_cost = serializers.DecimalField(source="proposal.estimated_cost", read_only=True,
                                              **MONEY)
    year_costs = YearCostSerializer(many=True, read_only=True)

    class Meta:
        model = ProposalAssessment
        fields = ["proposal", "verdict", "reason", "estimated_cost", "validated_cost",
                  "cost_reason", "year_costs", "assessed_at"]
        read_only_fields = fields


class AssessmentStaffSerializer(AssessmentSerializer):
    """The city's staff also read the notes for the planners, the reviewer assigned and who
    assessed."""

    reviewer = serializers.SerializerMethodField()
    assessed_by = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "notes", "reviewer", "assessed_by"]
        read_only_fields = fields

    def get_reviewer(self, assessment: ProposalAssessment) -> str | None:
        return user_name(assessment.reviewer)

    def get_assessed_by(self, assessment: ProposalAssessment) -> str | None:
        return user_name(assessment.assessed_by)


class AssessmentWriteSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=[
        ProposalAssessment.Verdict.FEASIBLE, ProposalAssessment.Verdict.NOT_FEASIBLE])
    reason = serializers.CharField(max_length=2000, required=False, default="",
                                   allow_blank=True)
    validated_cost = serializers.DecimalField(min_value=0, required=False, default=None,
                                              allow_null=True, **MONEY)
    cost_reason = serializers.CharField(max_length=2000, required=False, default="",
                                        allow_blank=True)
    year_costs = YearCostSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(max_length=4000, required=False, default="",
                                  allow_blank=True)

    def validate_year_costs(self, value):
        return each_year_once(value)


class AssignmentWriteSerializer(serializers.Serializer):
    proposals = serializers.ListField(child=serializers.IntegerField(**ID_LIMITS),
                                      min_length=1, max_length=1000)
    reviewer = serializers.IntegerField(allow_null=True, help_text=(
        "The user id of a reviewer of the consultation's city; null takes the proposals "
        "back."), **ID_LIMITS)


class AssignmentSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
