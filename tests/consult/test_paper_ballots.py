"""Paper ballots entered twice by clerks: matching pairs become ballots counted by every rule,
mismatches wait for a third look, an identity votes once whatever the channel, bad input is
refused with nothing written, and PostgreSQL threads racing on a serial or a code end with one
ballot."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from consult import selectors, services
from consult.errors import BallotError
from consult.identity import code_hash, identifier_hash, new_code, normalise_code
from consult.models import (
    Ballot,
    BallotChoice,
    CastIdentity,
    CensusEntry,
    CityRole,
    Consultation,
    ConsultationTally,
    Eligibility,
    PaperEntry,
    Phase,
    VotingCode,
    VotingMethod,
)
from core.errors import NotAllowed, ServiceError
from tests.consult.test_concurrency import THREADS, run_in_threads
from tests.factories import (
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def clerk_of(city, role=CityRole.Role.CLERK):
    return CityRoleFactory(city=city, role=role).user


def a_code(consultation) -> str:
    code = new_code()
    VotingCode.objects.create(consultation=consultation,
                              code_hash=code_hash(normalise_code(code),
                                                  consultation_id=consultation.pk))
    return code


def online_ballot(consultation, proposals, *, kind="", digest=""):
    """An online ballot, and the identity it used (the lead's online path records it; here it
    is written directly)."""
    participant = ParticipantFactory(city=consultation.city)
    ballot = Ballot.objects.create(consultation=consultation, participant=participant)
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, proposal=p, points=1)
                                     for p in proposals)
    if kind:
        CastIdentity.objects.create(consultation=consultation, kind=kind, identity_hash=digest,
                                    ballot=ballot)
    return ballot


@pytest.fixture
def station():
    """A consultation in its voting phase, three proposals, three clerks of its city."""
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2,
                                       budget=Decimal("300"))
    proposals = [ProposalFactory(consultation=consultation, estimated_cost=Decimal("200"),
                                 title=f"Park {n}") for n in range(3)]
    clerks = [clerk_of(consultation.city) for _ in range(3)]
    return consultation, proposals, clerks


def enter(consultation, clerk, serial, proposals, **identity):
    return services.paper_entry_record(clerk=clerk, consultation=consultation, serial=serial,
                                       choices={p.pk: 1 for p in proposals}, **identity)


def close(consultation):
    dates = ConsultationFactory.build(phase=Phase.COUNTING)
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_closes_at=dates.voting_closes_at, results_at=dates.results_at)
    consultation.refresh_from_db()


# --- double entry -------------------------------------------------------------------------------


def test_two_agreeing_entries_make_one_ballot_that_changes_the_greedy_count(station):
    from planning.services import count_run_create

    consultation, (a, b, _c), (first, second, _third) = station
    for _ in range(2):
        online_ballot(consultation, [a])
    online_ballot(consultation, [b])
    outcomes = []
    for serial in ("0041", "0042"):
        outcomes.append(enter(consultation, first, serial, [b]))
        outcomes.append(enter(consultation, second, serial, [b]))
    assert [o.status for o in outcomes] == ["first", "matched", "first", "matched"]
    assert outcomes[0].message == ("Serial 0041: first entry saved, waiting for a second "
                                   "clerk.")
    assert outcomes[1].message == "Serial 0041: matched: ballot counted."
    paper = Ballot.objects.filter(channel=Ballot.Channel.PAPER)
    assert paper.count() == 2 and set(paper.values_list("serial", flat=True)) == {"0041",
                                                                                  "0042"}
    assert not paper.filter(participant__isnull=False).exists()
    assert PaperEntry.objects.filter(ballot__isnull=False).count() == 4
    # Online a leads 2 to 1; with the two paper ballots b leads 3 to 2, and the budget (300)
    # funds one proposal of 200.
    counts = selectors.live_counts(consultation=consultation)
    # People: the three authors, the three online voters and one per paper ballot.
    assert counts["ballots"] == 5 and counts["participants"] == 3 + 3 + 2
    close(consultation)
    run = count_run_create(consultation=consultation, rule="greedy")
    assert run.n_ballots == 5
    assert run.selected_proposal_ids == [b.pk]


@pytest.mark.parametrize("rule", ["mes", "phragmen"])
def test_every_rule_counts_the_paper_ballots_one_by_one(station, rule):
    from planning.services import count_run_create

    consultation, (a, b, _c), (first, second, _third) = station
    online_ballot(consultation, [a])
    for serial in ("1", "2", "3"):
        enter(consultation, first, serial, [b])
        enter(consultation, second, serial, [b])
    close(consultation)
    run = count_run_create(consultation=consultation, rule=rule)
    assert run.n_ballots == 4
    assert run.selected_proposal_ids == [b.pk]


def test_a_mismatch_is_listed_then_a_third_entry_resolves_it(station):
    consultation, (a, b, c), (first, second, third) = station
    assert enter(consultation, first, "0042", [a, b]).status == "first"
    mismatch = enter(consultation, second, "0042", [a, c])
    assert mismatch.status == "mismatch"
    assert mismatch.message == ("Serial 0042: mismatch with the first entry: listed for a "
                                "third look.")
    assert not Ballot.objects.exists()
    listed = selectors.paper_mismatches(consultation=consultation)
    assert [item["serial"] for item in listed] == ["0042"]
    shown = listed[0]["entries"]
    assert [entry.clerk for entry in shown] == [first.username, second.username]
    assert shown[0].choices == [(a.pk, "Park 0", 1), (b.pk, "Park 1", 1)]
    assert selectors.paper_progress(consultation=consultation) == {
        "entries": 2, "ballots": 0, "waiting": 0, "mismatches": 1}

    resolved = enter(consultation, third, "0042", [a, c])
    assert resolved.status == "matched"
    ballot = Ballot.objects.get(serial="0042")
    assert set(ballot.choices.values_list("proposal_id", flat=True)) == {a.pk, c.pk}
    assert selectors.paper_mismatches(consultation=consultation) == []
    assert selectors.paper_progress(consultation=consultation) == {
        "entries": 3, "ballots": 1, "waiting": 0, "mismatches": 0}


def test_entries_that_differ_only_in_the_identity_do_not_match(station):
    consultation, (a, _b, _c), (first, second, _third) = station
    enter(consultation, first, "7", [a], identifier="12.345.678-K")
    assert enter(consultation, second, "7", [a], identifier="12.345.679-K").status == "mismatch"
    assert not Ballot.objects.exists()


def test_the_same_clerk_cannot_enter_a_serial_twice(station):
    consultation, (a, _b, _c), (first, _second, _third) = station
    enter(consultation, first, "0042", [a])
    with pytest.raises(ServiceError, match="You already entered serial 0042: a second clerk"):
        enter(consultation, first, " 0042 ", [a])
    assert PaperEntry.objects.count() == 1 and not Ballot.objects.exists()


def test_a_serial_already_counted_is_refused(station):
    consultation, (a, _b, _c), (first, second, third) = station
    enter(consultation, first, "9", [a])
    enter(consultation, second, "9", [a])
    with pytest.raises(ServiceError, match="Serial 9 is already a counted ballot"):
        enter(consultation, third, "9", [a])
    assert PaperEntry.objects.count() == 2 and Ballot.objects.count() == 1


# --- limits and bad input -----------------------------------------------------------------------


def test_over_the_limits_is_refused_with_the_online_message(station):
    consultation, proposals, (first, _second, _third) = station
    participant = ParticipantFactory(city=consultation.city)
    with pytest.raises(BallotError) as online:
        services.ballot_submit(participant=participant, consultation=consultation,
                               choices={p.pk: 1 for p in proposals})
    with pytest.raises(BallotError) as paper:
        enter(consultation, first, "1", proposals)
    assert paper.value.message == online.value.message
    assert "at most 2 proposals; you chose 3" in paper.value.message
    assert paper.value.field == "choices"
    assert not PaperEntry.objects.exists()


def test_cumulative_points_are_typed_after_a_colon_and_checked():
    consultation = ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.CUMULATIVE,
                                       max_points=5)
    a, b = (ProposalFactory(consultation=consultation) for _ in range(2))
    clerk = clerk_of(consultation.city)
    assert services.paper_choices(f"{a.pk}:3, {b.pk}:2") == {a.pk: 3, b.pk: 2}
    services.paper_entry_record(clerk=clerk, consultation=consultation, serial="1",
                                choices=services.paper_choices(f"{a.pk}:3 {b.pk}:2"))
    with pytest.raises(BallotError, match="at most 5 points; you used 6"):
        services.paper_entry_record(clerk=clerk, consultation=consultation, serial="2",
                                    choices=services.paper_choices(f"{a.pk}:4 {b.pk}:2"))


@pytest.mark.parametrize("typed, message", [
    ("12 x", "Write the proposal numbers printed on the ballot"),
    ("12 12", "Proposal 12 is written twice."),
    ("1234567890", "Write the proposal numbers"),
])
def test_malformed_choices_say_how_to_write_them(typed, message):
    with pytest.raises(ServiceError, match=message):
        services.paper_choices(typed)


def test_a_proposal_not_on_the_ballot_and_an_empty_ballot_are_refused(station):
    consultation, _proposals, (first, _second, _third) = station
    other = ProposalFactory()  # another consultation's
    with pytest.raises(BallotError, match=f"Proposal #{other.pk} is not on the ballot"):
        enter(consultation, first, "1", [other])
    with pytest.raises(BallotError, match="Choose at least one proposal."):
        enter(consultation, first, "1", [])
    with pytest.raises(ServiceError, match="Enter the serial number"):
        enter(consultation, first, "  ", _proposals[:1])
    with pytest.raises(ServiceError, match="letters, digits and dashes"):
        enter(consultation, first, "12/4", _proposals[:1])
    assert not PaperEntry.objects.exists()


def test_only_the_citys_clerks_and_admins_enter_and_only_in_the_window(station):
    consultation, (a, _b, _c), _clerks = station
    elsewhere = clerk_of(ConsultationFactory().city)
    with pytest.raises(NotAllowed, match="Only the city's ballot clerks"):
        enter(consultation, elsewhere, "1", [a])
    participant = ParticipantFactory(city=consultation.city)
    with pytest.raises(NotAllowed, match="Only the city's ballot clerks"):
        enter(consultation, participant.user, "1", [a])
    admin = clerk_of(consultation.city, CityRole.Role.ADMIN)
    assert enter(consultation, admin, "1", [a]).status == "first"
    before = ConsultationFactory(phase=Phase.REVIEW, city=consultation.city)
    with pytest.raises(NotAllowed, match="from the opening of voting until the results"):
        enter(before, admin, "1", [ProposalFactory(consultation=before)])
    assert PaperEntry.objects.count() == 1


def test_entry_goes_on_after_the_close_until_the_results_are_published(station):
    from planning.services import count_run_create, results_publish

    consultation, (a, _b, _c), (first, second, third) = station
    online_ballot(consultation, [a])
    close(consultation)
    tally = services.tally_compute(consultation=consultation)
    assert tally.ballots == 1
    enter(consultation, first, "1", [a])
    enter(consultation, second, "1", [a])
    # The stored totals no longer held: they went, and are computed again with the paper one.
    assert not ConsultationTally.objects.exists()
    assert services.tally_compute(consultation=consultation).ballots == 2
    count_run_create(consultation=consultation, rule="greedy", official=True)
    results_publish(consultation=consultation, user=None)
    with pytest.raises(NotAllowed, match="until the results are published"):
        enter(consultation, third, "2", [a])


# --- one vote per identity, whatever the channel -----------------------------------------------


def test_a_code_used_online_cannot_be_used_on_paper(station):
    consultation, (a, b, _c), (first, _second, _third) = station
    code = a_code(consultation)
    online_ballot(consultation, [a], kind=CastIdentity.Kind.CODE,
                  digest=code_hash(normalise_code(code), consultation_id=consultation.pk))
    with pytest.raises(ServiceError, match="this voting code has already voted online") as refused:
        enter(consultation, first, "1", [b], code=code.lower())
    assert refused.value.field == "code"
    assert not PaperEntry.objects.exists()  # seen at the first entry, before a second clerk


def test_a_code_used_on_paper_cannot_be_used_again_anywhere(station):
    consultation, (a, b, _c), (first, second, third) = station
    code = a_code(consultation)
    enter(consultation, first, "0041", [a], code=code)
    enter(consultation, first, "0042", [b], code=code)  # not counted yet: the first to match wins
    enter(consultation, second, "0041", [a], code=code)
    cast = CastIdentity.objects.get()
    assert (cast.kind, cast.ballot.serial) == ("code", "0041")
    for clerk, serial in ((second, "0042"), (third, "0043")):
        with pytest.raises(ServiceError, match="already voted on paper ballot 0041"):
            enter(consultation, clerk, serial, [b], code=code)
    assert Ballot.objects.count() == 1 and PaperEntry.objects.count() == 3
    # The online side: the identity's row is there, and its unique constraint refuses a second.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        online_ballot(consultation, [b], kind="code", digest=cast.identity_hash)


def test_a_document_number_used_online_cannot_be_used_on_paper(station):
    consultation, (a, _b, _c), (first, _second, _third) = station
    digest = identifier_hash("12345678K", city_id=consultation.city_id)
    online_ballot(consultation, [a], kind=CastIdentity.Kind.CENSUS, digest=digest)
    with pytest.raises(ServiceError, match="this document number has already voted online"):
        enter(consultation, first, "1", [a], identifier="12.345.678-k")


@pytest.mark.parametrize("typed, message", [
    ("ABCD-EFGH-C", "This is not a voting code"),  # a wrong check character
    ("ABCD", "This is not a voting code"),
])
def test_a_malformed_code_is_refused(station, typed, message):
    consultation, (a, _b, _c), (first, _second, _third) = station
    with pytest.raises(ServiceError, match=message):
        enter(consultation, first, "1", [a], code=typed)


def test_an_unknown_code_is_refused(station):
    consultation, (a, _b, _c), (first, _second, _third) = station
    other = ConsultationFactory(phase=Phase.VOTING, city=consultation.city)
    with pytest.raises(ServiceError, match="not one of this consultation's"):
        enter(consultation, first, "1", [a], code=a_code(other))
    with pytest.raises(ServiceError, match="not one of this consultation's"):
        enter(consultation, first, "1", [a], code=new_code())
    with pytest.raises(ServiceError, match="not both"):
        enter(consultation, first, "1", [a], code=a_code(consultation), identifier="123")
    assert not PaperEntry.objects.exists()


def test_what_the_eligibility_asks_for_on_paper(station):
    consultation, (a, _b, _c), (first, _second, _third) = station
    Consultation.objects.filter(pk=consultation.pk).update(eligibility=Eligibility.CODE)
    consultation.refresh_from_db()
    with pytest.raises(ServiceError, match="need the voter's voting code"):
        enter(consultation, first, "1", [a])
    Consultation.objects.filter(pk=consultation.pk).update(eligibility=Eligibility.VERIFIED)
    consultation.refresh_from_db()
    with pytest.raises(ServiceError, match="not in the city's census"):
        enter(consultation, first, "1", [a], identifier="999")
    CensusEntry.objects.create(city=consultation.city,
                               identifier_hash=identifier_hash("999", city_id=consultation.city_id))
    assert enter(consultation, first, "1", [a], identifier="999").status == "first"


def test_a_conflict_at_the_match_leaves_nothing_half_written(station, monkeypatch):
    """The identity voted online between the first and the second entry, past the check (a
    race): the unique constraint refuses the ballot, and neither it, its choices nor the second
    entry are written."""
    from consult.services import paper

    consultation, (a, b, _c), (first, second, _third) = station
    code = a_code(consultation)
    enter(consultation, first, "1", [a], code=code)
    online = online_ballot(consultation, [b], kind="code",
                           digest=code_hash(normalise_code(code), consultation_id=consultation.pk))
    monkeypatch.setattr(paper, "_conflict", lambda **kwargs: None)  # the check saw nothing
    with pytest.raises(ServiceError, match="this voting code has already voted online"):
        enter(consultation, second, "1", [a], code=code)
    assert list(Ballot.objects.values_list("pk", flat=True)) == [online.pk]
    assert BallotChoice.objects.count() == 1
    assert PaperEntry.objects.count() == 1
    assert CastIdentity.objects.get().ballot_id == online.pk


# --- the pages ----------------------------------------------------------------------------------


def page(name, consultation):
    return reverse(f"consult:{name}", args=[consultation.city.slug, consultation.slug])


def test_the_entry_form_comes_back_empty_with_a_status_line(client, station):
    consultation, (a, b, _c), (first, second, _third) = station
    client.force_login(first)
    shown = client.get(page("paper_entry", consultation))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "autofocus" in html.split('name="serial"')[1].split(">")[0]
    assert f"<td class=\"num\">{a.pk}</td><td>Park 0</td>" in html  # the printed numbering
    sent = client.post(page("paper_entry", consultation),
                       {"serial": "0042", "choices": f"{a.pk}, {b.pk}"}, follow=True)
    assert sent.status_code == 200
    html = sent.content.decode()
    assert 'role="status"' in html
    assert "Serial 0042: first entry saved, waiting for a second clerk." in html
    assert 'value="0042"' not in html
    client.force_login(second)
    done = client.post(page("paper_entry", consultation),
                       {"serial": "0042", "choices": f"{b.pk} {a.pk}"}, follow=True)
    assert "Serial 0042: matched: ballot counted." in done.content.decode()
    assert Ballot.objects.filter(channel="paper", serial="0042").exists()


def test_the_entry_form_shows_refusals_on_their_fields(client, station):
    consultation, proposals, (first, _second, _third) = station
    client.force_login(first)
    over = client.post(page("paper_entry", consultation),
                       {"serial": "1", "choices": " ".join(str(p.pk) for p in proposals)})
    assert over.status_code == 400
    assert "You can choose at most 2 proposals; you chose 3." in over.content.decode()
    bad = client.post(page("paper_entry", consultation), {"serial": "1", "choices": "12 ab",
                                                            "code": "nonsense"})
    assert bad.status_code == 400 and "Write the proposal numbers" in bad.content.decode()
    unknown = client.post(page("paper_entry", consultation),
                          {"serial": "1", "choices": str(proposals[0].pk), "code": new_code()})
    assert unknown.status_code == 400
    assert "not one of this consultation&#x27;s" in unknown.content.decode()
    assert not PaperEntry.objects.exists()


def test_a_clerk_of_another_city_and_a_participant_get_403(client, station):
    consultation, (a, _b, _c), _clerks = station
    for user in (clerk_of(ConsultationFactory().city),
                 ParticipantFactory(city=consultation.city).user):
        client.force_login(user)
        for name in ("paper_entry", "paper_mismatches", "paper_import"):
            assert client.get(page(name, consultation)).status_code == 403
        refused = client.post(page("paper_entry", consultation),
                              {"serial": "1", "choices": str(a.pk)})
        assert refused.status_code == 403
        assert "Only the city&#x27;s ballot clerks" in refused.content.decode()
    assert not PaperEntry.objects.exists()
    client.logout()
    assert client.get(page("paper_entry", consultation)).status_code == 302


def test_the_mismatches_page_words_the_choices_as_titles(client, station):
    consultation, (a, b, c), (first, second, _third) = station
    enter(consultation, first, "0042", [a])
    enter(consultation, second, "0042", [c])
    client.force_login(first)
    html = client.get(page("paper_mismatches", consultation)).content.decode()
    assert "Serial 0042" in html
    assert "Park 0" in html and "Park 2" in html and "Park 1" not in html
    assert first.username in html and second.username in html


def test_the_consultation_page_links_clerks_to_the_entry(client, station):
    consultation, _proposals, (first, _second, _third) = station
    url = reverse("consult:consultation", args=[consultation.city.slug, consultation.slug])
    assert page("paper_entry", consultation) not in client.get(url).content.decode()
    client.force_login(first)
    assert page("paper_entry", consultation) in client.get(url).content.decode()


def test_the_csv_import_reports_line_numbered_errors_and_the_accepted_rows(client, station):
    consultation, (a, b, c), (first, second, _third) = station
    code = a_code(consultation)
    rows = [
        "serial;choices;code",
        f"0041;{a.pk} {b.pk};",
        f"0042;{a.pk} {b.pk} {c.pk};",    # over the limit
        "",
        f"0043;{b.pk};{code}",
        "0044;12 x;",                    # malformed choices
        f"0045;{c.pk};ZZZZ",             # not a code
    ]
    upload = SimpleUploadedFile("ballots.csv", "\n".join(rows).encode("utf-8-sig"),
                                content_type="text/csv")
    client.force_login(first)
    response = client.post(page("paper_import", consultation), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(line, outcome.status) for line, outcome in report.accepted] == [(2, "first"),
                                                                             (5, "first")]
    assert [line for line, _message in report.errors] == [3, 6, 7]
    assert "at most 2 proposals" in report.errors[0][1]
    html = response.content.decode()
    assert "Line 3: You can choose at most 2 proposals; you chose 3." in html
    assert "Line 5: Serial 0043: first entry saved, waiting for a second clerk." in html
    assert set(PaperEntry.objects.values_list("serial", flat=True)) == {"0041", "0043"}
    assert not Ballot.objects.exists()  # one clerk's entries only

    # The same file by the same clerk: every line refused (entered already, or bad).
    again = services.paper_import(clerk=first, consultation=consultation,
                                  data="\n".join(rows).encode())
    assert not again.accepted and [line for line, _m in again.errors] == [2, 3, 5, 6, 7]
    # A second clerk's import matches them.
    second_run = services.paper_import(clerk=second, consultation=consultation,
                                       data="\n".join(rows).encode())
    assert [o.status for _line, o in second_run.accepted] == ["matched", "matched"]
    assert Ballot.objects.filter(channel="paper").count() == 2


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"number,votes\n1,2\n", "must name the columns"),
    (b"serial,choices\n" + b"1,2\n" * 1_000_000, "larger than 2 MB"),
])
def test_a_file_that_is_not_the_expected_csv_is_refused_whole(client, station, data, message):
    consultation, _proposals, (first, _second, _third) = station
    client.force_login(first)
    response = client.post(page("paper_import", consultation),
                           {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not PaperEntry.objects.exists()


def test_results_and_reports_show_the_paper_ballots_apart(client, station):
    from reports.selectors.consultations import consultation_report

    consultation, (a, b, _c), (first, second, _third) = station
    online_ballot(consultation, [a])
    enter(consultation, first, "1", [b])
    enter(consultation, second, "1", [b])
    close(consultation)
    html = client.get(page("results", consultation)).content.decode()
    assert "of which on paper: 1" in html
    report = consultation_report(consultation=consultation)
    assert report["summary"]["ballots"] == 2
    assert (report["summary"]["ballots_online"], report["summary"]["ballots_paper"]) == (1, 1)
    assert report["summary"]["participants"] == 3 + 1 + 1  # authors, online, paper
    rows = dict(report["tables"]["participation"]["rows"])
    assert rows["ballots_paper"] == 1 and rows["ballots_online"] == 1


def test_a_paper_ballots_receipt_code_has_no_holder(client, station):
    consultation, (a, _b, _c), (first, second, _third) = station
    enter(consultation, first, "1", [a])
    ballot = enter(consultation, second, "1", [a]).ballot
    client.force_login(ParticipantFactory(city=consultation.city).user)
    response = client.post(reverse("receipt_check"), {"code": ballot.receipt_code})
    assert response.status_code == 200
    assert "Park 0" not in response.content.decode()  # nobody holds it: its choices are not shown


# --- PostgreSQL: many clerks at once ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_second_entries_of_one_serial_at_once_make_one_ballot():
    assert connection.vendor == "postgresql"
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    a = ProposalFactory(consultation=consultation)
    clerks = [clerk_of(consultation.city) for _ in range(THREADS + 1)]
    code = a_code(consultation)
    enter(consultation, clerks[0], "0042", [a], code=code)

    def job(clerk):
        def entry():
            try:
                return enter(consultation, clerk, "0042", [a], code=code).status
            except ServiceError as error:
                return error.message
        return entry

    outcomes = run_in_threads([job(clerk) for clerk in clerks[1:]])
    assert outcomes.count("matched") == 1, outcomes
    assert all("already a counted ballot" in o for o in outcomes if o != "matched")
    assert Ballot.objects.count() == 1 and CastIdentity.objects.count() == 1
    assert BallotChoice.objects.count() == 1
    assert PaperEntry.objects.filter(ballot__isnull=False).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_on_many_serials_at_once_votes_once():
    """Threads enter the same code on different serials, each a second entry that would match:
    one becomes a ballot, the others are conflicts. The online path takes no consultation lock
    and races through the unique constraint alone: a thread inserting the code's identity
    online is in the mix too."""
    assert connection.vendor == "postgresql"
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    a = ProposalFactory(consultation=consultation)
    first, second = clerk_of(consultation.city), clerk_of(consultation.city)
    code = a_code(consultation)
    digest = code_hash(normalise_code(code), consultation_id=consultation.pk)
    serials = [f"{n:04d}" for n in range(THREADS - 1)]
    for serial in serials:  # not counted yet: each first entry is accepted
        enter(consultation, first, serial, [a], code=code)
    voter = ParticipantFactory(city=consultation.city)

    def paper(serial):
        def entry():
            try:
                return enter(consultation, second, serial, [a], code=code).status
            except ServiceError as error:
                return error.message
        return entry

    def online():
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(consultation=consultation, participant=voter)
                CastIdentity.objects.create(consultation=consultation, kind="code",
                                            identity_hash=digest, ballot=ballot)
            return "online"
        except IntegrityError:
            return "online refused"

    outcomes = run_in_threads([paper(serial) for serial in serials] + [online])
    winners = [o for o in outcomes if o in ("matched", "online")]
    assert len(winners) == 1, outcomes
    assert all("Conflict" in o for o in outcomes if o not in ("matched", "online",
                                                              "online refused"))
    assert CastIdentity.objects.filter(identity_hash=digest).count() == 1
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(("born", "counted"), [
    ("2010-06-15", True),   # 16 today, the birthday itself
    ("2010-06-16", False),  # 16 tomorrow
    (None, False),          # the census shows no age: as online, not of age
])
def test_a_paper_ballot_obeys_the_minimum_age_as_online(station, born, counted, monkeypatch):
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 6, 15))
    consultation, proposals, clerks = station
    Consultation.objects.filter(pk=consultation.pk).update(eligibility=Eligibility.VERIFIED,
                                                           minimum_age=16)
    consultation.refresh_from_db()
    CensusEntry.objects.create(city=consultation.city, birth_date=born and date.fromisoformat(born),
                               identifier_hash=identifier_hash("A-1", city_id=consultation.city_id))
    if counted:
        enter(consultation, clerks[0], "0001", proposals[:1], identifier="A-1")
        assert enter(consultation, clerks[1], "0001", proposals[:1], identifier="A-1").ballot
    else:
        with pytest.raises(ServiceError, match="aged 16 or older"):
            enter(consultation, clerks[0], "0001", proposals[:1], identifier="A-1")
        assert not PaperEntry.objects.exists()
