"""Writes of the reports app: publishing a report freezes its figures into an immutable,
numbered PublishedReport."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from consult.models import Consultation, Phase
from core.errors import NotAllowed, ServiceError
from planning.models import StrategyPlan

from . import rules, selectors
from .models import PublishedReport


def _next_version(**subject) -> int:
    last = PublishedReport.objects.filter(**subject).aggregate(last=Max("version"))["last"]
    return (last or 0) + 1


def ensure_can_publish(*, user, subject: Consultation | StrategyPlan) -> None:
    """Refuse unless `user` may publish the report of `subject` now: a planner of its city,
    once voting has closed (a consultation) or a version is approved (a plan)."""
    if not rules.can_publish_report(user, subject):
        raise NotAllowed(_("Only the city's planners can publish its reports."))
    if isinstance(subject, Consultation):
        if subject.phase not in (Phase.COUNTING, Phase.RESULTS):
            raise ServiceError(_("A consultation's report is published once voting has closed."))
    elif subject.approved_version_id is None:
        raise ServiceError(_("A plan's report is published once the council has approved "
                             "a version of the plan."))


@transaction.atomic
def report_publish(
    *, user, consultation: Consultation | None = None, plan: StrategyPlan | None = None
) -> PublishedReport:
    """Freeze the report of a consultation (once voting has closed) or of a plan (its approved
    version) as the next published version. Only the city's planners publish."""
    if (consultation is None) == (plan is None):
        raise ServiceError(_("Publish the report of one consultation or of one plan."))
    if consultation is not None:
        # Lock the consultation row: two planners publishing at once get versions n and n + 1.
        subject = Consultation.objects.select_for_update(of=("self",)).select_related(
            "city").get(pk=consultation.pk)
        ensure_can_publish(user=user, subject=subject)
        data = selectors.consultation_report(consultation=subject)
        title = _("Results of “%(title)s”") % {"title": subject.title}
        fields = {"kind": PublishedReport.Kind.CONSULTATION, "consultation": subject}
    else:
        subject = StrategyPlan.objects.select_for_update(of=("self",)).select_related(
            "city", "approved_version").get(pk=plan.pk)
        ensure_can_publish(user=user, subject=subject)
        data = selectors.plan_report(plan=subject, live=False)
        title = _("Strategy plan “%(title)s”, version %(n)s") % {
            "title": data["meta"]["plan"]["title"], "n": subject.approved_version.number}
        fields = {"kind": PublishedReport.Kind.PLAN, "plan": subject}
    subject_filter = {k: v for k, v in fields.items() if k != "kind"}
    return PublishedReport.objects.create(
        city=subject.city, version=_next_version(**subject_filter), title=title[:300],
        language=translation.get_language() or "", data=data, published_by=user, **fields,
    )
