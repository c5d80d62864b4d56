"""Notifications: what a person is told (in Cabildo's inbox, and by e-mail if they wish), and
how they wish to be told, per kind. The words are not stored: a notification keeps a message key
and its figures, and is worded in the reader's language when shown or sent (messages.py)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PROPOSAL_FATE = "proposal_fate", _("What became of proposals I wrote, support or follow")
    CONTENT_DECISION = "content_decision", _("Moderation and review decisions on my content")
    REPLY = "reply", _("Replies to my comments")
    PLAN_ACTION = "plan_action", _("Plan actions born from my proposals: status and progress")
    COUNCIL_VOTE = "council_vote", _("Plan versions awaiting my council vote")
    PLAN_DECISION = "plan_decision", _("Council decisions on the plans I prepare")
    VOTING_REMINDER = "voting_reminder", _(
        "Voting opens or closes within 48 hours in a consultation I took part in")


class Channel(models.TextChoices):
    INBOX = "inbox", _("In Cabildo only")
    IMMEDIATE = "immediate", _("In Cabildo and by e-mail at once")
    DIGEST = "digest", _("In Cabildo and in one e-mail a day")
    NONE = "none", _("Not at all")


#: How each kind reaches a person who has not chosen.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.PROPOSAL_FATE: Channel.IMMEDIATE,
    Kind.CONTENT_DECISION: Channel.IMMEDIATE,
    Kind.REPLY: Channel.DIGEST,
    Kind.PLAN_ACTION: Channel.DIGEST,
    Kind.COUNCIL_VOTE: Channel.IMMEDIATE,
    Kind.PLAN_DECISION: Channel.IMMEDIATE,
    Kind.VOTING_REMINDER: Channel.IMMEDIATE,
}


class EmailState(models.TextChoices):
    NOT_SENT = "none", _("Not e-mailed")
    PENDING = "pending", _("To send")
    DIGEST = "digest", _("In the next daily e-mail")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    #: The event it announces, e.g. "reply:42": one notification per event and recipient.
    event = models.CharField(_("event"), max_length=120)
    message = models.CharField(_("message"), max_length=40)
    params = models.JSONField(_("figures"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=8, choices=EmailState.choices,
                                   default=EmailState.NOT_SENT)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"],
                                    name="one_notification_per_event_and_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_state"], condition=~Q(email_state="none"),
                         name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.event}"


class Preference(models.Model):
    """How a person wishes to be told of one kind of event (absent: DEFAULT_CHANNELS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("how"), max_length=12, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}: {self.channel}"


class Recipient(models.Model):
    """The language a person's e-mails are written in (blank: the site's default)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings")
    language = models.CharField(_("language of e-mails"), max_length=8,
                                choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} · {self.language or '-'}"
