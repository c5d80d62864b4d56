"""Writes of the notifications: telling people of an event (in the event's transaction), their
choices, reading, and sending the e-mails (outside the request, by the workers)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ServiceError

from .messages import MESSAGES, kind_of, worded
from .models import (
    DEFAULT_CHANNELS,
    Channel,
    EmailState,
    Kind,
    Notification,
    Preference,
    Recipient,
)

logger = logging.getLogger(__name__)

#: A failed e-mail is tried again (by the beat task) until this many attempts have failed; the
#: notification stays in the inbox whatever happens to its e-mail.
MAX_EMAIL_ATTEMPTS = 5
#: Recipients handled per query when an event reaches many people (a city's voters).
BATCH = 500
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def _batches(items: Iterable[int], size: int = BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def notify(*, recipients: Iterable, message: str, event: str, url: str,
           params: dict | None = None) -> int:
    """Tell each recipient (users or user ids) of one event, in the caller's transaction: the
    notification exists exactly when the event does. Once per event and recipient (a database
    constraint; telling again is a no-op), never to someone who chose "not at all" for its
    kind. E-mails go after the commit, outside the request. Returns how many were created."""
    if message not in MESSAGES:
        raise ValueError(f"unknown notification message {message!r}")
    kind = kind_of(message)
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None} - {None})
    created = 0
    emails_due = False
    for batch in _batches(ids):
        chosen = dict(Preference.objects.filter(user_id__in=batch, kind=kind)
                      .values_list("user_id", "channel"))
        mailable = set(get_user_model().objects.filter(pk__in=batch, is_active=True)
                       .exclude(email="").values_list("pk", flat=True))
        rows = []
        for user_id in batch:
            channel = chosen.get(user_id, DEFAULT_CHANNELS[kind])
            if channel == Channel.NONE:
                continue
            state = EmailState.NOT_SENT
            if user_id in mailable and channel == Channel.IMMEDIATE:
                state, emails_due = EmailState.PENDING, True
            elif user_id in mailable and channel == Channel.DIGEST:
                state = EmailState.DIGEST
            rows.append(Notification(recipient_id=user_id, kind=kind, event=event,
                                     message=message, params=params or {}, url=url,
                                     email_state=state))
        # ignore_conflicts does not say which rows were new: count what the event has.
        before = Notification.objects.filter(event=event, recipient_id__in=batch).count()
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created += Notification.objects.filter(
            event=event, recipient_id__in=batch).count() - before
    if emails_due:
        from .tasks import send_event_emails

        transaction.on_commit(lambda: send_event_emails.delay(event))
    return created


# --- choices -----------------------------------------------------------------------------------


def channels_of(*, user) -> dict[str, str]:
    """kind → channel for this person, defaults filled in."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, user, channels: dict[str, str], language: str | None = None) -> None:
    for kind, channel in channels.items():
        if kind not in Kind.values or channel not in Channel.values:
            raise ServiceError(_("Choose one of the ways offered."), field=kind)
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ServiceError(_("Choose one of the languages offered."), field="language")
        Recipient.objects.update_or_create(user=user, defaults={"language": language})


def unsubscribe_token(*, user, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(*, token: str):
    """(user, kind) of an unsubscribe link, or None if the link was not made here."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or kind not in (*Kind.values, DIGEST):
        return None
    return user, kind


#: The kind named by a daily digest's unsubscribe link: every kind sent in the digest.
DIGEST = "digest"


@transaction.atomic
def unsubscribe(*, user, kind: str) -> list[str]:
    """No more e-mails of this kind — or, for DIGEST, no more daily digest — while the inbox
    keeps telling. Returns the kinds that changed."""
    current = channels_of(user=user)
    if kind == DIGEST:
        kinds = [k for k, channel in current.items() if channel == Channel.DIGEST]
    else:
        kinds = [kind] if current[kind] in (Channel.IMMEDIATE, Channel.DIGEST) else []
    for each in kinds:
        Preference.objects.update_or_create(user=user, kind=each,
                                            defaults={"channel": Channel.INBOX})
    Notification.objects.filter(recipient=user, kind__in=kinds, email_state__in=(
        EmailState.PENDING, EmailState.DIGEST)).update(email_state=EmailState.NOT_SENT)
    return kinds


# --- reading -----------------------------------------------------------------------------------


def notification_open(*, user, pk: int) -> Notification:
    """Mark one of the person's notifications read; raises Notification.DoesNotExist for
    anybody else's."""
    notification = Notification.objects.get(pk=pk, recipient=user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())


# --- e-mail --------------------------------------------------------------------------------------


def _language_of(user) -> str:
    chosen = Recipient.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(*, user, kind: str, subject: str, template: str, context: dict) -> None:
    unsubscribe_url = _absolute(reverse("notifications:unsubscribe", args=[
        unsubscribe_token(user=user, kind=kind)]))
    context = {**context, "user": user, "unsubscribe_url": unsubscribe_url,
               "settings_url": _absolute(reverse("notifications:preferences"))}
    mail = EmailMultiAlternatives(
        subject=subject[:200], body=render_to_string(f"notifications/{template}.txt", context),
        to=[user.email], headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        })
    mail.attach_alternative(render_to_string(f"notifications/{template}.html", context),
                            "text/html")
    mail.send()


def notification_email_send(*, notification: Notification) -> str:
    """Send one notification's e-mail; a failure is counted and left for the next attempt
    (failed for good after MAX_EMAIL_ATTEMPTS). Returns the e-mail state."""
    claimed = Notification.objects.filter(pk=notification.pk, email_state=EmailState.PENDING)
    user = notification.recipient
    language = _language_of(user)
    try:
        with translation.override(language):
            sentence = worded(notification)
            _send(user=user, kind=notification.kind, subject=sentence, template="email",
                  context={"sentence": sentence, "link": _absolute(notification.url)})
    except Exception:  # an SMTP error, a refused address, a timeout: try again later
        logger.warning("e-mail of notification %s failed", notification.pk, exc_info=True)
        attempts = notification.email_attempts + 1
        state = EmailState.FAILED if attempts >= MAX_EMAIL_ATTEMPTS else EmailState.PENDING
        claimed.update(email_attempts=attempts, email_state=state)
        return state
    claimed.update(email_state=EmailState.SENT, emailed_at=timezone.now(),
                   email_attempts=notification.email_attempts + 1)
    return EmailState.SENT


def event_emails_send(*, event: str) -> int:
    due = Notification.objects.filter(event=event, email_state=EmailState.PENDING).select_related(
        "recipient")
    return sum(notification_email_send(notification=n) == EmailState.SENT for n in due)


def pending_emails_send(*, limit: int = 1000) -> int:
    """Retry what failed and send what a lost worker left behind."""
    due = (Notification.objects.filter(email_state=EmailState.PENDING)
           .select_related("recipient").order_by("created_at")[:limit])
    return sum(notification_email_send(notification=n) == EmailState.SENT for n in due)


def digests_send() -> int:
    """One e-mail per person with what their daily digest holds; returns the e-mails sent."""
    sent = 0
    user_ids = (Notification.objects.filter(email_state=EmailState.DIGEST)
                .order_by("recipient_id").values_list("recipient_id", flat=True).distinct())
    for user_id in list(user_ids):
        items = list(Notification.objects.filter(recipient_id=user_id,
                                                 email_state=EmailState.DIGEST)
                     .select_related("recipient").order_by("created_at"))
        user = items[0].recipient
        with translation.override(_language_of(user)):
            lines = [(worded(n), _absolute(n.url)) for n in items]
            try:
                subject = str(DIGEST_SUBJECT)
                _send(user=user, kind=DIGEST, subject=subject, template="digest",
                      context={"lines": lines, "subject": subject})
            except Exception:
                logger.warning("digest for user %s failed", user_id, exc_info=True)
                continue  # left in the digest state: tomorrow's digest tries again
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            email_state=EmailState.SENT, emailed_at=timezone.now())
        sent += 1
    return sent


DIGEST_SUBJECT = translation.gettext_lazy("What happened in Cabildo today")
