"""Checking a ballot's receipt code: is that ballot in the official count, which count?

Anyone holding a code learns, without personal data, where the ballot stands: recorded while
voting is open, waiting for the official count once voting closed, or in the official count
(its rule, input hash and number of ballots). The ballot's holder, logged in, also reads its
choices and its line in the published ballot file (voters are numbered there in the order of
their receipt codes), so they can find their own ballot in the file anyone can re-count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy

from consult.models import Ballot, BallotChoice, Consultation
from core import rate_limits
from core.i18n import text_order

from ..models import CountRun
from .counts import count_run_official

RECEIPT_NOT_FOUND = gettext_lazy(
    "No ballot has this receipt code. Check that you typed it as printed: receipt codes never "
    "use the letters I, L and O or the digits 0 and 1.")

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE = re.compile(rf"^[{RECEIPT_ALPHABET}]{{12}}$")


class ReceiptStatus:
    VOTING = "voting"  # recorded; may still change until voting closes
    AWAITING_COUNT = "awaiting_count"  # voting closed; no official count yet
    COUNTED = "counted"  # in the official count


@dataclass(frozen=True)
class ReceiptCheck:
    code: str
    consultation: Consultation
    status: str
    count: CountRun | None
    is_holder: bool
    #: For the holder only: the ballot's line in the published ballot file, and its choices.
    voter_number: int | None = None
    choices: list[tuple[str, int]] = field(default_factory=list)


def receipt_lookup_wait(*, address: str) -> int | None:
    """Count one receipt lookup from this address (the web page and the API share the counter);
    the seconds to wait when there were too many, else None."""
    return rate_limits.attempt(
        scope="receipt-checks", ident=address, limit=settings.RECEIPT_CHECKS_PER_ADDRESS,
        window=settings.RECEIPT_CHECK_WINDOW)


def normalise_receipt_code(text: str) -> str | None:
    """The code as printed (XXXX-XXXX-XXXX) from what a person typed (any case, spaces or
    dashes anywhere); None if it cannot be a receipt code."""
    raw = re.sub(r"[\s\-]", "", text or "").upper()
    if not _CODE.match(raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_check(*, code: str, user) -> ReceiptCheck | None:
    """Where the ballot with this receipt code stands; None for a code that is not a ballot's
    (said the same way for a malformed and an unknown code)."""
    normalised = normalise_receipt_code(code)
    if normalised is None:
        return None
    ballot = (Ballot.objects.select_related("consultation__city", "participant")
              .filter(receipt_code=normalised).first())
    if ballot is None:
        return None
    consultation = ballot.consultation
    count = None
    if not consultation.voting_has_closed():
        status = ReceiptStatus.VOTING
    elif (count := count_run_official(consultation=consultation)) is None:
        status = ReceiptStatus.AWAITING_COUNT
    else:
        status = ReceiptStatus.COUNTED
    # A paper ballot has no holder online (no participant).
    is_holder = bool(user.is_authenticated and ballot.participant is not None
                     and ballot.participant.user_id == user.pk)
    if not is_holder:
        return ReceiptCheck(code=normalised, consultation=consultation, status=status,
                            count=count, is_holder=False)
    choices = list(BallotChoice.objects.filter(ballot=ballot)
                   .order_by(text_order("proposal__title"))
                   .values_list("proposal__title", "points"))
    return ReceiptCheck(code=normalised, consultation=consultation, status=status, count=count,
                        is_holder=True, voter_number=_voter_number(ballot), choices=choices)


def _voter_number(ballot: Ballot) -> int:
    """The ballot's voter number in the Pabulib export (planning.pabulib_io numbers voters in
    the code-point order of their receipt codes: SQLite compares text that way, PostgreSQL
    with the "C" collation)."""
    mine, theirs = Value(ballot.receipt_code), F("receipt_code")
    if connection.vendor == "postgresql":
        mine, theirs = Collate(mine, "C"), Collate("receipt_code", "C")
    return Ballot.objects.filter(consultation_id=ballot.consultation_id).alias(
        code=theirs).filter(code__lt=mine).count() + 1
