"""Proposals and supports; discussion (comments, flags) and moderation."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import (
    COMMENT_BODY_MAX_CHARS,
    PROPOSAL_BODY_MAX_CHARS,
    Comment,
    Flag,
    ModerationDecision,
    Proposal,
)
from planning.selectors.fates import FATE_LABELS, Fate, proposal_fates

from ._common import ID_LIMITS, MONEY, TranslationsField, display_name, each_year_once


class YearCostSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    amount = serializers.DecimalField(min_value=0, **MONEY)


class PaidForSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(allow_null=True, help_text="A selected proposal's id.")
    title = serializers.CharField()
    amount = serializers.FloatField(help_text="What the supporters paid for it, between them.")


class PlanYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    committed = serializers.BooleanField()
    spent = serializers.DecimalField(**MONEY, allow_null=True)


class PlanActionSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan_id")
    plan_title = serializers.CharField()
    version = serializers.IntegerField()
    action = serializers.IntegerField(source="action_id")
    action_title = serializers.CharField()
    currency = serializers.CharField()
    years = PlanYearSerializer(many=True)
    total = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY, allow_null=True)


class FateSerializer(serializers.Serializer):
    """What became of a proposal and why, in the request's language."""

    status = serializers.ChoiceField(choices=list(FATE_LABELS))
    label = serializers.CharField()
    reason = serializers.CharField(help_text="Why, in words, in the request's language.")
    effective_support = serializers.SerializerMethodField()
    figures = serializers.DictField(help_text=(
        "The official count's figures behind the reason: votes, cost, round, rank, "
        "price_per_supporter, remaining_before, supporters_money_left, voter_budget, …"))
    supporters_paid_for = PaidForSerializer(many=True, help_text=(
        "Equal shares: the selected proposals its supporters' money went to."))
    plan_actions = PlanActionSerializer(many=True, help_text=(
        "When selected: the approved plans' actions it became."))

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_effective_support(self, fate: Fate) -> float | None:
        """The share of its cost its supporters could still pay when the count considered it
        (equal shares; 1 or more means funded)."""
        return fate.figures.get("effective_support")


class ProposalListSerializer(serializers.ListSerializer):
    """A page of proposals (of one consultation): their fates in one go."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        if items:
            self.child.context["fates"] = proposal_fates(
                consultation=items[0].consultation, proposals=items)
        return super().to_representation(items)


class ProposalSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    theme_slug = serializers.CharField(source="theme.slug", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    year_costs = YearCostSerializer(many=True, read_only=True)
    support_count = serializers.IntegerField(read_only=True, default=0)
    is_supported = serializers.SerializerMethodField()
    fate = serializers.SerializerMethodField()
    title_translations = TranslationsField("title", read_only=True)
    summary_translations = TranslationsField("summary", read_only=True)
    body_translations = TranslationsField("body", read_only=True)

    class Meta:
        model = Proposal
        list_serializer_class = ProposalListSerializer
        fields = [
            "id", "consultation", "theme", "theme_slug", "organisation", "organisation_name",
            "author", "title", "summary", "body", "estimated_cost", "year_costs", "partners",
            "action_kind", "reference", "district", "status", "status_reason", "is_hidden",
            "published_at", "created_at", "support_count", "is_supported", "fate",
            "title_translations", "summary_translations", "body_translations",
        ]

    @extend_schema_field(serializers.CharField())
    def get_author(self, proposal: Proposal) -> str:
        return display_name(proposal.author)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_is_supported(self, proposal: Proposal) -> bool | None:
        """Whether you support it (null when you are not a participant)."""
        return getattr(proposal, "is_supported", None)

    @extend_schema_field(FateSerializer(allow_null=True))
    def get_fate(self, proposal: Proposal) -> dict | None:
        """What became of it and why (null for a draft)."""
        fates = self.context.get("fates")
        if fates is None:
            fates = proposal_fates(consultation=proposal.consultation, proposals=[proposal])
        fate = fates.get(proposal.pk)
        return None if fate is None else FateSerializer(fate).data


class ProposalWriteSerializer(serializers.Serializer):
    theme = serializers.IntegerField(**ID_LIMITS, help_text="A theme id of the consultation.")
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500)
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=PROPOSAL_BODY_MAX_CHARS,
                                 help_text="Markdown, at most 20,000 characters.")
    title_translations = TranslationsField("title", max_length=200)
    summary_translations = TranslationsField("summary", max_length=500)
    body_translations = TranslationsField("body", max_length=PROPOSAL_BODY_MAX_CHARS)
    estimated_cost = serializers.DecimalField(min_value=0, **MONEY)
    action_kind = serializers.ChoiceField(choices=Proposal.ActionKind.choices)
    partners = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                     default="")
    district = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                     default="")
    organisation = serializers.IntegerField(
        **ID_LIMITS, required=False, allow_null=True, default=None,
        help_text="Submit on behalf of an organisation you belong to.",
    )
    year_costs = YearCostSerializer(many=True, required=False, default=list)
    publish = serializers.BooleanField(
        required=False, default=True, help_text="False saves a draft only you can see."
    )

    def validate_year_costs(self, value):
        return each_year_once(value)


class ProposalUpdateSerializer(ProposalWriteSerializer):
    """Every field optional: only what is sent changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)


class SupportSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    supported = serializers.BooleanField(help_text="Whether you support the proposal.")
    support_count = serializers.IntegerField()


class FollowSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    following = serializers.BooleanField(help_text="Whether you follow the proposal.")


# --- discussion and moderation -----------------------------------------------------------------


class ReplySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "proposal", "parent", "author", "body", "is_hidden", "created_at",
                  "edited_at"]

    @extend_schema_field(serializers.CharField())
    def get_author(self, comment: Comment) -> str:
        return display_name(comment.author)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, comment: Comment) -> str | None:
        """Null when the comment is hidden by moderation (except for its author and the
        city's moderators)."""
        if not comment.is_hidden:
            return comment.body
        viewer = self.context.get("participant")
        if self.context.get("can_moderate") or (
            viewer is not None and comment.author_id == viewer.pk
        ):
            return comment.body
        return None


class CommentSerializer(ReplySerializer):
    replies = ReplySerializer(many=True, read_only=True)

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "replies"]


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_BODY_MAX_CHARS)
    parent = serializers.IntegerField(
        **ID_LIMITS, required=False, allow_null=True, default=None,
        help_text="The comment you reply to (replies stay one level deep).",
    )


class FlagWriteSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                        default=None)
    comment = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                       default=None)
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "proposal", "comment", "reason", "detail", "created_at", "resolved_at"]


class ModerationDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModerationDecision
        fields = ["id", "proposal", "comment", "action", "reason", "created_at"]


class ModerationDecisionWriteSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                        default=None)
    comment = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                       default=None)
    action = serializers.ChoiceField(choices=ModerationDecision.Action.choices)
    reason = serializers.CharField(max_length=4000)


class BallotProposalSerializer(ProposalSerializer):
    """A proposal on the ballot, with the cost the vote counts."""

    cost = serializers.DecimalField(
        source="ballot_cost", read_only=True, **MONEY,
        help_text="The cost on the ballot (in the budget limit and in counts): the validated "
                  "cost of a proposal found feasible, the author's estimate otherwise.")

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "cost"]
