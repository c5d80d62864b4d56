"""Paper ballots, entered twice (docs/eligibility.md, "Paper ballots").

A clerk enters one paper ballot: its serial number, its choices, and the identity the voter
showed at the polling station (a census document number or a voting code), if any. Each entry
is a `PaperEntry`; when a second clerk's entry of the same serial agrees with it (same choices,
same identity), the pair becomes one `Ballot` (channel paper, no participant) with its choices
and its `CastIdentity`, in one transaction. Entries that disagree wait for a third clerk, whose
entry resolves the serial when it agrees with one of them.

Every entry of a consultation takes the consultation's row lock (FOR NO KEY UPDATE): two clerks
entering the same serial at the same moment are serialised, so the second one finds the first
and they match.
The online ballot does not take that lock; the unique constraint on `CastIdentity` decides
between a paper ballot and an online ballot of the same identity (the loser is refused, and
nothing of it is written).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed, ServiceError

from .. import rules as perms
from .. import selectors
from ..eligibility import age_on
from ..errors import BallotError
from ..identity import code_hash, identifier_hash, normalise_code, normalise_identifier
from ..models import (
    Ballot,
    BallotChoice,
    CastIdentity,
    CensusEntry,
    Consultation,
    ConsultationTally,
    Eligibility,
    PaperEntry,
    VotingCode,
)
from ..voting import ballot_check

NOT_A_CLERK = gettext_lazy(
    "Only the city's ballot clerks and administrators can enter paper ballots.")
PAPER_CLOSED = gettext_lazy(
    "Paper ballots are entered from the opening of voting until the results are published.")
SERIAL_NEEDED = gettext_lazy("Enter the serial number printed on the ballot.")
SERIAL_MALFORMED = gettext_lazy(
    "A serial number is made of letters, digits and dashes, at most 40 of them.")
CHOICES_MALFORMED = gettext_lazy(
    "Write the proposal numbers printed on the ballot, separated by spaces or commas; with "
    "points, a number, a colon and the points: 12:3 15:2.")
BOTH_IDENTITIES = gettext_lazy("Enter a document number or a voting code, not both.")
NOT_A_CODE = gettext_lazy(
    "This is not a voting code: check its nine characters (the last one is a check "
    "character).")
UNKNOWN_CODE = gettext_lazy("This voting code is not one of this consultation's.")
CODE_NEEDED = gettext_lazy("This consultation's paper ballots need the voter's voting code.")
DOCUMENT_NEEDED = gettext_lazy(
    "This consultation's paper ballots need the voter's document number (a resident in the "
    "census).")
DOCUMENT_OR_CODE_NEEDED = gettext_lazy(
    "This consultation's paper ballots need the voter's document number or voting code.")
NOT_IN_CENSUS = gettext_lazy("This document number is not in the city's census.")
SERIAL_COUNTED = gettext_lazy("Serial %(serial)s is already a counted ballot; nothing was saved.")
SAME_CLERK = gettext_lazy(
    "You already entered serial %(serial)s: a second clerk must enter it.")

#: An identity that already voted, said to the clerk at once (before any second entry).
CONFLICTS = {
    (CastIdentity.Kind.CENSUS, Ballot.Channel.ONLINE): gettext_lazy(
        "Conflict: this document number has already voted online. The paper ballot cannot be "
        "counted; put it aside."),
    (CastIdentity.Kind.CODE, Ballot.Channel.ONLINE): gettext_lazy(
        "Conflict: this voting code has already voted online. The paper ballot cannot be "
        "counted; put it aside."),
    (CastIdentity.Kind.CENSUS, Ballot.Channel.PAPER): gettext_lazy(
        "Conflict: this document number has already voted on paper ballot %(serial)s. This "
        "ballot cannot be counted; put it aside."),
    (CastIdentity.Kind.CODE, Ballot.Channel.PAPER): gettext_lazy(
        "Conflict: this voting code has already voted on paper ballot %(serial)s. This ballot "
        "cannot be counted; put it aside."),
}
FIRST, MATCHED, MISMATCH = "first", "matched", "mismatch"
STATUS_MESSAGES = {
    FIRST: gettext_lazy("Serial %(serial)s: first entry saved, waiting for a second clerk."),
    MATCHED: gettext_lazy("Serial %(serial)s: matched: ballot counted."),
    MISMATCH: gettext_lazy(
        "Serial %(serial)s: mismatch with the first entry: listed for a third look."),
}

_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,39}$")
_CHOICE = re.compile(r"^#?(\d{1,9})(?:[:=](\d{1,6}))?$")
_CHOICE_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class PaperOutcome:
    """What became of one clerk's entry: `status` first, matched or mismatch."""

    status: str
    serial: str
    entry: PaperEntry
    ballot: Ballot | None = None

    @property
    def message(self) -> str:
        return str(STATUS_MESSAGES[self.status]) % {"serial": self.serial}


# --- who may ---------------------------------------------------------------------------------


def ensure_can_enter_paper_ballots(*, user: AbstractBaseUser, consultation: Consultation) -> None:
    """The city's clerks (and administrators), from the opening of voting until the results
    are published (`rules.can_enter_paper_ballots`)."""
    if perms.can_enter_paper_ballots(user, consultation):
        return
    if not perms.is_clerk(user, consultation):
        raise NotAllowed(NOT_A_CLERK)
    raise NotAllowed(PAPER_CLOSED)


def ensure_can_review_paper_ballots(*, user: AbstractBaseUser, consultation: Consultation) -> None:
    """The mismatch review and the progress are the clerks' pages, in any phase."""
    if not perms.is_clerk(user, consultation):
        raise NotAllowed(NOT_A_CLERK)


# --- what the clerk typed ---------------------------------------------------------------------


def paper_serial(raw: str) -> str:
    """A serial number as compared: upper case, without spaces (leading zeros are kept: the
    serial is the text printed on the ballot)."""
    serial = re.sub(r"\s+", "", raw or "").upper()
    if not serial:
        raise ServiceError(SERIAL_NEEDED, field="serial")
    if not _SERIAL.match(serial):
        raise ServiceError(SERIAL_MALFORMED, field="serial")
    return serial


def paper_choices(text: str) -> dict[int, int]:
    """The choices as typed: proposal numbers separated by spaces, commas or semicolons; with
    points, ``12:3`` (one point when none is written)."""
    choices: dict[int, int] = {}
    for token in _CHOICE_SEPARATORS.split((text or "").strip()):
        if not token:
            continue
        found = _CHOICE.match(token)
        if found is None:
            raise ServiceError(CHOICES_MALFORMED, field="choices")
        pid, points = int(found[1]), int(found[2] or 1)
        if pid in choices:
            raise ServiceError(_("Proposal %(id)s is written twice.") % {"id": pid},
                               field="choices")
        choices[pid] = points
    return choices


def _identity(*, consultation: Consultation, identifier: str, code: str) -> tuple[str, str]:
    """(kind, hash) of the identity shown at the polling station, or ("", "") for none, as the
    consultation's eligibility asks for it."""
    document = normalise_identifier(identifier)
    code = (code or "").strip()
    if document and code:
        raise ServiceError(BOTH_IDENTITIES, field="identifier")
    rule = consultation.eligibility
    if not document and not code:
        needed = {Eligibility.CODE: CODE_NEEDED, Eligibility.VERIFIED: DOCUMENT_NEEDED,
                  Eligibility.VERIFIED_OR_CODE: DOCUMENT_OR_CODE_NEEDED}.get(rule)
        if needed:
            raise ServiceError(needed, field="code" if rule == Eligibility.CODE else "identifier")
        return "", ""
    if code:
        normalised = normalise_code(code)
        if normalised is None:
            raise ServiceError(NOT_A_CODE, field="code")
        digest = code_hash(normalised, consultation_id=consultation.pk)
        if not VotingCode.objects.filter(consultation=consultation, code_hash=digest).exists():
            raise ServiceError(UNKNOWN_CODE, field="code")
        return CastIdentity.Kind.CODE, digest
    if rule == Eligibility.CODE:
        raise ServiceError(CODE_NEEDED, field="code")
    digest = identifier_hash(document, city_id=consultation.city_id)
    if rule in (Eligibility.VERIFIED, Eligibility.VERIFIED_OR_CODE):
        entry = CensusEntry.objects.filter(city_id=consultation.city_id,
                                           identifier_hash=digest).first()
        if entry is None:
            raise ServiceError(NOT_IN_CENSUS, field="identifier")
        today = timezone.localdate(timezone=consultation.city.tzinfo)
        if consultation.minimum_age and (  # as online: an age the census does not show fails
                entry.birth_date is None
                or age_on(entry.birth_date, today) < consultation.minimum_age):
            raise ServiceError(_("The census does not show this person aged %(age)d or older: "
                                 "the ballot cannot be counted.") % {
                                     "age": consultation.minimum_age},
                               field="identifier")
    return CastIdentity.Kind.CENSUS, digest


def _conflict(*, consultation: Consultation, kind: str, digest: str) -> None:
    """Refuse an identity that already voted, online or on paper (said at any entry, the
    first one included)."""
    if not kind:
        return
    cast = (CastIdentity.objects.filter(consultation=consultation, kind=kind,
                                        identity_hash=digest)
            .select_related("ballot").first())
    if cast is not None:
        raise ServiceError(str(CONFLICTS[(kind, cast.ballot.channel)])
                           % {"serial": cast.ballot.serial}, field=_identity_field(kind))


def _identity_field(kind: str) -> str:
    return "code" if kind == CastIdentity.Kind.CODE else "identifier"


# --- one clerk's entry ------------------------------------------------------------------------


def paper_entry_record(
    *,
    clerk: AbstractBaseUser,
    consultation: Consultation,
    serial: str,
    choices: Mapping[int, int],
    identifier: str = "",
    code: str = "",
) -> PaperOutcome:
    """Record one clerk's entry of a paper ballot; a second clerk's agreeing entry makes it a
    ballot. Raises NotAllowed (not a clerk of the city, outside the entry window),
    BallotError (the online ballot's limits, with its words) or ServiceError (a malformed
    serial or identity, a conflict, a serial already counted or already entered by this
    clerk). Nothing is written when it raises."""
    ensure_can_enter_paper_ballots(user=clerk, consultation=consultation)
    serial = paper_serial(serial)
    choices = {int(pid): int(points) for pid, points in choices.items()}
    proposals = {proposal.pk: proposal for proposal in
                 selectors.proposals_on_ballot(consultation=consultation, ids=choices)}
    try:
        ballot_check(consultation=consultation, choices=choices, proposals=proposals)
    except BallotError as error:
        raise BallotError(error.message, field="choices") from error
    kind, digest = _identity(consultation=consultation, identifier=identifier, code=code)
    stored = {str(pid): points for pid, points in sorted(choices.items())}
    with transaction.atomic():
        # FOR NO KEY UPDATE: clerks' entries queue behind each other (and the publication of
        # the results), while the inserts of online ballots, whose foreign keys take a KEY SHARE
        # lock on this row, never wait for it (FOR UPDATE made them deadlock with the entries).
        locked = (Consultation.objects.select_for_update(no_key=True, of=("self",))
                  .select_related("city").get(pk=consultation.pk))
        ensure_can_enter_paper_ballots(user=clerk, consultation=locked)  # published meanwhile?
        if Ballot.objects.filter(consultation=locked, channel=Ballot.Channel.PAPER,
                                 serial=serial).exists():
            raise ServiceError(SERIAL_COUNTED % {"serial": serial}, field="serial")
        if PaperEntry.objects.filter(consultation=locked, serial=serial, clerk=clerk).exists():
            raise ServiceError(SAME_CLERK % {"serial": serial}, field="serial")
        _conflict(consultation=locked, kind=kind, digest=digest)
        others = list(PaperEntry.objects.filter(consultation=locked, serial=serial,
                                                ballot__isnull=True).order_by("entered_at", "pk"))
        try:
            with transaction.atomic():
                entry = PaperEntry.objects.create(
                    consultation=locked, serial=serial, clerk=clerk, choices=stored,
                    identity_kind=kind, identity_hash=digest)
        except IntegrityError as error:  # the same clerk, twice at once
            raise ServiceError(SAME_CLERK % {"serial": serial}, field="serial") from error
        agreeing = [other for other in others if other.choices == stored
                    and (other.identity_kind, other.identity_hash) == (kind, digest)]
        if not others:
            return PaperOutcome(status=FIRST, serial=serial, entry=entry)
        if not agreeing:
            return PaperOutcome(status=MISMATCH, serial=serial, entry=entry)
        ballot = _ballot_create(consultation=locked, serial=serial, choices=choices,
                                kind=kind, digest=digest)
        PaperEntry.objects.filter(pk__in=[entry.pk, agreeing[0].pk]).update(ballot=ballot)
        entry.ballot = ballot
        return PaperOutcome(status=MATCHED, serial=serial, entry=entry, ballot=ballot)



def _ballot_create(*, consultation: Consultation, serial: str, choices: Mapping[int, int],
                   kind: str, digest: str) -> Ballot:
    """The paper ballot, its choices and its identity, in a savepoint: an identity that voted
    online a moment ago loses to the unique constraint, and the caller's transaction rolls back
    with the refusal."""
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(consultation=consultation, channel=Ballot.Channel.PAPER,
                                           serial=serial, participant=None)
            BallotChoice.objects.bulk_create(
                BallotChoice(ballot=ballot, proposal_id=pid, points=points)
                for pid, points in sorted(choices.items()))
            if kind:
                CastIdentity.objects.create(consultation=consultation, kind=kind,
                                            identity_hash=digest, ballot=ballot)
    except IntegrityError as error:
        cast = (CastIdentity.objects.filter(consultation=consultation, kind=kind,
                                            identity_hash=digest)
                .select_related("ballot").first()) if kind else None
        if cast is None:
            raise ServiceError(SERIAL_COUNTED % {"serial": serial}, field="serial") from error
        raise ServiceError(str(CONFLICTS[(kind, cast.ballot.channel)])
                           % {"serial": cast.ballot.serial},
                           field=_identity_field(kind)) from error
    if consultation.voting_has_closed():
        _tally_outdated(consultation=consultation)
    return ballot


def _tally_outdated(*, consultation: Consultation) -> None:
    """A ballot counted after the close: the stored totals no longer hold. They go, and the
    next page (or the beat) asks for them again."""
    ConsultationTally.objects.filter(consultation=consultation).delete()

    def forget_request() -> None:
        from .. import tasks  # tasks imports the services

        cache.delete(tasks.tally_mark(consultation_id=consultation.pk))

    transaction.on_commit(forget_request)


# --- a file of scanned ballots ------------------------------------------------------------------

#: The columns of the import (docs/eligibility.md); identifier and code are optional.
IMPORT_COLUMNS = ("serial", "choices", "identifier", "code")
IMPORT_MAX_BYTES = 2_000_000
IMPORT_MAX_ROWS = 10_000


@dataclass
class PaperImport:
    """What an import did: the rows accepted (line, outcome) and refused (line, message)."""

    accepted: list[tuple[int, PaperOutcome]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def paper_import(*, clerk: AbstractBaseUser, consultation: Consultation,
                 data: bytes) -> PaperImport:
    """Enter a CSV file of scanned ballots as this clerk's entries, row by row through
    `paper_entry_record` (each row its own transaction): a row refused is reported with its
    line number and the others stand. A second clerk still enters (or imports) them."""
    ensure_can_enter_paper_ballots(user=clerk, consultation=consultation)
    if len(data) > IMPORT_MAX_BYTES:
        raise ServiceError(_("The file is larger than 2 MB; split it."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError(_("The file is not UTF-8 text; save it as CSV (UTF-8)."),
                           field="file") from error
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    if "serial" not in header or "choices" not in header:
        raise ServiceError(_("The first line must name the columns: serial, choices, and "
                             "optionally identifier or code."), field="file")
    where = {name: header.index(name) for name in IMPORT_COLUMNS if name in header}
    report = PaperImport()
    rows = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > IMPORT_MAX_ROWS:
                report.errors.append((line, _("Only the first %(rows)d rows are read; import "
                                              "the rest in another file.")
                                      % {"rows": IMPORT_MAX_ROWS}))
                break
            cells = {name: row[index].strip() if index < len(row) else ""
                     for name, index in where.items()}
            try:
                outcome = paper_entry_record(
                    clerk=clerk, consultation=consultation, serial=cells["serial"],
                    choices=paper_choices(cells["choices"]),
                    identifier=cells.get("identifier", ""), code=cells.get("code", ""))
            except NotAllowed as error:  # the window closed during the import: stop here
                report.errors.append((line, error.message))
                break
            except ServiceError as error:
                report.errors.append((line, str(error.message)))
            else:
                report.accepted.append((line, outcome))
    except csv.Error:
        report.errors.append((reader.line_num, _("This line is not valid CSV.")))
    return report
