"""Counts of consultations."""
from __future__ import annotations

from rest_framework import serializers

from consult.models import CountingRule
from planning.models import CountJob, CountRun

from ._common import ID_LIMITS


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


class CountJobSerializer(serializers.ModelSerializer):
    """A count asked for and carried out by a worker: poll it until `state` is `done` (then
    `count_run` is the count) or `failed` (then `error` says why)."""

    class Meta:
        model = CountJob
        fields = [
            "id", "consultation", "rule", "min_votes", "tie_break", "official", "state", "error",
            "count_run", "created_at", "started_at", "finished_at",
        ]
