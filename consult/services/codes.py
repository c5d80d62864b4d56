"""Voting codes: issuing them for the letters, and counting them (docs/eligibility.md).

Only the keyed hash of a code is stored (`consult.identity.code_hash`), like a password: the plain
codes are returned to the caller once — `manage.py voting_codes` writes them to the files printed
for the letters — and cannot be recovered from the database, only issued again.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.formatting import format_number

from ..identity import code_hash, new_code, normalise_code
from ..models import CastIdentity, Consultation, VotingCode

#: The most codes one call issues (a city prints several batches for more).
MAX_CODES_PER_ISSUE = 100_000
BATCH_MAX_CHARS = VotingCode._meta.get_field("batch").max_length
#: Hashes looked up per query: well under SQLite's limit on query parameters.
_LOOKUP_CHUNK = 900
#: A concurrent issue of the same consultation can take a hash between our check and our insert
#: (at about 40 bits a code, all but impossible); the whole issue is then tried again.
_ATTEMPTS = 3


def voting_codes_issue(*, consultation: Consultation, count: int, batch: str = "") -> list[str]:
    """Issue ``count`` fresh single-use codes of the consultation and return them as printed
    (``XXXX-XXXX-C``). Only their hashes are stored, in one transaction: the returned list is
    the only copy of the codes."""
    if isinstance(count, bool) or not isinstance(count, int) or not (
            1 <= count <= MAX_CODES_PER_ISSUE):
        raise ServiceError(_("Issue between 1 and %(max)s codes at a time.") % {
            "max": format_number(MAX_CODES_PER_ISSUE)}, field="count")
    batch = (batch or "").strip()
    if len(batch) > BATCH_MAX_CHARS:
        raise ServiceError(_("A batch label has at most %(max)s characters.") % {
            "max": BATCH_MAX_CHARS}, field="batch")
    if consultation.voting_has_closed():
        raise ServiceError(_("Voting in this consultation has closed: codes can no longer be "
                             "used, so none are issued."))
    for attempt in range(_ATTEMPTS):
        try:
            return _issue(consultation=consultation, count=count, batch=batch)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _issue(*, consultation: Consultation, count: int, batch: str) -> list[str]:
    codes: dict[str, str] = {}  # hash → printed code
    with transaction.atomic():
        while len(codes) < count:
            fresh: dict[str, str] = {}
            while len(codes) + len(fresh) < count:
                printed = new_code()  # never one of Luhn's blind swaps (consult.identity)
                typed = normalise_code(printed)
                digest = code_hash(typed, consultation_id=consultation.pk)
                if digest not in codes:
                    fresh[digest] = printed
            for taken in _existing(fresh):
                del fresh[taken]
            codes.update(fresh)
        now = timezone.now()
        VotingCode.objects.bulk_create(
            [VotingCode(consultation=consultation, code_hash=digest, batch=batch, issued_at=now)
             for digest in codes],
            batch_size=2_000,
        )
    return list(codes.values())


def _existing(hashes: Iterable[str]) -> set[str]:
    hashes = list(hashes)
    taken: set[str] = set()
    for start in range(0, len(hashes), _LOOKUP_CHUNK):
        chunk = hashes[start:start + _LOOKUP_CHUNK]
        taken.update(VotingCode.objects.filter(code_hash__in=chunk)
                     .values_list("code_hash", flat=True))
    return taken


def voting_code_counts(consultation: Consultation) -> dict[str, int]:
    """How many codes of the consultation were issued, and how many have voted (a read)."""
    return {
        "issued": VotingCode.objects.filter(consultation=consultation).count(),
        "used": CastIdentity.objects.filter(consultation=consultation,
                                            kind=CastIdentity.Kind.CODE).count(),
    }
