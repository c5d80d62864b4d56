"""What became of each proposal and why, checked by hand on a small election.

Budget 100, four voters (25 each under equal shares): A (60) is chosen by voters 1–3, B (50) by
voters 1–2, C (30) by voter 4.

* Equal shares, round 1: A's three supporters hold 75 ≥ 60 and pay 20 each; A is bought.
* B: its two supporters have 5 + 5 = 10 left, 20 % of 50 (40 short); the 40 they spent went
  to A.
* C: its one supporter holds 25, 83 % of 30 (5 short); she spent nothing.
* Greedy instead: A (rank 1) fits in 100; B (rank 2) finds 40 left < 50; C (rank 3) fits.
"""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.timezone import now

from consult import services as consult_services
from consult.models import Consultation, Phase, Proposal, ProposalAssessment
from planning.selectors.fates import FateStatus, proposal_fates
from planning.services import count_run_create, results_publish
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def election():
    consultation = ConsultationFactory(phase=Phase.VOTING, budget=Decimal("100"), max_choices=3)
    a, b, c = (ProposalFactory(consultation=consultation, title=title,
                               estimated_cost=Decimal(cost))
               for title, cost in (("Alpha", "60"), ("Beta", "50"), ("Gamma", "30")))
    for chosen in ([a, b], [a, b], [a], [c]):
        consult_services.ballot_submit(
            participant=ParticipantFactory(city=consultation.city), consultation=consultation,
            choices={p.pk: 1 for p in chosen})
    withdrawn = ProposalFactory(consultation=consultation, status=Proposal.Status.WITHDRAWN,
                                status_reason="Merged into Alpha.")
    rejected = ProposalFactory(consultation=consultation, status=Proposal.Status.REJECTED,
                               status_reason="Outside the city's competences.")
    unfeasible = ProposalFactory(consultation=consultation)
    ProposalAssessment.objects.create(proposal=unfeasible, verdict="not_feasible",
                                      reason="The site is private land.", assessed_at=now())
    draft = ProposalFactory(consultation=consultation, status=Proposal.Status.DRAFT)
    closed = ConsultationFactory.build(phase=Phase.COUNTING)
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_closes_at=closed.voting_closes_at, results_at=closed.results_at)
    consultation.refresh_from_db()
    others = {"withdrawn": withdrawn, "rejected": rejected, "unfeasible": unfeasible,
              "draft": draft}
    return consultation, (a, b, c), others


def _fates(consultation):
    proposals = list(Proposal.objects.filter(consultation=consultation))
    return proposal_fates(consultation=consultation, proposals=proposals)


def test_every_status_has_its_fate_and_reason(election):
    consultation, (a, b, c), others = election
    count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)
    with translation.override("en"):
        fates = _fates(consultation)
    assert others["draft"].pk not in fates  # a draft has no fate: nobody else sees it
    assert fates[a.pk].status == FateStatus.SELECTED
    assert fates[a.pk].reason == ("Selected in round 1: its 3 supporters could pay for it, "
                                  "at most 20\u00a0MXN each.")
    assert fates[b.pk].status == FateStatus.NOT_SELECTED
    assert fates[others["withdrawn"].pk].status == FateStatus.WITHDRAWN
    assert fates[others["withdrawn"].pk].reason == "Withdrawn by its author: Merged into Alpha."
    assert fates[others["rejected"].pk].status == FateStatus.REJECTED
    assert "Outside the city's competences." in fates[others["rejected"].pk].reason
    assert fates[others["unfeasible"].pk].status == FateStatus.NOT_FEASIBLE
    assert fates[others["unfeasible"].pk].reason == (
        "The city's review found it not feasible: The site is private land.")


def test_why_not_selected_under_equal_shares_figures_by_hand(election):
    consultation, (a, b, c), _others = election
    run = count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)
    with translation.override("en"):
        fates = _fates(consultation)
    beta, gamma = fates[b.pk], fates[c.pk]
    assert beta.figures["effective_support"] == pytest.approx(0.2)
    assert beta.figures["supporters_money_left"] == 10 and beta.figures["voter_budget"] == 25
    assert beta.supporters_paid_for == [{"proposal": a.pk, "title": "Alpha", "amount": 40.0}]
    assert beta.reason == (
        "Under equal shares, when it was considered (round 2), its 2 supporters had 10\u00a0MXN "
        "left between them: 20% of its cost of 50\u00a0MXN, 40\u00a0MXN short. Their money went "
        "to the selected “Alpha” (40\u00a0MXN).")
    assert gamma.figures["effective_support"] == pytest.approx(25 / 30)
    assert gamma.supporters_paid_for == [] and gamma.figures["supporters_paid_total"] == 0
    assert "83%" in gamma.reason and "5\u00a0MXN short" in gamma.reason
    # the figures are the count's own record, not recomputed
    stored = run.explanations[str(b.pk)]
    assert stored["effective_support"] == beta.figures["effective_support"]
    assert stored["supporters_paid_for"] == [[str(a.pk), 40.0]]


def test_why_not_selected_under_greedy_says_the_budget_left(election):
    consultation, (a, b, c), _others = election
    count_run_create(consultation=consultation, rule="greedy", official=True)
    results_publish(consultation=consultation, user=None)
    with translation.override("en"):
        fates = _fates(consultation)
    assert fates[c.pk].status == FateStatus.SELECTED
    assert fates[b.pk].figures["remaining_before"] == 40 and fates[b.pk].figures["rank"] == 2
    assert fates[b.pk].reason == ("Not selected: when its turn came (rank 2 by votes) only "
                                  "40\u00a0MXN was left, less than its cost of 50\u00a0MXN.")


def test_the_fate_is_pending_until_the_results_are_published(election):
    consultation, (a, b, c), others = election
    with translation.override("en"):
        assert _fates(consultation)[a.pk].reason.startswith("The votes are being counted")
        count_run_create(consultation=consultation, rule="mes", official=True)
        fates = _fates(consultation)  # an official count alone is not public
    assert {fates[p.pk].status for p in (a, b, c)} == {FateStatus.PENDING}
    # what does not depend on the count is known already
    assert fates[others["withdrawn"].pk].status == FateStatus.WITHDRAWN


def test_the_fate_is_pending_while_voting_is_open():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    proposal = ProposalFactory(consultation=consultation)
    with translation.override("en"):
        fate = proposal_fates(consultation=consultation, proposals=[proposal])[proposal.pk]
    assert fate.status == FateStatus.PENDING and fate.reason.startswith("Voting has not closed")


def test_the_reason_is_in_the_readers_language(election):
    consultation, (a, b, c), _others = election
    count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)
    with translation.override("es"):
        spanish = _fates(consultation)[b.pk]
    with translation.override("fr"):
        french = _fates(consultation)[b.pk]
    assert spanish.label == "No seleccionada" and "20\u00a0%" in spanish.reason
    assert "Alpha" in spanish.reason and "Beta" not in spanish.reason
    assert french.reason != spanish.reason and "20\u00a0%" in french.reason


def test_fates_take_the_same_queries_for_more_proposals(election):
    consultation, _proposals, _others = election
    count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)

    def queries() -> int:
        proposals = list(Proposal.objects.filter(consultation=consultation))
        with CaptureQueriesContext(connection) as captured:
            proposal_fates(consultation=consultation, proposals=proposals)
        return len(captured)

    before = queries()
    for n in range(6):
        ProposalFactory(consultation=consultation, title=f"Late {n}")
    assert queries() == before


def test_the_api_gives_each_proposal_its_fate_in_the_requests_language(election, client):
    consultation, (a, b, c), others = election
    count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)
    detail = client.get(f"/api/v1/proposals/{b.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    fate = detail["fate"]
    assert fate["status"] == "not_selected" and fate["label"] == "Not selected"
    assert fate["effective_support"] == pytest.approx(0.2)
    assert fate["supporters_paid_for"] == [{"proposal": a.pk, "title": "Alpha", "amount": 40.0}]
    assert fate["figures"]["supporters_money_left"] == 10 and "20%" in fate["reason"]
    listed = client.get(f"/api/v1/consultations/{consultation.pk}/proposals/",
                        HTTP_ACCEPT_LANGUAGE="es").json()
    by_id = {item["id"]: item["fate"] for item in listed["results"]}
    assert by_id[a.pk]["status"] == "selected" and by_id[a.pk]["plan_actions"] == []
    assert by_id[b.pk]["reason"] != fate["reason"] and "20\u00a0%" in by_id[b.pk]["reason"]
    withdrawn = client.get(f"/api/v1/proposals/{others['withdrawn'].pk}/").json()["fate"]
    assert withdrawn["status"] == "withdrawn" and withdrawn["effective_support"] is None
