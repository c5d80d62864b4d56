"""Strategy plans: the plan tree (live or frozen), its update, versions, council
decisions and review comments (its parts: api.serializers.plan_parts)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.i18n import translations
from planning.models import (
    CouncilRule,
    CouncilVote,
    Indicator,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ResultLevel,
    ReviewDecision,
    StrategyPlan,
)

from ._common import ID_LIMITS, MONEY, TranslationsField, each_year_once, user_name
from .proposals import YearCostSerializer


class SnapshotLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    amount = serializers.CharField(help_text="Decimal amount as a string.")
    currency = serializers.CharField()
    # Plain strings here (the values of BudgetLine's fields): the enums are documented once, on
    # the BudgetLine component.
    source = serializers.CharField(help_text="A funding source, as in BudgetLine.")
    type = serializers.CharField(help_text="original or revised, as in BudgetLine.")
    status = serializers.CharField(help_text="indicative or committed, as in BudgetLine.")


class SnapshotActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    objective = serializers.IntegerField()
    objective_title = serializers.CharField(allow_blank=True)
    department = serializers.CharField(allow_blank=True)
    partners = serializers.CharField(allow_blank=True)
    partner_cities = serializers.ListField(child=serializers.CharField())
    rank = serializers.IntegerField(allow_null=True)
    proposals = serializers.ListField(child=serializers.IntegerField())
    budget_lines = SnapshotLineSerializer(many=True)


class SnapshotObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    result_level = serializers.ChoiceField(choices=ResultLevel.choices)
    theme = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()


class SnapshotTargetSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class SnapshotIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    action = serializers.IntegerField(allow_null=True)
    objective = serializers.IntegerField(allow_null=True)
    measure = serializers.ChoiceField(choices=Indicator.Measure.choices)
    unit_label = serializers.CharField(allow_blank=True)
    ascending = serializers.BooleanField()
    baseline_year = serializers.IntegerField(allow_null=True)
    baseline_value = serializers.CharField(allow_null=True)
    baseline_comment = serializers.CharField(allow_blank=True)
    means_of_verification = serializers.CharField(allow_blank=True)
    assumptions = serializers.CharField(allow_blank=True)
    targets = serializers.DictField(child=SnapshotTargetSerializer(),
                                    help_text="Targets per year (keys are years).")


class PlanContentSerializer(serializers.Serializer):
    """The whole plan tree: the live working copy (for the city's planners and council) or the
    frozen approved version (for everybody else)."""

    ceilings = serializers.DictField(child=serializers.CharField(allow_null=True),
                                     help_text="Annual ceilings per year (keys are years).")
    objectives = SnapshotObjectiveSerializer(many=True)
    actions = SnapshotActionSerializer(many=True)
    indicators = SnapshotIndicatorSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    """A plan as the viewer may see it. The city's planners and council see the live plan;
    everybody else sees the figures of its approved version (``version``)."""

    id = serializers.IntegerField()
    city = serializers.IntegerField()
    title = serializers.CharField(help_text="In the reader's language, else the city's.")
    description = serializers.CharField(allow_blank=True)
    title_translations = serializers.DictField(
        child=serializers.CharField(), help_text="The title in every language it is written in.")
    description_translations = serializers.DictField(child=serializers.CharField())
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    currency = serializers.CharField()
    envelope = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    count_run = serializers.IntegerField(allow_null=True)
    consultations = serializers.ListField(child=serializers.IntegerField())
    approved_version = serializers.IntegerField(
        allow_null=True, help_text="The number of the version in force."
    )
    version = serializers.IntegerField(
        allow_null=True, help_text="The version these figures come from; null: the live plan."
    )
    content = PlanContentSerializer(
        required=False, help_text="The plan tree (in the detail, not in lists)."
    )


#: One component for lists and details (the detail adds `content`).
PlanDetailSerializer = PlanSerializer


def plan_data(plan: StrategyPlan, *, live: bool, content: bool = False) -> dict:
    """The data PlanSerializer shows: from the live plan, or from the approved snapshot."""
    from planning import selectors

    approved = plan.approved_version.number if plan.approved_version_id else None
    if live:
        snapshot = selectors.plan_snapshot(plan=plan) if content else None
        head = {
            "title": plan.title, "description": plan.description,
            "title_translations": translations(plan, "title"),
            "description_translations": translations(plan, "description"),
            "start_year": plan.start_year, "end_year": plan.end_year,
            "currency": plan.currency,
            "envelope": None if plan.envelope is None else f"{plan.envelope:.2f}",
            "count_run": plan.count_run_id,
            "consultations": [c.pk for c in plan.consultations.all()],
            "version": None,
        }
    else:
        snapshot = plan.approved_version.snapshot
        frozen = selectors.localize_item(snapshot["plan"], plan.city.default_language,
                                         "title", "description")
        texts = snapshot["plan"].get("translations") or {}
        head = {
            "title": frozen["title"], "description": frozen["description"],
            "title_translations": texts.get("title") or {},
            "description_translations": texts.get("description") or {},
            "start_year": frozen["start_year"], "end_year": frozen["end_year"],
            "currency": frozen["currency"], "envelope": frozen["envelope"],
            "count_run": frozen["count_run"],
            "consultations": [c["id"] for c in frozen["consultations"]],
            "version": approved,
        }
    data = {"id": plan.pk, "city": plan.city_id, "status": plan.status,
            "approved_version": approved, **head}
    if content:
        data["content"] = {key: snapshot[key] for key in
                           ("ceilings", "objectives", "actions", "indicators")}
    return data


class PlanUpdateSerializer(serializers.Serializer):
    """Every field optional: only what is sent changes (`plan_update`)."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    title_translations = TranslationsField("title", max_length=200)
    description_translations = TranslationsField("description")
    envelope = serializers.DecimalField(min_value=0, required=False, allow_null=True, **MONEY)
    ceilings = YearCostSerializer(many=True, required=False,
                                  help_text="Replaces the annual ceilings (years of the plan).")

    def validate_ceilings(self, value):
        return each_year_once(value)


class PlanSubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    override_checks = serializers.BooleanField(
        required=False, default=False,
        help_text="Submit although the checks found errors (severity error); needs "
                  "override_reason.")
    override_reason = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                            default="")


class PlanVersionSerializer(serializers.ModelSerializer):
    decision = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["number", "plan", "note", "checks", "checks_overridden", "override_reason",
                  "created_at", "decision"]

    @extend_schema_field(serializers.ChoiceField(choices=ReviewDecision.Decision.choices,
                                                 allow_null=True))
    def get_decision(self, version: PlanVersion) -> str | None:
        try:
            return version.decision.decision
        except ReviewDecision.DoesNotExist:
            return None


class PlanVersionDetailSerializer(PlanVersionSerializer):
    snapshot = serializers.JSONField(help_text="The whole plan as it was submitted.")

    class Meta(PlanVersionSerializer.Meta):
        fields = [*PlanVersionSerializer.Meta.fields, "snapshot"]


TALLY_KEYS = ("approve", "return", "abstain", "members", "cast", "rule")


class ReviewDecisionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    reviewer = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()

    class Meta:
        model = ReviewDecision
        fields = ["id", "plan", "version", "reviewer", "decision", "reason", "tally",
                  "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reviewer(self, decision: ReviewDecision) -> str | None:
        return user_name(decision.reviewer)

    @extend_schema_field(serializers.DictField(
        help_text="approve, return, abstain, members, cast and the rule applied; empty for "
                  "decisions recorded before votes were."))
    def get_tally(self, decision: ReviewDecision) -> dict:
        return {key: decision.tally.get(key) for key in TALLY_KEYS} if decision.tally else {}


class CouncilVoteSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    member = serializers.SerializerMethodField()

    class Meta:
        model = CouncilVote
        fields = ["id", "plan", "version", "member", "vote", "comment", "overrides_checks",
                  "override_reason", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member(self, vote: CouncilVote) -> str | None:
        return user_name(vote.member)


class CouncilVoteWriteSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=CouncilVote.Vote.choices)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                    default="")
    override_checks = serializers.BooleanField(required=False, default=False)
    override_reason = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                            default="")


class CouncilRuleSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    class Meta:
        model = CouncilRule
        fields = ["city", "quorum", "quorum_count", "quorum_percent", "majority",
                  "single_member_decides", "members", "description"]
        read_only_fields = ["city"]

    @extend_schema_field(serializers.IntegerField())
    def get_members(self, rule: CouncilRule) -> int:
        return self.context.get("members", 0)

    @extend_schema_field(serializers.CharField())
    def get_description(self, rule: CouncilRule) -> str:
        return rule.describe()


class CouncilRuleWriteSerializer(serializers.Serializer):
    quorum = serializers.ChoiceField(choices=CouncilRule.Quorum.choices)
    quorum_count = serializers.IntegerField(min_value=1, max_value=32767, required=False,
                                            allow_null=True, default=None)
    quorum_percent = serializers.IntegerField(min_value=1, max_value=100, required=False,
                                              allow_null=True, default=None)
    majority = serializers.ChoiceField(choices=CouncilRule.Majority.choices)
    single_member_decides = serializers.BooleanField(required=False, default=False)


class PlanCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="version.number", read_only=True, default=None,
                                       allow_null=True)

    class Meta:
        model = PlanComment
        fields = ["id", "plan", "version", "action", "action_title", "author", "body",
                  "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, comment: PlanComment) -> str | None:
        return user_name(comment.author)


class PlanCommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)
    action = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                      default=None)


class WaitingItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="The web page where the work is done.")
    detail = serializers.CharField(help_text="What happens, e.g. which phase changes.")
    when = serializers.DateTimeField(allow_null=True)


class WaitingGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["moderation", "counts", "returned", "council", "phases"],
        help_text="moderation: content with open reports; counts: consultations whose voting "
                  "closed without an official count; returned: plans the council returned; "
                  "council: plans awaiting your vote; phases: phase changes of the next 7 days.")
    title = serializers.CharField()
    city = serializers.IntegerField(source="city.pk")
    city_name = serializers.CharField(source="city.name")
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The web page that lists this work, if any.")
    items = WaitingItemSerializer(many=True, help_text="The first 20 items.")


class WaitingSerializer(serializers.Serializer):
    is_staff = serializers.BooleanField(help_text="Whether you hold a role in any city.")
    total = serializers.IntegerField()
    groups = WaitingGroupSerializer(many=True)
