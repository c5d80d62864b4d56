"""The plans' events tell people: council members that a version awaits their vote, the city's
planners what the council decided — in the event's transaction, once."""
import pytest

from notifications.models import Notification
from planning import services

pytestmark = pytest.mark.django_db


def told(message: str) -> set[int]:
    return set(Notification.objects.filter(message=message)
               .values_list("recipient_id", flat=True))


def test_submitting_tells_the_voting_members_and_the_decision_tells_the_planners(
        drafted, roles):
    plan, _ = drafted
    version = services.plan_submit(plan=plan, user=roles.planner)
    # Planner-and-council people plan, so they are not asked to vote; other cities are not told.
    assert told("council_vote") == {roles.council.pk}
    note = Notification.objects.get(message="council_vote")
    assert note.params == {"plan": plan.title, "version": version.number}
    services.plan_vote_cast(plan=plan, user=roles.council, vote="return",
                            comment="Add indicators.")
    assert told("plan_returned") == {roles.planner.pk, roles.admin.pk, roles.planner_council.pk}
    assert not told("plan_approved")
    version = services.plan_submit(plan=plan, user=roles.planner)
    assert Notification.objects.filter(message="council_vote").count() == 2  # one per version
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    assert told("plan_approved") == {roles.planner.pk, roles.admin.pk, roles.planner_council.pk}
