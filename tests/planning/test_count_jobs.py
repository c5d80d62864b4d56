"""Counts asked for on the web or through the API run on a worker as CountJobs: refusals are
immediate, one count per consultation is under way at a time, a failure says why, and a job
lost with its worker does not block the next request."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from consult.models import Phase, Proposal
from core.errors import Conflict, NotAllowed, ServiceError
from planning.models import CountJob, CountRun
from planning.services import count_job_request, count_job_run, results_publish
from tests.factories import ConsultationFactory, ProposalFactory


def ask(consultation, user, django_capture_on_commit_callbacks, **kwargs) -> CountJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = count_job_request(consultation=consultation, user=user, **kwargs)
    job.refresh_from_db()
    return job


def test_a_planners_official_count_runs_after_the_request_commits(
        counted, roles, django_capture_on_commit_callbacks):
    consultation, (a, b, c, _d) = counted
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = count_job_request(consultation=consultation, user=roles.planner, official=True)
    assert job.state == CountJob.State.QUEUED and len(callbacks) == 1
    assert not CountRun.objects.exists()  # nothing is counted inside the request

    callbacks[0]()  # the worker
    job.refresh_from_db()
    assert job.state == CountJob.State.DONE and job.started_at and job.finished_at
    assert job.count_run.is_official and job.count_run.rule == "greedy"
    assert job.requested_by == roles.planner and job.count_run.created_by == roles.planner
    # The proposals say they are selected once the results are published, not before.
    assert not Proposal.objects.filter(status=Proposal.Status.SELECTED).exists()
    results_publish(consultation=consultation, user=roles.planner)
    assert set(Proposal.objects.filter(status=Proposal.Status.SELECTED)) == {a, b, c}


@pytest.mark.parametrize("who", ["participant", "council", "other_planner"])
def test_only_the_citys_planners_may_ask_and_nothing_is_queued_otherwise(counted, roles, who):
    consultation, _proposals = counted
    with pytest.raises(NotAllowed):
        count_job_request(consultation=consultation, user=getattr(roles, who))
    assert not CountJob.objects.exists()


def test_no_count_while_voting_is_open(counted, roles):
    voting = ConsultationFactory(city=counted[0].city, phase=Phase.VOTING)
    ProposalFactory(consultation=voting)
    with pytest.raises(ServiceError, match="once voting has closed"):
        count_job_request(consultation=voting, user=roles.planner)
    assert not CountJob.objects.exists()


def test_a_second_request_while_one_is_under_way_is_a_conflict(counted, roles):
    consultation, _proposals = counted
    count_job_request(consultation=consultation, user=roles.planner)  # queued: never run here
    with pytest.raises(Conflict):
        count_job_request(consultation=consultation, user=roles.admin, rule="mes")
    assert CountJob.objects.count() == 1


def test_the_database_allows_one_job_under_way_per_consultation(counted):
    consultation, _proposals = counted
    CountJob.objects.create(consultation=consultation, rule="greedy", state="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        CountJob.objects.create(consultation=consultation, rule="mes")
    # Finished jobs do not count: any number of them.
    CountJob.objects.update(state="failed")
    CountJob.objects.create(consultation=consultation, rule="mes", state="failed")
    CountJob.objects.create(consultation=consultation, rule="mes")


def test_once_done_another_count_can_be_asked_for(counted, roles,
                                                  django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    first = ask(consultation, roles.planner, django_capture_on_commit_callbacks)
    second = ask(consultation, roles.planner, django_capture_on_commit_callbacks, rule="mes")
    assert first.state == second.state == CountJob.State.DONE
    assert second.count_run.rule == "mes" and first.count_run != second.count_run


@override_settings(COUNT_JOB_STALE_AFTER=60)
def test_a_job_lost_with_its_worker_is_failed_by_the_next_request(
        counted, roles, django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    lost = CountJob.objects.create(consultation=consultation, rule="greedy", state="running")
    CountJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    job = ask(consultation, roles.planner, django_capture_on_commit_callbacks)
    lost.refresh_from_db()
    assert lost.state == CountJob.State.FAILED and "without finishing" in lost.error
    assert job.state == CountJob.State.DONE


@override_settings(COUNT_JOB_STALE_AFTER=60)
def test_a_recent_job_under_way_is_not_taken_for_lost(counted, roles):
    consultation, _proposals = counted
    running = CountJob.objects.create(consultation=consultation, rule="greedy", state="running")
    CountJob.objects.filter(pk=running.pk).update(
        created_at=timezone.now() - timedelta(seconds=59))
    with pytest.raises(Conflict):
        count_job_request(consultation=consultation, user=roles.planner)


def test_a_rule_that_does_not_apply_to_cumulative_ballots_is_refused_at_once(counted, roles):
    consultation, _proposals = counted
    type(consultation).objects.filter(pk=consultation.pk).update(voting_method="cumulative",
                                                                 max_points=3)
    consultation.refresh_from_db()
    with pytest.raises(ServiceError, match="does not apply") as refused:
        count_job_request(consultation=consultation, user=roles.planner, rule="mes")
    assert refused.value.field == "rule"
    assert not CountJob.objects.exists() and not CountRun.objects.exists()


def test_an_option_the_rule_does_not_take_is_refused_at_once(counted, roles):
    consultation, _proposals = counted
    with pytest.raises(ServiceError, match="takes no option") as refused:
        count_job_request(consultation=consultation, user=roles.planner, rule="greedy",
                          options={"add1_stop": "overspend"})
    assert refused.value.field == "options" and not CountJob.objects.exists()


def test_a_redelivered_job_is_not_counted_twice(counted, roles,
                                                django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    job = ask(consultation, roles.planner, django_capture_on_commit_callbacks)
    again = count_job_run(job_id=job.pk)
    assert again.state == CountJob.State.DONE and CountRun.objects.count() == 1
