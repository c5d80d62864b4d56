"""A plan's parts: objectives, actions, budget lines and indicators, as read and as written."""
from __future__ import annotations

from rest_framework import serializers

from planning.models import Action, BudgetLine, FundingSource, Indicator, Objective, ResultLevel

from ._common import ID_LIMITS, MONEY, TranslationsField, each_year_once


class ObjectiveSerializer(serializers.ModelSerializer):
    title_translations = TranslationsField("title", read_only=True)
    description_translations = TranslationsField("description", read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "plan", "title", "description", "theme", "result_level", "position",
                  "title_translations", "description_translations"]


class ActionSerializer(serializers.ModelSerializer):
    title_translations = TranslationsField("title", read_only=True)
    description_translations = TranslationsField("description", read_only=True)

    class Meta:
        model = Action
        fields = ["id", "plan", "objective", "title", "description", "department",
                  "partner_cities", "partners", "proposals", "rank", "title_translations",
                  "description_translations"]


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


class ObjectiveWriteSerializer(serializers.Serializer):
    """An objective; `title` and `description` are in the request's language, the
    `*_translations` in others."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    title_translations = TranslationsField("title", max_length=200)
    description_translations = TranslationsField("description")
    result_level = serializers.ChoiceField(choices=ResultLevel.choices, required=False,
                                           default=ResultLevel.OUTCOME)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False,
                                        allow_null=True, default=None)


class ObjectiveUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    title_translations = TranslationsField("title", max_length=200)
    description_translations = TranslationsField("description")
    result_level = serializers.ChoiceField(choices=ResultLevel.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class ActionWriteSerializer(serializers.Serializer):
    """An action; `title` and `description` are in the request's language, the
    `*_translations` in others."""

    objective = serializers.IntegerField(**ID_LIMITS, help_text="An objective of this plan.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    title_translations = TranslationsField("title", max_length=200)
    description_translations = TranslationsField("description")
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
        return each_year_once(value)


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
