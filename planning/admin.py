"""Admin: read-mostly views of plans. Versions, decisions and the change log are records: the
admin shows them but cannot change them (writes go through the services). Count runs, versions
and decisions are frozen records: it cannot delete them either."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ContentTranslationAdmin, ContentTranslationTabularInline
from core.i18n import language_columns

from .models import (
    Action,
    BudgetLine,
    CouncilRule,
    CouncilVote,
    CountRun,
    Indicator,
    IndicatorPeriod,
    Objective,
    OfficialChoice,
    PlanChange,
    PlanComment,
    PlanVersion,
    PlanYearCeiling,
    ResultsPublication,
    ReviewDecision,
    StrategyPlan,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FrozenRecordAdmin(ReadOnlyAdmin):
    """Frozen records (planning/immutable.py): viewable, never added, changed or deleted here;
    without the delete permission the changelist offers no "delete selected" either."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CountRun)
class CountRunAdmin(FrozenRecordAdmin):
    list_display = ["consultation", "rule", "official", "n_ballots", "total_cost",
                    "created_at"]
    list_filter = ["rule"]
    list_select_related = ["consultation"]

    @admin.display(boolean=True, description=_("official"))
    def official(self, run: CountRun) -> bool:
        return run.is_official  # annotated by the manager (the latest OfficialChoice)


@admin.register(OfficialChoice)
class OfficialChoiceAdmin(FrozenRecordAdmin):
    list_display = ["consultation", "count_run", "created_by", "created_at"]
    list_select_related = ["consultation", "count_run", "created_by"]


@admin.register(ResultsPublication)
class ResultsPublicationAdmin(FrozenRecordAdmin):
    list_display = ["consultation", "created_by", "created_at"]
    list_select_related = ["consultation", "created_by"]


class CeilingInline(admin.TabularInline):
    model = PlanYearCeiling
    extra = 0


class ObjectiveInline(ContentTranslationTabularInline):
    model = Objective
    extra = 0
    fields = ["title", "result_level", "position"]


@admin.register(StrategyPlan)
class StrategyPlanAdmin(ContentTranslationAdmin):
    list_display = ["title", "city", "start_year", "end_year", "status", "updated_at"]
    list_filter = ["status", "city"]
    list_select_related = ["city"]
    search_fields = language_columns("title")
    readonly_fields = ["status", "approved_version", "count_run", "draft_report", "created_by"]
    inlines = [CeilingInline, ObjectiveInline]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Action)
class ActionAdmin(ContentTranslationAdmin):
    list_display = ["title", "plan", "objective", "rank"]
    list_select_related = ["plan", "objective"]
    list_filter = ["plan__city"]
    search_fields = language_columns("title")
    raw_id_fields = ["proposals"]
    inlines = [BudgetLineInline]


class PeriodInline(admin.TabularInline):
    model = IndicatorPeriod
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "measure", "baseline_year"]
    list_select_related = ["plan"]
    inlines = [PeriodInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(FrozenRecordAdmin):
    list_display = ["plan", "number", "created_by", "created_at"]
    list_select_related = ["plan", "created_by"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(FrozenRecordAdmin):
    list_display = ["plan", "version", "decision", "reviewer", "created_at"]
    list_select_related = ["plan", "version", "reviewer"]


@admin.register(CouncilVote)
class CouncilVoteAdmin(FrozenRecordAdmin):
    list_display = ["plan", "version", "member", "vote", "overrides_checks", "created_at"]
    list_filter = ["vote"]
    list_select_related = ["plan", "version", "member"]


@admin.register(CouncilRule)
class CouncilRuleAdmin(admin.ModelAdmin):
    """How each city's council decides; city administrators also set it on the web
    (planning:council_rule), through the same service."""

    list_display = ["city", "quorum", "quorum_count", "quorum_percent", "majority",
                    "single_member_decides", "updated_at"]
    list_select_related = ["city"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PlanComment)
class PlanCommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "action_title", "created_at"]
    list_select_related = ["plan", "author"]


@admin.register(PlanChange)
class PlanChangeAdmin(FrozenRecordAdmin):  # the audit log: read, never deleted by hand
    list_display = ["plan", "kind", "user", "detail", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["plan", "user"]
