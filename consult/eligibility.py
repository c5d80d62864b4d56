"""Who may propose, support and vote in a consultation, and what a person still needs to
(docs/eligibility.md).

`requirement(user=…, consultation=…, action=…)` is the one place that decides: the rules'
predicates (`consult.rules.may_propose`, `may_support`, `may_vote`), the services' refusals (a
403 with the reason, on the web and in the API) and the pages that tell a person, before they
start, what they need and where to get it all read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules
from .models import Consultation, Eligibility, Participant

PROPOSE, SUPPORT, VOTE = "propose", "support", "vote"
PROFILE_NEEDED = gettext_lazy("Complete your profile before you take part.")
CODE_NEEDED = gettext_lazy("Enter the voting code you received by letter with your ballot.")
ACTIONS = (PROPOSE, SUPPORT, VOTE)


@dataclass(frozen=True)
class Requirement:
    """What a person lacks to act. ``blocking`` False: they may go ahead but must bring it
    with the act itself (a voting code is entered with the ballot)."""

    code: str  # sign_in, profile, resident, verify, age, voting_code
    message: str
    url: str = ""
    link_text: str = ""
    blocking: bool = True


def eligibility_for(consultation: Consultation, action: str) -> str:
    return {
        PROPOSE: consultation.proposing_eligibility,
        SUPPORT: consultation.supporting_eligibility,
        VOTE: consultation.eligibility,
    }[action]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def requirement(*, user, consultation: Consultation, action: str) -> Requirement | None:
    """What the person still needs to ``action`` in the consultation (None: nothing). Phases
    are not this function's business: a person may be eligible to vote before voting opens."""
    rule = eligibility_for(consultation, action)
    city = consultation.city
    if user is None or not user.is_authenticated:
        return Requirement("sign_in", _("Sign in to take part."), reverse("login"),
                           _("Sign in"))
    participant = rules.participant_of(user)
    if participant is None:
        return Requirement("profile", str(PROFILE_NEEDED),
                           reverse("consult:profile"), _("Complete your profile"))
    if rule == Eligibility.REGISTERED:
        return None
    if action == VOTE and rule in (Eligibility.CODE, Eligibility.VERIFIED_OR_CODE):
        # the letter with the code is the proof: no declared city or verification needed
        if rule == Eligibility.VERIFIED_OR_CODE and _verified_in(participant, consultation):
            return _age_requirement(participant, consultation)
        either = rule == Eligibility.VERIFIED_OR_CODE
        return Requirement(
            "voting_code",
            _("Verify your residence, or enter the voting code you received by letter with "
              "your ballot.") if either else
            str(CODE_NEEDED),
            url=reverse("consult:verify_residence") if either else "",
            link_text=_("Verify your residence") if either else "", blocking=False)
    if participant.city_id != consultation.city_id:
        return Requirement("resident", _(
            "This consultation is for residents of %(city)s; your profile is of another "
            "city.") % {"city": city.name})
    if rule == Eligibility.RESIDENTS:
        return None
    if _verified_in(participant, consultation):
        return _age_requirement(participant, consultation)
    return Requirement("verify", _(
        "This consultation is for verified residents of %(city)s: verify your residence "
        "against the city's census first.") % {"city": city.name},
        reverse("consult:verify_residence"), _("Verify your residence"))


def _verified_in(participant: Participant, consultation: Consultation) -> bool:
    return participant.is_verified and participant.city_id == consultation.city_id


def _age_requirement(participant: Participant, consultation: Consultation) -> Requirement | None:
    minimum = consultation.minimum_age
    if not minimum:
        return None
    verification = getattr(participant, "verification", None)
    birth = verification.birth_date if verification is not None else None
    today = timezone.localdate(timezone=consultation.city.tzinfo)
    if birth is not None and age_on(birth, today) >= minimum:
        return None
    return Requirement("age", _(
        "This consultation is for people aged %(age)s or older, as the census shows.") % {
        "age": minimum})


def may(*, user, consultation: Consultation, action: str) -> bool:
    """Whether nothing blocks the person (a voting code still to enter does not)."""
    need = requirement(user=user, consultation=consultation, action=action)
    return need is None or not need.blocking


def needs_code(*, user, consultation: Consultation) -> bool:
    """Whether the person's ballot must come with a voting code."""
    need = requirement(user=user, consultation=consultation, action=VOTE)
    return need is not None and need.code == "voting_code"
