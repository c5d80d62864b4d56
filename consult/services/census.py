"""A city's census and the residents verified against it (docs/eligibility.md, "The census and
verified residents").

`census_import` replaces a city's census with a CSV file's rows, in one transaction: only the
keyed hash of each document number is stored (`consult.identity`), never the number. The whole
file is refused, and the previous census kept, when it cannot be read, lacks the `identifier`
column, has the same identifier twice, or has no row that could be stored; a row with an empty
identifier or an unreadable birth date is refused on its own (reported with its line) and the
others are stored.

`verify_residence` matches what a participant typed against their city's census: one census
entry verifies one participant only (a database constraint), attempts are limited, and every
failure says the same thing, so that nobody learns whether a number is in the census.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import rate_limits
from core.errors import ServiceError

from ..identity import census_hasher, normalise_identifier
from ..models import CensusEntry, City, Participant, Verification

#: Rows per executemany (SQLite; PostgreSQL copies them in one stream).
BATCH_SIZE = 5000
IDENTIFIER_MAX = 64
DISTRICT_MAX = CensusEntry._meta.get_field("district").max_length
COLUMNS = ("identifier", "birth_date", "district")

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# --- the import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What became of a census file: rows read (not counting the header and blank lines), the
    rows refused with their line and reason, and the rows stored."""

    read: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    stored: int = 0


class CensusRefused(ServiceError):
    """The whole file is refused; nothing was written and the previous census stands."""

    def __init__(self, message: str, *, report: ImportReport,
                 duplicates: list[list[int]] | None = None) -> None:
        super().__init__(message)
        self.report = report
        #: The line numbers of each identifier found more than once.
        self.duplicates = duplicates or []


def parse_birth_date(text: str, *, today: date | None = None) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY; None when empty. ValueError when unreadable or in the future."""
    text = text.strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    value = date(year, month, day)
    if value > (today or timezone.localdate()) or value.year < 1880:
        raise ValueError(text)
    return value


def _rows_of_file(file: IO | str | Path) -> Iterator[tuple[int, Mapping[str, str]]]:
    """(line number, row) of a CSV file with a header: UTF-8 with or without a BOM, comma or
    semicolon (whichever the header line has more of). Column names are matched without case or
    surrounding spaces."""
    if isinstance(file, str | Path):
        with open(file, "rb") as handle:
            yield from _rows_of_file(handle)
        return
    raw = file.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise _Missing
    names = [name.strip().lower() for name in header]
    if "identifier" not in names:
        raise _Missing
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    width = len(names)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield reader.line_num, {name: row[index] for name, index in positions.items()}


class _Missing(Exception):
    pass


def census_import(*, city: City, file: IO | str | Path | None = None,
                  rows: Iterable[Mapping[str, str]] | None = None) -> ImportReport:
    """Replace the city's census with the rows of a CSV file (or of `rows`, mappings with the
    same column names, numbered from line 2). Returns the report; raises `CensusRefused` (and
    writes nothing) when the file as a whole cannot be used. Verifications are kept: they hold
    the identifier's hash, not the census row."""
    if (file is None) == (rows is None):
        raise ValueError("census_import takes a file or rows")
    report = ImportReport()
    digest = census_hasher(city_id=city.pk)
    entries: dict[str, tuple[date | None, str]] = {}
    lines_of: dict[str, list[int]] = {}
    today = timezone.localdate()
    numbered = _rows_of_file(file) if file is not None else enumerate(rows, start=2)
    try:
        for line, row in numbered:
            report.read += 1
            identifier = normalise_identifier(row.get("identifier") or "")
            if not identifier:
                report.refused.append(RefusedRow(line, _("no identifier")))
                continue
            if len(identifier) > IDENTIFIER_MAX:
                report.refused.append(RefusedRow(line, _(
                    "the identifier is longer than %(n)s characters") % {"n": IDENTIFIER_MAX}))
                continue
            try:
                birth_date = parse_birth_date(row.get("birth_date") or "", today=today)
            except ValueError:
                report.refused.append(RefusedRow(line, _(
                    "unreadable birth date (YYYY-MM-DD or DD/MM/YYYY, not in the future)")))
                continue
            district = (row.get("district") or "").strip()
            if len(district) > DISTRICT_MAX:
                report.refused.append(RefusedRow(line, _(
                    "the district is longer than %(n)s characters") % {"n": DISTRICT_MAX}))
                continue
            hashed = digest(identifier)
            if hashed in lines_of:
                lines_of[hashed].append(line)
                continue
            lines_of[hashed] = [line]
            entries[hashed] = (birth_date, district)
    except _Missing:
        raise CensusRefused(_("The file has no “identifier” column (its first line must name "
                              "the columns: identifier, and optionally birth_date and "
                              "district)."), report=report) from None
    except UnicodeDecodeError:
        raise CensusRefused(_("The file is not UTF-8 text: save it as CSV UTF-8 and import it "
                              "again."), report=report) from None
    except csv.Error as error:
        raise CensusRefused(_("The file could not be read as CSV: %(error)s")
                            % {"error": error}, report=report) from None
    duplicates = [lines for lines in lines_of.values() if len(lines) > 1]
    if duplicates:
        raise CensusRefused(ngettext(
            "%(n)s identifier appears more than once; nothing was imported.",
            "%(n)s identifiers appear more than once; nothing was imported.",
            len(duplicates)) % {"n": len(duplicates)}, report=report, duplicates=duplicates)
    if not entries:
        raise CensusRefused(_("No row of the file could be stored; the previous census is "
                              "kept."), report=report)
    with transaction.atomic():
        # No signals and no relations point at a census entry: one DELETE statement.
        CensusEntry.objects.filter(city=city).delete()
        _insert(city=city, entries=entries)
    report.stored = len(entries)
    return report


def _insert(*, city: City, entries: dict[str, tuple[date | None, str]]) -> None:
    """Insert the rows as plain tuples: COPY on PostgreSQL, executemany in batches elsewhere.
    bulk_create would build and prepare 100,000 model instances, four times slower than the
    rest of the import put together (docs/benchmarks.md, "Census import")."""
    ops = connection.ops
    table = ops.quote_name(CensusEntry._meta.db_table)
    names = ("city_id", "identifier_hash", "birth_date", "district", "imported_at")
    columns = ", ".join(ops.quote_name(CensusEntry._meta.get_field(name).column)
                        for name in names)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.connection.cursor().copy(
                    f"COPY {table} ({columns}) FROM STDIN") as copy:
                for hashed, (birth_date, district) in entries.items():
                    copy.write_row((city.pk, hashed, birth_date, district, now))
            return
        stamp = ops.adapt_datetimefield_value(now)
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"
        rows = [(city.pk, hashed, ops.adapt_datefield_value(birth_date), district, stamp)
                for hashed, (birth_date, district) in entries.items()]
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start:start + BATCH_SIZE])


# --- verifying a resident -------------------------------------------------------------------------

def not_verified_message(city: City) -> str:
    return _("We could not verify these details against the census of %(city)s. Check them and "
             "try again.") % {"city": city.name}


ALREADY_VERIFIED = gettext_lazy("You are already a verified resident of %(city)s.")
NO_CENSUS = gettext_lazy("%(city)s has not published a census yet, so residents cannot be "
                         "verified here for now.")


class TooManyAttempts(ServiceError):
    """Too many verification attempts: a 429 on the web and in the API, saying when to retry."""

    def __init__(self, message: str, *, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


def too_many_attempts(seconds: int) -> TooManyAttempts:
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(ngettext(
        "Too many verification attempts: try again in %(n)s minute.",
        "Too many verification attempts: try again in %(n)s minutes.", minutes,
    ) % {"n": minutes}, wait=seconds)


def _attempt_wait(*, participant: Participant, hashed: str) -> int | None:
    limits = {"limit": settings.VERIFICATION_ATTEMPTS, "window": settings.VERIFICATION_WINDOW}
    wait = rate_limits.attempt(scope="verify-participant", ident=str(participant.pk), **limits)
    if wait is None:
        wait = rate_limits.attempt(scope="verify-identifier", ident=hashed, **limits)
    return wait


def ensure_can_verify(*, participant: Participant) -> None:
    """Refuse, before the form is even filled, a participant already verified or whose city has
    no census."""
    city = participant.city
    if Verification.objects.filter(participant=participant).exists():
        raise ServiceError(ALREADY_VERIFIED % {"city": city.name})
    if not CensusEntry.objects.filter(city=city).exists():
        raise ServiceError(NO_CENSUS % {"city": city.name})


def verify_residence(*, participant: Participant, identifier: str,
                     birth_date: date | None = None) -> Verification:
    """Match a participant against their city's census. On a match, in one transaction: the
    `Verification` (identifier hash and the census's birth date), `is_verified`, and the
    district from the census when it has one. Every mismatch — an unknown number, a wrong or
    missing birth date, a number that already verified someone else — is the same message."""
    ensure_can_verify(participant=participant)
    city = participant.city
    normalised = normalise_identifier(identifier)
    hashed = census_hasher(city_id=city.pk)(normalised)
    wait = _attempt_wait(participant=participant, hashed=hashed)
    if wait is not None:
        raise too_many_attempts(wait)
    refused = ServiceError(not_verified_message(city), field="identifier")
    entry = (CensusEntry.objects.filter(city=city, identifier_hash=hashed).first()
             if normalised and len(normalised) <= IDENTIFIER_MAX else None)
    if entry is None or (entry.birth_date is not None and entry.birth_date != birth_date):
        raise refused
    with transaction.atomic():
        # The participant's row lock serialises their own attempts; the unique constraint on
        # (city, identifier_hash) decides between two participants with one number.
        person = Participant.objects.select_for_update().get(pk=participant.pk)
        if Verification.objects.filter(participant=person).exists():
            raise ServiceError(ALREADY_VERIFIED % {"city": city.name})
        try:
            with transaction.atomic():
                verification = Verification.objects.create(
                    participant=person, city=city, identifier_hash=hashed,
                    birth_date=entry.birth_date)
        except IntegrityError:
            raise refused from None
        person.is_verified = True
        fields = ["is_verified"]
        if entry.district:
            person.district = entry.district
            fields.append("district")
        person.save(update_fields=fields)
    participant.is_verified = person.is_verified
    participant.district = person.district
    return verification


__all__ = [
    "ALREADY_VERIFIED",
    "NO_CENSUS",
    "CensusRefused",
    "ImportReport",
    "RefusedRow",
    "TooManyAttempts",
    "census_hasher",
    "census_import",
    "ensure_can_verify",
    "not_verified_message",
    "verify_residence",
]
