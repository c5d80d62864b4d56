"""Admin pieces shared by the apps: the translated fields (core.i18n)."""
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline


class _OptionalLanguages:
    """modeltranslation requires the site's default language (es); a Brazilian city writes
    pt-BR. Every language is optional in the admin, as in the forms and the API."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and getattr(db_field, "translated_field", None) is not None:
            field.required = False
        return field


class ContentTranslationAdmin(_OptionalLanguages, TranslationAdmin):
    """A model admin whose translated fields show one input per language."""


class ContentTranslationTabularInline(_OptionalLanguages, TranslationTabularInline):
    """A tabular inline whose translated fields show one input per language."""
