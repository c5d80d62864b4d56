"""Stored totals: computed once after voting closes, read by every page; a page view never counts
a closed consultation's ballots; the headline numbers read this consultation only."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from consult import selectors, services, tasks
from consult.models import (
    Ballot,
    BallotChoice,
    ConsultationTally,
    Phase,
    Proposal,
    ProposalTally,
    Support,
)
from core.errors import ServiceError
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def closed_with_ballots(n_ballots: int, phase: Phase = Phase.RESULTS):
    consultation = ConsultationFactory(phase=phase)
    a = ProposalFactory(consultation=consultation, title="Green roofs")
    b = ProposalFactory(consultation=consultation, title="Migrant desk")
    for i in range(n_ballots):
        ballot = Ballot.objects.create(participant=ParticipantFactory(city=consultation.city),
                                       consultation=consultation)
        BallotChoice.objects.create(ballot=ballot, proposal=a)
        if i % 2 == 0:
            BallotChoice.objects.create(ballot=ballot, proposal=b)
    return consultation, a, b


def results_url(consultation) -> str:
    return reverse("consult:results", args=[consultation.city.slug, consultation.slug])


def test_the_tally_equals_the_live_totals_and_is_stored_once(client):
    consultation, a, b = closed_with_ballots(7)
    page = client.get(results_url(consultation))
    assert page.status_code == 200
    tally = ConsultationTally.objects.get(consultation=consultation)
    rows = {row.proposal_id: (row.votes, row.points) for row in tally.rows.all()}
    assert rows == selectors.live_vote_totals(consultation=consultation) == {
        a.pk: (7, 7), b.pk: (4, 4)}
    assert tally.counts() == selectors.live_counts(consultation=consultation)
    assert tally.ballots == 7 and tally.participants == 7 + 2  # voters and the two authors
    assert [p.pk for p in page.context["totals"]()] == [a.pk, b.pk]
    client.get(results_url(consultation))
    assert ConsultationTally.objects.get(consultation=consultation).pk == tally.pk
    assert ProposalTally.objects.filter(tally=tally).count() == 2


def test_the_cached_results_table_follows_the_selection(client):
    consultation, a, b = closed_with_ballots(3)
    assert "<strong>Selected</strong>" not in client.get(results_url(consultation)).content.decode()
    from planning.services import count_run_create, results_publish

    run = count_run_create(consultation=consultation, official=True)  # marks the selection
    assert run.selected_proposal_ids
    # Not published yet (planning's ResultsPublication): still no selection on the page.
    assert "<strong>Selected</strong>" not in client.get(results_url(consultation)).content.decode()
    results_publish(consultation=consultation, user=None)
    page = client.get(results_url(consultation)).content.decode()
    chosen = Proposal.objects.get(pk=run.selected_proposal_ids[0])
    table = page[page.index('<table class="results">'):]  # below the chart
    row = table[table.index(chosen.title):]
    assert "<strong>Selected</strong>" in row[:row.index("</tr>")]


def test_results_page_queries_do_not_grow_with_ballots(client):
    small, _, _ = closed_with_ballots(3)
    large, _, _ = closed_with_ballots(40)
    for consultation in (small, large):
        client.get(results_url(consultation))  # the first view stores the tally
    counts = []
    for consultation in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(results_url(consultation)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_no_tally_before_voting_closes():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    with pytest.raises(ServiceError):
        services.tally_compute(consultation=consultation)
    assert tasks.headline_counts(consultation=consultation) == selectors.live_counts(
        consultation=consultation)
    assert not ConsultationTally.objects.exists()


def test_moving_the_closing_time_makes_the_tally_stale_and_it_is_computed_again():
    consultation, a, _ = closed_with_ballots(2)
    first = services.tally_compute(consultation=consultation)
    consultation.voting_closes_at -= timedelta(hours=1)
    consultation.save(update_fields=["voting_closes_at"])
    assert selectors.current_tally(consultation=consultation) is None
    assert tasks.tally_closed_consultations() == [consultation.pk]
    second = selectors.current_tally(consultation=consultation)
    assert second is not None and second.pk != first.pk
    assert ConsultationTally.objects.filter(consultation=consultation).count() == 1


def test_the_periodic_task_tallies_closed_consultations_only():
    closed, _, _ = closed_with_ballots(1)
    counting, _, _ = closed_with_ballots(1, phase=Phase.COUNTING)
    ConsultationFactory(phase=Phase.VOTING)
    assert sorted(tasks.tally_closed_consultations()) == sorted([closed.pk, counting.pk])
    assert tasks.tally_closed_consultations() == []


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_worker_the_page_asks_once_and_says_the_totals_are_coming(client, monkeypatch):
    """With a broker the page queues the tally (once, however many views) and shows that it is
    coming; it never counts the ballots itself. The real worker is tested in tests/stack/."""
    queued = []
    monkeypatch.setattr(tasks.tally_consultation, "delay",
                        lambda **kwargs: queued.append(kwargs["consultation_id"]))
    consultation, _, _ = closed_with_ballots(3)
    for _ in range(3):
        page = client.get(results_url(consultation))
        assert page.status_code == 200 and str(tasks.TALLY_PENDING) in page.content.decode()
    assert queued == [consultation.pk]
    assert not ConsultationTally.objects.exists()
    tasks.tally_consultation(consultation.pk)  # what the worker does
    page = client.get(results_url(consultation))
    assert "Green roofs" in page.content.decode()


def test_participants_are_counted_once_and_only_for_this_consultation():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    other = ConsultationFactory(phase=Phase.PROPOSALS)
    proposal = ProposalFactory(consultation=consultation)
    elsewhere = ProposalFactory(consultation=other)
    both = ParticipantFactory()
    Support.objects.create(participant=both, proposal=proposal)
    Support.objects.create(participant=proposal.author, proposal=proposal)  # author supports too
    Support.objects.create(participant=ParticipantFactory(), proposal=elsewhere)
    Ballot.objects.create(participant=both, consultation=consultation)
    counts = selectors.live_counts(consultation=consultation)
    assert counts["participants"] == 2  # `both` and the author, once each
    assert counts["supports"] == 2 and counts["ballots"] == 1 and counts["proposals"] == 1
