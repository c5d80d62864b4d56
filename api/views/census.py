"""Verifying one's residence against the city's census (me/verification/)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Participant

from .. import serializers as s
from ..exceptions import ErrorSerializer
from ._common import ApiView, parsed, participant_required


def verification_status(participant: Participant | None) -> dict:
    if participant is None:
        return {"verified": False, "city": None, "city_name": None, "verified_at": None,
                "district": None, "census_published": False, "asks_birth_date": False}
    verification = consult_selectors.verification_of(participant=participant)
    facts = consult_selectors.census_facts(city=participant.city)
    return {
        "verified": verification is not None,
        "city": participant.city_id,
        "city_name": participant.city.name,
        "verified_at": verification.verified_at if verification else None,
        "district": participant.district if verification else None,
        "census_published": facts.published,
        "asks_birth_date": facts.asks_birth_date,
    }


class TooManyAttempts(exceptions.Throttled):
    """A 429 with the service's own words (and `Retry-After`)."""

    def __init__(self, error: consult_services.TooManyAttempts) -> None:
        super().__init__(wait=error.wait)
        self.detail = exceptions.ErrorDetail(error.message, code=self.default_code)


class MeVerification(ApiView):
    """Your verification as a resident of your city. POST matches your document number (and
    birth date, when the census has them) against the city's census: 201 when it matches; a 400
    with one message whatever did not match (nobody learns whether a number is in the census);
    a few attempts per 15 minutes, then 429 with `Retry-After`. Only a keyed hash of the number
    is stored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.VerificationSerializer)
    def get(self, request):
        participant = consult_rules.participant_of(request.user)
        return Response(s.VerificationSerializer(verification_status(participant)).data)

    @extend_schema(request=s.VerificationWriteSerializer,
                   responses={201: s.VerificationSerializer, 400: ErrorSerializer,
                              429: ErrorSerializer})
    def post(self, request):
        data = parsed(s.VerificationWriteSerializer, request)
        participant = participant_required(request)
        try:
            consult_services.verify_residence(participant=participant,
                                              identifier=data["identifier"],
                                              birth_date=data.get("birth_date"))
        except consult_services.TooManyAttempts as error:
            raise TooManyAttempts(error) from None
        return Response(s.VerificationSerializer(verification_status(participant)).data,
                        status=status.HTTP_201_CREATED)
