"""E-mails of the notifications, sent by the Celery workers (in-process without a broker)."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.send_event_emails")
def send_event_emails(event: str) -> int:
    return services.event_emails_send(event=event)


@shared_task(name="notifications.tasks.send_pending_emails")
def send_pending_emails() -> int:
    """Beat, every few minutes: retry the e-mails that failed, send what a lost worker left."""
    return services.pending_emails_send()


@shared_task(name="notifications.tasks.send_digests")
def send_digests() -> int:
    """Beat, once a day: each person's daily digest."""
    return services.digests_send()
