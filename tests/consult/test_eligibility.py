"""Who may propose, support and vote: the options per action, what a person is told they need,
the refusals (403 with the reason, web and API), a minimum age at its boundary, voting codes
entered with the ballot, and one ballot per identity (docs/eligibility.md)."""
from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from consult import eligibility, identity, services
from consult.errors import BallotError
from consult.models import (
    Ballot,
    CastIdentity,
    Eligibility,
    Phase,
    Verification,
    VotingCode,
)
from core.errors import NotAllowed, ServiceError
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _voting(**fields):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2, **fields)
    proposal = ProposalFactory(consultation=consultation)
    return consultation, proposal


def _verified(participant, *, birth_date=None, identifier="12.345.678-K"):
    participant.is_verified = True
    participant.save()
    return Verification.objects.create(
        participant=participant, city=participant.city, birth_date=birth_date,
        identifier_hash=identity.identifier_hash(identifier, city_id=participant.city_id))


def _codes(consultation, n=1):
    codes = [identity.new_code() for _ in range(n)]
    VotingCode.objects.bulk_create(VotingCode(
        consultation=consultation,
        code_hash=identity.code_hash(identity.normalise_code(code),
                                     consultation_id=consultation.pk)) for code in codes)
    return codes


def test_each_action_has_its_own_rule():
    """Anyone may propose, residents (declared) may support, verified residents may vote."""
    consultation = ConsultationFactory(
        phase=Phase.PROPOSALS, proposing_eligibility=Eligibility.REGISTERED,
        supporting_eligibility=Eligibility.RESIDENTS, eligibility=Eligibility.VERIFIED)
    visitor = ParticipantFactory(city=CityFactory(), is_verified=False)
    resident = ParticipantFactory(city=consultation.city, is_verified=False)

    def need(person, action):
        found = eligibility.requirement(user=person.user, consultation=consultation,
                                        action=action)
        return found.code if found else None

    assert [need(visitor, a) for a in eligibility.ACTIONS] == [None, "resident", "resident"]
    assert [need(resident, a) for a in eligibility.ACTIONS] == [None, None, "verify"]


def test_a_visitor_from_another_city_is_told_why_they_cannot_support(client):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS,
                                       supporting_eligibility=Eligibility.RESIDENTS)
    proposal = ProposalFactory(consultation=consultation)
    visitor = ParticipantFactory(city=CityFactory(name="Quito"))
    with pytest.raises(NotAllowed) as refused:
        services.support_add(participant=visitor, proposal=proposal)
    assert f"residents of {consultation.city.name}" in refused.value.message
    assert not proposal.supports.exists()


def test_the_consultation_page_says_what_a_person_needs_and_where_to_get_it(client):
    consultation, _ = _voting(eligibility=Eligibility.VERIFIED)
    person = ParticipantFactory(city=consultation.city, is_verified=False)
    client.force_login(person.user)
    page = client.get(reverse("consult:consultation", args=[consultation.city.slug,
                                                              consultation.slug]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "verify your residence against the city&#x27;s census first" in page
    assert reverse("consult:verify_residence") in page
    vote = client.post(reverse("consult:vote", args=[consultation.city.slug, consultation.slug]),
                       {"choice": []}, HTTP_ACCEPT_LANGUAGE="en")
    assert vote.status_code == 403 and "verify your residence" in vote.content.decode()


def test_the_api_refuses_with_the_reason():
    consultation, proposal = _voting(eligibility=Eligibility.VERIFIED)
    person = ParticipantFactory(city=consultation.city, is_verified=False)
    api = APIClient()
    api.force_authenticate(person.user)
    response = api.put(f"/api/v1/consultations/{consultation.pk}/ballot/",
                       {"choices": [{"proposal": proposal.pk, "points": 1}]}, format="json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "verify your residence" in str(response.json())
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(("born", "allowed"), [
    (date(2010, 6, 15), True),   # 16 today: the birthday itself counts
    (date(2010, 6, 16), False),  # 16 tomorrow
    (None, False),               # the census has no birth date: not shown to be of age
])
def test_a_minimum_age_at_its_boundary(born, allowed, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 6, 15))
    consultation, proposal = _voting(eligibility=Eligibility.VERIFIED, minimum_age=16)
    person = ParticipantFactory(city=consultation.city)
    _verified(person, birth_date=born)
    assert eligibility.may(user=person.user, consultation=consultation,
                           action=eligibility.VOTE) is allowed
    if allowed:
        services.ballot_submit(participant=person, consultation=consultation,
                               choices={proposal.pk: 1})
    else:
        with pytest.raises(NotAllowed, match="aged 16 or older"):
            services.ballot_submit(participant=person, consultation=consultation,
                                   choices={proposal.pk: 1})


def test_a_minimum_age_needs_a_rule_that_knows_ages():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    with pytest.raises(ServiceError) as refused:
        services.consultation_update(consultation=consultation, minimum_age=16)
    assert refused.value.field == "minimum_age"
    services.consultation_update(consultation=consultation, minimum_age=16,
                                 eligibility=Eligibility.VERIFIED)


def test_a_code_holder_votes_once_with_their_code():
    consultation, proposal = _voting(eligibility=Eligibility.CODE)
    other = ProposalFactory(consultation=consultation)
    [code] = _codes(consultation)
    first, second = ParticipantFactory(is_verified=False), ParticipantFactory()
    with pytest.raises(BallotError, match="voting code you received"):
        services.ballot_submit(participant=first, consultation=consultation,
                               choices={proposal.pk: 1})
    ballot = services.ballot_submit(participant=first, consultation=consultation,
                                    choices={proposal.pk: 1}, voting_code=code.lower())
    assert CastIdentity.objects.get(kind=CastIdentity.Kind.CODE).ballot == ballot
    # changing the ballot asks for no code again
    services.ballot_submit(participant=first, consultation=consultation, choices={other.pk: 1})
    with pytest.raises(BallotError, match="already been used"):
        services.ballot_submit(participant=second, consultation=consultation,
                               choices={proposal.pk: 1}, voting_code=code)
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(("typed", "message"), [
    ("ABCD", "This is not a voting code"),
    (None, "not one of this consultation"),
])
def test_a_wrong_code_is_refused_before_anything_is_saved(typed, message):
    consultation, proposal = _voting(eligibility=Eligibility.CODE)
    other, _ = _voting(eligibility=Eligibility.CODE)
    [elsewhere] = _codes(other)  # a real code, of another consultation
    person = ParticipantFactory()
    with pytest.raises(BallotError, match=message) as refused:
        services.ballot_submit(participant=person, consultation=consultation,
                               choices={proposal.pk: 1}, voting_code=typed or elsewhere)
    assert refused.value.field == "voting_code"
    assert not Ballot.objects.exists()


def test_a_verified_resident_needs_no_code_and_their_document_votes_once():
    consultation, proposal = _voting(eligibility=Eligibility.VERIFIED_OR_CODE)
    person = ParticipantFactory(city=consultation.city)
    _verified(person)
    assert not eligibility.needs_code(user=person.user, consultation=consultation)
    ballot = services.ballot_submit(participant=person, consultation=consultation,
                                    choices={proposal.pk: 1})
    mark = CastIdentity.objects.get(ballot=ballot)
    assert mark.kind == CastIdentity.Kind.CENSUS
    # the same document presented at a polling station: its identity has voted
    paper = Ballot.objects.create(consultation=consultation, channel=Ballot.Channel.PAPER,
                                  serial="0001", participant=None)
    from consult.services.identities import ALREADY_VOTED, claim

    with pytest.raises(BallotError):
        claim(ballot=paper, kind=CastIdentity.Kind.CENSUS, identity_hash=mark.identity_hash,
              refusal=ALREADY_VOTED)


def test_the_vote_page_asks_for_the_code_and_shows_its_error(client):
    consultation, proposal = _voting(eligibility=Eligibility.CODE)
    ThemeFactory(consultation=consultation)
    person = ParticipantFactory()
    client.force_login(person.user)
    url = reverse("consult:vote", args=[consultation.city.slug, consultation.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="voting_code"' in page and "data-code-check" in page
    response = client.post(url, {"choice": [proposal.pk], "voting_code": "ZZZZ-ZZZZ-Z"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'id="voting-code-error"' in response.content.decode()
    [code] = _codes(consultation)
    done = client.post(url, {"choice": [proposal.pk], "voting_code": code})
    assert done.status_code == 302
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="voting_code"' not in again  # the ballot holds its code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_people_with_the_same_code_at_once_make_one_ballot():
    from django.db import connection

    from tests.consult.test_concurrency import THREADS, run_in_threads

    assert connection.vendor == "postgresql"
    consultation, proposal = _voting(eligibility=Eligibility.CODE)
    [code] = _codes(consultation)
    people = [ParticipantFactory() for _ in range(THREADS)]

    def job(person):
        try:
            services.ballot_submit(participant=person, consultation=consultation,
                                   choices={proposal.pk: 1}, voting_code=code)
            return "ok"
        except BallotError:
            return "refused"

    outcomes = run_in_threads([lambda person=person: job(person) for person in people])
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1
    assert Ballot.objects.filter(consultation=consultation).count() == 1
    assert CastIdentity.objects.filter(consultation=consultation).count() == 1


def test_the_proposal_pages_say_what_supporting_needs(client):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS,
                                       supporting_eligibility=Eligibility.RESIDENTS)
    proposal = ProposalFactory(consultation=consultation)
    visitor = ParticipantFactory(city=CityFactory(name="Quito"))
    client.force_login(visitor.user)
    args = [consultation.city.slug, consultation.slug]
    for url in (reverse("consult:proposals", args=args),
                reverse("consult:proposal", args=[*args, proposal.pk])):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"This consultation is for residents of {consultation.city.name}" in html, url
        assert "Support this proposal" not in html


def test_the_api_says_what_a_person_may_do_before_they_start():
    consultation = ConsultationFactory(phase=Phase.VOTING, eligibility=Eligibility.VERIFIED_OR_CODE,
                                       supporting_eligibility=Eligibility.RESIDENTS)
    url = f"/api/v1/consultations/{consultation.pk}/eligibility/"
    anonymous = APIClient().get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert anonymous["vote"]["needs"]["code"] == "sign_in" and not anonymous["vote"]["allowed"]
    api = APIClient()
    api.force_authenticate(ParticipantFactory(city=CityFactory(), is_verified=False).user)
    data = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["propose"] == {"rule": "registered", "allowed": True, "needs": None}
    assert data["support"]["needs"]["code"] == "resident" and not data["support"]["allowed"]
    assert data["vote"]["allowed"] and data["vote"]["needs"]["code"] == "voting_code"
    assert data["vote"]["needs"]["blocking"] is False
