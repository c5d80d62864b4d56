"""The census: importing a city's file (only keyed hashes stored, a bad file refused whole, a new
import replacing the old one atomically) and verifying residents against it (one participant per
census entry, throttled, one neutral message for every failure)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from consult import services
from consult.identity import identifier_hash, normalise_identifier
from consult.models import CensusEntry, Participant, Verification
from consult.services.census import census_hasher, parse_birth_date
from core.errors import ServiceError
from tests.factories import CityFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

CSV = (
    "identifier,birth_date,district\n"
    "12.345.678-K,1980-02-29,Centro\n"
    "X-9999999,31/12/1999,Norte\n"
    "  abc 123  ,,\n"
)


def csv_file(text: str, *, encoding: str = "utf-8") -> BytesIO:
    return BytesIO(text.encode(encoding))


def neutral(city) -> str:
    return (f"We could not verify these details against the census of {city.name}. Check them "
            "and try again.")


@pytest.fixture
def city():
    return CityFactory(name="Valparaíso", slug="valparaiso")


@pytest.fixture
def census(city):
    services.census_import(city=city, file=csv_file(CSV))
    return city


def person(city, **kwargs) -> Participant:
    return ParticipantFactory(city=city, is_verified=False, **kwargs)


# --- import ---------------------------------------------------------------------------------------


def test_import_stores_hashes_only_and_reports_counts(city):
    report = services.census_import(city=city, file=csv_file(CSV))
    assert (report.read, report.refused, report.stored) == (3, [], 3)
    entries = {e.identifier_hash: e for e in CensusEntry.objects.filter(city=city)}
    assert set(entries) == {identifier_hash(raw, city_id=city.pk)
                            for raw in ("12345678K", "X9999999", "ABC123")}
    first = entries[identifier_hash("12345678k", city_id=city.pk)]
    assert (first.birth_date, first.district) == (date(1980, 2, 29), "Centro")
    assert entries[identifier_hash("ABC123", city_id=city.pk)].birth_date is None
    # No column of any row holds a document number, as typed or normalised.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CensusEntry._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row).upper()
    for raw in ("12.345.678-K", "12345678K", "X-9999999", "X9999999", "ABC 123", "ABC123"):
        assert raw not in stored


def test_the_fast_hasher_gives_the_identity_modules_digests():
    digest = census_hasher(city_id=7)
    for raw in ("12345678K", "ñ-01", ""):
        assert digest(normalise_identifier(raw)) == identifier_hash(raw, city_id=7)


def test_the_same_number_in_two_cities_is_two_hashes(city):
    other = CityFactory()
    services.census_import(city=city, file=csv_file(CSV))
    services.census_import(city=other, file=csv_file(CSV))
    mine = set(CensusEntry.objects.filter(city=city).values_list("identifier_hash", flat=True))
    theirs = set(CensusEntry.objects.filter(city=other).values_list("identifier_hash", flat=True))
    assert len(mine) == len(theirs) == 3 and not mine & theirs


def test_semicolons_and_a_byte_order_mark_are_read(city):
    text = "\ufeffIdentifier ; Birth_Date;District\n11111111;02/03/1975;Sur\n"
    report = services.census_import(city=city, file=csv_file(text))
    assert (report.read, report.stored) == (1, 1)
    entry = CensusEntry.objects.get(city=city)
    assert (entry.birth_date, entry.district) == (date(1975, 3, 2), "Sur")


def test_only_the_identifier_column_is_required(city):
    report = services.census_import(city=city, file=csv_file("identifier\nA1\nA2\n\n"))
    assert (report.read, report.stored) == (2, 2)


@pytest.mark.parametrize("text, expected", [
    ("1980-02-29", date(1980, 2, 29)),
    ("29/02/1980", date(1980, 2, 29)),
    ("1/2/1990", date(1990, 2, 1)),
    ("", None),
    ("  ", None),
])
def test_birth_date_formats(text, expected):
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize("text", ["1981-02-29", "02-29-1980", "1980/02/29", "2999-01-01",
                                  "31/04/1990", "19800229", "2024-W01-1", "yesterday"])
def test_unreadable_birth_dates(text):
    with pytest.raises(ValueError):
        parse_birth_date(text)


def test_bad_rows_are_refused_with_their_lines_and_the_others_stored(city):
    text = ("identifier,birth_date\n"
            "A1,1990-01-01\n"
            ",1990-01-01\n"          # line 3: no identifier
            "A3,1990-13-01\n"        # line 4: unreadable date
            " - . ,\n"               # line 5: an identifier of separators only
            "A6,\n")
    report = services.census_import(city=city, file=csv_file(text))
    assert (report.read, report.stored) == (5, 2)
    assert [(row.line, row.reason) for row in report.refused] == [
        (3, "no identifier"),
        (4, "unreadable birth date (YYYY-MM-DD or DD/MM/YYYY, not in the future)"),
        (5, "no identifier"),
    ]


def test_a_missing_identifier_column_refuses_the_file_and_keeps_the_census(census):
    before = set(CensusEntry.objects.values_list("pk", flat=True))
    with pytest.raises(services.CensusRefused, match="no “identifier” column"):
        services.census_import(city=census, file=csv_file("document,birth_date\nA1,\n"))
    assert set(CensusEntry.objects.values_list("pk", flat=True)) == before


def test_duplicate_identifiers_refuse_the_file_with_their_lines(census):
    before = set(CensusEntry.objects.values_list("pk", flat=True))
    text = "identifier\nA1\nB2\na-1\nC3\nb.2\nA 1\n"
    with pytest.raises(services.CensusRefused) as refused:
        services.census_import(city=census, file=csv_file(text))
    assert refused.value.duplicates == [[2, 4, 7], [3, 6]]
    assert "2 identifiers appear more than once" in refused.value.message
    assert set(CensusEntry.objects.values_list("pk", flat=True)) == before


@pytest.mark.parametrize("text, message", [
    ("", "no “identifier” column"),
    ("identifier\n", "No row of the file could be stored"),
    ("identifier\n,\n", "No row of the file could be stored"),
])
def test_an_empty_file_does_not_wipe_the_census(census, text, message):
    with pytest.raises(services.CensusRefused, match=message):
        services.census_import(city=census, file=csv_file(text))
    assert CensusEntry.objects.filter(city=census).count() == 3


def test_a_file_that_is_not_utf8_is_refused(census):
    with pytest.raises(services.CensusRefused, match="not UTF-8"):
        services.census_import(city=census, file=csv_file("identifier,district\nA1,Peñalolén\n",
                                                          encoding="latin-1"))
    assert CensusEntry.objects.filter(city=census).count() == 3


def test_a_new_import_replaces_the_census_and_keeps_verifications(census):
    resident = person(census)
    services.verify_residence(participant=resident, identifier="12345678k",
                              birth_date=date(1980, 2, 29))
    report = services.census_import(city=census, file=csv_file("identifier\nNEW1\nNEW2\n"))
    assert report.stored == 2
    assert set(CensusEntry.objects.filter(city=census).values_list("identifier_hash", flat=True)) \
        == {identifier_hash("NEW1", city_id=census.pk), identifier_hash("NEW2", city_id=census.pk)}
    verification = Verification.objects.get(participant=resident)
    assert verification.identifier_hash == identifier_hash("12345678K", city_id=census.pk)


def test_a_failing_write_leaves_the_previous_census(census, monkeypatch):
    from consult.services import census as module

    real = module._insert

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "_insert", fails_after_writing)
    before = set(CensusEntry.objects.values_list("identifier_hash", flat=True))
    with pytest.raises(RuntimeError):
        services.census_import(city=census, file=csv_file("identifier\nNEW1\n"))
    assert set(CensusEntry.objects.values_list("identifier_hash", flat=True)) == before


def test_another_citys_census_is_untouched(census):
    other = CityFactory()
    services.census_import(city=other, file=csv_file("identifier\nZ1\n"))
    services.census_import(city=census, file=csv_file("identifier\nQ1\n"))
    assert CensusEntry.objects.filter(city=other).count() == 1


def test_import_from_rows(city):
    report = services.census_import(city=city, rows=[{"identifier": "A1"}, {"identifier": ""}])
    assert (report.read, report.stored) == (2, 1)
    assert [(row.line, row.reason) for row in report.refused] == [(3, "no identifier")]


# --- the command ----------------------------------------------------------------------------------


def test_command_reports_rows_read_refused_and_stored(city, tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("identifier,birth_date\nA1,\n,1990-01-01\nA3,99/99/1999\n", encoding="utf-8")
    out = StringIO()
    call_command("census_import", "valparaiso", str(path), stdout=out)
    text = out.getvalue()
    assert "rows read: 3" in text and "refused: 2" in text and "stored: 1" in text
    assert "line 3: no identifier" in text and "line 4: unreadable birth date" in text


def test_command_lists_at_most_fifty_refused_rows(city, tmp_path):
    path = tmp_path / "census.csv"
    # A line of commas only is a blank line; these rows have a district and no identifier.
    path.write_text("identifier,district\nA1,\n" + ",X\n" * 60, encoding="utf-8")
    out = StringIO()
    call_command("census_import", "valparaiso", str(path), stdout=out)
    text = out.getvalue()
    assert "refused: 60" in text and "line 52: no identifier" in text
    assert "line 53:" not in text and "… and 10 more" in text


def test_command_exits_non_zero_on_a_refused_file(census, tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("identifier\nA1\na1\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("census_import", "valparaiso", str(path), stdout=out)
    assert error.value.returncode == 1
    assert "is unchanged" in str(error.value)
    assert "same identifier on lines 2, 3" in out.getvalue()
    assert CensusEntry.objects.filter(city=census).count() == 3


def test_command_unknown_city_or_file(city, tmp_path):
    with pytest.raises(CommandError, match="No city") as error:
        call_command("census_import", "atlantis", str(tmp_path / "x.csv"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="No file"):
        call_command("census_import", "valparaiso", str(tmp_path / "missing.csv"))


# --- verification ---------------------------------------------------------------------------------


def test_a_match_verifies_with_the_census_district(census):
    resident = person(census, district="typed by hand")
    verification = services.verify_residence(participant=resident, identifier="12 345 678 k",
                                             birth_date=date(1980, 2, 29))
    resident.refresh_from_db()
    assert resident.is_verified and resident.district == "Centro"
    assert (verification.city, verification.birth_date) == (census, date(1980, 2, 29))
    assert verification.identifier_hash == identifier_hash("12345678K", city_id=census.pk)


def test_a_census_row_without_birth_date_or_district_asks_neither(census):
    resident = person(census, district="Cerro Alegre")
    services.verify_residence(participant=resident, identifier="ABC123")
    resident.refresh_from_db()
    assert resident.is_verified and resident.district == "Cerro Alegre"
    assert resident.verification.birth_date is None


@pytest.mark.parametrize("identifier, birth_date", [
    ("00000000", date(1980, 2, 29)),     # not in the census
    ("12345678K", date(1980, 3, 1)),     # wrong birth date
    ("12345678K", None),                 # birth date missing where the census has one
    ("", None),                          # nothing typed
    ("9" * 200, None),                   # longer than any identifier
])
def test_every_mismatch_says_the_same(census, identifier, birth_date):
    resident = person(census)
    with pytest.raises(ServiceError) as error:
        services.verify_residence(participant=resident, identifier=identifier,
                                  birth_date=birth_date)
    assert error.value.message == neutral(census)
    resident.refresh_from_db()
    assert not resident.is_verified and not Verification.objects.exists()


def test_a_census_entry_verifies_one_participant_only(census):
    first, second = person(census), person(census)
    services.verify_residence(participant=first, identifier="X9999999",
                              birth_date=date(1999, 12, 31))
    with pytest.raises(ServiceError) as error:
        services.verify_residence(participant=second, identifier="x-9999999",
                                  birth_date=date(1999, 12, 31))
    assert error.value.message == neutral(census)  # as for a number not in the census
    second.refresh_from_db()
    assert not second.is_verified
    assert Verification.objects.get().participant == first


def test_verifying_again_says_so(census):
    resident = person(census)
    services.verify_residence(participant=resident, identifier="ABC123")
    with pytest.raises(ServiceError, match="already a verified resident of Valparaíso"):
        services.verify_residence(participant=resident, identifier="ABC123")


def test_deleting_the_account_frees_the_census_entry(census):
    resident = person(census)
    services.verify_residence(participant=resident, identifier="ABC123")
    services.participant_erase(participant=resident)
    assert not Verification.objects.exists()  # nor the birth date it kept
    services.verify_residence(participant=person(census), identifier="ABC123")


def test_a_city_without_a_census_says_so(city):
    with pytest.raises(ServiceError, match="Valparaíso has not published a census yet"):
        services.verify_residence(participant=person(city), identifier="ABC123")


def test_another_citys_census_does_not_verify(census):
    elsewhere = CityFactory(name="Santiago")
    services.census_import(city=elsewhere, file=csv_file("identifier\nZZZ\n"))
    with pytest.raises(ServiceError) as error:
        services.verify_residence(participant=person(elsewhere), identifier="ABC123")
    assert error.value.message == neutral(elsewhere)


def test_exactly_the_limit_of_attempts_passes(census, settings):
    settings.VERIFICATION_ATTEMPTS = 5
    resident = person(census)
    for _attempt in range(4):
        with pytest.raises(ServiceError, match="could not verify"):
            services.verify_residence(participant=resident, identifier="WRONG")
    services.verify_residence(participant=resident, identifier="ABC123")  # the fifth
    assert Participant.objects.get(pk=resident.pk).is_verified


def test_one_attempt_beyond_the_limit_is_refused_even_when_right(census, settings):
    settings.VERIFICATION_ATTEMPTS = 5
    settings.VERIFICATION_WINDOW = 900
    resident = person(census)
    for _attempt in range(5):
        with pytest.raises(ServiceError, match="could not verify"):
            services.verify_residence(participant=resident, identifier="WRONG")
    with pytest.raises(services.TooManyAttempts) as error:
        services.verify_residence(participant=resident, identifier="ABC123")
    assert "try again in" in error.value.message and 0 < error.value.wait <= 900
    assert not Participant.objects.get(pk=resident.pk).is_verified
    # Another participant is not held back by this one's attempts on other numbers.
    services.verify_residence(participant=person(census), identifier="X9999999",
                              birth_date=date(1999, 12, 31))


def test_many_accounts_cannot_keep_trying_birth_dates_for_one_number(census, settings):
    settings.VERIFICATION_ATTEMPTS = 3
    for day in range(1, 4):
        with pytest.raises(ServiceError, match="could not verify"):
            services.verify_residence(participant=person(census), identifier="12345678K",
                                      birth_date=date(1980, 1, day))
    with pytest.raises(services.TooManyAttempts):
        services.verify_residence(participant=person(census), identifier="12345678K",
                                  birth_date=date(1980, 2, 29))


# --- concurrency (PostgreSQL) ---------------------------------------------------------------

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_participants_with_one_number_at_once_end_with_one_verification(settings):
    assert connection.vendor == "postgresql"
    settings.VERIFICATION_ATTEMPTS = 100
    city = CityFactory()
    services.census_import(city=city, file=csv_file("identifier,district\nSAME-1,Centro\n"))
    people = [person(city) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def run(resident):
        try:
            barrier.wait(timeout=30)
            services.verify_residence(participant=resident, identifier="same1")
            return "ok"
        except ServiceError as error:
            assert error.message == neutral(city)
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(run, people))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == THREADS - 1
    assert Verification.objects.count() == 1
    assert Participant.objects.filter(city=city, is_verified=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_participant_verifying_in_many_tabs_at_once_is_verified_once(settings):
    assert connection.vendor == "postgresql"
    settings.VERIFICATION_ATTEMPTS = 100
    city = CityFactory()
    services.census_import(city=city, file=csv_file("identifier\nSAME-1\n"))
    resident = person(city)
    barrier = threading.Barrier(THREADS)

    def run(_index):
        try:
            barrier.wait(timeout=30)
            services.verify_residence(participant=resident, identifier="same1")
            return "ok"
        except ServiceError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(run, range(THREADS)))
    assert outcomes.count("ok") == 1
    assert Verification.objects.count() == 1
