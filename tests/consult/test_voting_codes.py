"""Voting codes: issued fresh and hashed at rest, written once to private files, printed in the
city's language, and typed with a check character that catches a typo."""
import csv
import itertools
import stat
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from consult.identity import CODE_ALPHABET, code_hash, normalise_code
from consult.models import Ballot, CastIdentity, Eligibility, Phase, VotingCode
from consult.services import codes as codes_service
from consult.services.codes import MAX_CODES_PER_ISSUE, voting_code_counts, voting_codes_issue
from core.errors import ServiceError
from tests.factories import CityFactory, ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    city = CityFactory(slug="lima", name="Lima", timezone="America/Lima", country="PE",
                       currency="PEN", default_language="es")
    return ConsultationFactory(city=city, slug="presupuesto-2027", title="Presupuesto 2027",
                               phase=Phase.REVIEW, eligibility=Eligibility.CODE)


def stored_hash(code: str, consultation) -> str:
    return code_hash(normalise_code(code), consultation_id=consultation.pk)


def issue_by_command(consultation, out: Path, *args: str) -> str:
    stdout = StringIO()
    call_command("voting_codes", f"{consultation.city.slug}/{consultation.slug}", *args,
                 "--out", str(out), stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


def written_files(out: Path) -> tuple[Path, Path]:
    (csv_path,) = out.glob("*.csv")
    (html_path,) = out.glob("*.html")
    return csv_path, html_path


# --- the service ------------------------------------------------------------------------------


def test_codes_are_stored_only_as_hashes(consultation):
    codes = voting_codes_issue(consultation=consultation, count=200, batch="north")

    assert len(codes) == 200 == VotingCode.objects.filter(consultation=consultation).count()
    assert len(set(codes)) == 200
    stored = set(VotingCode.objects.values_list("code_hash", flat=True))
    assert {stored_hash(code, consultation) for code in codes} == stored
    forms = {form for code in codes for form in (code, normalise_code(code))}
    columns = [field.attname for field in VotingCode._meta.concrete_fields]
    for row in VotingCode.objects.values_list(*columns):
        for value in row:
            assert not any(form in str(value) for form in forms)


def test_no_plain_code_anywhere_in_the_database(consultation):
    codes = voting_codes_issue(consultation=consultation, count=50)
    forms = {form for code in codes for form in (code, normalise_code(code))}

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert not any(form in text for form in forms), table


def test_every_issued_code_is_valid_as_printed(consultation):
    codes = voting_codes_issue(consultation=consultation, count=300)

    for code in codes:
        body, check = code.split("-")[:2], code.split("-")[2]
        assert [len(part) for part in body] == [4, 4] and len(check) == 1
        assert normalise_code(code) == code.replace("-", "")
        assert normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
        assert not set(code.replace("-", "")) & set("0O1IL")


@pytest.mark.parametrize("count", [0, -1, MAX_CODES_PER_ISSUE + 1])
def test_count_outside_the_limits_is_refused(consultation, count):
    with pytest.raises(ServiceError) as refused:
        voting_codes_issue(consultation=consultation, count=count)
    assert refused.value.field == "count"
    assert not VotingCode.objects.exists()


def test_one_code_is_the_smallest_issue(consultation):
    assert len(voting_codes_issue(consultation=consultation, count=1)) == 1


def test_batch_label_of_at_most_40_characters(consultation):
    voting_codes_issue(consultation=consultation, count=1, batch="b" * 40)
    with pytest.raises(ServiceError) as refused:
        voting_codes_issue(consultation=consultation, count=1, batch="b" * 41)
    assert refused.value.field == "batch"
    assert list(VotingCode.objects.values_list("batch", flat=True)) == ["b" * 40]


def test_codes_are_issued_during_voting(consultation):
    consultation.voting_opens_at = timezone.now() - timedelta(days=1)
    consultation.save()
    assert len(voting_codes_issue(consultation=consultation, count=3)) == 3


def test_no_codes_once_voting_has_closed(consultation):
    consultation.voting_opens_at = timezone.now() - timedelta(days=2)
    consultation.voting_closes_at = timezone.now() - timedelta(seconds=1)
    consultation.save()
    with pytest.raises(ServiceError, match="closed"):
        voting_codes_issue(consultation=consultation, count=3)
    assert not VotingCode.objects.exists()


def test_a_code_already_issued_is_drawn_again(consultation, monkeypatch):
    (taken,) = voting_codes_issue(consultation=consultation, count=1)
    fresh = [f"{body[:4]}-{body[4:]}-{valid_check(body)}"
             for body in ("ABCDEFGH", "23456789", "HJKMNPQR")]
    # The taken code, then a repeat within the batch, then fresh ones.
    draws = iter([taken, fresh[0], fresh[0], fresh[1], taken, fresh[2]])
    monkeypatch.setattr(codes_service, "new_code", lambda: next(draws))

    issued = voting_codes_issue(consultation=consultation, count=3)

    assert sorted(issued) == sorted(fresh)
    assert VotingCode.objects.count() == 4


def valid_check(body: str) -> str:
    return next(c for c in CODE_ALPHABET if normalise_code(body + c))


def test_counts_issued_and_used(consultation):
    other = ConsultationFactory(city=consultation.city, phase=Phase.REVIEW)
    codes = voting_codes_issue(consultation=consultation, count=5)
    voting_codes_issue(consultation=other, count=2)
    assert voting_code_counts(consultation) == {"issued": 5, "used": 0}

    for index, kind in enumerate([CastIdentity.Kind.CODE, CastIdentity.Kind.CODE,
                                  CastIdentity.Kind.CENSUS]):
        ballot = Ballot.objects.create(consultation=consultation,
                                       participant=ParticipantFactory(city=consultation.city))
        CastIdentity.objects.create(consultation=consultation, kind=kind, ballot=ballot,
                                    identity_hash=stored_hash(codes[index], consultation))

    assert voting_code_counts(consultation) == {"issued": 5, "used": 2}
    assert voting_code_counts(other) == {"issued": 2, "used": 0}


# --- typos ------------------------------------------------------------------------------------


def typos(code: str):
    """Every one-character change and every swap of two different neighbours of a code."""
    typed = normalise_code(code)
    for position, wrong in itertools.product(range(len(typed)), CODE_ALPHABET):
        if wrong != typed[position]:
            yield typed[:position] + wrong + typed[position + 1:]
    for position in range(len(typed) - 1):
        first, second = typed[position], typed[position + 1]
        if first != second:
            yield typed[:position] + second + first + typed[position + 2:]


def test_a_typo_in_a_printed_code_is_caught(consultation):
    codes = voting_codes_issue(consultation=consultation, count=200)
    for code in codes:
        for typo in typos(code):
            assert normalise_code(typo) is None, (code, typo)
            # Printed form too, as a person would type it with the dashes.
            assert normalise_code(f"{typo[:4]}-{typo[4:8]}-{typo[8]}") is None


def test_the_one_typo_the_check_misses():
    """Luhn mod 30 misses a swap of "2" and "Z" side by side (as Luhn mod 10 misses 09 ↔ 90),
    and nothing else: which is why no issued code has them as neighbours."""
    body = "3Z2K7HQA"
    code = f"{body[:4]}-{body[4:]}-{valid_check(body)}"
    missed = [typo for typo in typos(code) if normalise_code(typo) is not None]
    assert missed == ["32ZK7HQA" + valid_check(body)]


def test_issued_codes_never_hold_the_swap_the_check_misses(consultation):
    for code in voting_codes_issue(consultation=consultation, count=2000):
        typed = normalise_code(code)
        assert "2Z" not in typed and "Z2" not in typed


# --- the command ------------------------------------------------------------------------------


def test_command_writes_each_code_once_to_csv_and_sheet(consultation, tmp_path):
    output = issue_by_command(consultation, tmp_path, "--count", "25", "--batch", "Barrio Norte")

    csv_path, html_path = written_files(tmp_path)
    assert csv_path.name == "voting-codes-lima-presupuesto-2027-barrio-norte.csv"
    assert html_path.name == "voting-codes-lima-presupuesto-2027-barrio-norte.html"
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [row["number"] for row in rows] == [str(n) for n in range(1, 26)]
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == 25
    assert {stored_hash(code, consultation) for code in codes} == set(
        VotingCode.objects.filter(consultation=consultation, batch="Barrio Norte")
        .values_list("code_hash", flat=True))
    sheet = html_path.read_text(encoding="utf-8")
    for code in codes:
        assert sheet.count(code) == 1
    assert sheet.count('class="letter"') == 25
    assert "Issued 25 voting codes" in output
    assert str(csv_path.resolve()) in output and str(html_path.resolve()) in output


def test_files_are_readable_by_their_owner_only(consultation, tmp_path):
    issue_by_command(consultation, tmp_path, "--count", "2")
    for path in written_files(tmp_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_name_without_a_batch_has_the_time(consultation, tmp_path):
    issue_by_command(consultation, tmp_path, "--count", "1")
    csv_path, _ = written_files(tmp_path)
    stamp = csv_path.stem.removeprefix("voting-codes-lima-presupuesto-2027-")
    assert len(stamp) == len("20270101-120000") and stamp[8] == "-"


def test_command_names_the_consultation_by_id(consultation, tmp_path):
    call_command("voting_codes", str(consultation.pk), "--count", "3", "--out", str(tmp_path),
                 stdout=StringIO(), stderr=StringIO())
    assert VotingCode.objects.filter(consultation=consultation).count() == 3


def test_command_refuses_an_unknown_consultation(consultation, tmp_path):
    with pytest.raises(CommandError, match="No consultation"):
        call_command("voting_codes", "lima/nope", "--count", "3", "--out", str(tmp_path))


@pytest.mark.parametrize("count", ["0", str(MAX_CODES_PER_ISSUE + 1)])
def test_command_refuses_a_count_outside_the_limits(consultation, tmp_path, count):
    with pytest.raises(CommandError, match="between 1 and"):
        issue_by_command(consultation, tmp_path, "--count", count)
    assert not VotingCode.objects.exists()
    assert not list(tmp_path.iterdir())


def test_command_refuses_a_closed_consultation(consultation, tmp_path):
    consultation.voting_opens_at = timezone.now() - timedelta(days=2)
    consultation.voting_closes_at = timezone.now() - timedelta(hours=1)
    consultation.save()
    with pytest.raises(CommandError, match="closed"):
        issue_by_command(consultation, tmp_path, "--count", "5")
    assert not VotingCode.objects.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", [".csv", ".html"])
def test_command_never_overwrites_a_file(consultation, tmp_path, suffix):
    earlier = tmp_path / f"voting-codes-lima-presupuesto-2027-north{suffix}"
    earlier.write_text("the only copy of earlier codes")

    with pytest.raises(CommandError, match="not overwritten"):
        issue_by_command(consultation, tmp_path, "--count", "5", "--batch", "north")

    assert earlier.read_text() == "the only copy of earlier codes"
    assert not VotingCode.objects.exists()  # no codes issued without their files
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name]


def test_a_failed_write_issues_no_codes(consultation, tmp_path, monkeypatch):
    from consult.management.commands import voting_codes as command

    def broken_sheet(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(command, "codes_sheet", broken_sheet)
    with pytest.raises(OSError):
        issue_by_command(consultation, tmp_path, "--count", "5")
    assert not VotingCode.objects.exists()
    assert not list(tmp_path.iterdir())  # the CSV written first is removed


def test_command_warns_when_codes_do_not_admit_voters(consultation, tmp_path):
    consultation.eligibility = Eligibility.VERIFIED
    consultation.save()
    stderr = StringIO()
    call_command("voting_codes", str(consultation.pk), "--count", "1", "--out", str(tmp_path),
                 stdout=StringIO(), stderr=stderr)
    assert "codes count only" in stderr.getvalue()


# --- the sheet --------------------------------------------------------------------------------


def test_sheet_is_in_the_city_language_with_the_vote_page_and_local_dates(tmp_path, settings):
    settings.SITE_URL = "https://participa.example.org/"
    city = CityFactory(slug="porto-alegre", name="Porto Alegre", timezone="America/Sao_Paulo",
                       country="BR", currency="BRL", default_language="pt-br")
    consultation = ConsultationFactory(city=city, slug="orcamento", title="Orçamento 2027",
                                       phase=Phase.REVIEW, eligibility=Eligibility.CODE)
    opens = datetime(2027, 5, 3, 12, 0, tzinfo=UTC)  # 09:00 in Porto Alegre
    consultation.voting_opens_at = opens
    consultation.voting_closes_at = opens + timedelta(days=14)
    consultation.results_at = opens + timedelta(days=15)
    consultation.save()

    issue_by_command(consultation, tmp_path, "--count", "2")

    _, html_path = written_files(tmp_path)
    sheet = html_path.read_text(encoding="utf-8")
    assert '<html lang="pt-br">' in sheet
    assert "Orçamento 2027" in sheet and "Porto Alegre" in sheet
    assert "https://participa.example.org/porto-alegre/orcamento/vote/" in sheet
    assert "2027-05-03T09:00:00-03:00" in sheet
    assert "3 de Maio de 2027, 09:00 (horário de Porto Alegre)" in sheet
    with translation.override("pt-br"):
        assert gettext("Your voting code") in sheet
        assert gettext("Go to the vote page:") in sheet
    assert "<style>" in sheet and "size: A4" in sheet
    assert "<script" not in sheet and "<link" not in sheet  # self-contained
