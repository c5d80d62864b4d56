"""Frozen records (count runs, plan versions, council decisions, published reports) cannot be
changed or deleted: not by the instance, not by a queryset, not by raw SQL (database triggers,
on SQLite and PostgreSQL alike), not in the admin. The one change allowed: the person who made
the record becomes NULL when their account is deleted. Flush (the test runner's, too) still
empties the tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from consult import services as consult_services
from consult.models import Consultation
from planning import services
from planning.immutable import PG_FLUSH_SETTING, SQLITE_FLUSH_MARKER, FrozenRecord
from planning.models import (
    CouncilVote,
    CountJob,
    CountRun,
    OfficialChoice,
    PlanVersion,
    ResultsPublication,
    ReviewDecision,
    StrategyPlan,
)
from reports import services as report_services
from reports.models import PublishedReport
from tests.factories import CityFactory, ConsultationFactory, ParticipantFactory, UserFactory

FROZEN = [CountRun, OfficialChoice, ResultsPublication, PlanVersion, ReviewDecision,
          CouncilVote, PublishedReport]
#: A harmless-looking change to each (what a careless fix would do).
EDIT = {CountRun: {"n_ballots": 0}, OfficialChoice: {"reason": "Edited"},
        ResultsPublication: {"created_at": "2020-01-01 00:00"}, PlanVersion: {"note": "Edited"},
        ReviewDecision: {"reason": "Edited"}, CouncilVote: {"comment": "Edited"},
        PublishedReport: {"title": "Edited"}}
PASSWORD = "s3cret-pass"  # tests.factories.UserFactory


@dataclass
class Frozen:
    plan: StrategyPlan
    consultation: Consultation
    roles: object
    records: dict

    def __getitem__(self, model):
        return self.records[model]


@pytest.fixture
def frozen(counted, roles, drafted) -> Frozen:
    """One of each, made by the services: the official count (drafting counts) and its choice,
    the submitted version, the council's approval, the published consultation report and the
    results' publication."""
    consultation, _proposals = counted
    plan, _ = drafted
    version = services.plan_submit(plan=plan, user=roles.planner, note="For the council")
    vote = services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    decision = ReviewDecision.objects.get(version=version)
    report = report_services.report_publish(user=roles.planner, consultation=consultation)
    publication = ResultsPublication.objects.get(consultation=consultation)  # `drafted` published
    plan.refresh_from_db()
    return Frozen(plan=plan, consultation=consultation, roles=roles, records={
        CountRun: plan.count_run, OfficialChoice: publication.official_choice,
        ResultsPublication: publication, PlanVersion: version, ReviewDecision: decision,
        CouncilVote: vote, PublishedReport: report})


def row(record) -> dict:
    """The stored row, column by column."""
    return type(record).objects.filter(pk=record.pk).values().get()


def refused_by_the_database():
    """The trigger's refusal: an IntegrityError saying so (SQLite RAISE(ABORT), PostgreSQL
    SQLSTATE 23000). The savepoint keeps the test's transaction usable on PostgreSQL."""
    return pytest.raises(IntegrityError, match="frozen records")


def person_column(model) -> str:
    return model._meta.get_field(model.frozen_person_field).column


# --- the instance and the queryset ----------------------------------------------------------


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_instances_and_querysets_refuse_to_change_or_delete(frozen, model):
    record = frozen[model]
    before = row(record)
    [(field, value)] = EDIT[model].items()
    setattr(record, field, value)
    with pytest.raises(FrozenRecord):
        record.save()
    with pytest.raises(FrozenRecord):
        record.delete()
    for manager in (model.objects, model._base_manager):  # related lookups use the base one
        chosen = manager.filter(pk=record.pk)
        with pytest.raises(FrozenRecord, match="update"):
            chosen.update(**EDIT[model])
        with pytest.raises(FrozenRecord, match="delete"):
            chosen.delete()
        with pytest.raises(FrozenRecord, match="delete"):
            manager.all().delete()
        with pytest.raises(FrozenRecord, match="bulk_update"):
            manager.bulk_update([record], [field])
        with pytest.raises(FrozenRecord, match="update_conflicts"):
            manager.bulk_create([record], update_conflicts=True, unique_fields=["id"],
                                update_fields=[field])
    # Handing the record to somebody else is a change too; only NULL is allowed.
    with pytest.raises(FrozenRecord):
        model.objects.filter(pk=record.pk).update(
            **{model.frozen_person_field: UserFactory()})
    with pytest.raises(FrozenRecord):
        model.objects.filter(pk=record.pk).update(
            **{model.frozen_person_field: None}, **EDIT[model])
    assert row(record) == before


# --- the database ---------------------------------------------------------------------------


def _different(field, value):
    """A value of the column's type that differs from `value` (same length for strings, so
    PostgreSQL's varchar limits do not answer before the trigger)."""
    if value is None:
        assert field.is_relation, field
        return 987654321
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | Decimal):
        return value + 1000
    if isinstance(value, str):
        return (value[:-1] + ("y" if value.endswith("x") else "x")) if value else "x"
    if isinstance(value, dict | list):
        return {"was": value}
    if hasattr(value, "tzinfo"):
        return value + timedelta(days=1)
    raise AssertionError(f"no different value for {field}")


FROZEN_COLUMNS = [
    pytest.param(model, field.name, id=f"{model.__name__}.{field.column}")
    for model in FROZEN for field in model._meta.concrete_fields
]


@pytest.mark.parametrize(("model", "name"), FROZEN_COLUMNS)
def test_the_database_refuses_changing_any_column(frozen, model, name):
    """Raw SQL, one column at a time, after the person was set to NULL (the allowed state, so
    that the trigger has only this column to go by): every column of every frozen table is
    covered. (On SQLite the trigger lists the columns: a column added later without running
    FreezeRecords again fails here.)"""
    record = frozen[model]
    table = model._meta.db_table
    person = person_column(model)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{person}" = NULL WHERE id = %s', [record.pk])
    field = model._meta.get_field(name)
    if field.column == person:
        new = frozen.roles.admin.pk  # from nobody to somebody is not allowed either
    else:
        new = _different(field, getattr(record, field.attname))
    before = row(record)
    with refused_by_the_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{field.column}" = %s WHERE id = %s',
                       [field.get_db_prep_save(new, connection), record.pk])
    assert row(record) == before


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_the_database_refuses_deleting(frozen, model):
    table = model._meta.db_table
    with refused_by_the_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE id = %s', [frozen[model].pk])
    with refused_by_the_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}"')
    if connection.vendor == "postgresql":  # row triggers do not see TRUNCATE; its own does
        with connection.cursor() as cursor:  # (TRUNCATE waits for no deferred FK checks)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with refused_by_the_database(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{table}" CASCADE')
    assert model.objects.filter(pk=frozen[model].pk).exists()


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_the_person_alone_may_become_null(frozen, model):
    record = frozen[model]
    person = person_column(model)
    table = model._meta.db_table
    before = row(record)
    assert before[person] is not None
    with refused_by_the_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{person}" = NULL, id = id + 1000 WHERE id = %s',
                       [record.pk])
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{person}" = NULL WHERE id = %s', [record.pk])
    assert row(record) == {**before, person: None}


def test_deleting_accounts_anonymises_the_frozen_records_and_keeps_them(frozen):
    """A planner who also took part (participant_erase) and a council member without a
    participant profile (user.delete) delete their accounts: the records stay, unchanged but
    for who made them."""
    roles = frozen.roles
    ParticipantFactory(city=frozen.consultation.city, user=roles.planner)
    before = {model: row(frozen[model]) for model in FROZEN}
    consult_services.account_delete(user=roles.planner, password=PASSWORD)
    consult_services.account_delete(user=roles.council, password=PASSWORD)
    for model in FROZEN:
        person = person_column(model)
        assert before[model][person] is not None
        assert row(frozen[model]) == {**before[model], person: None}, model


# --- what the records hang from --------------------------------------------------------------


def test_a_plan_with_versions_and_decisions_cannot_be_deleted(frozen):
    plan = frozen.plan
    with pytest.raises(ProtectedError):
        StrategyPlan.objects.filter(pk=plan.pk).delete()
    with pytest.raises(ProtectedError):
        plan.delete()
    with pytest.raises(ProtectedError):
        frozen.consultation.delete()
    assert StrategyPlan.objects.filter(pk=plan.pk).exists()
    assert PlanVersion.objects.filter(plan=plan).count() == 1


# --- the admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_the_admin_shows_frozen_records_but_cannot_add_change_or_delete_them(
        frozen, admin_client_, model):
    record = frozen[model]
    before = row(record)
    changelist = admin_client_.get(_admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None  # no "delete selected", no actions at all
    assert "delete_selected" not in changelist.content.decode()
    view = admin_client_.get(_admin_url(model, "change", record.pk))
    assert view.status_code == 200 and not view.context["has_change_permission"]
    assert not view.context["has_delete_permission"]

    assert admin_client_.post(_admin_url(model, "change", record.pk),
                              {field: value for field, value in EDIT[model].items()}
                              ).status_code == 403
    assert admin_client_.get(_admin_url(model, "delete", record.pk)).status_code == 403
    assert admin_client_.post(_admin_url(model, "delete", record.pk),
                              {"post": "yes"}).status_code == 403
    assert admin_client_.get(_admin_url(model, "add")).status_code == 403
    admin_client_.post(_admin_url(model, "changelist"), {
        "action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert row(record) == before


def test_the_admin_explains_a_protected_plan_instead_of_failing(frozen, admin_client_):
    url = _admin_url(StrategyPlan, "delete", frozen.plan.pk)
    page = admin_client_.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Cannot delete strategy plan" in content and "plan version" in content
    admin_client_.post(url, {"post": "yes"})
    assert StrategyPlan.objects.filter(pk=frozen.plan.pk).exists()


# --- the flows that make them still work ------------------------------------------------------


def test_the_flows_that_make_frozen_records_still_work(
        frozen, django_capture_on_commit_callbacks):
    roles, plan, consultation = frozen.roles, frozen.plan, frozen.consultation
    for model in FROZEN:
        assert frozen[model].pk and model.objects.filter(pk=frozen[model].pk).exists()
    # Counting on a worker, and a comparison count in-process.
    with django_capture_on_commit_callbacks(execute=True):
        job = services.count_job_request(consultation=consultation, user=roles.planner,
                                         rule="mes")
    job.refresh_from_db()
    assert job.state == CountJob.State.DONE and job.count_run.created_by == roles.planner
    services.count_run_create(consultation=consultation, rule="greedy", user=roles.planner)
    # A revision: returned, resubmitted, approved.
    services.plan_revision_start(plan=plan, user=roles.planner)
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="return",
                                comment="Not yet")
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    assert list(plan.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert list(plan.decisions.values_list("decision", flat=True)) == [
        "approve", "return", "approve"]
    # Publishing again makes a new version; the plan's report too.
    again = report_services.report_publish(user=roles.planner, consultation=consultation)
    assert again.version == 2 and frozen[PublishedReport].version == 1
    plan_report = report_services.report_publish(user=roles.planner, plan=plan)
    assert plan_report.kind == PublishedReport.Kind.PLAN
    assert CountRun.objects.filter(consultation=consultation).count() == 3


# --- flush ----------------------------------------------------------------------------------


def _flush_marked() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting(%s, true)", [PG_FLUSH_SETTING])
            return cursor.fetchone()[0] == "on"
        cursor.execute(f"SELECT count(*) FROM {SQLITE_FLUSH_MARKER}")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_frozen_tables_and_leaves_them_guarded(frozen):
    """Committed rows, as in production: a raw DELETE is refused, flush (the test runner's way
    of emptying the database after this test, too) is not, and afterwards the guard is whole
    again."""
    assert not connection.in_atomic_block
    with refused_by_the_database(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{CountRun._meta.db_table}"')
    if connection.vendor == "postgresql":
        with refused_by_the_database(), connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{StrategyPlan._meta.db_table}" CASCADE')
    call_command("flush", interactive=False, verbosity=0)
    for model in FROZEN:
        assert not model.objects.exists()
    assert not _flush_marked()
    # Frozen again: a new record cannot be deleted.
    consultation = ConsultationFactory(city=CityFactory(slug="quito", name="Quito"))
    made = PublishedReport.objects.create(kind=PublishedReport.Kind.CONSULTATION,
                                          city=consultation.city, consultation=consultation,
                                          version=1, title="Q", data={"n": 1})
    with refused_by_the_database(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{PublishedReport._meta.db_table}" WHERE id = %s',
                       [made.pk])


def test_the_admin_cannot_delete_the_plans_audit_log(frozen, admin_client_):
    from planning.models import PlanChange
    entry = PlanChange.objects.filter(plan=frozen.plan).first()
    assert entry is not None  # drafting and submitting write the log
    assert admin_client_.get(_admin_url(PlanChange, "change", entry.pk)).status_code == 200
    assert admin_client_.post(_admin_url(PlanChange, "delete", entry.pk),
                              {"post": "yes"}).status_code == 403
    admin_client_.post(_admin_url(PlanChange, "changelist"), {
        "action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert PlanChange.objects.filter(pk=entry.pk).exists()
