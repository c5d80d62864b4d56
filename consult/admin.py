from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ContentTranslationAdmin, ContentTranslationTabularInline
from core.i18n import language_columns

from .models import (
    AssessmentYearCost,
    Ballot,
    City,
    CityRole,
    Comment,
    Consultation,
    Flag,
    ModerationDecision,
    Organisation,
    Participant,
    Proposal,
    ProposalAssessment,
    ProposalYearCost,
    Theme,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "timezone", "currency", "default_language",
                    "planners_may_set_up"]
    list_filter = ["kind", "country", "default_language", "planners_may_set_up"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CityRole)
class CityRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "role"]
    list_filter = ["role", "city"]
    search_fields = ["user__username", "user__email", "city__name"]
    autocomplete_fields = ["user", "city"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind", "city"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "city", "district", "is_verified", "created_at"]
    list_filter = ["city", "is_verified", "age_band", "gender"]
    search_fields = ["user__username", "user__email", "district"]
    list_select_related = ["user", "city"]
    raw_id_fields = ["user"]


class ThemeInline(ContentTranslationTabularInline):
    model = Theme
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Consultation)
class ConsultationAdmin(ContentTranslationAdmin):
    list_display = ["title", "city", "phase_display", "voting_method", "counting_rule", "budget"]
    list_filter = ["city", "voting_method", "counting_rule"]
    search_fields = [*language_columns("title"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ThemeInline]
    list_select_related = ["city"]

    @admin.display(description=_("phase"))
    def phase_display(self, obj: Consultation) -> str:
        return obj.phase.label

    def get_readonly_fields(self, request, obj=None):
        # The voting rules freeze once voting opens: the same rule as services.consultation_update
        # (min_votes included: it is one of VOTING_RULE_FIELDS).
        if obj is not None and obj.voting_has_opened():
            return [*Consultation.VOTING_RULE_FIELDS, "city"]
        return []


class ProposalYearCostInline(admin.TabularInline):
    model = ProposalYearCost
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(ContentTranslationAdmin):
    list_display = ["title", "consultation", "theme", "status", "estimated_cost", "is_hidden"]
    list_filter = ["consultation__city", "consultation", "status", "action_kind", "is_hidden"]
    search_fields = language_columns("title", "summary")
    list_select_related = ["consultation", "theme"]
    raw_id_fields = ["author", "organisation"]
    inlines = [ProposalYearCostInline]


class AssessmentYearCostInline(admin.TabularInline):
    model = AssessmentYearCost
    extra = 0
    readonly_fields = ["year", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProposalAssessment)
class ProposalAssessmentAdmin(admin.ModelAdmin):
    """Assessments are read-only here: they are made on the review pages, through
    `services.assessment_save` and `services.assessment_assign` (their checks and limits)."""

    list_display = ["proposal", "verdict", "validated_cost", "reviewer", "assessed_at"]
    list_filter = ["verdict", "proposal__consultation__city", "proposal__consultation"]
    search_fields = ["proposal__title", "reason"]
    list_select_related = ["proposal", "reviewer"]
    readonly_fields = ["proposal", "reviewer", "verdict", "reason", "validated_cost",
                       "cost_reason", "notes", "assessed_by", "assessed_at"]
    inlines = [AssessmentYearCostInline]

    def has_add_permission(self, request):
        return False


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Ballots are read-only here: they change only through the voting service."""

    list_display = ["receipt_code", "consultation", "created_at", "updated_at"]
    list_filter = ["consultation"]
    search_fields = ["receipt_code"]
    readonly_fields = ["participant", "consultation", "receipt_code", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "proposal", "is_hidden", "created_at"]
    list_filter = ["is_hidden", "proposal__consultation"]
    search_fields = ["body"]
    raw_id_fields = ["proposal", "author", "parent"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["reason", "proposal", "comment", "created_at", "resolved_at"]
    list_filter = ["reason", "resolved_at"]
    raw_id_fields = ["reporter", "proposal", "comment"]


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ["action", "proposal", "comment", "moderator", "created_at"]
    list_filter = ["action"]
    search_fields = ["reason"]
    raw_id_fields = ["moderator", "proposal", "comment"]

    readonly_fields = ["moderator", "proposal", "comment", "action", "reason", "created_at"]

    def has_add_permission(self, request):
        # Decisions are a record made through services.moderation_decide (the moderation queue).
        return False
