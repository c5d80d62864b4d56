"""Keep `Proposal.support_count` equal to the proposal's Support rows, in the transaction that
adds or removes a support (the services, the admin, a cascade). `bulk_create` and queryset
`update`/`delete` send no signals: whoever uses them on supports (the demo seeding, benchmarks)
calls `consult.services.support_counts_reconcile` after.

A proposal's save or deletion also starts a new version of its consultation's list figures
(the cached total and district choices of the proposal list)."""
from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import selectors
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


@receiver(post_save, sender=Proposal, dispatch_uid="proposal_list_changed_on_save")
@receiver(post_delete, sender=Proposal, dispatch_uid="proposal_list_changed_on_delete")
def proposal_list_changed(sender, instance: Proposal, **kwargs) -> None:
    """A proposal was added, edited, published, hidden or removed: the list's cached figures of
    its consultation start a new version."""
    selectors.proposal_list_changed(consultation_id=instance.consultation_id)
