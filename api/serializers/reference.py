"""Reference data: cities, organisations, consultations and their themes."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import City, Consultation, Organisation, Phase, Theme


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
            "min_supports", "eligibility", "flags_to_hide", "requires_assessment",
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
        from consult import tasks

        return tasks.headline_counts(consultation=consultation)
