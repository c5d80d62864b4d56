"""Amounts typed the reader's way (core.formatting.parse_number, core.forms.LocalizedAmountField)
and shown the same way, so that editing a form round-trips."""
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from core.formatting import NumberAmbiguous, NumberUnreadable, parse_number
from core.forms import LocalizedAmountField

READ = [
    ("es", "2.400.000", "2400000"), ("es", "2.400.000,50", "2400000.50"),
    ("es", "2.400", "2400"), ("es", "2\u00a0400\u00a0000", "2400000"), ("es", "2,5", "2.5"),
    ("es", "-2.400", "-2400"), ("es", "2,400,000.50", "2400000.50"),
    ("pt-br", "2.400.000,50", "2400000.50"), ("pt-br", "2.400", "2400"),
    ("fr", "2 400 000,50", "2400000.50"), ("fr", "2\u202f400\u202f000,50", "2400000.50"),
    ("fr", "2'400'000", "2400000"), ("fr", "\u22122 400", "-2400"),
    ("en", "2,400,000.50", "2400000.50"), ("en", "2,400", "2400"), ("en", "0.400", "0.400"),
    ("en", "2400000", "2400000"), ("en", ",5", "0.5"),
]


@pytest.mark.parametrize("language, text, value", READ)
def test_numbers_are_read_as_the_language_writes_them(language, text, value):
    with translation.override(language):
        assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("language, text", [
    ("es", "2,400"), ("pt-br", "2,400"), ("fr", "2,400"), ("fr", "2.400"), ("en", "2.400"),
])
def test_a_lone_decimal_mark_before_three_digits_reads_two_ways(language, text):
    with translation.override(language), pytest.raises(NumberAmbiguous) as two:
        parse_number(text)
    assert (two.value.whole, two.value.fraction) == (Decimal("2400"), Decimal("2.4"))


@pytest.mark.parametrize("text", ["abc", "2.40.000", "24,00,000", "1e999", "2..4", "1,2.3,4",
                                  "12 34", "NaN", "--2"])
def test_garbage_is_unreadable(text):
    with translation.override("en"), pytest.raises(NumberUnreadable):
        parse_number(text)


class Money(forms.Form):
    amount = LocalizedAmountField(max_digits=16, decimal_places=2, min_value=Decimal("0"))
    optional = LocalizedAmountField(max_digits=16, decimal_places=2, required=False)


def errors(language: str, **data) -> dict:
    with translation.override(language):
        form = Money(data={"amount": "1", **data})
        form.is_valid()
        return {name: " ".join(messages) for name, messages in form.errors.items()}


def test_the_form_says_how_an_ambiguous_number_reads_in_the_readers_language():
    assert errors("es", amount="2,400") == {"amount": "«2,400» puede leerse como 2400 o como "
                                                      "2,4. Escriba 2400 o 2,4, según lo que "
                                                      "quiera decir."}
    assert "2400 or 2.4" in errors("en", amount="2.400")["amount"]


def test_form_errors_never_a_500():
    assert "for example 2,400,000.50" in errors("en", amount="garbage")["amount"]
    assert "2\u00a0400\u00a0000,50" in errors("fr", amount="x" * 100)["amount"]
    assert "greater than or equal to 0" in errors("en", amount="-5")["amount"]
    assert "2 decimal places" in errors("en", amount="2.5055")["amount"]
    assert "required" in errors("en", amount="")["amount"]
    assert errors("en", amount="1", optional="") == {}


@pytest.mark.parametrize("language, shown", [
    ("es", "2\u00a0400\u00a0000,50"), ("pt-br", "2.400.000,50"), ("fr", "2\u00a0400\u00a0000,50"),
    ("en", "2,400,000.50"),
])
def test_the_widget_shows_the_value_the_languages_way_and_reads_it_back(language, shown):
    with translation.override(language):
        html = str(Money(initial={"amount": Decimal("2400000.50")})["amount"])
        assert f'value="{shown}"' in html and 'inputmode="decimal"' in html
        assert 'type="text"' in html
        form = Money(data={"amount": shown})
        assert form.is_valid() and form.cleaned_data["amount"] == Decimal("2400000.50")
        whole = str(Money(initial={"amount": Decimal("2400")})["amount"])
        assert Money(data={"amount": whole.split('value="')[1].split('"')[0]}).is_valid()
