"""The demo's eligibility (docs/eligibility.md): Mexico City's synthetic census with its
verified residents, voting codes for the open climate vote, a resident still to verify.

- Every verified participant of Mexico City is in the census, with a document number
  ``MX-<seven digits>`` (`ciudadana`: ``MX-0000001``) and a birth date, and holds a
  `Verification`; the census also lists residents who never signed up.
- `vecino` is a participant of Mexico City not yet verified: his document ``MX-0000002`` (born
  1985-03-14) is in the census, to try the verification page.
- "Agenda climática" takes verified residents or voting codes: `seed_voting_codes` issues a few
  and returns them (the command prints them; they are stored only as keyed hashes).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from consult import identity
from consult.models import City, Consultation, Participant, Verification, VotingCode
from consult.services import census_import
from consult.services.codes import voting_codes_issue

from .people import SEED

#: The document numbers the demo's people use to try the pages.
CIUDADANA_DOCUMENT = "MX-0000001"
VECINO_DOCUMENT, VECINO_BIRTH = "MX-0000002", date(1985, 3, 14)
UNREGISTERED_RESIDENTS = 400
DEMO_CODES = 25


def seed_census(city: City) -> int:
    """Import the city's synthetic census (idempotent: a city with a census keeps it) and
    verify its verified participants against it; returns the rows stored."""
    if city.census.exists():
        return 0
    rng = random.Random(f"{SEED}-census-{city.slug}")
    people = list(Participant.objects.filter(city=city).select_related("user").order_by("pk"))
    documents, rows = {}, []
    number = 3
    for person in people:
        username = person.user.username if person.user else ""
        if username == "ciudadana":
            document = CIUDADANA_DOCUMENT
        elif username == "vecino":
            document = VECINO_DOCUMENT
        else:
            document, number = f"MX-{number:07d}", number + 1
        born = VECINO_BIRTH if username == "vecino" else (
            date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 56)))
        documents[person.pk] = (document, born)
        rows.append({"identifier": document, "birth_date": born.isoformat(),
                     "district": person.district})
    for _resident in range(UNREGISTERED_RESIDENTS):
        rows.append({"identifier": f"MX-{number:07d}", "district": "",
                     "birth_date": (date(1950, 1, 1) + timedelta(
                         days=rng.randrange(0, 365 * 56))).isoformat()})
        number += 1
    report = census_import(city=city, rows=rows)
    Verification.objects.bulk_create(
        (Verification(participant=person, city=city, birth_date=documents[person.pk][1],
                      identifier_hash=identity.identifier_hash(documents[person.pk][0],
                                                               city_id=city.pk))
         for person in people if person.is_verified),
        batch_size=2000, ignore_conflicts=True)
    return report.stored


def seed_voting_codes(consultation: Consultation) -> list[str]:
    """A few codes for the consultation, once (none when it has some already)."""
    if VotingCode.objects.filter(consultation=consultation).exists():
        return []
    return voting_codes_issue(consultation=consultation, count=DEMO_CODES, batch="demo")
