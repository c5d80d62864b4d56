"""Counts of consultations."""
from __future__ import annotations

from rest_framework import serializers

from consult.models import CountingRule
from planning.models import CountJob, CountRun, OfficialChoice, ResultsPublication

from ._common import ID_LIMITS


class CountRunSerializer(serializers.ModelSerializer):
    is_official = serializers.BooleanField(
        read_only=True, help_text="Whether this is now the official count (the consultation's "
                                  "latest official choice names it).")

    class Meta:
        model = CountRun
        fields = [
            "id", "consultation", "rule", "min_votes", "tie_break", "options", "is_official",
            "input_hash", "n_ballots", "n_projects", "budget", "total_cost", "selected",
            "selected_proposal_ids", "voters_funded", "engine_version", "duration_ms",
            "created_at",
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
    min_votes = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True, default=None,
        help_text="Default: the consultation's minimum votes (0 where it has none).")
    tie_break = serializers.CharField(max_length=32, required=False, default="lexicographic")
    options = serializers.DictField(
        child=serializers.CharField(max_length=32), required=False, default=dict,
        help_text="The rule's options, by name (`add1_stop`, `comparison` for mes-add1 and "
                  "mes-add1u); a name the rule does not take is a 400.")
    official = serializers.BooleanField(required=False, default=False)

    def validate_options(self, value):
        if len(value) > 8:
            raise serializers.ValidationError("At most 8 options.")
        return value


class CountJobSerializer(serializers.ModelSerializer):
    """A count asked for and carried out by a worker: poll it until `state` is `done` (then
    `count_run` is the count) or `failed` (then `error` says why)."""

    class Meta:
        model = CountJob
        fields = [
            "id", "consultation", "rule", "min_votes", "tie_break", "options", "official", "state",
            "error",
            "count_run", "created_at", "started_at", "finished_at",
        ]


class OfficialChoiceSerializer(serializers.ModelSerializer):
    """A choice of the official count: the latest decides, earlier ones are its history."""

    rule = serializers.CharField(source="count_run.rule", read_only=True)

    class Meta:
        model = OfficialChoice
        fields = ["id", "consultation", "count_run", "rule", "reason", "created_at"]


class OfficialChoiceWriteSerializer(serializers.Serializer):
    count_run = serializers.IntegerField(**ID_LIMITS, help_text="A count of this consultation.")
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False,
                                   default="", help_text="Why this count is the official one "
                                                         "(required).")


class ResultsPublicationSerializer(serializers.ModelSerializer):
    count_run = serializers.IntegerField(source="official_choice.count_run_id", read_only=True,
                                         help_text="The official count when it was published.")

    class Meta:
        model = ResultsPublication
        fields = ["id", "consultation", "official_choice", "count_run", "created_at"]


class CountCompareColumnSerializer(serializers.Serializer):
    count_run = CountRunSerializer(source="run")
    money_left = serializers.DecimalField(source="run.money_left", max_digits=16,
                                          decimal_places=2)
    share_funded = serializers.FloatField(
        source="run.share_funded", allow_null=True,
        help_text="Share of ballots with at least one selected proposal (null for old counts).")
    selected = serializers.ListField(child=serializers.DictField(), help_text=(
        "Selected proposals: `pk`, `title`, `shared` (false when not every compared count "
        "selects it)."))
    n_different = serializers.IntegerField()


class GreedyComparisonSerializer(serializers.Serializer):
    n_selected = serializers.IntegerField()
    selected_proposal_ids = serializers.ListField(child=serializers.IntegerField())
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    left = serializers.DecimalField(max_digits=16, decimal_places=2)
    voters_funded = serializers.IntegerField(allow_null=True)
    share_funded = serializers.FloatField(allow_null=True)
    only_official = serializers.ListField(child=serializers.DictField(), help_text=(
        "Proposals the official count selects and the greedy count does not: `pk`, `title`."))
    only_greedy = serializers.ListField(child=serializers.DictField(), help_text=(
        "Proposals the greedy count selects and the official count does not: `pk`, `title`."))


class ResultSummarySerializer(serializers.Serializer):
    """The official count in brief, as the public results page shows it."""

    count_run = serializers.IntegerField(help_text="The official count.")
    rule = serializers.CharField()
    rule_label = serializers.CharField()
    rule_sentence = serializers.CharField(
        help_text="The counting rule in one plain sentence, in the request's language.")
    rule_details = serializers.ListField(child=serializers.CharField(), help_text=(
        "What else shaped the count (a minimum of votes, the comparison step), one sentence "
        "each."))
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    left = serializers.DecimalField(max_digits=16, decimal_places=2)
    n_selected = serializers.IntegerField()
    selected_proposal_ids = serializers.ListField(child=serializers.IntegerField())
    n_ballots = serializers.IntegerField()
    voters_funded = serializers.IntegerField(
        allow_null=True, help_text="Ballots with at least one selected proposal (null for old "
                                   "counts).")
    share_funded = serializers.FloatField(allow_null=True, help_text="The same, as a share "
                                                                     "(0–1) of the ballots.")
    official_is_greedy = serializers.BooleanField(
        help_text="The official count is itself a greedy count (then `greedy` is null).")
    greedy = GreedyComparisonSerializer(allow_null=True, help_text=(
        "A plain greedy count of the same ballots (same minimum votes and tie-break), made "
        "with the official count; null for a greedy count and for counts made before it was "
        "recorded."))
