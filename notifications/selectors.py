"""Reads of the notifications: a person's inbox and how many wait unread."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
