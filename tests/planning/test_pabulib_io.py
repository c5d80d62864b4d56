"""Pabulib import and export: import → export → tally equals tallying the original."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consult.models import Ballot, Consultation, Participant, Phase, Proposal, VotingMethod
from planning.counting import count, pabulib
from planning.models import CountRun
from planning.pabulib_io import consultation_export_pabulib, consultation_import_pabulib
from tests.factories import CityFactory
from tests.needs import needs

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"


def outcome_of(source, rule, min_votes=0):
    _meta, election, _extras = pabulib.read(source)
    return count(election, rule, min_votes=min_votes)


def roundtrip(path, rule, tmp_path, min_votes=0):
    city = CityFactory(slug="montevideo", timezone="America/Montevideo", currency="UYU")
    consultation = consultation_import_pabulib(path=path, city=city)
    exported = tmp_path / "exported.pb"
    call_command("export_pabulib", f"{city.slug}/{consultation.slug}", str(exported),
                 stdout=StringIO())
    return consultation, outcome_of(path, rule, min_votes), outcome_of(exported, rule, min_votes)


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1", "mes-greedy", "phragmen"])
def test_import_export_tally_equals_original(rule, tmp_path):
    consultation, original, again = roundtrip(FIXTURES / "tie_approval.pb", rule, tmp_path)
    assert again.selected == original.selected
    assert again.total_cost == original.total_cost


def test_import_creates_a_closed_consultation_with_anonymous_voters():
    city = CityFactory(slug="montevideo", timezone="America/Montevideo", currency="UYU")
    consultation = consultation_import_pabulib(path=FIXTURES / "tie_approval.pb", city=city)
    assert consultation.phase == Phase.RESULTS
    assert consultation.voting_method == VotingMethod.APPROVAL and consultation.max_choices == 3
    assert consultation.local(consultation.voting_closes_at).strftime("%Y-%m-%d %H:%M") == (
        "2026-05-20 23:59")
    assert consultation.ballots.count() == 7  # the empty ballot is a voter too
    assert not Participant.objects.filter(ballots__consultation=consultation,
                                          user__isnull=False).exists()
    assert set(consultation.proposals.filter(status=Proposal.Status.SELECTED)
               .values_list("reference", flat=True)) == {"9", "10", "12"}
    assert set(consultation.themes.values_list("slug", flat=True)) == {
        "urban-sustainability", "inclusive-cities", "attractive-cities"}


def test_cumulative_import_keeps_points(tmp_path):
    consultation, original, again = roundtrip(FIXTURES / "cumulative.pb", "greedy", tmp_path)
    assert consultation.voting_method == VotingMethod.CUMULATIVE
    assert consultation.max_points == 5
    assert again.selected == original.selected
    _meta, election, _extras = pabulib.read(tmp_path / "exported.pb")
    assert sorted(election.points.tolist()) == [1, 2, 3, 4, 5, 5]


def test_export_anonymises_voters_and_marks_the_official_selection(tmp_path):
    city = CityFactory(slug="montevideo", timezone="America/Montevideo", currency="UYU")
    consultation = consultation_import_pabulib(path=FIXTURES / "tie_approval.pb", city=city)
    text = consultation_export_pabulib(consultation=consultation)
    votes = text.split("VOTES\n", 1)[1].splitlines()[1:]
    assert [line.split(";")[0] for line in votes] == [str(i) for i in range(1, 8)]
    assert "v1" not in text and "Ballot" not in text
    _meta, _election, extras = pabulib.read(text)
    assert extras.official_selected() == ["10", "12", "9"]


def test_import_of_a_broken_file_names_the_line_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.pb"
    broken.write_text((FIXTURES / "tie_approval.pb").read_text().replace("v3;11", "v3;99"))
    CityFactory(slug="montevideo")
    with pytest.raises(CommandError, match=r"broken\.pb: line 26: vote for unknown project .99."):
        call_command("import_pabulib", str(broken), "--city", "montevideo", stdout=StringIO())
    assert not Consultation.objects.exists() and not Ballot.objects.exists()


def test_import_command_refuses_an_unknown_city():
    with pytest.raises(CommandError, match="No city"):
        call_command("import_pabulib", str(FIXTURES / "tie_approval.pb"), "--city", "atlantis")


@pytest.mark.parametrize(("name", "rule"), [
    ("Netherlands_Assen_2024.pb", "mes-add1"),
    ("Poland_Swiecie_2023.pb", "mes-add1"),
    ("Poland_Swiecie_2023.pb", "greedy"),
])
def test_real_elections_survive_the_roundtrip(name, rule, tmp_path):
    needs(SHARED.is_dir(), "../shared/data/pabulib is not beside the repo")
    _consultation, original, again = roundtrip(SHARED / name, rule, tmp_path)
    assert again.selected == original.selected


def test_count_command_stores_an_official_run_publishes_and_marks_selected(tmp_path):
    city = CityFactory(slug="montevideo", timezone="America/Montevideo", currency="UYU")
    consultation = consultation_import_pabulib(path=FIXTURES / "tie_approval.pb", city=city)
    out = StringIO()
    call_command("count_consultation", f"montevideo/{consultation.slug}", "--rule", "mes",
                 "--official", "--publish", stdout=out)
    result = json.loads(out.getvalue())
    expected = outcome_of(FIXTURES / "tie_approval.pb", "mes")
    assert result["selected"] == expected.selected
    run = CountRun.objects.get()
    assert run.is_official and run.n_ballots == 7
    assert set(consultation.proposals.filter(status=Proposal.Status.SELECTED)
               .values_list("reference", flat=True)) == set(expected.selected)
