"""Form fields every app shares: amounts typed and shown the way the reader's language writes
them.

`LocalizedAmountField` is a `DecimalField` (same limits: max_digits, decimal_places,
min_value, validators) that reads "2.400.000" in Spanish, "2.400.000,50" in Portuguese,
"2 400 000,50" in French and "2,400,000.50" in English (`core.formatting.parse_number`), and
refuses a number that reads two ways with a message that shows both readings. Its widget,
`AmountInput`, is a text input with `inputmode="decimal"` that shows the current value as the
pages show numbers (`core.formatting.format_number`), so that what is shown is read back the
same. The API keeps machine numbers; these are the web forms' only.
"""
from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .formatting import NumberAmbiguous, NumberUnreadable, format_number, parse_number, plain_number

#: What an amount field says when the text is not a number at all.
UNREADABLE = _("Write a number, for example %(example)s.")
#: What it says when the text reads two ways.
AMBIGUOUS = _("“%(value)s” could mean %(whole)s or %(fraction)s. Write %(whole)s or "
              "%(fraction)s, whichever you mean.")


def _places(value: Decimal, decimal_places: int | None) -> int:
    """Decimals to show: none for a whole number; cents as two digits ("2 400,50"), other
    decimals as many as the value has."""
    if value == value.to_integral_value():
        return 0
    own = -value.normalize().as_tuple().exponent
    return 2 if decimal_places == 2 else own


class AmountInput(forms.TextInput):
    """A text input for a number: the decimal keyboard on phones, the value shown as the
    language writes it."""

    def __init__(self, attrs=None, decimal_places: int | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.decimal_places = decimal_places

    def format_value(self, value):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = Decimal(str(value))
            return format_number(number, _places(number, self.decimal_places))
        return super().format_value(value)


class LocalizedAmountField(forms.DecimalField):
    """A decimal typed the reader's way (see the module's docstring)."""

    widget = AmountInput

    def __init__(self, **kwargs):
        kwargs.pop("localize", None)
        super().__init__(**kwargs)
        self.widget.decimal_places = self.decimal_places

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        text = str(value).strip()
        example = {"example": format_number(Decimal("2400000.50"), 2)}
        if len(text) > self.max_length_of_text:
            raise ValidationError(UNREADABLE, code="invalid", params=example)
        try:
            number = parse_number(text)
        except NumberAmbiguous as two:
            raise ValidationError(AMBIGUOUS, code="ambiguous", params={
                "value": text, "whole": plain_number(two.whole),
                "fraction": plain_number(two.fraction)}) from None
        except (NumberUnreadable, InvalidOperation):
            raise ValidationError(UNREADABLE, code="invalid", params=example) from None
        return number

    #: Longer texts are not numbers anybody typed.
    max_length_of_text = 60


def localized_amount(field: forms.DecimalField) -> LocalizedAmountField:
    """The same field (label, help, limits, initial, validators) read the reader's way; for the
    fields a form takes from a model."""
    amount = LocalizedAmountField(
        max_digits=field.max_digits, decimal_places=field.decimal_places,
        min_value=field.min_value, max_value=field.max_value, required=field.required,
        label=field.label, initial=field.initial, help_text=field.help_text,
        disabled=field.disabled,
    )
    amount.validators.extend(v for v in field.validators if v not in amount.validators)
    return amount


def localize_amounts(form: forms.BaseForm) -> None:
    """Every decimal field of a form, read the reader's way (call at the end of `__init__`)."""
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.DecimalField) and not isinstance(field, LocalizedAmountField):
            form.fields[name] = localized_amount(field)


class OtherLanguageFields:
    """A form mixin: the translated texts (``TRANSLATED``) in the site's other languages, one
    optional copy of each field per language (``title_en``, ``summary_en``, …).

    The plain fields are the *writing language*: the reader's, or — editing a row whose title
    is not written in the reader's language — the language it is written in, so that nobody
    edits a text under the wrong language's name (a Spanish title saved as the English one).
    Every field starts from its own language's column, never from a fallback. ``translations``
    is the service's argument; ``service_texts`` moves the plain texts into it when they are
    not the reader's language (services write plain fields in the request's language)."""

    TRANSLATED: tuple[str, ...] = ()

    def add_language_fields(self, *, written: Any = None, language: str | None = None) -> None:
        from .i18n import language_codes, language_name, reader_language, suffix

        self.own_language = language or self.writing_language(written)
        self.other_languages = [c for c in language_codes() if c != self.own_language]
        for code in self.other_languages:
            for name in self.TRANSLATED:
                original = self.fields[name]
                field = copy.deepcopy(original)
                field.required = False
                field.help_text = ""
                field.label = _("%(field)s (%(language)s)") % {
                    "field": original.label, "language": language_name(code)}
                field.widget.attrs["lang"] = code  # spelling and speech in that language
                self.fields[f"{name}_{suffix(code)}"] = field
        for name in self.TRANSLATED:
            self.fields[name].widget.attrs["lang"] = self.own_language
        if written is not None:
            self.initial.update(self.language_initial(written, self.own_language))
        self.writes_other_language = self.own_language != reader_language()

    @classmethod
    def writing_language(cls, written: Any = None) -> str:
        """The reader's language, unless ``written`` has a title in other languages only."""
        from .i18n import localized, reader_language, translations

        reader = reader_language()
        if written is None or not cls.TRANSLATED:
            return reader
        found = translations(written, cls.TRANSLATED[0])
        if not found or reader in found:
            return reader
        return localized(written, cls.TRANSLATED[0]).language

    @classmethod
    def language_initial(cls, written: Any, own_language: str) -> dict[str, str]:
        """Initial values from a row: the plain fields from the writing language's column,
        ``<field>_<language>`` from the others' (a row older than the columns: its plain
        text)."""
        from .i18n import language_codes, suffix, translations

        initial = {}
        for name in cls.TRANSLATED:
            found = translations(written, name)
            for code in language_codes():
                key = name if code == own_language else f"{name}_{suffix(code)}"
                initial[key] = found.get(code, "")
            if not found:
                initial[name] = written.__dict__.get(name) or ""
        return initial

    @property
    def writing_note(self) -> str:
        """The sentence over a form whose plain fields are not in the reader's language."""
        from .i18n import language_name

        if not getattr(self, "writes_other_language", False):
            return ""
        return _("Written in: %(language)s. You edit this text in that language; add your "
                 "own language's version under “In another language”.") % {
            "language": language_name(self.own_language)}

    def language_field_names(self) -> set[str]:
        from .i18n import suffix

        return {f"{name}_{suffix(code)}" for code in getattr(self, "other_languages", ())
                for name in self.TRANSLATED}

    def plain_fields(self) -> list:
        """The form's fields but the other languages' (those go in ``language_groups``)."""
        languages = self.language_field_names()
        return [field for field in self if field.name not in languages]

    def language_groups(self) -> list[dict]:
        from .i18n import language_name, suffix

        groups = []
        for code in self.other_languages:
            fields = [self[f"{name}_{suffix(code)}"] for name in self.TRANSLATED]
            groups.append({"code": code, "name": language_name(code), "fields": fields,
                           "filled": any(f.value() or f.errors for f in fields)})
        return groups

    def translations(self) -> dict[str, dict[str, str]]:
        from .i18n import suffix

        data = self.cleaned_data
        texts = {name: {code: data.get(f"{name}_{suffix(code)}") or ""
                        for code in self.other_languages}
                 for name in self.TRANSLATED}
        if getattr(self, "writes_other_language", False):
            for name in self.TRANSLATED:
                texts[name][self.own_language] = data.get(name) or ""
        return texts

    def service_texts(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` for the service with ``translations``: the plain texts stay plain when
        they are the reader's language, else they travel as their own language's text."""
        if getattr(self, "writes_other_language", False):
            for name in self.TRANSLATED:
                fields.pop(name, None)
        fields["translations"] = self.translations()
        return fields
