"""The planners' counting page: counts asked for on a worker, compared side by side, the official
one chosen with a reason (its history kept), results published as a step of their own; and what
the public results page shows before and after."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult.models import Consultation, Phase, Proposal
from core.errors import NotAllowed, ServiceError
from planning import selectors
from planning.immutable import FrozenRecord
from planning.models import CountJob, CountRun, OfficialChoice, ResultsPublication
from planning.services import (
    count_job_request,
    count_run_create,
    official_choose,
    results_publish,
)
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory
from tests.planning.conftest import close_voting

pytestmark = pytest.mark.django_db


def page_url(consultation) -> str:
    return reverse("planning:counting", args=[consultation.pk])


def results_url(consultation) -> str:
    return reverse("consult:results", args=[consultation.city.slug, consultation.slug])


def two_counts(consultation, user):
    greedy = count_run_create(consultation=consultation, rule="greedy", user=user)
    mes = count_run_create(consultation=consultation, rule="mes", user=user)
    return greedy, mes


# --- the counting page ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["participant", "council", "other_planner"])
def test_only_the_citys_planners_open_the_counting_page(client, counted, roles, who):
    consultation, _proposals = counted
    client.force_login(getattr(roles, who))
    assert client.get(page_url(consultation)).status_code == 403
    assert client.post(page_url(consultation), {"rule": "greedy", "min_votes": 0,
                                                "tie_break": "lexicographic"}).status_code == 403
    assert not CountJob.objects.exists()


def test_anonymous_is_sent_to_log_in(client, counted):
    response = client.get(page_url(counted[0]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_planner_with_two_roles_counts_and_sees_the_job_and_the_count(
        client, counted, roles, django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    client.force_login(roles.planner_council)
    page = client.get(page_url(consultation))
    assert page.status_code == 200
    choices = [value for value, _label in page.context["form"].fields["rule"].choices]
    assert "greedy" in choices and "mes" in choices
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(consultation), {
            "rule": "mes", "min_votes": 1, "tie_break": "votes-then-cost",
            "add1_stop": "overspend", "comparison": "exclusion"})
    assert response.status_code == 302
    job = CountJob.objects.get()
    assert job.state == CountJob.State.DONE and job.rule == "mes" and job.min_votes == 1
    # mes takes the comparison with greedy, not the Add1 stop (which the form leaves out).
    assert job.options == {"comparison": "exclusion"}
    assert job.count_run.options == {"comparison": "exclusion"}
    comparison = job.count_run.outcome["comparison"]
    assert comparison["kept"] in ("equal_shares", "greedy")
    assert job.count_run.tie_break == "votes-then-cost"
    page = client.get(page_url(consultation)).content.decode()
    assert "No count is under way." in page and 'http-equiv="refresh"' not in page
    assert f'value="{job.count_run.pk}"' in page


def test_a_count_under_way_refreshes_the_page_and_a_second_request_is_a_conflict(
        client, counted, roles, django_capture_on_commit_callbacks):
    consultation, _proposals = counted
    client.force_login(roles.planner)
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks it up
        client.post(page_url(consultation), {"rule": "greedy", "min_votes": 0,
                                             "tie_break": "lexicographic"})
    assert CountJob.objects.get().state == CountJob.State.QUEUED
    page = client.get(page_url(consultation))
    assert 'http-equiv="refresh"' in page.content.decode() and "Queued" in page.content.decode()
    again = client.post(page_url(consultation), {"rule": "mes", "min_votes": 0,
                                                 "tie_break": "lexicographic"})
    assert again.status_code == 409
    assert "already under way" in again.content.decode()
    assert CountJob.objects.count() == 1


def test_a_failed_job_shows_its_reason(client, counted, roles):
    consultation, _proposals = counted
    CountJob.objects.create(consultation=consultation, rule="greedy", state="failed",
                            error="The count failed; ask for it again.")
    client.force_login(roles.planner)
    page = client.get(page_url(consultation)).content.decode()
    assert "Counts that failed" in page and "The count failed; ask for it again." in page


def test_before_voting_closes_the_page_says_when_counting_becomes_possible(client, counted,
                                                                           roles):
    consultation, _proposals = counted
    voting = ConsultationFactory(city=consultation.city, phase=Phase.VOTING)
    client.force_login(roles.planner)
    page = client.get(page_url(voting))
    assert page.status_code == 200
    assert "Counting becomes possible once voting closes" in page.content.decode()
    response = client.post(page_url(voting), {"rule": "greedy", "min_votes": 0,
                                              "tie_break": "lexicographic"})
    assert response.status_code == 400 and not CountJob.objects.exists()


def test_cumulative_ballots_offer_only_the_rules_that_apply(client, counted, roles):
    consultation, _proposals = counted
    Consultation.objects.filter(pk=consultation.pk).update(voting_method="cumulative",
                                                           max_points=3)
    consultation.refresh_from_db()
    client.force_login(roles.planner)
    form = client.get(page_url(consultation)).context["form"]
    assert [value for value, _ in form.fields["rule"].choices] == ["greedy"]
    response = client.post(page_url(consultation), {"rule": "mes", "min_votes": 0,
                                                    "tie_break": "lexicographic"})
    assert response.status_code == 400 and not CountJob.objects.exists()
    with pytest.raises(ServiceError, match="does not apply"):
        count_run_create(consultation=consultation, rule="mes", user=roles.planner)
    assert not CountRun.objects.exists()


def test_options_are_sent_only_for_the_rules_that_take_them(counted):
    from planning.forms import CountForm

    data = {"min_votes": 0, "tie_break": "lexicographic", "add1_stop": "overspend",
            "comparison": "satisfaction"}
    rules = ["greedy", "mes", "mes-add1", "mes-add1u"]
    kwargs = {"rules": rules, "rule_labels": {}, "rule": "mes", "min_votes": 0}
    for rule, expected in (("greedy", {}), ("mes", {"comparison": "satisfaction"}),
                           ("mes-add1", {"add1_stop": "overspend",
                                         "comparison": "satisfaction"})):
        form = CountForm({**data, "rule": rule}, **kwargs)
        assert form.is_valid(), form.errors
        assert form.options() == expected
    form = CountForm({**data, "rule": "mes-add1u", "add1_stop": "", "comparison": ""}, **kwargs)
    assert form.is_valid() and form.options() == {}


def test_a_count_with_the_add1_options_from_the_web_stores_and_uses_them(
        client, counted, roles, django_capture_on_commit_callbacks):
    from planning.counting import count
    from planning.services.count_runs import consultation_election

    consultation, _proposals = counted
    client.force_login(roles.planner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(consultation), {
            "rule": "mes-add1u", "min_votes": 0, "tie_break": "lexicographic",
            "add1_stop": "overspend", "comparison": "satisfaction"})
    run = CountJob.objects.get().count_run
    assert run.rule == "mes-add1u"
    assert run.options == {"add1_stop": "overspend", "comparison": "satisfaction"}
    assert run.outcome["options"]["add1_stop"] == "overspend"
    election, _pks = consultation_election(consultation=consultation)
    expected = count(election, "mes-add1u", add1_stop="overspend", comparison="satisfaction")
    assert run.selected == list(expected.selected)


def test_min_votes_defaults_to_the_consultations_own(counted, roles):
    consultation, _proposals = counted
    consultation.min_votes = 2  # another branch adds the field; the service reads it if set
    run = count_run_create(consultation=consultation, rule="greedy", user=roles.planner)
    assert run.min_votes == 2
    assert count_run_create(consultation=consultation, rule="greedy", min_votes=0).min_votes == 0


# --- voters funded, stored with the count -------------------------------------------------


def test_the_share_of_voters_funded_is_stored_with_the_count(counted):
    consultation, (a, b, c, d) = counted
    # Ballots: [a,b,c] [a,b] [a,c] [a] [b,d] [c]; greedy selects a, b, c: all six are funded.
    greedy = count_run_create(consultation=consultation, rule="greedy")
    assert greedy.voters_funded == 6 and greedy.share_funded == 1.0
    # With a minimum of 4 votes only a is counted: four of the six ballots chose it.
    strict = count_run_create(consultation=consultation, rule="greedy", min_votes=4)
    assert set(strict.selected_proposal_ids) == {a.pk}
    assert strict.voters_funded == 4 and strict.n_ballots == 6
    assert CountRun.objects.get(pk=strict.pk).voters_funded == 4


def test_no_ballots_funds_nobody():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    ProposalFactory(consultation=consultation)
    close_voting(consultation)
    run = count_run_create(consultation=consultation, rule="greedy")
    assert run.voters_funded == 0 and run.share_funded == 0.0


# --- comparing ------------------------------------------------------------------------------


def test_compare_shows_rules_selections_differences_money_and_voters_funded(client, counted,
                                                                            roles):
    consultation, (a, b, c, d) = counted
    greedy = count_run_create(consultation=consultation, rule="greedy")
    strict = count_run_create(consultation=consultation, rule="greedy", min_votes=4)
    client.force_login(roles.planner)
    response = client.get(reverse("planning:compare", args=[consultation.pk]),
                          {"runs": [greedy.pk, strict.pk]})
    assert response.status_code == 200
    columns = {c["run"].pk: c for c in response.context["columns"]}
    assert {p["title"]: p["shared"] for p in columns[greedy.pk]["selected"]} == {
        "Green roofs": True, "Migrant desk": False, "Air quality": False}
    assert columns[strict.pk]["n_different"] == 0
    page = response.content.decode()
    assert "<mark>Migrant desk</mark>" in page and "100 %" in page and "67 %" in page


def test_compare_reports_the_comparison_step_with_greedy(client, counted, roles):
    consultation, _proposals = counted
    plain = count_run_create(consultation=consultation, rule="mes")
    compared = count_run_create(consultation=consultation, rule="mes",
                                options={"comparison": "exclusion"})
    report = compared.outcome["comparison"]
    client.force_login(roles.planner)
    page = client.get(reverse("planning:compare", args=[consultation.pk]),
                      {"runs": [plain.pk, compared.pk]}).content.decode()
    assert ("by exclusion (voters with no funded proposal): "
            f"{report['prefer_equal_shares']} voters prefer the Equal Shares outcome, "
            f"{report['prefer_greedy']} the greedy one") in page
    kept = ("the greedy outcome is kept" if report["kept"] == "greedy"
            else "the Equal Shares outcome is kept")
    assert kept in page


def test_compare_needs_two_counts_of_this_consultation(client, counted, roles):
    consultation, _proposals = counted
    run = count_run_create(consultation=consultation, rule="greedy")
    other = ConsultationFactory(city=consultation.city, phase=Phase.VOTING)
    ProposalFactory(consultation=other)
    close_voting(other)
    foreign = count_run_create(consultation=other, rule="greedy")
    client.force_login(roles.planner)
    url = reverse("planning:compare", args=[consultation.pk])
    assert client.get(url, {"runs": [run.pk]}).status_code == 400
    assert client.get(url, {"runs": [run.pk, foreign.pk]}).status_code == 400
    client.force_login(roles.other_planner)
    assert client.get(url, {"runs": [run.pk, run.pk]}).status_code == 403


def test_compare_queries_do_not_grow_with_the_counts(client, counted, roles):
    from django.db import connection

    consultation, _proposals = counted
    runs = [count_run_create(consultation=consultation, rule=rule)
            for rule in ("greedy", "mes", "phragmen", "mes-greedy")]
    client.force_login(roles.planner)
    url = reverse("planning:compare", args=[consultation.pk])
    with CaptureQueriesContext(connection) as two:
        client.get(url, {"runs": [r.pk for r in runs[:2]]})
    with CaptureQueriesContext(connection) as four:
        client.get(url, {"runs": [r.pk for r in runs]})
    assert len(four) == len(two)


# --- the official count, with a reason --------------------------------------------------


def test_official_needs_a_reason_and_a_count_of_this_consultation(counted, roles):
    consultation, _proposals = counted
    greedy, mes = two_counts(consultation, roles.planner)
    with pytest.raises(ServiceError, match="Say why") as refused:
        official_choose(consultation=consultation, count_run_id=mes.pk, user=roles.planner,
                        reason="   ")
    assert refused.value.field == "reason"
    other = ConsultationFactory(phase=Phase.VOTING)  # another city's consultation
    ProposalFactory(consultation=other)
    close_voting(other)
    foreign = count_run_create(consultation=other, rule="greedy")
    with pytest.raises(ServiceError, match="not a count of this consultation"):
        official_choose(consultation=consultation, count_run_id=foreign.pk,
                        user=roles.planner, reason="Because.")
    with pytest.raises(NotAllowed):
        official_choose(consultation=consultation, count_run_id=mes.pk,
                        user=roles.other_planner, reason="Because.")
    with pytest.raises(NotAllowed):
        official_choose(consultation=consultation, count_run_id=mes.pk, user=roles.council,
                        reason="Because.")
    assert not OfficialChoice.objects.exists()
    with transaction.atomic(), pytest.raises(IntegrityError):
        OfficialChoice.objects.create(consultation=consultation, count_run=mes, reason="")


def test_choosing_again_keeps_the_history_and_everything_follows_the_latest(counted, roles):
    consultation, (a, b, c, d) = counted
    greedy = count_run_create(consultation=consultation, rule="greedy", min_votes=4)
    mes = count_run_create(consultation=consultation, rule="greedy")
    first = official_choose(consultation=consultation, count_run_id=greedy.pk,
                            user=roles.planner, reason="Strict minimum.")
    assert selectors.count_run_official(consultation=consultation).pk == greedy.pk
    assert not Proposal.objects.filter(status="selected").exists()  # not published yet
    results_publish(consultation=consultation, user=roles.planner)
    assert set(Proposal.objects.filter(status="selected")) == {a}
    with pytest.raises(ServiceError, match="already the official count"):
        official_choose(consultation=consultation, count_run_id=greedy.pk,
                        user=roles.planner, reason="Again.")
    second = official_choose(consultation=consultation, count_run_id=mes.pk,
                             user=roles.admin, reason="Council asked for all votes to count.")
    assert selectors.count_run_official(consultation=consultation).pk == mes.pk
    assert set(Proposal.objects.filter(status="selected")) == {a, b, c}
    assert list(selectors.official_choices(consultation=consultation)) == [second, first]
    official = {r.pk: r.is_official for r in CountRun.objects.filter(consultation=consultation)}
    assert official == {greedy.pk: False, mes.pk: True}
    with pytest.raises(FrozenRecord):
        first.delete()


def test_official_form_on_the_page(client, counted, roles):
    consultation, _proposals = counted
    greedy, mes = two_counts(consultation, roles.planner)
    client.force_login(roles.planner)
    url = reverse("planning:official", args=[consultation.pk])
    response = client.post(url, {"count_run": mes.pk, "reason": ""})
    assert response.status_code == 400 and not OfficialChoice.objects.exists()
    response = client.post(url, {"count_run": mes.pk, "reason": "Proportional."})
    assert response.status_code == 302
    page = client.get(page_url(consultation)).content.decode()
    assert "Official now:" in page and "Proportional." in page


# --- publication ----------------------------------------------------------------------------


def test_publishing_needs_an_official_count_and_happens_once(client, counted, roles):
    consultation, _proposals = counted
    greedy, _mes = two_counts(consultation, roles.planner)
    client.force_login(roles.planner)
    url = reverse("planning:publish", args=[consultation.pk])
    response = client.post(url)
    assert response.status_code == 400
    assert "Choose the official count before publishing" in response.content.decode()
    assert not ResultsPublication.objects.exists()
    official_choose(consultation=consultation, count_run_id=greedy.pk, user=roles.planner,
                    reason="The consultation's rule.")
    client.force_login(roles.council)
    assert client.post(url).status_code == 403
    client.force_login(roles.planner)
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 400
    assert ResultsPublication.objects.count() == 1
    with pytest.raises(ServiceError, match="already published"):
        results_publish(consultation=consultation, user=roles.planner)


def test_public_results_before_and_after_publication(client, counted, roles):
    consultation, (a, b, c, d) = counted
    strict = count_run_create(consultation=consultation, rule="greedy", min_votes=4)
    full = count_run_create(consultation=consultation, rule="greedy")
    official_choose(consultation=consultation, count_run_id=strict.pk, user=roles.planner,
                    reason="Only proposals with four votes.")
    page = client.get(results_url(consultation)).content.decode()
    assert "proposal was selected" not in page and 'class="selected"' not in page
    assert "Only proposals with four votes." not in page
    # The city's planners see a preview.
    client.force_login(roles.planner)
    page = client.get(results_url(consultation)).content.decode()
    assert "Preview for the city's planners" in page and "Only proposals with four votes." in page
    client.logout()

    results_publish(consultation=consultation, user=roles.planner)
    official_choose(consultation=consultation, count_run_id=full.pk, user=roles.planner,
                    reason="All votes count.")
    page = client.get(results_url(consultation)).content.decode()
    assert "3 proposals were selected by the count." in page
    assert "All votes count." in page and "Only proposals with four votes." in page
    assert "Greedy (most votes first)" in page and "Preview" not in page
    assert page.count('class="selected"') == 3


def test_anyone_may_read_the_choices_once_published_through_the_api(counted, roles):
    from rest_framework.test import APIClient

    consultation, _proposals = counted
    run = count_run_create(consultation=consultation, rule="greedy", official=True,
                           reason="The consultation's rule.")
    api = APIClient()
    url = reverse("api:official-count", args=[consultation.pk])
    assert api.get(url).status_code == 401
    results_publish(consultation=consultation, user=None)
    data = api.get(url).json()
    assert [c["count_run"] for c in data] == [run.pk]
    assert data[0]["reason"] == "The consultation's rule."
    publication = api.get(reverse("api:publication", args=[consultation.pk])).json()
    assert publication["count_run"] == run.pk


def test_api_counts_compares_chooses_and_publishes(counted, roles,
                                                  django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    consultation, _proposals = counted
    api = APIClient()
    api.force_authenticate(roles.planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("api:count-run-list"), {
            "consultation": consultation.pk, "rule": "greedy", "min_votes": 4, "options": {}},
            format="json")
    assert response.status_code == 202
    strict = CountJob.objects.get(pk=response.json()["id"]).count_run
    full = count_run_create(consultation=consultation, rule="greedy")
    response = api.post(reverse("api:count-run-list"), {
        "consultation": consultation.pk, "rule": "greedy", "options": {"add1_stop": "x"}},
        format="json")
    assert response.status_code == 400 and "options" in response.json()["errors"]
    compare = api.get(reverse("api:count-compare", args=[consultation.pk]),
                      {"runs": [strict.pk, full.pk]})
    assert compare.status_code == 200
    by_id = {c["count_run"]["id"]: c for c in compare.json()}
    assert by_id[full.pk]["share_funded"] == 1.0 and by_id[full.pk]["n_different"] == 2
    assert api.get(reverse("api:count-compare", args=[consultation.pk]),
                   {"runs": [strict.pk]}).status_code == 400
    official_url = reverse("api:official-count", args=[consultation.pk])
    no_reason = api.post(official_url, {"count_run": full.pk}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    publish_url = reverse("api:publication", args=[consultation.pk])
    assert api.post(publish_url).status_code == 400  # no official count yet
    assert api.post(official_url, {"count_run": full.pk, "reason": "All votes."},
                    format="json").status_code == 201
    assert api.post(publish_url).status_code == 201
    assert api.get(reverse("api:count-run-detail", args=[full.pk])).json()["is_official"]
    with django_capture_on_commit_callbacks(execute=False):
        first = count_job_request(consultation=consultation, user=roles.planner)
    assert first.state == CountJob.State.QUEUED
    conflict = api.post(reverse("api:count-run-list"), {"consultation": consultation.pk},
                        format="json")
    assert conflict.status_code == 409


def test_an_unpublished_official_count_is_not_public(counted):
    """Tally-only figures stay; the official count is not readable before publication."""
    consultation, _proposals = counted
    ParticipantFactory(city=consultation.city)
    count_run_create(consultation=consultation, rule="greedy", official=True)
    state = selectors.results_public_state(consultation=consultation, user=None)
    assert state["official"] is None and not state["show_selection"]


def test_the_api_shows_no_count_before_publication_except_to_the_citys_planners(counted, roles):
    from rest_framework.test import APIClient

    consultation, _proposals = counted
    run = count_run_create(consultation=consultation, rule="greedy", official=True)
    detail = reverse("api:count-run-detail", args=[run.pk])
    api = APIClient()
    assert api.get(detail).status_code == 404
    assert api.get(reverse("api:count-run-list")).json()["count"] == 0
    for who, status in (("council", 404), ("other_planner", 404), ("planner", 200),
                        ("planner_council", 200)):
        api.force_authenticate(getattr(roles, who))
        assert api.get(detail).status_code == status, who
    api.force_authenticate(None)
    results_publish(consultation=consultation, user=roles.planner)
    assert api.get(detail).json()["is_official"]
    assert api.get(reverse("api:count-run-list")).json()["count"] == 1
