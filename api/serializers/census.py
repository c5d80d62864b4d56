"""Verifying one's residence against the city's census (me/verification/)."""
from __future__ import annotations

from rest_framework import serializers

from consult.services.census import IDENTIFIER_MAX


class VerificationWriteSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=IDENTIFIER_MAX * 2, trim_whitespace=True,
        help_text="Your document number as printed (spaces, dots and dashes do not matter). "
                  "Never stored: only its keyed hash.")
    birth_date = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD; needed when the city's census has birth dates "
                  "(`asks_birth_date`).")


class VerificationSerializer(serializers.Serializer):
    """Where your verification stands. Before it, `census_published` and `asks_birth_date`
    say what the verification of your city needs."""

    verified = serializers.BooleanField()
    city = serializers.IntegerField(allow_null=True, help_text="Your city's id.")
    city_name = serializers.CharField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    district = serializers.CharField(allow_null=True, allow_blank=True,
                                     help_text="Your district, from the census when it has one.")
    census_published = serializers.BooleanField(
        help_text="Whether your city has published a census to verify against.")
    asks_birth_date = serializers.BooleanField(
        help_text="Whether the verification needs your birth date.")
