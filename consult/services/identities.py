"""Who has voted, as a consultation knows them: the census identifier of a verified voter or a
voting code, one ballot each whatever the channel (`CastIdentity`; docs/eligibility.md)."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .. import eligibility, identity
from ..errors import BallotError
from ..models import Ballot, CastIdentity, Consultation, Participant, Verification, VotingCode

CODE_MALFORMED = _("This is not a voting code: check it against your letter (for example "
                   "ABCD-EFGH-J). Each code has a check character that catches a typo.")
CODE_UNKNOWN = _("This voting code is not one of this consultation's. Check it against your "
                 "letter.")
CODE_USED = _("This voting code has already been used.")
ALREADY_VOTED = _("Your census record has already voted in this consultation (on paper or "
                  "online): one ballot per person.")


def claim(*, ballot: Ballot, kind: str, identity_hash: str, refusal) -> CastIdentity:
    """Bind the identity to the ballot; another ballot holding it already (online or on paper,
    even at the same instant: the unique constraint decides) is a BallotError, and nothing of
    the caller's transaction stays."""
    try:
        with transaction.atomic():
            return CastIdentity.objects.create(consultation_id=ballot.consultation_id, kind=kind,
                                               identity_hash=identity_hash, ballot=ballot)
    except IntegrityError:
        raise BallotError(str(refusal)) from None


def online_identities(*, ballot: Ballot, participant: Participant, consultation: Consultation,
                      code: str = "") -> None:
    """Record who cast an online ballot: a verified participant's census identifier (so that
    their document cannot vote again on paper) and, where the consultation takes voting codes
    and the voter is not verified, the code they entered. A ballot being replaced keeps what it
    holds."""
    held = set(CastIdentity.objects.filter(ballot=ballot).values_list("kind", flat=True))
    verification = Verification.objects.filter(participant=participant,
                                               city_id=consultation.city_id).first()
    if verification is not None and CastIdentity.Kind.CENSUS not in held:
        claim(ballot=ballot, kind=CastIdentity.Kind.CENSUS,
              identity_hash=verification.identifier_hash, refusal=ALREADY_VOTED)
    if CastIdentity.Kind.CODE in held or not eligibility.needs_code(
            user=participant.user, consultation=consultation):
        return
    normalised = identity.normalise_code(code)
    if not (code or "").strip():
        raise BallotError(str(eligibility.CODE_NEEDED), field="voting_code")
    if normalised is None:
        raise BallotError(str(CODE_MALFORMED), field="voting_code")
    digest = identity.code_hash(normalised, consultation_id=consultation.pk)
    if not VotingCode.objects.filter(consultation=consultation, code_hash=digest).exists():
        raise BallotError(str(CODE_UNKNOWN), field="voting_code")
    claim(ballot=ballot, kind=CastIdentity.Kind.CODE, identity_hash=digest, refusal=CODE_USED)
