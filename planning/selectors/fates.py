"""What became of each proposal, and why, in the reader's language: selected (and the plan
action it became), not selected (the count's explanation: effective support, where its
supporters' money went), not feasible (the review's reason), rejected (the moderators'),
withdrawn (the author's), or pending while the results are not published.

Built at display time from what is stored — the proposal, its assessment, the official count's
explanations — in a fixed number of queries for any number of proposals: no ballot is read."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.models import Consultation, Phase, Proposal, ProposalAssessment
from consult.selectors import engine_project_id

from ..explanations import explain
from ..models import CountRun
from .counts import official_choice_latest, results_publication_of
from .reads import plan_actions_from


class FateStatus:
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    NOT_FEASIBLE = "not_feasible"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"


#: What each status is called where a person reads it.
FATE_LABELS = {
    FateStatus.SELECTED: gettext_lazy("Selected"),
    FateStatus.NOT_SELECTED: gettext_lazy("Not selected"),
    FateStatus.NOT_FEASIBLE: gettext_lazy("Not feasible"),
    FateStatus.REJECTED: gettext_lazy("Rejected"),
    FateStatus.WITHDRAWN: gettext_lazy("Withdrawn"),
    FateStatus.PENDING: gettext_lazy("Pending"),
}

#: The count's figures a fate passes on (to the page and the API), as the count stored them.
FIGURES = ("votes", "cost", "round", "rank", "price_per_supporter", "remaining_before",
           "supporters_money_left", "effective_support", "voter_budget",
           "supporters_paid_total")


@dataclass(frozen=True)
class Fate:
    status: str
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)
    #: the selected proposals its supporters' money went to: {proposal, title, amount}
    supporters_paid_for: list[dict] = field(default_factory=list)
    #: when selected: the approved plans' actions it became (``plan_actions_from``)
    plan_actions: list[dict] = field(default_factory=list)

    #: the status in words, in the language the reason is in
    label: str = ""

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", str(FATE_LABELS[self.status]))


@dataclass(frozen=True)
class _Official:
    """The published official count, read once for every proposal asked about."""

    run: CountRun | None
    pid_to_pk: dict[str, int]
    titles: dict[str, str]


def _pending_reason(consultation: Consultation) -> str:
    if consultation.phase in (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        return _("Voting has not closed yet: what becomes of it is known when the results "
                 "are published.")
    return _("The votes are being counted: what becomes of it is known when the results are "
             "published.")


def _paid_for_ids(explanation: dict | None) -> list[str]:
    if not explanation:
        return []
    source = explanation.get("mes") or explanation
    return [pid for pid, _amount in source.get("supporters_paid_for", [])]


def _official(consultation: Consultation, proposals: list[Proposal]) -> _Official | None:
    """The official count once the results are published (None before), with the titles of
    the selected proposals the asked proposals' explanations name — only those, however many
    proposals the consultation has (three queries)."""
    if results_publication_of(consultation=consultation) is None:
        return None
    choice = official_choice_latest(consultation=consultation)
    if choice is None:  # pragma: no cover - a publication always names an official choice
        return None
    explanations = choice.count_run.explanations
    named = {pid for p in proposals for pid in _paid_for_ids(explanations.get(
        engine_project_id(reference=p.reference, pk=p.pk)))}
    pid_to_pk, titles = {}, {}
    if named:
        numbers = [int(pid) for pid in named if pid.isdigit()]
        rows = Proposal.objects.filter(consultation=consultation).filter(
            Q(reference__in=named) | Q(reference="", pk__in=numbers)).values_list(
            "pk", "reference", "title")
        for pk, reference, title in rows:
            pid = engine_project_id(reference=reference, pk=pk)
            if pid in named:
                pid_to_pk[pid], titles[pid] = pk, title
    return _Official(run=choice.count_run, pid_to_pk=pid_to_pk, titles=titles)


def _counted_fate(proposal: Proposal, official: _Official, currency: str) -> Fate:
    run = official.run
    pid = engine_project_id(reference=proposal.reference, pk=proposal.pk)
    explanation = run.explanations.get(pid)
    selected = proposal.pk in set(run.selected_proposal_ids)
    status = FateStatus.SELECTED if selected else FateStatus.NOT_SELECTED
    if explanation is None:
        return Fate(status=status, reason=str(_("It was not on the ballot of the official "
                                                "count.")) if not selected else "")
    reason = explain(explanation, currency=currency, names=official.titles)
    source = explanation.get("mes", explanation) if not selected else explanation
    figures = {key: explanation.get(key, source.get(key)) for key in FIGURES
               if explanation.get(key, source.get(key)) is not None}
    paid = [{"proposal": official.pid_to_pk.get(p), "title": official.titles.get(p, p),
             "amount": amount} for p, amount in source.get("supporters_paid_for", [])]
    return Fate(status=status, reason=reason, figures=figures, supporters_paid_for=paid)


def proposal_fates(*, consultation: Consultation,
                   proposals: Iterable[Proposal]) -> dict[int, Fate]:
    """The fate of each proposal (drafts have none), by primary key, in a fixed number of
    queries: the publication, the official count and the titles it names, the assessments."""
    proposals = [p for p in proposals if p.status != Proposal.Status.DRAFT]
    if not proposals:
        return {}
    not_feasible = dict(ProposalAssessment.objects.filter(
        proposal__in=[p.pk for p in proposals],
        verdict=ProposalAssessment.Verdict.NOT_FEASIBLE).values_list("proposal_id", "reason"))
    official: _Official | None | bool = False  # read once, and only if needed
    fates: dict[int, Fate] = {}
    for proposal in proposals:
        if proposal.status == Proposal.Status.WITHDRAWN:
            fates[proposal.pk] = Fate(status=FateStatus.WITHDRAWN, reason=_(
                "Withdrawn by its author: %(reason)s") % {"reason": proposal.status_reason})
        elif proposal.status == Proposal.Status.REJECTED:
            fates[proposal.pk] = Fate(status=FateStatus.REJECTED, reason=_(
                "Rejected by the city's moderators or planners: %(reason)s") % {
                "reason": proposal.status_reason})
        elif proposal.pk in not_feasible:
            fates[proposal.pk] = Fate(status=FateStatus.NOT_FEASIBLE, reason=_(
                "The city's review found it not feasible: %(reason)s") % {
                "reason": not_feasible[proposal.pk]})
        else:
            if official is False:
                official = _official(consultation, proposals)
            if official is None:
                fates[proposal.pk] = Fate(status=FateStatus.PENDING,
                                          reason=_pending_reason(consultation))
            else:
                fates[proposal.pk] = _counted_fate(proposal, official, consultation.currency)
    selected = [pk for pk, fate in fates.items() if fate.status == FateStatus.SELECTED]
    if selected:
        actions = plan_actions_from(consultation_id=consultation.pk, proposal_pks=selected)
        for pk in selected:
            fates[pk] = replace(fates[pk], plan_actions=actions.get(pk, []))
    return fates


def proposal_fate_full(*, proposal: Proposal) -> Fate | None:
    """One proposal's fate (its consultation is read from the proposal)."""
    return proposal_fates(consultation=proposal.consultation, proposals=[proposal]).get(
        proposal.pk)
