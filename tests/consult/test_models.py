"""Database constraints behind every 'one per' rule and every sign."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from consult.models import Ballot, BallotChoice, Flag, Proposal, Support
from tests.factories import (
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def test_one_support_per_participant_and_proposal():
    proposal = ProposalFactory()
    participant = ParticipantFactory()
    Support.objects.create(participant=participant, proposal=proposal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(participant=participant, proposal=proposal)
    assert Support.objects.count() == 1


def test_one_ballot_per_participant_and_consultation():
    consultation = ConsultationFactory()
    participant = ParticipantFactory()
    Ballot.objects.create(participant=participant, consultation=consultation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(participant=participant, consultation=consultation)
    # Another consultation is another ballot.
    Ballot.objects.create(participant=participant, consultation=ConsultationFactory())
    assert Ballot.objects.count() == 2


def test_receipt_codes_are_distinct_and_readable():
    consultation = ConsultationFactory()
    codes = {Ballot.objects.create(participant=ParticipantFactory(),
                                   consultation=consultation).receipt_code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    assert not any(ch in code for code in codes for ch in "0O1IL")


def test_one_choice_per_proposal_and_positive_points():
    proposal = ProposalFactory()
    ballot = Ballot.objects.create(participant=ParticipantFactory(),
                                   consultation=proposal.consultation)
    BallotChoice.objects.create(ballot=ballot, proposal=proposal)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotChoice.objects.create(ballot=ballot, proposal=proposal)
    other = ProposalFactory(consultation=proposal.consultation)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotChoice.objects.create(ballot=ballot, proposal=other, points=0)


def test_negative_cost_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(estimated_cost=Decimal("-1"))
    assert not Proposal.objects.exists()


def test_rejection_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(status=Proposal.Status.REJECTED, status_reason="")
    ProposalFactory(status=Proposal.Status.REJECTED, status_reason="Not an international action.")


def test_flag_targets_exactly_one_thing_once_per_reporter():
    comment = CommentFactory()
    reporter = ParticipantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(reporter=reporter, reason="spam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(reporter=reporter, reason="spam", comment=comment,
                            proposal=comment.proposal)
    Flag.objects.create(reporter=reporter, reason="spam", comment=comment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(reporter=reporter, reason="offensive", comment=comment)
    Flag.objects.create(reporter=reporter, reason="spam", proposal=comment.proposal)
    assert Flag.objects.count() == 2


def test_a_city_cannot_take_an_address_other_pages_use():
    from django.core.exceptions import ValidationError
    from django.urls import get_resolver

    from consult.models import RESERVED_CITY_SLUGS, City

    # Every first part of an address that is not a city's is reserved (config/urls.py and the
    # consult app's own prefixes), so the list cannot fall behind the URLs.
    prefixes = set()
    for pattern in get_resolver().url_patterns:
        first = str(pattern.pattern).split("/")[0].strip("^")
        if first and "<" not in first:
            prefixes.add(first)
        for inner in getattr(pattern, "url_patterns", []) if not first else []:
            head = str(inner.pattern).split("/")[0].strip("^")
            if head and "<" not in head:
                prefixes.add(head)
    prefixes -= {".well-known"}  # a slug cannot contain a dot
    assert prefixes <= RESERVED_CITY_SLUGS, prefixes - RESERVED_CITY_SLUGS
    city = City(name="Setup", slug="setup", country="MX", currency="MXN")
    with pytest.raises(ValidationError) as refused:
        city.full_clean()
    assert "taken by other pages of the site" in str(refused.value)
