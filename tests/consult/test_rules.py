"""Permission predicates across roles × phases, and across cities."""
import pytest
from django.contrib.auth.models import AnonymousUser

from consult import rules as perms
from consult.models import CityRole, Eligibility, Phase, Proposal
from planning import rules as plan_rules
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "unverified", "moderator", "planner", "council", "admin",
         "planner_elsewhere", "superuser_no_profile"]


def make_user(role: str, city):
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser_no_profile":
        return UserFactory(is_superuser=True, is_staff=True)
    user = UserFactory()
    home = CityFactory() if role == "planner_elsewhere" else city
    ParticipantFactory(user=user, city=home, is_verified=role != "unverified")
    role_names = {
        "moderator": CityRole.Role.MODERATOR, "planner": CityRole.Role.PLANNER,
        "council": CityRole.Role.COUNCIL, "admin": CityRole.Role.ADMIN,
        "planner_elsewhere": CityRole.Role.PLANNER,
    }
    if role in role_names:
        CityRoleFactory(user=user, city=home, role=role_names[role])
    return user


PARTICIPATING = {"participant", "moderator", "planner", "council", "admin", "planner_elsewhere"}
# In a consultation for verified residents only, people of other cities and unverified are out.
VERIFIED_RESIDENTS = {"participant", "moderator", "planner", "council", "admin"}

# predicate -> (phases in which it can hold, roles for which it holds in those phases)
PHASED = {
    "can_submit_proposal": ({Phase.PROPOSALS}, PARTICIPATING | {"unverified"}),
    "can_vote": ({Phase.VOTING}, PARTICIPATING | {"unverified"}),
    "can_comment": ({Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING}, PARTICIPATING | {"unverified"}),
}
CITY_ROLES = {
    "can_moderate": {"moderator", "admin"},
    "can_manage_consultation": {"admin"},
    "can_reject_proposal": {"moderator", "planner", "admin"},
}


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", ROLES)
def test_phased_predicates(role, phase):
    consultation = ConsultationFactory(phase=phase)
    user = make_user(role, consultation.city)
    for name, (phases, roles) in PHASED.items():
        expected = phase in phases and role in roles
        assert getattr(perms, name)(user, consultation) is expected, (name, role, phase)


@pytest.mark.parametrize("role", ROLES)
def test_verified_residents_only(role):
    consultation = ConsultationFactory(phase=Phase.VOTING, eligibility=Eligibility.VERIFIED)
    user = make_user(role, consultation.city)
    assert perms.can_vote(user, consultation) is (role in VERIFIED_RESIDENTS)


@pytest.mark.parametrize("role", ROLES)
def test_city_roles_do_not_cross_cities(role):
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    proposal = ProposalFactory(consultation=consultation)
    user = make_user(role, consultation.city)
    for name, roles in CITY_ROLES.items():
        predicate = getattr(perms, name)
        for obj in (consultation.city, consultation, proposal):
            assert predicate(user, obj) is (role in roles), (name, role, type(obj).__name__)


def test_a_planner_of_quito_has_no_right_in_lima():
    lima, quito = CityFactory(slug="lima"), CityFactory(slug="quito")
    planner = UserFactory()
    CityRoleFactory(user=planner, city=quito, role=CityRole.Role.PLANNER)
    assert plan_rules.can_draft_plan(planner, quito)
    assert not plan_rules.can_draft_plan(planner, lima)
    assert not plan_rules.can_draft_plan(planner, ConsultationFactory(city=lima))


@pytest.mark.parametrize("phase", list(Phase))
def test_author_edits_only_while_proposals_open(phase):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=phase))
    author, stranger = proposal.author.user, make_user("participant", proposal.consultation.city)
    assert perms.can_edit_proposal(author, proposal) is (phase == Phase.PROPOSALS)
    assert not perms.can_edit_proposal(stranger, proposal)
    assert perms.can_withdraw_proposal(author, proposal) is (
        phase in (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW)
    )


@pytest.mark.parametrize(
    ("status", "hidden", "expected"),
    [
        (Proposal.Status.PUBLISHED, False, True),
        (Proposal.Status.PUBLISHED, True, False),
        (Proposal.Status.DRAFT, False, False),
        (Proposal.Status.WITHDRAWN, False, False),
        (Proposal.Status.REJECTED, False, False),
    ],
)
def test_only_visible_published_proposals_can_be_supported(status, hidden, expected):
    proposal = ProposalFactory(status=status, is_hidden=hidden, status_reason="because")
    user = make_user("participant", proposal.consultation.city)
    assert perms.can_support(user, proposal) is expected
