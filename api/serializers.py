"""Input and output serializers. Output serializers shape what a reader may see (authors as
display names only, no personal data); input serializers only parse and type the request — the
rules live in the services, which the views call with the parsed values."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import (
    Ballot,
    City,
    Comment,
    Consultation,
    CountingRule,
    Flag,
    ModerationDecision,
    Organisation,
    Participant,
    Phase,
    Proposal,
    Theme,
)
from planning.models import (
    Action,
    BudgetLine,
    CountRun,
    FundingSource,
    Indicator,
    Objective,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ResultLevel,
    ReviewDecision,
    StrategyPlan,
)

#: Ids in requests: positive and within a 64-bit integer, so no lookup overflows the database.
ID_LIMITS = {"min_value": 1, "max_value": 2**63 - 1}
MONEY = {"max_digits": 16, "decimal_places": 2}


def display_name(participant: Participant | None) -> str:
    """What others see of a participant: the user name, or "Former participant" once the
    account was deleted. Never e-mail, district or demographics."""
    if participant is None or participant.user_id is None:
        return _("Former participant")
    return participant.user.get_username()


def user_name(user) -> str | None:
    return user.get_username() if user is not None else None


# --- consult: reference data -------------------------------------------------------------------


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "slug", "name", "kind", "country", "timezone", "default_language",
                  "currency", "population"]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "city", "website"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "position"]


class ConsultationSerializer(serializers.ModelSerializer):
    phase = serializers.SerializerMethodField()
    # A plain string: the rules' enum is documented once, on CountRun.rule.
    counting_rule = serializers.CharField(
        read_only=True, help_text="The default count rule (one of CountRun's rules).")
    city_slug = serializers.CharField(source="city.slug", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id", "city", "city_slug", "slug", "title", "description", "phase",
            "plan_start_year", "plan_end_year", "budget", "currency",
            "proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at",
            "results_at", "voting_method", "max_choices", "max_points", "counting_rule",
            "min_supports", "eligibility", "flags_to_hide",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Phase.choices))
    def get_phase(self, consultation: Consultation) -> str:
        return str(consultation.phase.value)


class CountsSerializer(serializers.Serializer):
    proposals = serializers.IntegerField()
    supports = serializers.IntegerField()
    ballots = serializers.IntegerField()
    participants = serializers.IntegerField()


class ConsultationDetailSerializer(ConsultationSerializer):
    themes = ThemeSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "themes", "counts"]

    @extend_schema_field(CountsSerializer)
    def get_counts(self, consultation: Consultation) -> dict:
        from consult import selectors

        return selectors.consultation_counts(consultation=consultation)


# --- proposals ---------------------------------------------------------------------------------


class YearCostSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    amount = serializers.DecimalField(min_value=0, **MONEY)


class ProposalSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    theme_slug = serializers.CharField(source="theme.slug", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    year_costs = YearCostSerializer(many=True, read_only=True)
    support_count = serializers.IntegerField(read_only=True, default=0)
    is_supported = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "consultation", "theme", "theme_slug", "organisation", "organisation_name",
            "author", "title", "summary", "body", "estimated_cost", "year_costs", "partners",
            "action_kind", "reference", "district", "status", "status_reason", "is_hidden",
            "published_at", "created_at", "support_count", "is_supported",
        ]

    @extend_schema_field(serializers.CharField())
    def get_author(self, proposal: Proposal) -> str:
        return display_name(proposal.author)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_is_supported(self, proposal: Proposal) -> bool | None:
        """Whether you support it (null when you are not a participant)."""
        return getattr(proposal, "is_supported", None)


class ProposalWriteSerializer(serializers.Serializer):
    theme = serializers.IntegerField(**ID_LIMITS, help_text="A theme id of the consultation.")
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500)
    body = serializers.CharField(required=False, allow_blank=True, default="")
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
        years = [item["year"] for item in value]
        if len(set(years)) != len(years):
            raise serializers.ValidationError(_("Give each year once."))
        return value


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


# --- ballots -----------------------------------------------------------------------------------


class BallotChoiceSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(**ID_LIMITS)
    points = serializers.IntegerField(
        required=False, default=1, min_value=0, max_value=32767,
        help_text="1 for approval and budget votes; the points given in cumulative votes.",
    )


class BallotWriteSerializer(serializers.Serializer):
    choices = BallotChoiceSerializer(many=True, max_length=1000)

    def validate_choices(self, value):
        ids = [choice["proposal"] for choice in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Name each proposal once."))
        return value


class BallotSerializer(serializers.ModelSerializer):
    choices = serializers.SerializerMethodField()

    class Meta:
        model = Ballot
        fields = ["consultation", "receipt_code", "created_at", "updated_at", "choices"]

    @extend_schema_field(BallotChoiceSerializer(many=True))
    def get_choices(self, ballot: Ballot) -> list[dict]:
        from consult import selectors

        return [{"proposal": pk, "points": points}
                for pk, points in sorted(selectors.ballot_choices_of(ballot=ballot).items())]


class ResultSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    theme_slug = serializers.CharField(source="theme.slug")
    estimated_cost = serializers.DecimalField(**MONEY)
    votes = serializers.IntegerField()
    points = serializers.IntegerField()
    selected = serializers.SerializerMethodField()

    def get_selected(self, proposal: Proposal) -> bool:
        return proposal.status == Proposal.Status.SELECTED


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
    body = serializers.CharField(max_length=4000)
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

    def validate(self, attrs):
        if (attrs.get("proposal") is None) == (attrs.get("comment") is None):
            raise serializers.ValidationError(_("Report either a proposal or a comment."))
        return attrs


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

    def validate(self, attrs):
        if (attrs.get("proposal") is None) == (attrs.get("comment") is None):
            raise serializers.ValidationError(_("Decide on either a proposal or a comment."))
        return attrs


# --- counts ------------------------------------------------------------------------------------


class CountRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = CountRun
        fields = [
            "id", "consultation", "rule", "min_votes", "tie_break", "is_official", "input_hash",
            "n_ballots", "n_projects", "budget", "total_cost", "selected",
            "selected_proposal_ids", "engine_version", "duration_ms", "created_at",
        ]


class CountRunDetailSerializer(CountRunSerializer):
    outcome = serializers.JSONField(
        help_text="The engine's outcome: selected ids in selection order, costs, and the "
                  "explanation of each step."
    )

    class Meta(CountRunSerializer.Meta):
        fields = [*CountRunSerializer.Meta.fields, "outcome"]


class CountRunWriteSerializer(serializers.Serializer):
    consultation = serializers.IntegerField(**ID_LIMITS)
    rule = serializers.ChoiceField(choices=CountingRule.choices, required=False,
                                   allow_null=True, default=None,
                                   help_text="Default: the consultation's counting rule.")
    min_votes = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                                         default=0)
    tie_break = serializers.CharField(max_length=32, required=False, default="lexicographic")
    official = serializers.BooleanField(required=False, default=False)


# --- plans -------------------------------------------------------------------------------------


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
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
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
            "start_year": plan.start_year, "end_year": plan.end_year,
            "currency": plan.currency,
            "envelope": None if plan.envelope is None else f"{plan.envelope:.2f}",
            "count_run": plan.count_run_id,
            "consultations": [c.pk for c in plan.consultations.all()],
            "version": None,
        }
    else:
        snapshot = plan.approved_version.snapshot
        frozen = snapshot["plan"]
        head = {
            "title": frozen["title"], "description": frozen["description"],
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


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "plan", "title", "description", "theme", "result_level", "position"]


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "plan", "objective", "title", "description", "department",
                  "partner_cities", "partners", "proposals", "rank"]


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "action", "year", "amount", "currency", "source", "type", "status",
                  "spent"]


#: A plain string in requests (the service checks it): the enum is documented once, on
#: BudgetLine.status, as drf-spectacular names an enum per field name.
STATUS_HELP = "indicative or committed (see BudgetLine.status)."


class BudgetLineWriteSerializer(serializers.Serializer):
    action = serializers.IntegerField(**ID_LIMITS, help_text="An action of this plan.")
    year = serializers.IntegerField(min_value=0, max_value=32767)
    amount = serializers.DecimalField(min_value=0, **MONEY)
    source = serializers.ChoiceField(choices=FundingSource.choices, required=False,
                                     default=FundingSource.MUNICIPAL)
    type = serializers.ChoiceField(choices=BudgetLine.Type.choices, required=False,
                                   default=BudgetLine.Type.ORIGINAL)
    status = serializers.CharField(max_length=12, required=False,
                                   default=BudgetLine.Status.INDICATIVE, help_text=STATUS_HELP)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_null=True,
                                      default=None)


class BudgetLineUpdateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    amount = serializers.DecimalField(min_value=0, required=False, **MONEY)
    source = serializers.ChoiceField(choices=FundingSource.choices, required=False)
    type = serializers.ChoiceField(choices=BudgetLine.Type.choices, required=False)
    status = serializers.CharField(max_length=12, required=False, help_text=STATUS_HELP)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)


class IndicatorPeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    target = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    target_comment = serializers.CharField(allow_blank=True)
    actual = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    actual_comment = serializers.CharField(allow_blank=True)


class IndicatorSerializer(serializers.ModelSerializer):
    periods = IndicatorPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "plan", "action", "objective", "title", "measure", "unit_label",
                  "ascending", "baseline_year", "baseline_value", "baseline_comment",
                  "means_of_verification", "assumptions", "periods"]


class PlanUpdateSerializer(serializers.Serializer):
    """Every field optional: only what is sent changes (`plan_update`)."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    envelope = serializers.DecimalField(min_value=0, required=False, allow_null=True, **MONEY)
    ceilings = YearCostSerializer(many=True, required=False,
                                  help_text="Replaces the annual ceilings (years of the plan).")

    def validate_ceilings(self, value):
        years = [item["year"] for item in value]
        if len(set(years)) != len(years):
            raise serializers.ValidationError(_("Give each year once."))
        return value


class ObjectiveWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    result_level = serializers.ChoiceField(choices=ResultLevel.choices, required=False,
                                           default=ResultLevel.OUTCOME)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False,
                                        allow_null=True, default=None)


class ObjectiveUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    result_level = serializers.ChoiceField(choices=ResultLevel.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class ActionWriteSerializer(serializers.Serializer):
    objective = serializers.IntegerField(**ID_LIMITS, help_text="An objective of this plan.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                       default="")
    partners = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                     default="")
    partner_cities = serializers.ListField(child=serializers.IntegerField(**ID_LIMITS),
                                           required=False, default=list, max_length=1000,
                                           help_text="City ids.")
    proposals = serializers.ListField(child=serializers.IntegerField(**ID_LIMITS),
                                      required=False, default=list, max_length=1000,
                                      help_text="Proposals of the plan's consultations.")
    rank = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                                    allow_null=True, default=None)


class ActionUpdateSerializer(ActionWriteSerializer):
    """Every field optional: only what is sent changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class IndicatorTargetSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=0, max_value=32767)
    target = serializers.DecimalField(max_digits=16, decimal_places=4, required=False,
                                      allow_null=True)
    target_comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class IndicatorWriteSerializer(serializers.Serializer):
    action = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True, default=None,
                                      help_text="An action of this plan (or give objective).")
    objective = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True,
                                         default=None,
                                         help_text="An objective of this plan (or give action).")
    title = serializers.CharField(max_length=200)
    measure = serializers.ChoiceField(choices=Indicator.Measure.choices, required=False,
                                      default=Indicator.Measure.UNIT)
    unit_label = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                       default="")
    ascending = serializers.BooleanField(required=False, default=True)
    baseline_year = serializers.IntegerField(min_value=0, max_value=32767, required=False,
                                             allow_null=True, default=None)
    baseline_value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False,
                                              allow_null=True, default=None)
    baseline_comment = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                             default="")
    means_of_verification = serializers.CharField(required=False, allow_blank=True, default="")
    assumptions = serializers.CharField(required=False, allow_blank=True, default="")
    targets = IndicatorTargetSerializer(many=True, required=False, default=list,
                                        help_text="Targets per year of the plan.")

    def validate_targets(self, value):
        years = [item["year"] for item in value]
        if len(set(years)) != len(years):
            raise serializers.ValidationError(_("Give each year once."))
        return value


class IndicatorUpdateSerializer(IndicatorWriteSerializer):
    """Every field optional: only what is sent changes (targets: only the years sent)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class SpendingWriteSerializer(serializers.Serializer):
    spent = serializers.DecimalField(min_value=0, allow_null=True, **MONEY,
                                     help_text="Spent so far on this line; null clears it.")


class ActualWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=0, max_value=32767)
    actual = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    actual_comment = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                           default="")


class PlanSubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PlanVersionSerializer(serializers.ModelSerializer):
    decision = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["number", "plan", "note", "checks", "created_at", "decision"]

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


class ReviewDecisionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    reviewer = serializers.SerializerMethodField()

    class Meta:
        model = ReviewDecision
        fields = ["id", "plan", "version", "reviewer", "decision", "reason", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reviewer(self, decision: ReviewDecision) -> str | None:
        return user_name(decision.reviewer)


class ReviewDecisionWriteSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.Decision.choices)
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                   default="")


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


class MeSerializer(serializers.Serializer):
    data = serializers.JSONField(help_text="Everything Cabildo holds about you.")


class ProfileUpdateSerializer(serializers.Serializer):
    """Your optional profile answers; only what is sent changes."""

    district = serializers.CharField(max_length=120, required=False, allow_blank=True)
    age_band = serializers.ChoiceField(choices=Participant._meta.get_field("age_band").choices,
                                       required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Participant._meta.get_field("gender").choices,
                                     required=False, allow_blank=True)


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, help_text="Your current password.")
    confirm = serializers.BooleanField(
        help_text="true: you understand that the account is deleted for good.")

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError(
                _("Confirm that you understand that your account is deleted for good."))
        return value


# --- published reports -------------------------------------------------------------------------


class PublishedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[("consultation", "consultation"), ("plan", "plan")])
    title = serializers.CharField()
    version = serializers.IntegerField()
    language = serializers.CharField(allow_blank=True)
    city = serializers.CharField(source="city.slug", help_text="The city's slug.")
    consultation = serializers.IntegerField(source="consultation_id", allow_null=True)
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    published_at = serializers.DateTimeField()


class PublishedReportDataSerializer(serializers.Serializer):
    """`reports.selectors.published_report_data`: the frozen figures of a published report."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    language = serializers.CharField(allow_blank=True)
    city = serializers.CharField()
    consultation = serializers.IntegerField(allow_null=True)
    plan = serializers.IntegerField(allow_null=True)
    published_at = serializers.CharField()
    published_by = serializers.CharField(allow_null=True)
    meta = serializers.JSONField()
    summary = serializers.JSONField()
    tables = serializers.JSONField(help_text="Tables by name: title, columns, rows.")
    charts = serializers.JSONField(help_text="Plotly chart specifications.")
