"""The form → service → message round trip every page shares (core.web)."""
import pytest
from django import forms

from core.errors import NotAllowed, ServiceError
from core.web import submit


class AmountForm(forms.Form):
    amount = forms.IntegerField(min_value=0)


def test_an_invalid_form_never_reaches_the_service():
    called = []
    outcome = submit(AmountForm({"amount": "-1"}), lambda form: called.append(form))
    assert not outcome.ok and called == []


def test_the_service_result_comes_back_on_success():
    outcome = submit(AmountForm({"amount": "7"}), lambda form: form.cleaned_data["amount"] * 2)
    assert outcome.ok and outcome.result == 14


def test_a_service_error_lands_on_the_field_it_names_or_on_the_form():
    def over_budget(form):
        raise ServiceError("More than the budget.", field="amount")

    form = AmountForm({"amount": "7"})
    assert not submit(form, over_budget).ok
    assert form.errors == {"amount": ["More than the budget."]}

    def closed(form):
        raise ServiceError("Voting has closed.", field="not_a_field")

    form = AmountForm({"amount": "7"})
    assert not submit(form, closed).ok
    assert form.non_field_errors() == ["Voting has closed."]


def test_a_refusal_is_not_a_form_error_but_goes_up_to_the_page():
    def refuse(form):
        raise NotAllowed("Only the city's planners can do this.")

    with pytest.raises(NotAllowed):
        submit(AmountForm({"amount": "7"}), refuse)
