"""The support counter: kept equal to the supports in the transaction that changes them, read by
the list sorted by support (whose query count does not grow with proposals), checked and
corrected by `reconcile_support_counts`."""
from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult import services
from consult.models import Phase, Proposal, Support
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory


def counter(proposal: Proposal) -> int:
    return Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)


@pytest.mark.django_db
def test_supporting_counts_once_and_withdrawing_uncounts():
    proposal = ProposalFactory()
    person, other = (ParticipantFactory(city=proposal.consultation.city) for _ in range(2))
    services.support_add(participant=person, proposal=proposal)
    services.support_add(participant=person, proposal=proposal)  # twice: still one
    assert counter(proposal) == 1
    services.support_add(participant=other, proposal=proposal)
    assert counter(proposal) == 2
    assert services.support_remove(participant=person, proposal=proposal) is True
    assert services.support_remove(participant=person, proposal=proposal) is False
    assert counter(proposal) == 1 == Support.objects.filter(proposal=proposal).count()


@pytest.mark.django_db
def test_a_supporters_supports_leave_the_counter_when_they_are_deleted():
    proposal = ProposalFactory()
    person = ParticipantFactory(city=proposal.consultation.city)
    services.support_add(participant=person, proposal=proposal)
    Support.objects.get(participant=person).delete()  # e.g. from the admin
    assert counter(proposal) == 0


@pytest.mark.django_db
def test_saving_an_older_copy_of_a_proposal_keeps_the_counter():
    proposal = ProposalFactory()
    stale = Proposal.objects.get(pk=proposal.pk)  # e.g. an admin form loaded before
    services.support_add(participant=ParticipantFactory(city=proposal.consultation.city),
                         proposal=proposal)
    stale.title = "Edited"
    stale.save()
    assert counter(proposal) == 1
    assert Proposal.objects.get(pk=proposal.pk).title == "Edited"


@pytest.mark.django_db
def test_the_list_sorted_by_support_follows_the_counter(client):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    low, high = (ProposalFactory(consultation=consultation, title=t) for t in ("Low", "High"))
    for _ in range(3):
        services.support_add(participant=ParticipantFactory(city=consultation.city),
                             proposal=high)
    url = reverse("consult:proposals", args=[consultation.city.slug, consultation.slug])
    page = client.get(url, {"order": "supported"}).content.decode()
    assert page.index("High") < page.index("Low")


@pytest.mark.django_db
def test_proposal_list_queries_do_not_grow_with_proposals(client):
    counts = []
    for n in (5, 50):
        consultation = ConsultationFactory(phase=Phase.PROPOSALS)
        ProposalFactory.create_batch(n, consultation=consultation)
        url = reverse("consult:proposals", args=[consultation.city.slug, consultation.slug])
        client.get(url, {"order": "supported"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"order": "supported"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_reconcile_finds_drift_exits_1_and_fix_corrects_it(capsys):
    proposal = ProposalFactory()
    services.support_add(participant=ParticipantFactory(city=proposal.consultation.city),
                         proposal=proposal)
    call_command("reconcile_support_counts")  # all good: no error
    Proposal.objects.filter(pk=proposal.pk).update(support_count=7)  # no signal
    with pytest.raises(CommandError) as failed:
        call_command("reconcile_support_counts")
    assert failed.value.returncode == 1
    assert f"proposal {proposal.pk}: counter 7, supports 1" in capsys.readouterr().out
    call_command("reconcile_support_counts", "--fix")
    assert counter(proposal) == 1
    call_command("reconcile_support_counts", "--city", proposal.consultation.city.slug)
    with pytest.raises(CommandError):
        call_command("reconcile_support_counts", "--city", "nowhere")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_people_supporting_at_once_count_twenty():
    assert connection.vendor == "postgresql"
    proposal = ProposalFactory()
    people = [ParticipantFactory(city=proposal.consultation.city) for _ in range(20)]
    barrier = threading.Barrier(len(people))

    def support(person):
        try:
            barrier.wait(timeout=30)
            services.support_add(participant=person, proposal=proposal)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=support, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter(proposal) == 20 == Support.objects.filter(proposal=proposal).count()


@pytest.mark.django_db
def test_the_cached_list_total_follows_new_and_selected_proposals(
        client, django_capture_on_commit_callbacks):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    ProposalFactory.create_batch(3, consultation=consultation)
    url = reverse("consult:proposals", args=[consultation.city.slug, consultation.slug])
    assert client.get(url).context["page"].paginator.count == 3
    ProposalFactory(consultation=consultation)
    assert client.get(url).context["page"].paginator.count == 4
    first = Proposal.objects.filter(consultation=consultation).first()
    assert client.get(url, {"status": "selected"}).context["page"].paginator.count == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.proposals_mark_selected(consultation=consultation, proposal_ids=[first.pk])
    assert client.get(url, {"status": "selected"}).context["page"].paginator.count == 1
