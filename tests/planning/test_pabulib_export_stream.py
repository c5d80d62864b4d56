"""The Pabulib export streams (section by section, ballots read in chunks) and writes exactly the
text the former in-memory export wrote, kept here as the reference."""
from __future__ import annotations

import random
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client

from consult.models import (
    Ballot,
    BallotChoice,
    CityRole,
    Participant,
    Phase,
    Proposal,
    VotingMethod,
)
from planning.counting import pabulib
from planning.pabulib_io import (
    RULE_TO_PABULIB,
    _clean,
    consultation_export_pabulib,
    consultation_export_pabulib_stream,
    consultation_import_pabulib,
)
from planning.selectors import count_run_official
from planning.services import consultation_election, count_run_create
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


# -- the export as it was: the whole election in memory, then pabulib.dumps --------------------


def reference_export(*, consultation) -> str:
    """`consultation_export_pabulib` before it streamed (verbatim but for the helpers' names)."""
    from planning.counting.pabulib import PabulibExtras

    election, proposal_pks = consultation_election(consultation=consultation)
    proposals = {
        p.pk: p for p in Proposal.objects.filter(pk__in=proposal_pks.tolist()).select_related(
            "theme")
    }
    official = count_run_official(consultation=consultation)
    if official is not None:
        selected = list(official.selected)
    else:
        selected = [proposals[int(pk)].count_id for pk in proposal_pks
                    if proposals[int(pk)].status == Proposal.Status.SELECTED]
    votes = election.supporters()
    extras = PabulibExtras(
        project_columns=["project_id", "cost", "votes", "name", "category", "selected"],
        project_fields={
            pid: {
                "votes": str(int(votes[j])),
                "name": _clean(proposals[int(proposal_pks[j])].title),
                "category": proposals[int(proposal_pks[j])].theme.slug,
            }
            for j, pid in enumerate(election.project_ids)
        },
    )
    order = list(
        Ballot.objects.filter(consultation=consultation).order_by("pk").values_list(
            "receipt_code", flat=True)
    )
    permutation = sorted(range(len(order)), key=order.__getitem__)
    election = _reorder_voters(election, permutation)
    close = consultation.local(consultation.voting_closes_at)
    open_ = consultation.local(consultation.voting_opens_at)
    meta = {
        "description": _clean(consultation.title),
        "country": consultation.city.country,
        "unit": _clean(consultation.city.name),
        "instance": consultation.slug,
        "currency": consultation.currency,
        "date_begin": open_.strftime("%Y-%m-%d"),
        "date_end": close.strftime("%Y-%m-%d"),
        "rule": RULE_TO_PABULIB[consultation.counting_rule],
    }
    if consultation.voting_method == VotingMethod.CUMULATIVE:
        meta["max_sum_points"] = str(consultation.max_points)
    elif consultation.max_choices:
        meta["max_length"] = str(consultation.max_choices)
    return pabulib.dumps(election, meta, extras, selected=selected)


def _reorder_voters(election, permutation: list[int]):
    from planning.counting import Election

    if not permutation:
        return election
    order = np.asarray(permutation, dtype=np.int64)
    starts = election.indptr[:-1][order]
    lengths = np.diff(election.indptr)[order]
    new_starts = np.cumsum(lengths) - lengths
    take = np.repeat(starts - new_starts, lengths) + np.arange(int(lengths.sum()))
    return Election(
        project_ids=election.project_ids,
        costs=election.costs_exact,
        budget=election.budget,
        indptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        indices=election.indices[take],
        points=None if election.points is None else election.points[take],
        vote_type=election.vote_type,
    )


# -- a seeded consultation -----------------------------------------------------------------


def seeded(*, method=VotingMethod.APPROVAL, n_ballots=300, seed=7, references=None,
           codes=None):
    """A closed consultation with 12 proposals (references "1".."12", so "10" sorts before
    "9"; one without reference is exported by its pk), a hidden one nobody chose, and
    ``n_ballots`` random ballots, some empty."""
    rnd = random.Random(seed)
    city = CityFactory(slug=f"city{seed}", name="Ciudad; de\nMéxico")
    extra = ({"max_points": 10, "max_choices": None} if method == VotingMethod.CUMULATIVE
             else {"max_choices": 5})
    consultation = ConsultationFactory(
        city=city, phase=Phase.RESULTS, budget=Decimal("10000.50"), voting_method=method,
        counting_rule="mes", title="Presupuesto\n participativo; 2027", **extra)
    themes = [ThemeFactory(consultation=consultation, name=f"Theme {i}", position=i)
              for i in range(3)]
    references = references or [str(i) for i in range(1, 12)] + [""]
    proposals = [
        ProposalFactory(
            consultation=consultation, theme=themes[i % 3], reference=ref,
            estimated_cost=Decimal(rnd.choice(["1000", "2500.50", "333.33", "4000"])),
            status=Proposal.Status.SELECTED if i % 4 == 0 else Proposal.Status.SHORTLISTED,
            title=f"Project {i}; line\nbreak" if i == 2 else f"Project {i}",
        )
        for i, ref in enumerate(references)
    ]
    ProposalFactory(consultation=consultation, theme=themes[0], reference="hidden",
                    is_hidden=True)
    voters = Participant.objects.bulk_create(Participant(city=city) for _ in range(n_ballots))
    codes = list(codes or []) + [None] * n_ballots
    ballots = Ballot.objects.bulk_create(
        Ballot(participant=v, consultation=consultation,
               **({"receipt_code": codes[k]} if codes[k] else {}))
        for k, v in enumerate(voters))
    choices = []
    for ballot in ballots:
        k = rnd.choice([0, 0, 1, 2, 3, 4, 5]) if rnd.random() < 0.9 else 0
        for p in rnd.sample(proposals, k):
            points = rnd.randint(1, 4) if method == VotingMethod.CUMULATIVE else 1
            choices.append(BallotChoice(ballot=ballot, proposal=p, points=points))
    BallotChoice.objects.bulk_create(choices)
    return consultation


def streamed(consultation, **kwargs) -> str:
    return "".join(consultation_export_pabulib_stream(consultation=consultation, **kwargs))


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [VotingMethod.APPROVAL, VotingMethod.CUMULATIVE])
@pytest.mark.parametrize("chunk_size", [1, 7, 5000])
def test_streamed_export_equals_the_former_export(method, chunk_size):
    consultation = seeded(method=method)
    expected = reference_export(consultation=consultation)
    assert streamed(consultation, chunk_size=chunk_size) == expected
    assert consultation_export_pabulib(consultation=consultation) == expected
    assert expected.count("\n") > 300


def test_export_follows_the_official_count():
    consultation = seeded(n_ballots=200)
    count_run_create(consultation=consultation, rule="greedy", official=True)
    assert streamed(consultation, chunk_size=13) == reference_export(consultation=consultation)


def test_voters_are_numbered_in_code_point_order_of_receipt_codes():
    """Codes that a linguistic collation would order differently from Python (case, dashes)."""
    codes = ["b-A", "B-a", "ba", "-b", "Ba", "a-c", "A-B", "ab", "AB", "a_b", "z", "Z"]
    consultation = seeded(n_ballots=40, codes=codes)
    assert streamed(consultation, chunk_size=5) == reference_export(consultation=consultation)


def test_ids_that_need_quoting_switch_the_votes_to_csv_quoting():
    refs = ["1", "2;b", 'q"uote', "10", "9"]
    consultation = seeded(n_ballots=60, references=refs)
    text = streamed(consultation, chunk_size=11)
    assert text == reference_export(consultation=consultation)
    assert '"2;b' in text.split("VOTES\n")[1]


def test_consultation_without_ballots():
    consultation = seeded(n_ballots=0)
    text = streamed(consultation)
    assert text == reference_export(consultation=consultation)
    assert text.endswith("VOTES\nvoter_id;vote\n")


@pytest.mark.parametrize("method", [VotingMethod.APPROVAL, VotingMethod.CUMULATIVE])
def test_reimporting_the_export_gives_the_same_election(method, tmp_path):
    consultation = seeded(method=method)
    path = tmp_path / "out.pb"
    call_command("export_pabulib", str(consultation.pk), str(path), stdout=StringIO())
    assert path.read_text(encoding="utf-8") == reference_export(consultation=consultation)
    again = consultation_import_pabulib(path=path, city=CityFactory(slug="again"))
    original, _ = consultation_election(consultation=consultation)
    imported, _ = consultation_election(consultation=again)
    assert imported.input_hash() == original.input_hash()
    assert imported.n_voters == 300


def test_command_streams_to_stdout():
    consultation = seeded(n_ballots=120)
    out = StringIO()
    call_command("export_pabulib", f"{consultation.city.slug}/{consultation.slug}", "-",
                 stdout=out)
    assert out.getvalue() == reference_export(consultation=consultation)


def test_download_is_a_streaming_response():
    consultation = seeded(n_ballots=150)
    planner = CityRoleFactory(city=consultation.city, role=CityRole.Role.PLANNER).user
    client = Client()
    client.force_login(planner)
    response = client.get(f"/reports/consultation/{consultation.pk}/ballots.pb")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == reference_export(consultation=consultation)
    assert response["Content-Disposition"].endswith(f'-{consultation.slug}.pb"')


def test_memory_does_not_hold_all_ballots_between_pieces():
    """The ballots come in pieces of at most `chunk_size` voters."""
    consultation = seeded(n_ballots=100)
    pieces = list(consultation_export_pabulib_stream(consultation=consultation, chunk_size=10))
    assert len(pieces) == 1 + 10
    assert all(piece.count("\n") == 10 for piece in pieces[1:])


def test_import_of_cumulative_ballots_ending_with_empty_ones(tmp_path):
    path = tmp_path / "tail.pb"
    path.write_text(
        "META\nkey;value\nnum_projects;2\nnum_votes;3\nbudget;10\nvote_type;cumulative\n"
        "PROJECTS\nproject_id;cost\n1;4\n2;5\n"
        "VOTES\nvoter_id;vote;points\n1;1,2;3,4\n2;;\n3;;\n", encoding="utf-8")
    consultation = consultation_import_pabulib(path=path, city=CityFactory(slug="tail"))
    assert consultation.max_points == 7
    assert consultation.ballots.count() == 3
