"""Reference data: cities, organisations, consultations and their themes."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import (
    ELIGIBILITY_BEFORE_VOTE,
    City,
    Consultation,
    Eligibility,
    Organisation,
    Phase,
    Theme,
    VotingMethod,
)

from ._common import ID_LIMITS, MONEY, TranslationsField, translations_of


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
    name_translations = TranslationsField("name", read_only=True)
    description_translations = TranslationsField("description", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "position", "name_translations",
                  "description_translations"]


class ConsultationSerializer(serializers.ModelSerializer):
    phase = serializers.SerializerMethodField()
    # A plain string: the rules' enum is documented once, on CountRun.rule.
    counting_rule = serializers.CharField(
        read_only=True, help_text="The default count rule (one of CountRun's rules).")
    city_slug = serializers.CharField(source="city.slug", read_only=True)
    title_translations = TranslationsField("title", read_only=True)
    description_translations = TranslationsField("description", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id", "city", "city_slug", "slug", "title", "description", "phase",
            "plan_start_year", "plan_end_year", "budget", "currency",
            "proposals_open_at", "proposals_close_at", "voting_opens_at", "voting_closes_at",
            "results_at", "voting_method", "max_choices", "max_points", "counting_rule",
            "min_supports", "min_votes", "eligibility", "proposing_eligibility",
            "supporting_eligibility", "minimum_age", "flags_to_hide",
            "requires_assessment", "title_translations", "description_translations",
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


# --- setting up (the city's administrators; planners where the city allows it) ----------------

SMALL = {"min_value": 1, "max_value": 32767}
COUNT = {"min_value": 0, "max_value": 2**31 - 1}
LOCAL_HELP = ("ISO 8601; a time without an offset is read in the city's local time "
              "(City.timezone).")


class LocalDateTimeField(serializers.DateTimeField):
    """A moment; one without an offset is in the current time zone (the view makes it the
    city's). A local time at the very end of the calendar is a 400, not DRF's OverflowError."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class ThemeSpecSerializer(serializers.Serializer):
    """One theme, in the order wanted: with `id` an existing theme (renamed, moved), without it
    a new one. Themes left out are removed (refused if they have proposals)."""

    id = serializers.IntegerField(**ID_LIMITS, required=False, allow_null=True)
    name = serializers.CharField(max_length=120, allow_blank=True, required=False,
                                 help_text="In the request's language.")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    name_translations = TranslationsField("name", max_length=120)
    description_translations = TranslationsField("description", max_length=500)

    def to_internal_value(self, data):
        """The spec `themes_apply` takes: the texts in other languages under `translations`."""
        item = dict(super().to_internal_value(data))
        item["translations"] = translations_of(item, "name", "description")
        return item


class ConsultationUpdateSerializer(serializers.Serializer):
    """A consultation's fields (PATCH: any of them). Once voting has opened the voting rules
    (voting_method, max_choices, max_points, budget, currency, counting_rule, min_supports,
    min_votes, eligibility, proposing_eligibility, supporting_eligibility, minimum_age,
    voting_opens_at) cannot change: a request that changes one is a 400
    and nothing is saved."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    title_translations = TranslationsField("title", max_length=200, required=False)
    description_translations = TranslationsField("description", required=False)
    plan_start_year = serializers.IntegerField(min_value=1900, max_value=2200)
    plan_end_year = serializers.IntegerField(min_value=1900, max_value=2200)
    budget = serializers.DecimalField(**MONEY, help_text="Positive; a decimal string.")
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    proposals_open_at = LocalDateTimeField(help_text=LOCAL_HELP)
    proposals_close_at = LocalDateTimeField(help_text=LOCAL_HELP)
    voting_opens_at = LocalDateTimeField(help_text=LOCAL_HELP)
    voting_closes_at = LocalDateTimeField(help_text=LOCAL_HELP)
    results_at = LocalDateTimeField(help_text=LOCAL_HELP)
    voting_method = serializers.ChoiceField(choices=VotingMethod.choices,
                                            default=VotingMethod.APPROVAL)
    max_choices = serializers.IntegerField(**SMALL, required=False, allow_null=True,
                                           help_text="Required for approval voting.")
    max_points = serializers.IntegerField(**SMALL, required=False, allow_null=True,
                                          help_text="Required for cumulative voting.")
    # A plain string, as in ConsultationSerializer (the rules' enum is documented once, on
    # CountRun.rule); the service refuses an unknown rule on this field.
    counting_rule = serializers.CharField(max_length=16, required=False,
                                          help_text="The default count rule (one of CountRun's "
                                                    "rules).")
    min_supports = serializers.IntegerField(**COUNT, required=False)
    min_votes = serializers.IntegerField(**COUNT, required=False)
    eligibility = serializers.ChoiceField(choices=Eligibility.choices, required=False,
                                          help_text="Who may vote.")
    proposing_eligibility = serializers.ChoiceField(choices=ELIGIBILITY_BEFORE_VOTE,
                                                    required=False)
    supporting_eligibility = serializers.ChoiceField(choices=ELIGIBILITY_BEFORE_VOTE,
                                                     required=False)
    minimum_age = serializers.IntegerField(min_value=1, max_value=120, required=False,
                                           allow_null=True)
    flags_to_hide = serializers.IntegerField(**SMALL, required=False)
    requires_assessment = serializers.BooleanField(
        required=False, help_text="Only proposals the review found feasible reach the ballot.")
    themes = ThemeSpecSerializer(many=True, required=False, max_length=50,
                                 help_text="All the themes, in order (replaces them).")


class ConsultationWriteSerializer(ConsultationUpdateSerializer):
    """A new consultation in a city; without `themes` it starts with the network's three."""

    city = serializers.IntegerField(**ID_LIMITS)
    slug = serializers.SlugField(max_length=120, required=False, allow_blank=True, default="",
                                 help_text="Made from the title if empty; it cannot change.")
