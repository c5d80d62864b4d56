"""Ballots and results; your own data (me)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.models import Ballot, Participant, Proposal

from ._common import ID_LIMITS, MONEY


class BallotChoiceSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(**ID_LIMITS)
    points = serializers.IntegerField(
        required=False, default=1, min_value=0, max_value=32767,
        help_text="1 for approval and budget votes; the points given in cumulative votes.",
    )


class BallotWriteSerializer(serializers.Serializer):
    choices = BallotChoiceSerializer(many=True, max_length=1000)
    voting_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="",
        help_text="Where the consultation takes voting codes and the voter is not a verified "
                  "resident: the code of their letter (XXXX-XXXX-C). Not needed to change a "
                  "ballot already cast with a code.")

    def validate_choices(self, value):
        ids = [choice["proposal"] for choice in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Name each proposal once."))
        return value


class BallotSerializer(serializers.ModelSerializer):
    choices = serializers.SerializerMethodField()

    class Meta:
        model = Ballot
        fields = ["consultation", "receipt_code", "created_at", "updated_at", "choices"]

    @extend_schema_field(BallotChoiceSerializer(many=True))
    def get_choices(self, ballot: Ballot) -> list[dict]:
        from consult import selectors

        return [{"proposal": pk, "points": points}
                for pk, points in sorted(selectors.ballot_choices_of(ballot=ballot).items())]


class ResultSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    theme_slug = serializers.CharField(source="theme.slug")
    estimated_cost = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(
        source="ballot_cost", **MONEY,
        help_text="The cost on the ballot: the validated cost of an assessed proposal, the "
                  "estimate otherwise.")
    votes = serializers.IntegerField()
    points = serializers.IntegerField()
    selected = serializers.SerializerMethodField()

    def get_selected(self, proposal: Proposal) -> bool:
        return proposal.status == Proposal.Status.SELECTED


class MeSerializer(serializers.Serializer):
    data = serializers.JSONField(help_text="Everything Cabildo holds about you.")


class ProfileUpdateSerializer(serializers.Serializer):
    """Your optional profile answers and public name; only what is sent changes."""

    public_name = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                        help_text="Shown with your proposals and comments; "
                                                  "empty: \"a participant of\" your city.")
    district = serializers.CharField(max_length=120, required=False, allow_blank=True)
    age_band = serializers.ChoiceField(choices=Participant._meta.get_field("age_band").choices,
                                       required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Participant._meta.get_field("gender").choices,
                                     required=False, allow_blank=True)


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, help_text="Your current password.")
    confirm = serializers.BooleanField(
        help_text="true: you understand that the account is deleted for good.")

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError(
                _("Confirm that you understand that your account is deleted for good."))
        return value


class ReceiptCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField()
    input_hash = serializers.CharField(help_text="sha256 of the counted ballots: re-count the "
                                                 "published ballot file to compare.")
    n_ballots = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ReceiptChoiceSerializer(serializers.Serializer):
    title = serializers.CharField()
    points = serializers.IntegerField()


class ReceiptHolderSerializer(serializers.Serializer):
    voter_number = serializers.IntegerField(
        allow_null=True, help_text="The ballot's voter id in the published Pabulib file (voters "
                                   "are numbered in the order of their receipt codes); null "
                                   "while voting is open.")
    choices = ReceiptChoiceSerializer(many=True)


class ReceiptSerializer(serializers.Serializer):
    code = serializers.CharField()
    consultation = serializers.IntegerField(source="consultation.pk")
    consultation_title = serializers.CharField(source="consultation.title")
    city = serializers.CharField(source="consultation.city.name")
    status = serializers.ChoiceField(
        choices=["voting", "awaiting_count", "counted"],
        help_text="voting: recorded, may change until voting closes; awaiting_count: voting "
                  "closed, no official count yet; counted: in the official count.")
    count = ReceiptCountSerializer(allow_null=True, help_text="The official count, once made.")
    holder = serializers.SerializerMethodField(
        help_text="Only for the ballot's holder, logged in: its choices and its line in the "
                  "ballot file.")

    @extend_schema_field(ReceiptHolderSerializer(allow_null=True))
    def get_holder(self, check) -> dict | None:
        if not check.is_holder:
            return None
        return ReceiptHolderSerializer({
            "voter_number": check.voter_number if check.status != "voting" else None,
            "choices": [{"title": title, "points": points} for title, points in check.choices],
        }).data


class RequirementSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["sign_in", "profile", "resident", "verify", "age",
                                            "voting_code"])
    message = serializers.CharField(help_text="What to tell the person, in their language.")
    url = serializers.CharField(allow_blank=True, help_text="Where to get it (a web page).")
    blocking = serializers.BooleanField(
        help_text="false: the person may act, bringing it with the act (a voting code with "
                  "the ballot).")


class ActionEligibilitySerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The consultation's option (see Consultation).")
    allowed = serializers.BooleanField(help_text="Nothing blocks the person (phases aside).")
    needs = RequirementSerializer(allow_null=True)


class EligibilitySerializer(serializers.Serializer):
    """What the person asking may do in a consultation, and what they lack for the rest."""

    propose = ActionEligibilitySerializer()
    support = ActionEligibilitySerializer()
    vote = ActionEligibilitySerializer()
    minimum_age = serializers.IntegerField(allow_null=True)
