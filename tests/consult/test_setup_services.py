"""The set-up services and predicates: who may, field-level checks, themes, the freeze (also in
the Django admin), and nothing saved on refusal."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from consult import rules as perms
from consult import services
from consult.models import CityRole, Consultation, Phase, Theme
from core.errors import NotAllowed, ServiceError
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ProposalFactory,
    ThemeFactory,
    UserFactory,
    phase_dates,
)

pytestmark = pytest.mark.django_db


def staff(city, role=CityRole.Role.ADMIN):
    user = UserFactory()
    CityRoleFactory(user=user, city=city, role=role)
    return user


def fields(**changes) -> dict:
    return {"title": "Estrategia 2030", "plan_start_year": 2028, "plan_end_year": 2031,
            "budget": Decimal("1000"), "max_choices": 2, **phase_dates(Phase.UPCOMING),
            **changes}


def snapshot(consultation):
    consultation.refresh_from_db()
    return ({f.name: getattr(consultation, f.name)
             for f in Consultation._meta.concrete_fields},
            list(consultation.themes.values_list("pk", "name", "position")))


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "allowed", "expected"), [
    (CityRole.Role.ADMIN, False, True),
    (CityRole.Role.ADMIN, True, True),
    (CityRole.Role.PLANNER, False, False),
    (CityRole.Role.PLANNER, True, True),
    (CityRole.Role.MODERATOR, True, False),
    (CityRole.Role.COUNCIL, True, False),
])
def test_the_set_up_predicates(role, allowed, expected):
    city = CityFactory(planners_may_set_up=allowed)
    consultation = ConsultationFactory(city=city)
    user = staff(city, role)
    assert perms.can_set_up_consultations(user, city) is expected
    assert perms.can_edit_consultation(user, consultation) is expected
    other = ConsultationFactory(city=CityFactory(planners_may_set_up=True))
    assert not perms.can_set_up_consultations(user, other.city)
    assert not perms.can_edit_consultation(user, other)


def test_a_participant_and_an_anonymous_visitor_may_not():
    from django.contrib.auth.models import AnonymousUser

    consultation = ConsultationFactory(city=CityFactory(planners_may_set_up=True))
    for user in (AnonymousUser(), UserFactory()):
        assert not perms.can_set_up_consultations(user, consultation.city)
        assert not perms.can_edit_consultation(user, consultation)


def test_planner_in_a_admin_in_b():
    a, b = CityFactory(), CityFactory()
    user = staff(b)
    CityRoleFactory(user=user, city=a, role=CityRole.Role.PLANNER)
    with pytest.raises(NotAllowed, match="administrators"):
        services.consultation_set_up(user=user, city=a, **fields())
    assert not Consultation.objects.exists()
    assert services.consultation_set_up(user=user, city=b, **fields()).city == b
    a.planners_may_set_up = True
    a.save()
    user = type(user).objects.get(pk=user.pk)  # a new request
    assert services.consultation_set_up(user=user, city=a, **fields()).city == a


# --- checks on their field ---------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"budget": Decimal("0")}, "budget"),
    ({"budget": Decimal("-1")}, "budget"),
    ({"max_choices": None}, "max_choices"),
    ({"voting_method": "cumulative"}, "max_points"),
    ({"plan_end_year": 2027}, "plan_end_year"),
])
def test_bad_rules_name_their_field(changes, field):
    city = CityFactory()
    with pytest.raises(ServiceError) as error:
        services.consultation_set_up(user=staff(city), city=city, **fields(**changes))
    assert error.value.field == field
    assert not Consultation.objects.exists() and not Theme.objects.exists()


@pytest.mark.parametrize(("moved", "delta"), [
    ("proposals_close_at", timedelta(days=-6)),   # before proposals open
    ("proposals_close_at", timedelta(days=-5)),   # exactly when they open: empty phase
    ("voting_opens_at", timedelta(days=-3)),      # before proposals close
    ("voting_closes_at", timedelta(days=-8)),     # exactly when voting opens
    ("results_at", timedelta(days=-3)),           # before voting closes
])
def test_phases_out_of_order_refused_on_the_later_field(moved, delta):
    city = CityFactory()
    dates = phase_dates(Phase.UPCOMING)
    dates[moved] += delta
    with pytest.raises(ServiceError, match="Phases must follow each other") as error:
        services.consultation_set_up(user=staff(city), city=city, **fields(**dates))
    assert error.value.field == moved
    assert not Consultation.objects.exists()


def test_phases_at_the_boundaries_are_allowed():
    """Voting may open the moment proposals close, results the moment voting closes."""
    city = CityFactory()
    dates = phase_dates(Phase.UPCOMING)
    dates["voting_opens_at"] = dates["proposals_close_at"]
    dates["results_at"] = dates["voting_closes_at"]
    assert services.consultation_set_up(user=staff(city), city=city, **fields(**dates)).pk


def test_the_same_address_twice_in_a_city_is_refused_on_the_slug():
    city = CityFactory()
    user = staff(city)
    services.consultation_set_up(user=user, city=city, **fields())
    with pytest.raises(ServiceError) as error:
        services.consultation_set_up(user=user, city=city, **fields())
    assert error.value.field == "slug"
    assert Consultation.objects.count() == 1


def test_fields_nobody_may_set_are_refused():
    city = CityFactory()
    with pytest.raises(ServiceError, match="cannot be edited"):
        services.consultation_set_up(user=staff(city), city=city, **fields(created_at=None))
    consultation = ConsultationFactory(city=city)
    with pytest.raises(ServiceError, match="cannot be edited"):
        services.consultation_edit(user=staff(city), consultation=consultation,
                                   city=CityFactory())


# --- the freeze --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", Consultation.VOTING_RULE_FIELDS)
def test_every_voting_rule_freezes_when_voting_opens(name):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=3, max_points=None)
    new = {
        "voting_method": "knapsack", "max_choices": 4, "max_points": 10,
        "budget": Decimal("5"), "currency": "EUR", "counting_rule": "greedy",
        "min_supports": 7, "min_votes": 7, "eligibility": "verified", "requires_assessment": True,
        "proposing_eligibility": "residents", "supporting_eligibility": "verified",
        "minimum_age": 16,
        "voting_opens_at": consultation.voting_opens_at - timedelta(hours=1),
    }[name]
    before = snapshot(consultation)
    with pytest.raises(ServiceError, match="can no longer change"):
        services.consultation_edit(user=staff(consultation.city), consultation=consultation,
                                   title="Changed", **{name: new})
    assert snapshot(consultation) == before


def test_the_freeze_starts_exactly_when_voting_opens():
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    user = staff(consultation.city)
    opens = consultation.voting_opens_at
    services.consultation_edit(user=user, consultation=consultation, min_votes=2,
                               now=opens - timedelta(microseconds=1))
    with pytest.raises(ServiceError, match="minimum votes to be selected"):
        services.consultation_edit(user=user, consultation=consultation, min_votes=3, now=opens)
    consultation.refresh_from_db()
    assert consultation.min_votes == 2


def test_a_theme_change_is_undone_when_the_rules_refuse():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    theme = ThemeFactory(consultation=consultation, name="Old")
    before = snapshot(consultation)
    with pytest.raises(ServiceError):
        services.consultation_edit(user=staff(consultation.city), consultation=consultation,
                                   themes=[{"id": theme.pk, "name": "New"}], budget=Decimal("1"))
    assert snapshot(consultation) == before


# --- themes ------------------------------------------------------------------------------------


def test_themes_of_another_consultation_cannot_be_named():
    consultation = ConsultationFactory()
    ThemeFactory(consultation=consultation)
    stranger = ThemeFactory()
    before = snapshot(consultation)
    with pytest.raises(ServiceError, match="only themes of this consultation") as error:
        services.consultation_edit(user=staff(consultation.city), consultation=consultation,
                                   themes=[{"id": stranger.pk, "name": "Mine now"}])
    assert error.value.field == "themes"
    assert snapshot(consultation) == before
    stranger.refresh_from_db()
    assert stranger.consultation_id != consultation.pk


def test_a_theme_with_proposals_is_kept_and_new_slugs_do_not_clash():
    consultation = ConsultationFactory()
    used = ThemeFactory(consultation=consultation, name="Agua", slug="agua")
    ProposalFactory(consultation=consultation, theme=used)
    user = staff(consultation.city)
    with pytest.raises(ServiceError, match="“Agua” has proposals"):
        services.consultation_edit(user=user, consultation=consultation,
                                   themes=[{"name": "Otro"}])
    services.consultation_edit(user=user, consultation=consultation, themes=[
        {"id": used.pk, "name": "Agua potable"}, {"name": "Agua"}, {"name": "Agua"}])
    assert list(consultation.themes.values_list("slug", "name")) == [
        ("agua", "Agua potable"), ("agua-2", "Agua"), ("agua-3", "Agua")]


# --- the Django admin --------------------------------------------------------------------------


def test_the_admin_shows_the_voting_rules_read_only_once_voting_opened(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    before, during = ConsultationFactory(phase=Phase.REVIEW), ConsultationFactory(
        phase=Phase.VOTING)
    page = client.get(reverse("admin:consult_consultation_change", args=[during.pk]))
    html = page.content.decode()
    assert 'name="min_votes"' not in html and 'name="max_choices"' not in html
    # The title stays editable, one input per language.
    assert 'name="title_es"' in html and 'name="title_pt_br"' in html
    editable = client.get(reverse("admin:consult_consultation_change", args=[before.pk]))
    assert 'name="min_votes"' in editable.content.decode()
