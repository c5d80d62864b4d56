"""Receipts that verify: anyone checks a code and learns whether that ballot is in the official
count; only its holder, logged in, sees its choices and finds its line in the ballot file."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult import services as consult_services
from consult.models import Ballot, Consultation, Phase
from planning import services
from planning.pabulib_io import consultation_export_pabulib_stream
from planning.selectors import normalise_receipt_code, receipt_check
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

from .conftest import close_voting

pytestmark = pytest.mark.django_db


def check_page(client, code: str):
    return client.post(reverse("receipt_check"), {"code": code})


def holder_of(ballot: Ballot) -> Client:
    client = Client()
    client.force_login(ballot.participant.user)
    return client


def test_codes_are_read_as_printed_whatever_the_case_spaces_or_dashes():
    assert normalise_receipt_code(" abcd efgh jk23 ") == "ABCD-EFGH-JK23"
    assert normalise_receipt_code("ABCDEFGHJK23") == "ABCD-EFGH-JK23"
    # Too short, too long, or letters a code never uses (I, L, O, 0, 1).
    for wrong in ("ABCD-EFGH-JK2", "ABCD-EFGH-JK234", "ABCD-EFGH-JKI0", "", "DROP TABLE"):
        assert normalise_receipt_code(wrong) is None


def test_an_unknown_or_malformed_code_is_not_found_with_a_hint_never_an_error(client, db):
    for code in ("ABCD-EFGH-JK23", "not a code at all", "x" * 40):
        response = check_page(client, code)
        assert response.status_code == 404
        assert "No ballot has this receipt code" in response.content.decode()
    response = check_page(client, "x" * 41)  # longer than the field allows: a form error
    assert response.status_code == 200 and "at most 40 characters" in response.content.decode()
    api = client.get("/api/v1/receipts/ABCD-EFGH-JK23/")
    assert api.status_code == 404 and "No ballot has this receipt code" in api.json()["detail"]


def test_while_voting_is_open_the_ballot_is_recorded_and_may_still_change(client, db):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    chosen = ProposalFactory(consultation=consultation, title="Bike lanes")
    ballot = consult_services.ballot_submit(participant=ParticipantFactory(
        city=consultation.city), consultation=consultation, choices={chosen.pk: 1})
    page = check_page(client, ballot.receipt_code.lower()).content.decode()
    assert "This ballot is recorded. Voting is open" in page
    assert "Bike lanes" not in page  # a stranger holding the code never sees the choices
    mine = check_page(holder_of(ballot), ballot.receipt_code).content.decode()
    assert "Bike lanes" in mine and "voter" not in mine  # no ballot file yet


def test_after_the_official_count_anyone_learns_which_count_and_its_input_hash(
        client, counted, roles):
    consultation, _ = counted
    ballot = Ballot.objects.filter(consultation=consultation).order_by("pk").first()
    assert receipt_check(code=ballot.receipt_code, user=roles.planner).status == "awaiting_count"
    services.count_run_create(consultation=consultation, rule="greedy", official=False,
                              user=roles.planner)
    assert receipt_check(code=ballot.receipt_code, user=roles.planner).status == "awaiting_count"
    run = services.count_run_create(consultation=consultation, rule="greedy", official=True,
                                    user=roles.planner)
    page = check_page(client, ballot.receipt_code).content.decode()
    assert "This ballot is in the official count." in page
    assert run.input_hash in page and "Greedy (most votes first)" in page
    data = client.get(f"/api/v1/receipts/{ballot.receipt_code}/").json()
    assert data["status"] == "counted" and data["holder"] is None
    assert data["count"] == {"id": run.pk, "rule": "greedy", "input_hash": run.input_hash,
                             "n_ballots": 6, "created_at": data["count"]["created_at"]}


def test_the_holder_finds_their_own_line_in_the_published_ballot_file(counted, roles):
    consultation, _ = counted
    services.count_run_create(consultation=consultation, rule="greedy", official=True,
                              user=roles.planner)
    ids = {p.pk: p.reference or str(p.pk) for p in consultation.proposals.all()}
    file_lines = "".join(consultation_export_pabulib_stream(consultation=consultation))
    votes = file_lines.split("VOTES\n", 1)[1].splitlines()[1:]
    by_voter = {line.split(";")[0]: set(filter(None, line.split(";")[1].split(",")))
                for line in votes}
    for ballot in Ballot.objects.filter(consultation=consultation):
        data = holder_of(ballot).get(f"/api/v1/receipts/{ballot.receipt_code}/").json()
        line = by_voter[str(data["holder"]["voter_number"])]
        mine = {ids[pk] for pk in ballot.choices.values_list("proposal_id", flat=True)}
        assert line == mine
        assert sorted(c["title"] for c in data["holder"]["choices"]) == sorted(
            ballot.choices.values_list("proposal__title", flat=True))


def test_guessing_is_throttled_per_address_on_the_page_and_the_api_together(
        client, db, settings):
    settings.RECEIPT_CHECKS_PER_ADDRESS = 3
    assert check_page(client, "ABCD-EFGH-JK23").status_code == 404
    assert client.get("/api/v1/receipts/ABCD-EFGH-JK24/").status_code == 404
    assert check_page(client, "ABCD-EFGH-JK25").status_code == 404  # the third: still answered
    refused = check_page(client, "ABCD-EFGH-JK26")
    assert refused.status_code == 429
    assert "Too many receipt codes checked from your address" in refused.content.decode()
    api = client.get("/api/v1/receipts/ABCD-EFGH-JK27/")
    assert api.status_code == 429 and int(api["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="10.0.0.2")  # another address is not affected
    assert check_page(other, "ABCD-EFGH-JK23").status_code == 404


def test_the_voters_receipt_page_links_to_the_check(db):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    chosen = ProposalFactory(consultation=consultation)
    ballot = consult_services.ballot_submit(participant=ParticipantFactory(
        city=consultation.city), consultation=consultation, choices={chosen.pk: 1})
    page = holder_of(ballot).get(reverse("consult:vote_receipt", args=[
        consultation.city.slug, consultation.slug])).content.decode()
    assert f'action="{reverse("receipt_check")}"' in page
    assert f'value="{ballot.receipt_code}"' in page


def test_a_closed_consultation_without_count_says_so(client, db):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    # An imported election may hold empty ballots (the web refuses them).
    ballot = Ballot.objects.create(participant=ParticipantFactory(city=consultation.city),
                                   consultation=consultation)
    close_voting(Consultation.objects.get(pk=consultation.pk), Phase.COUNTING)
    page = check_page(client, ballot.receipt_code).content.decode()
    assert "the official count has not been made yet" in page
    mine = check_page(holder_of(ballot), ballot.receipt_code).content.decode()
    assert "An empty ballot (no choice): it counts as a voter." in mine
