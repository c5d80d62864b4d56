"""Keep `Proposal.support_count` equal to the proposal's Support rows, in the transaction that
adds or removes a support (the services, the admin, a cascade). `bulk_create` and queryset
`update`/`delete` send no signals: whoever uses them on supports (the demo seeding, benchmarks)
calls `consult.services.support_counts_reconcile` after."""
from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Proposal, Support


@receiver(post_save, sender=Support, dispatch_uid="support_counted")
def support_counted(sender, instance: Support, created: bool, **kwargs) -> None:
    if created:
        Proposal.objects.filter(pk=instance.proposal_id).update(
            support_count=F("support_count") + 1)


@receiver(post_delete, sender=Support, dispatch_uid="support_uncounted")
def support_uncounted(sender, instance: Support, **kwargs) -> None:
    Proposal.objects.filter(pk=instance.proposal_id, support_count__gt=0).update(
        support_count=F("support_count") - 1)
