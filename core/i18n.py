"""Content written in several languages: which text a reader sees (docs/architecture.md).

django-modeltranslation gives every translated field one column per language of
settings.LANGUAGES (``title_es``, ``title_pt_br``, ``title_fr``, ``title_en``). The rule for a
reader is the project's, not the library's: **the reader's language, else the city's default
language, else any language the text was written in** (settings order). ``localized`` applies it
and says which language was shown; the plain accessor (``proposal.title``) applies it too, with
the city's default only when the city is already loaded (an accessor never queries; a list that
did not load the city falls back in settings order).

A model takes part by naming, in ``CONTENT_CITY``, the path of foreign keys to its city
(``("consultation", "city")``); ``install_city_fallback`` (called by each app's
``translation.py``) puts the rule on its registered fields.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import translator


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def suffix(code: str) -> str:
    """The column suffix of a language: ``pt-br`` → ``pt_br``."""
    return code.replace("-", "_")


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Spanish", "español")."""
    return str(dict(settings.LANGUAGES).get(code, code))


#: "in Spanish" after a list's text shown in another language: one sentence per language, as
#: languages' names are not capitalised mid-sentence in es, pt-BR and fr ("en español").
IN_LANGUAGE = {
    "es": gettext_lazy("in Spanish"),
    "pt-br": gettext_lazy("in Brazilian Portuguese"),
    "fr": gettext_lazy("in French"),
    "en": gettext_lazy("in English"),
}


def in_language(code: str) -> str:
    return str(IN_LANGUAGE.get(code) or language_name(code))


def reader_language() -> str:
    """The reader's language, one of settings.LANGUAGES (the site's default otherwise)."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    codes = language_codes()
    if code in codes:
        return code
    base = code.split("-")[0]
    return next((c for c in codes if c.split("-")[0] == base), settings.LANGUAGE_CODE)


def translated_fields(model: type) -> tuple[str, ...]:
    """The fields of a model written in several languages (none if it is not registered)."""
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except Exception:  # NotRegistered
        return ()


def translations(obj: Any, field: str) -> dict[str, str]:
    """Every language a field is written in: ``{"es": "…", "en": "…"}`` (empty ones left out)."""
    out = {}
    for code in language_codes():
        value = obj.__dict__.get(f"{field}_{suffix(code)}")
        if value not in (None, ""):
            out[code] = value
    return out


def _cached_default_language(obj: Any) -> str | None:
    """The city's default language if the city is already loaded (never a query)."""
    node = obj
    for step in getattr(type(obj), "CONTENT_CITY", ()):
        cache = node._state.fields_cache
        if step not in cache or cache[step] is None:
            return None
        node = cache[step]
    return getattr(node, "default_language", None)


def default_language_of(obj: Any) -> str | None:
    """The default language of the object's city (loads the city if it has to)."""
    node = obj
    for step in getattr(type(obj), "CONTENT_CITY", ()):
        node = getattr(node, step, None)
        if node is None:
            return None
    return getattr(node, "default_language", None)


def reading_order(reader: str, default: str | None) -> list[str]:
    order = [reader]
    if default and default not in order:
        order.append(default)
    order += [code for code in language_codes() if code not in order]
    return order


class LocalizedText(str):
    """A text as a reader sees it, with the language it is written in. ``note`` is the
    sentence to show when that is not the reader's language (else empty)."""

    language: str
    reader: str

    def __new__(cls, text: str, language: str, reader: str) -> LocalizedText:
        out = super().__new__(cls, text)
        out.language, out.reader = language, reader
        return out

    @property
    def is_other_language(self) -> bool:
        return bool(self) and self.language != self.reader

    @property
    def note(self) -> str:
        if not self.is_other_language:
            return ""
        return gettext("Not written in your language; shown in: %(language)s.") % {
            "language": language_name(self.language)}


def localized(obj: Any, field: str, *, default_language: str | None = None,
              language: str | None = None, load_city: bool = True) -> LocalizedText:
    """The text of ``obj.field`` for the reader: their language, else the city's default,
    else any language it is written in; with the language it is in. ``load_city=False``
    never queries (a list: the city's default counts only if the list loaded the city)."""
    reader = language or reader_language()
    default = default_language or (default_language_of(obj) if load_city
                                   else _cached_default_language(obj))
    found = translations(obj, field)
    for code in reading_order(reader, default):
        if code in found:
            return LocalizedText(found[code], code, reader)
    # Not written in any language column: the plain column (rows older than the columns).
    return LocalizedText(obj.__dict__.get(field) or "", default or reader, reader)


def localized_dict(texts: dict[str, str] | None, plain: str, *, default_language: str | None,
                   language: str | None = None) -> LocalizedText:
    """The same rule over stored texts (a frozen snapshot's ``{"es": …, "en": …}``): old
    snapshots without translations show their plain text."""
    reader = language or reader_language()
    texts = {k: v for k, v in (texts or {}).items() if v}
    for code in reading_order(reader, default_language):
        if code in texts:
            return LocalizedText(texts[code], code, reader)
    return LocalizedText(plain or "", default_language or reader, reader)


class CityFallbackDescriptor(TranslationFieldDescriptor):
    """modeltranslation's accessor with the project's rule: the reader's language, else the
    city's default (when loaded), else any language."""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        name = self.field.name
        default = _cached_default_language(instance)
        for code in reading_order(reader_language(), default):
            value = getattr(instance, f"{name}_{suffix(code)}", None)
            if value not in (None, ""):
                return value
        value = instance.__dict__.get(name)
        return value if value is not None else self.field.get_default()


def install_city_fallback(*models: type) -> None:
    for model in models:
        for name in translated_fields(model):
            current = model.__dict__.get(name)
            if isinstance(current, TranslationFieldDescriptor) and not isinstance(
                    current, CityFallbackDescriptor):
                setattr(model, name, CityFallbackDescriptor(
                    current.field, fallback_languages=current.fallback_languages,
                    fallback_value=current.fallback_value,
                    fallback_undefined=current.fallback_undefined))


def set_translations(instance: Any, field: str, texts: dict[str, str]) -> None:
    """Write the given languages of a field (an empty text clears that language)."""
    for code, text in texts.items():
        setattr(instance, f"{field}_{suffix(code)}", text or None)


def language_columns(*fields: str) -> list[str]:
    """Every language column of the given fields: ``["title_es", "title_pt_br", …]``."""
    return [f"{field}_{suffix(code)}" for field in fields for code in language_codes()]


def any_language(lookup: str, value: Any, *fields: str):
    """A Q matching ``value`` in any language of the fields (search reads every language)."""
    from django.db.models import Q

    q = Q()
    for column in language_columns(*fields):
        q |= Q(**{f"{column}__{lookup}": value})
    return q


def text_order(field: str):
    """An expression to order rows by a translated text: the reader's language first, then
    any other (rows written in one language only are not pushed to the end)."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce, NullIf

    reader = reader_language()
    columns = [f"{field}_{suffix(code)}" for code in reading_order(reader, None)]
    return Coalesce(*[NullIf(column, Value("")) for column in columns], field)



def apply_translations(instance: Any, texts: Mapping[str, Mapping[str, str]] | None) -> None:
    """Write ``{"title": {"en": "…", "fr": "…"}, …}`` on a row (services call it before
    validating; an empty text clears that language). Unknown fields or languages are refused."""
    from .errors import ServiceError

    if not texts:
        return
    fields, codes = translated_fields(type(instance)), language_codes()
    for field, by_language in texts.items():
        if field not in fields:
            raise ServiceError(_("This text cannot be translated: %(field)s.") % {
                "field": field})
        for code in by_language:
            if code not in codes:
                raise ServiceError(not_a_language(code), field=f"{field}_translations")
        set_translations(instance, field, dict(by_language))


def not_a_language(code: str) -> str:
    """The refusal of a language code that is not one of the site's."""
    return _("Not one of the site's languages: %(language)s.") % {"language": code}
