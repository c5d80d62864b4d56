"""Template helpers of the plan pages, and `{% proposal_fate proposal %}` for any page that shows
a proposal: template libraries are looked up by name when a template renders, so consult's
proposal page can `{% load planning_tags %}` without consult importing planning."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from consult.models import CountingRule
from core.formatting import format_percent
from planning import selectors
from planning.models import (
    TIE_BREAK_WORDS,
    BudgetLine,
    FundingSource,
    Indicator,
    PlanStatus,
    ResultLevel,
    TieBreak,
    count_options_text,
)
from planning.selectors.fates import proposal_fate_full

register = template.Library()


@register.filter
def plan_money(value, currency: str = "") -> str:
    """An amount with the language's grouping and decimal mark: "1,234,567.50 MXN"."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True,
                                   force_grouping=True)
    return f"{number}\u00a0{currency}".strip()


@register.filter
def plan_number(value) -> str:
    """An indicator value without trailing zeros ("12.5", not "12.5000")."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return formats.number_format(format(amount, "f"), use_l10n=True)


LABELS = {
    "source": dict(FundingSource.choices),
    "type": dict(BudgetLine.Type.choices),
    "line_status": dict(BudgetLine.Status.choices),
    "measure": dict(Indicator.Measure.choices),
    "result_level": dict(ResultLevel.choices),
    "plan_status": dict(PlanStatus.choices),
    "rule": dict(CountingRule.choices),
    "tie_break": dict(TieBreak.choices),
    "tie_break_words": TIE_BREAK_WORDS,
}


@register.filter
def label(value, kind: str) -> str:
    """The translated label of a stored choice value (snapshots keep the values)."""
    return str(LABELS.get(kind, {}).get(value, value if value is not None else "—"))


@register.filter
def count_options(options) -> str:
    """A count's options in words ("Raising the budget stops: When the selection is
    exhaustive"), joined by semicolons; "" for none."""
    return "; ".join(count_options_text(options))


@register.filter
def percent(share) -> str:
    """A share (0.42) as the reader writes a percentage."""
    return format_percent(None if share in (None, "") else float(share))


@register.simple_tag
def results_state(consultation, user):
    """For consult's public results page: whether the results are published, and the official
    count, its reason and the history of choices when the reader may see them (a preview for
    the city's planners before publication)."""
    return selectors.results_public_state(consultation=consultation, user=user)


@register.simple_tag
def fate_of(proposal):
    """What became of a proposal (a Fate), for a page that shows it in more than one place."""
    return proposal_fate_full(proposal=proposal)


@register.simple_tag
def results_summary(consultation, results):
    """For consult's public results page: the official count in a few figures and sentences
    (money allocated and left, proposals selected, voters funded, the rule, the comparison with
    a plain greedy count), or None when the reader may not see the selection (``results`` is
    the answer of ``results_state``)."""
    official = (results or {}).get("official")
    if not results or not results.get("show_selection") or official is None:
        return None
    return selectors.results_summary(consultation=consultation, run=official.count_run)


@register.inclusion_tag("planning/_proposal_fate.html")
def proposal_fate(proposal, fate=None):
    """What became of a proposal and why; when selected, the plan action it became with its
    budget per year and its execution."""
    fate = fate or proposal_fate_full(proposal=proposal)
    plan = (selectors.proposal_fate(proposal, entries=fate.plan_actions)
            if fate and fate.status == "selected" else None)
    return {"proposal": proposal, "fate": fate, "plan": plan,
            "currency": proposal.consultation.currency}


DIFF_FIELDS = {
    "title": _("title"), "description": _("description"), "start_year": _("first year"),
    "end_year": _("last year"), "currency": _("currency"), "envelope": _("total envelope"),
    "result_level": _("result level"), "objective_title": _("objective"),
    "department": _("responsible department"), "partners": _("partner organisations"),
    "partner_cities": _("partner cities"), "rank": _("rank in the count"),
    "proposals": _("proposals"), "measure": _("measure"), "unit_label": _("unit"),
    "ascending": _("higher is better"), "baseline_year": _("baseline year"),
    "baseline_value": _("baseline value"), "baseline_comment": _("baseline (in words)"),
    "means_of_verification": _("means of verification"), "assumptions": _("assumptions"),
    "targets": _("targets"),
}


@register.filter
def diff_field(name: str) -> str:
    return str(DIFF_FIELDS.get(name, name))


@register.filter
def diff_value(value) -> str:
    """A snapshot value for people: targets as "2027: 10; 2028: 12", lists joined, yes/no."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        def part(item) -> str:
            if isinstance(item, dict):
                return " ".join(str(v) for v in item.values() if v)
            return str(item)

        return "; ".join(f"{key}: {part(item)}" for key, item in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
