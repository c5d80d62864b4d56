"""People are told: once per event and recipient, in the event's transaction, in the inbox and
by e-mail as each person chose, in their language, with a one-click unsubscribe."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult import services as consult_services
from consult.models import CityRole, Consultation, Phase, Support
from notifications import services
from notifications.models import Channel, EmailState, Kind, Notification, Preference, Recipient
from tests.factories import (
    CityRoleFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise OSError("the mail server is down")


@pytest.fixture
def thread(db):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=Phase.PROPOSALS),
                               title="Bike lanes")
    author = ParticipantFactory(city=proposal.consultation.city)
    author.user.email = "ana@example.org"
    author.user.save()
    first = CommentFactory(proposal=proposal, author=author, body="Who maintains them?")
    return proposal, first


def reply_to(comment, body="The city does.", **kwargs):
    replier = kwargs.get("author") or ParticipantFactory(city=comment.proposal.consultation.city)
    return consult_services.comment_create(author=replier, proposal=comment.proposal, body=body,
                                           parent_id=comment.pk)


def test_a_reply_tells_the_comments_author_once_and_not_when_replying_to_oneself(
        thread, django_capture_on_commit_callbacks):
    proposal, first = thread
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_to(first)
    [note] = Notification.objects.filter(recipient=first.author.user)
    assert (note.kind, note.event) == (Kind.REPLY, f"reply:{reply.pk}")
    assert note.url.endswith(f"#comment-{reply.pk}")
    # Telling again of the same event is a no-op (a database constraint).
    assert services.notify(recipients=[first.author.user], message="reply",
                           event=f"reply:{reply.pk}", url="/") == 0
    reply_to(first, author=first.author)
    assert Notification.objects.filter(recipient=first.author.user).count() == 1


def test_no_notification_survives_an_event_that_was_rolled_back(thread):
    _, first = thread
    with pytest.raises(RuntimeError), transaction.atomic():
        reply_to(first)
        raise RuntimeError("the request failed after the reply")
    assert not Notification.objects.exists()


def test_each_kind_reaches_people_as_they_chose(thread, django_capture_on_commit_callbacks):
    _, first = thread
    user = first.author.user
    for channel, expected in ((Channel.NONE, None), (Channel.INBOX, EmailState.NOT_SENT),
                              (Channel.DIGEST, EmailState.DIGEST),
                              (Channel.IMMEDIATE, EmailState.SENT)):
        services.preferences_set(user=user, channels={Kind.REPLY: channel})
        with django_capture_on_commit_callbacks(execute=True):
            reply = reply_to(first)
        note = Notification.objects.filter(event=f"reply:{reply.pk}").first()
        assert (note.email_state if note else None) == expected, channel
    assert len(mail.outbox) == 1  # the immediate one only; the digest waits for its day


def test_the_email_is_in_the_recipients_language_with_a_one_click_unsubscribe(
        thread, django_capture_on_commit_callbacks):
    _, first = thread
    user = first.author.user
    services.preferences_set(user=user, channels={Kind.REPLY: Channel.IMMEDIATE},
                             language="es")
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(first)
    [sent] = mail.outbox
    assert sent.to == ["ana@example.org"]
    assert "respondió a su comentario" in sent.subject and "Bike lanes" in sent.subject
    unsubscribe = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in sent.body
    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    # A link checker's GET changes nothing; the mail client's one-click POST (no session, no
    # CSRF token) stops the e-mails of that kind; the inbox keeps telling.
    client = Client(enforce_csrf_checks=True)
    assert "Stop these e-mails" in client.get(path).content.decode()
    assert services.channels_of(user=user)[Kind.REPLY] == Channel.IMMEDIATE
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert services.channels_of(user=user)[Kind.REPLY] == Channel.INBOX
    assert client.get("/notifications/unsubscribe/forged-token/").status_code == 404


def test_a_failed_email_is_retried_and_never_loses_the_inbox_notification(
        thread, settings, django_capture_on_commit_callbacks):
    _, first = thread
    services.preferences_set(user=first.author.user, channels={Kind.REPLY: Channel.IMMEDIATE})
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(first)
    note = Notification.objects.get(recipient=first.author.user)
    assert (note.email_state, note.email_attempts) == (EmailState.PENDING, 1)
    for _ in range(services.MAX_EMAIL_ATTEMPTS - 2):
        services.pending_emails_send()
    note.refresh_from_db()
    assert (note.email_state, note.email_attempts) == (
        EmailState.PENDING, services.MAX_EMAIL_ATTEMPTS - 1)
    services.pending_emails_send()  # the last attempt fails: given up, still in the inbox
    note.refresh_from_db()
    assert note.email_state == EmailState.FAILED and note.read_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.pending_emails_send() == 0  # failed for good is not sent again


def test_the_daily_digest_gathers_a_days_news_in_one_email(thread):
    _, first = thread
    user = first.author.user
    services.preferences_set(user=user, channels={Kind.REPLY: Channel.DIGEST})
    reply_to(first, body="One.")
    reply_to(first, body="Two.")
    assert services.digests_send() == 1
    [digest] = mail.outbox
    assert digest.body.count("replied to your comment") == 2
    assert not Notification.objects.filter(email_state=EmailState.DIGEST).exists()
    assert services.digests_send() == 0
    # The digest's own unsubscribe link stops the daily e-mail for every kind sent in it.
    path = digest.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(
        "http://127.0.0.1:8000")
    Client().post(path)
    assert services.channels_of(user=user)[Kind.REPLY] == Channel.INBOX


def test_the_inbox_counts_unread_opens_and_marks_read_and_hides_others_notes(client, thread):
    _, first = thread
    reply = reply_to(first)
    user = first.author.user
    client.force_login(user)
    header = client.get(reverse("consult:home")).content.decode()
    assert 'Notifications <span class="badge badge--count">1' in header
    note = Notification.objects.get(recipient=user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "replied to your comment on “Bike lanes”" in page
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{reply.pk}")
    note.refresh_from_db()
    assert note.read_at is not None
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    reply_to(first, body="Another.")
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_the_preferences_page_saves_each_choice_and_the_language(client, thread):
    _, first = thread
    user = first.author.user
    client.force_login(user)
    form = {kind: Channel.INBOX for kind in Kind.values} | {
        Kind.VOTING_REMINDER: Channel.NONE, "language": "pt-br"}
    response = client.post(reverse("notifications:preferences"), form)
    assert response.status_code == 302
    assert services.channels_of(user=user)[Kind.VOTING_REMINDER] == Channel.NONE
    assert Recipient.objects.get(user=user).language == "pt-br"
    bad = client.post(reverse("notifications:preferences"), form | {Kind.REPLY: "fax"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    assert Preference.objects.get(user=user, kind=Kind.REPLY).channel == Channel.INBOX


def test_moderation_and_rejection_decisions_tell_the_author_why(thread):
    proposal, first = thread
    moderator = CityRoleFactory(city=proposal.consultation.city,
                                role=CityRole.Role.MODERATOR).user
    consult_services.moderation_decide(moderator=moderator, action="hide", reason="Insults.",
                                       comment=first)
    note = Notification.objects.get(recipient=first.author.user)
    assert note.message == "comment_hidden" and note.params["reason"] == "Insults."
    consult_services.proposal_reject(proposal=proposal, user=moderator,
                                     reason="Not a city matter.")
    assert Notification.objects.filter(recipient=proposal.author.user,
                                       message="proposal_rejected").count() == 1


def test_voting_reminders_reach_those_who_took_part_once_within_48_hours(db):
    now = timezone.now()
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_opens_at=now + timedelta(hours=48))  # exactly 48 hours ahead: reminded
    proposal = ProposalFactory(consultation=consultation)
    supporter = ParticipantFactory(city=consultation.city)
    Support.objects.create(participant=supporter, proposal=proposal)  # supported before review
    ParticipantFactory(city=consultation.city)  # took no part: not reminded
    created = consult_services.voting_reminders_send(now=now)
    assert created == 2  # the proposal's author and the supporter
    assert consult_services.voting_reminders_send(now=now) == 0
    assert consult_services.voting_reminders_send(
        now=now - timedelta(minutes=1)) == 0  # same date: the same event
    assert Notification.objects.filter(recipient=supporter.user,
                                       message="voting_opens").count() == 1


def test_the_closing_reminder_skips_those_who_already_voted(db):
    now = timezone.now()
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_closes_at=now + timedelta(hours=47), results_at=now + timedelta(days=3))
    proposal = ProposalFactory(consultation=consultation)
    voted = ParticipantFactory(city=consultation.city)
    waiting = ParticipantFactory(city=consultation.city)
    for person in (voted, waiting):
        CommentFactory(proposal=proposal, author=person)
    consult_services.ballot_submit(participant=voted, consultation=consultation,
                                   choices={proposal.pk: 1})
    consult_services.voting_reminders_send(now=now)
    reminded = set(Notification.objects.filter(message="voting_closes")
                   .values_list("recipient_id", flat=True))
    assert waiting.user_id in reminded and voted.user_id not in reminded
    assert services.channels_of(user=waiting.user)[Kind.VOTING_REMINDER] == Channel.IMMEDIATE


def test_the_reviews_verdict_tells_the_author_with_the_cost_in_the_readers_language(db):
    from decimal import Decimal

    from django.utils import translation

    from notifications.messages import worded

    consultation = ConsultationFactory(phase=Phase.REVIEW, currency="MXN")
    proposal = ProposalFactory(consultation=consultation, title="Festival",
                               estimated_cost=Decimal("100000"))
    reviewer = CityRoleFactory(city=consultation.city, role=CityRole.Role.REVIEWER).user
    consult_services.assessment_save(user=reviewer, proposal=proposal, verdict="feasible",
                                     validated_cost=Decimal("150000"), cost_reason="Prices rose")
    note = Notification.objects.get(recipient=proposal.author.user)
    assert worded(note, language="en") == (
        "The review found your proposal “Festival” feasible, at a cost of 150,000\xa0MXN.")
    with translation.override("es"):
        assert "150\xa0000\xa0MXN" in worded(note)  # Spanish groups digits with a space
    # Saving the same verdict again tells nothing new; a changed verdict does.
    consult_services.assessment_save(user=reviewer, proposal=proposal, verdict="feasible",
                                     validated_cost=Decimal("150000"), cost_reason="Prices rose")
    consult_services.assessment_save(user=reviewer, proposal=proposal, verdict="not_feasible",
                                     reason="No partner city.")
    assert list(Notification.objects.filter(recipient=proposal.author.user).values_list(
        "message", flat=True).order_by("pk")) == ["proposal_feasible", "proposal_not_feasible"]


def test_the_inbox_shows_times_in_the_readers_city(client, thread):
    """A participant of Lima reads 03:00 UTC as the evening before, in Lima's time; someone
    with no city reads UTC."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    _, first = thread
    city = first.author.city
    city.timezone = "America/Lima"
    city.save()
    reply_to(first)
    Notification.objects.filter(recipient=first.author.user).update(
        created_at=datetime(2026, 12, 2, 3, 0, tzinfo=ZoneInfo("UTC")))
    client.force_login(first.author.user)
    page = client.get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Dec. 1, 2026, 10 p.m." in html and 'datetime="2026-12-01T22:00:00-05:00"' in html
    worker = UserFactory()
    note = Notification.objects.get(recipient=first.author.user)
    note.pk, note.recipient = None, worker
    note.save()
    other = Client()
    other.force_login(worker)
    assert "Dec. 2, 2026, 3 a.m." in other.get(reverse("notifications:inbox"),
                                                HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_api_keeps_utc_for_a_reader_with_a_city(client, thread):
    """The reader's zone is for pages; the API answers every client in UTC."""
    proposal, first = thread
    city = first.author.city
    city.timezone = "America/Lima"
    city.save()
    client.force_login(first.author.user)
    data = client.get(f"/api/v1/consultations/{proposal.consultation_id}/").json()
    assert data["voting_opens_at"].endswith("Z")
