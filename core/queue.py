"""Queueing slow work once: a page that needs something a worker builds asks for it, and the
page views that follow while the worker is busy do not queue it again (a mark in the shared
cache, so every app server sees it). Without a broker the task runs before this returns."""
from __future__ import annotations

from typing import Any

from celery import Task
from django.conf import settings
from django.core.cache import cache


def request_once(*, mark: str, seconds: int, task: Task, **kwargs: Any) -> None:
    """Queue `task(**kwargs)` unless the same `mark` was queued in the last `seconds`."""
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no queue to flood: do it now
        task.delay(**kwargs)
        return
    if cache.add(mark, 1, seconds):
        try:
            task.delay(**kwargs)
        except Exception:
            cache.delete(mark)
            raise
