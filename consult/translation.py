"""The consult texts that may be written in several languages (django-modeltranslation).

Each registered field gets one column per language of settings.LANGUAGES (``title_es``,
``title_pt_br``, ``title_fr``, ``title_en``); what a reader sees is ``core.i18n.localized``.
"""
from modeltranslation.translator import TranslationOptions, register

from core.i18n import install_city_fallback

from .models import Consultation, Proposal, Theme


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Proposal)
class ProposalTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


install_city_fallback(Consultation, Theme, Proposal)
