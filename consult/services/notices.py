"""What the consultation's events tell people (notifications app), in the event's transaction:
replies, moderation and rejection decisions on one's content, voting reminders, and the fate of
proposals when the results are published."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from notifications.services import notify

from .. import selectors
from ..models import (
    Ballot,
    BallotStart,
    Comment,
    Consultation,
    ModerationDecision,
    Participant,
    Proposal,
)

#: How long before voting opens or closes people who took part are reminded.
REMINDER_AHEAD = timedelta(hours=48)


def proposal_url(proposal: Proposal) -> str:
    consultation = proposal.consultation
    return reverse("consult:proposal", args=[consultation.city.slug, consultation.slug,
                                             proposal.pk])


def tell_reply(*, reply: Comment) -> None:
    parent = reply.parent
    if parent is None or parent.author_id == reply.author_id:
        return
    notify(recipients=[parent.author.user_id], message="reply", event=f"reply:{reply.pk}",
           url=f"{proposal_url(reply.proposal)}#comment-{reply.pk}",
           params={"author": str(reply.author), "proposal": reply.proposal.title})


def tell_moderation(*, decision: ModerationDecision) -> None:
    hidden = decision.action == ModerationDecision.Action.HIDE
    if decision.comment_id:
        content, proposal = decision.comment, decision.comment.proposal
        message = "comment_hidden" if hidden else "comment_restored"
    else:
        content = proposal = decision.proposal
        message = "proposal_hidden" if hidden else "proposal_restored"
    notify(recipients=[content.author.user_id], message=message,
           event=f"moderation:{decision.pk}", url=proposal_url(proposal),
           params={"proposal": proposal.title, "reason": decision.reason})


def tell_rejection(*, proposal: Proposal) -> None:
    notify(recipients=[proposal.author.user_id], message="proposal_rejected",
           event=f"rejected:{proposal.pk}", url=proposal_url(proposal),
           params={"proposal": proposal.title, "reason": proposal.status_reason})


def tell_assessment(*, assessment) -> None:
    """The author hears the review's verdict (again only if it changes: the verdict and the cost
    are in the event's key)."""
    proposal = assessment.proposal
    consultation = proposal.consultation
    feasible = assessment.verdict == assessment.Verdict.FEASIBLE
    notify(recipients=[proposal.author.user_id],
           message="proposal_feasible" if feasible else "proposal_not_feasible",
           event=f"assessment:{proposal.pk}:{assessment.verdict}:{assessment.validated_cost}",
           url=proposal_url(proposal),
           params={"proposal": proposal.title, "reason": assessment.reason,
                   "amount": str(assessment.validated_cost or 0),
                   "currency": consultation.currency})


def tell_proposal_fates(*, consultation: Consultation, selected: Iterable[int],
                        proposal_ids: Iterable[int] | None = None, occasion: str) -> int:
    """Tell what became of proposals in the published results: each proposal's author,
    supporters and followers hear whether it was selected; at the publication itself
    (``proposal_ids`` None: every proposal on the ballot) every voter also hears, once, that the
    results are out. A later official choice passes only the proposals whose fate it changed.
    ``occasion`` (the official choice) makes the event keys: once per proposal, occasion and
    person. The people are read in a few queries for all the proposals at once
    (`selectors.proposal_audience`). It grows with the consultation's people, so the services
    run it in a worker once the event is committed (`consult.tasks.tell_fates`); telling again
    is a no-op. Returns how many were told."""
    selected = set(selected)
    publication = proposal_ids is None
    if publication:
        proposal_ids = set(selectors.proposals_on_ballot(consultation=consultation)
                           .values_list("pk", flat=True)) | selected
    audience = selectors.proposal_audience(proposal_ids=proposal_ids, voters=False)
    city_slug, slug = consultation.city.slug, consultation.slug
    created = 0
    for pk, told in sorted(audience.items()):
        url = reverse("consult:proposal", args=[city_slug, slug, pk])
        created += notify(
            recipients=told["users"],
            message="proposal_selected" if pk in selected else "proposal_not_selected",
            event=f"fate:{pk}:{occasion}", url=f"{url}#fate",
            params={"proposal": told["title"], "consultation": consultation.title})
    if publication:
        voters = (Ballot.objects.filter(consultation=consultation,
                                        participant__user__isnull=False)
                  .values_list("participant__user_id", flat=True).iterator(chunk_size=10_000))
        created += notify(
            recipients=voters, message="results_published",
            event=f"results:{consultation.pk}:{occasion}",
            url=reverse("consult:results", args=[city_slug, slug]),
            params={"consultation": consultation.title})
    return created


def _took_part(consultation: Consultation) -> set[int]:
    """The user ids of those who proposed, supported or commented in the consultation: three
    indexed reads (an OR across the three joins would not use the indexes)."""
    people = Participant.objects.filter(user__isnull=False)
    ids: set[int] = set()
    for path in ("proposals__consultation", "supports__proposal__consultation",
                 "comments__proposal__consultation"):
        ids.update(people.filter(**{path: consultation}).values_list("user_id", flat=True)
                   .distinct().iterator())
    return ids


def voting_reminders_send(*, now: datetime | None = None) -> int:
    """Remind those who took part in a consultation that voting opens, or closes while they
    have not voted, within REMINDER_AHEAD; who opened the ballot without submitting it hears
    "ballot_unfinished" instead of "voting_closes". Each reminder once per person and date (a
    changed date is a new event). Returns how many notifications were created."""
    now = now or timezone.now()
    soon = now + REMINDER_AHEAD
    created = 0
    for consultation in Consultation.objects.filter(
            voting_opens_at__gt=now, voting_opens_at__lte=soon).select_related("city"):
        users = _took_part(consultation)
        created += _remind(consultation, "voting_opens", consultation.voting_opens_at, users)
    for consultation in Consultation.objects.filter(
            voting_opens_at__lte=now, voting_closes_at__gt=now,
            voting_closes_at__lte=soon).select_related("city"):
        voted = set(Ballot.objects.filter(consultation=consultation)
                    .values_list("participant__user_id", flat=True).iterator())
        started = set(BallotStart.objects.filter(consultation=consultation,
                                                 participant__user__isnull=False)
                      .values_list("participant__user_id", flat=True).iterator()) - voted
        # Who opened the ballot and left without submitting hears that instead.
        created += _remind(consultation, "ballot_unfinished", consultation.voting_closes_at,
                           started)
        users = _took_part(consultation) - voted - started
        created += _remind(consultation, "voting_closes", consultation.voting_closes_at, users)
    return created


def _remind(consultation: Consultation, message: str, moment: datetime,
            users: set[int]) -> int:
    return notify(
        recipients=users, message=message,
        event=f"{message}:{consultation.pk}:{moment:%Y%m%d%H%M}",
        url=reverse("consult:consultation", args=[consultation.city.slug, consultation.slug]),
        params={"consultation": consultation.title, "when": moment.isoformat(),
                "tz": consultation.city.timezone})
