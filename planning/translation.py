"""The plan texts that may be written in several languages (django-modeltranslation; see
consult/translation.py)."""
from modeltranslation.translator import TranslationOptions, register

from core.i18n import install_city_fallback

from .models import Action, Objective, StrategyPlan


@register(StrategyPlan)
class StrategyPlanTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Objective)
class ObjectiveTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Action)
class ActionTranslation(TranslationOptions):
    fields = ("title", "description")


install_city_fallback(StrategyPlan, Objective, Action)
