"""Consultation, proposal list and page; submit, edit, withdraw, support, comment, flag."""
import re
from datetime import UTC
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult.models import (
    Comment,
    Flag,
    Participant,
    Phase,
    Proposal,
    ProposalYearCost,
    Support,
)
from tests.factories import (
    CityFactory,
    CommentFactory,
    ConsultationFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def url(name, consultation, *args):
    return reverse(f"consult:{name}", args=[consultation.city.slug, consultation.slug, *args])


def logged_in(client, consultation, **kwargs):
    participant = ParticipantFactory(city=consultation.city, **kwargs)
    client.force_login(participant.user)
    return participant


def once(client, page_url):
    """The one-time token of a form page."""
    return client.get(page_url).context["once"]


@pytest.fixture
def proposals_phase():
    consultation = ConsultationFactory(
        phase=Phase.PROPOSALS, city=CityFactory(name="Lima", slug="lima", timezone="America/Lima"),
        plan_start_year=2027, plan_end_year=2028,
    )
    ThemeFactory(consultation=consultation, name="Urban sustainability", slug="urban")
    return consultation


# --- home and consultation page ----------------------------------------------------------------


def test_home_lists_cities_with_open_and_past_consultations(client):
    city = CityFactory(name="Quito")
    ConsultationFactory(city=city, title="Open now", phase=Phase.VOTING)
    ConsultationFactory(city=city, title="Long ago", phase=Phase.RESULTS)
    page = client.get(reverse("consult:home")).content.decode()
    assert "Quito" in page and "Open now" in page and "Long ago" in page
    assert page.index("Open and coming consultations") < page.index("Open now")
    assert page.index("Past consultations") < page.index("Long ago")


def test_consultation_page_shows_deadlines_in_local_time_with_the_hour(client, proposals_phase):
    c = proposals_phase
    c.proposals_close_at = timezone.datetime(2099, 5, 31, 23, 59, tzinfo=c.city.tzinfo)
    c.voting_opens_at = timezone.datetime(2099, 6, 2, 9, 0, tzinfo=c.city.tzinfo)
    c.voting_closes_at = timezone.datetime(2099, 6, 30, 23, 59, tzinfo=c.city.tzinfo)
    c.results_at = timezone.datetime(2099, 7, 5, 12, 0, tzinfo=c.city.tzinfo)
    c.save()
    ProposalFactory(consultation=c)
    page = client.get(url("consultation", c)).content.decode()
    assert "until 23:59, Lima time, on May 31, 2099" in page
    assert "June 2, 2099, 09:00 (Lima time)" in page
    assert 'datetime="2099-05-31T23:59:00-05:00"' in page
    assert 'aria-current="step"' in page
    assert "Submit a proposal" not in page  # anonymous: invited to log in instead
    assert "to take part." in page
    assert re.search(r"<dt>Proposals</dt><dd>1</dd>", page)
    assert "1,000,000\xa0MXN" in page  # the envelope, grouped, with its currency


def test_unknown_consultation_is_a_404(client, proposals_phase):
    assert client.get("/lima/nope/").status_code == 404
    assert client.get("/nowhere/" + proposals_phase.slug + "/").status_code == 404


# --- list --------------------------------------------------------------------------------------


def test_list_filters_search_sort_and_paginate_with_filters_kept_in_url(client, proposals_phase):
    c = proposals_phase
    other_theme = ThemeFactory(consultation=c, slug="inclusive", name="Inclusive")
    org = OrganisationFactory(city=c.city, slug="verde", name="Verde")
    wanted = ProposalFactory(consultation=c, title="Green roofs with Montevideo",
                             district="Centro", organisation=org)
    ProposalFactory(consultation=c, title="Museum nights", theme=other_theme)
    for supporter in ParticipantFactory.create_batch(2, city=c.city):
        Support.objects.create(participant=supporter, proposal=wanted)

    page = client.get(url("proposals", c), {"q": "roofs montevideo"}).content.decode()
    assert "Green roofs" in page and "Museum nights" not in page
    page = client.get(url("proposals", c), {"theme": "inclusive"}).content.decode()
    assert "Museum nights" in page and "Green roofs" not in page
    page = client.get(url("proposals", c), {"organisation": "verde"}).content.decode()
    assert "Green roofs" in page and "Museum nights" not in page
    page = client.get(url("proposals", c), {"district": "Centro"}).content.decode()
    assert "Green roofs" in page and "Museum nights" not in page
    page = client.get(url("proposals", c), {"order": "supported"}).content.decode()
    assert page.index("Green roofs") < page.index("Museum nights")
    page = client.get(url("proposals", c), {"order": "newest"}).content.decode()
    assert page.index("Museum nights") < page.index("Green roofs")

    ProposalFactory.create_batch(25, consultation=c, theme=other_theme)
    response = client.get(url("proposals", c), {"theme": "inclusive", "order": "newest"})
    assert response.context["page"].paginator.num_pages == 2
    page = response.content.decode()
    assert "?theme=inclusive&amp;order=newest&amp;page=2" in page
    second = client.get(url("proposals", c), {"theme": "inclusive", "order": "newest",
                                              "page": 2})
    assert second.status_code == 200 and len(second.context["page"].object_list) == 6


def test_list_ignores_bad_filters_without_error(client, proposals_phase):
    ProposalFactory(consultation=proposals_phase)
    response = client.get(url("proposals", proposals_phase),
                          {"theme": "nope", "status": "zzz", "order": "x", "page": "abc"})
    assert response.status_code == 200


def test_list_hides_drafts_and_hidden_proposals(client, proposals_phase):
    c = proposals_phase
    ProposalFactory(consultation=c, title="Visible one")
    ProposalFactory(consultation=c, title="A draft", status=Proposal.Status.DRAFT)
    ProposalFactory(consultation=c, title="Hidden one", is_hidden=True)
    page = client.get(url("proposals", c)).content.decode()
    assert "Visible one" in page and "A draft" not in page and "Hidden one" not in page


def test_random_order_during_voting_is_stable_per_visitor_and_differs_between_visitors():
    c = ConsultationFactory(phase=Phase.VOTING)
    ProposalFactory.create_batch(15, consultation=c)

    def order(client):
        return [p.pk for p in client.get(url("proposals", c)).context["page"].object_list]

    first, second = Client(), Client()
    assert order(first) == order(first)  # stable across reloads
    assert first.get(url("proposals", c)).context["ordering"] == "random"
    orders = {tuple(order(Client())) for _ in range(4)} | {tuple(order(second))}
    assert len(orders) > 1  # each visitor gets a different order


def bulk_proposals(consultation, count):
    theme = consultation.themes.first()
    authors = Participant.objects.bulk_create(
        Participant(city=consultation.city) for _ in range(20)
    )
    orgs = [OrganisationFactory(city=consultation.city) for _ in range(3)]
    now = timezone.now()
    Proposal.objects.bulk_create(
        Proposal(
            consultation=consultation, author=authors[i % 20], theme=theme,
            organisation=orgs[i % 3] if i % 2 else None, title=f"Bulk {i}", summary="s",
            estimated_cost=Decimal(1000 + i), action_kind="cooperation",
            status=Proposal.Status.PUBLISHED, published_at=now, district=f"D{i % 5}",
        )
        for i in range(count)
    )
    proposals = list(Proposal.objects.filter(consultation=consultation)[:50])
    Support.objects.bulk_create(
        Support(participant=authors[j], proposal=p) for p in proposals for j in range(3)
    )


@pytest.mark.parametrize("params", [{}, {"order": "newest", "q": "Bulk"}, {"order": "random"}])
def test_proposal_list_query_count_is_flat(client, proposals_phase, params):
    c = proposals_phase
    participant = logged_in(client, c)
    Support.objects.create(participant=participant, proposal=ProposalFactory(consultation=c))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("proposals", c), params).status_code == 200
        return len(ctx)

    bulk_proposals(c, 9)
    queries()  # warm-up: the first visit also writes the session (order seed)
    few = queries()
    bulk_proposals(c, 1000)
    assert queries() == few
    assert few <= 12


def test_consultation_page_query_count_is_flat(client, proposals_phase):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url("consultation", proposals_phase))
        return len(ctx)

    bulk_proposals(proposals_phase, 10)
    few = queries()
    bulk_proposals(proposals_phase, 500)
    assert queries() == few


# --- proposal page -----------------------------------------------------------------------------


def test_proposal_page_renders_sanitised_markdown_and_facts(client, proposals_phase):
    org = OrganisationFactory(city=proposals_phase.city, name="Colectivo Verde")
    proposal = ProposalFactory(
        consultation=proposals_phase, organisation=org, partners="Quito, Eurocities",
        estimated_cost=Decimal("1234567.50"),
        body="# Plan\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
             "<img src=x onerror=alert(1)>",
    )
    ProposalYearCost.objects.create(proposal=proposal, year=2027, amount=Decimal("1000000"))
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "<strong>bold</strong>" in page and "<h2>Plan</h2>" in page
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page
    assert "1,234,567.50\xa0MXN" in page and "Colectivo Verde" in page
    assert "Quito, Eurocities" in page and "2027" in page


def test_comments_with_replies_one_level_deep(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    top = CommentFactory(proposal=proposal, body="Top level")
    CommentFactory(proposal=proposal, parent=top, body="A reply")
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert page.index("Top level") < page.index("A reply")
    assert 'class="replies"' in page


def test_draft_is_visible_only_to_its_author(client, proposals_phase):
    author = ParticipantFactory(city=proposals_phase.city)
    draft = ProposalFactory(consultation=proposals_phase, author=author,
                            status=Proposal.Status.DRAFT)
    assert client.get(url("proposal", proposals_phase, draft.pk)).status_code == 404
    client.force_login(author.user)
    assert client.get(url("proposal", proposals_phase, draft.pk)).status_code == 200


def test_proposal_of_another_consultation_is_a_404(client, proposals_phase):
    elsewhere = ProposalFactory()
    assert client.get(url("proposal", proposals_phase, elsewhere.pk)).status_code == 404


# --- submit ------------------------------------------------------------------------------------


def proposal_data(consultation, **overrides):
    data = {
        "title": "Climate twinning", "summary": "Green roofs with Montevideo.",
        "body": "## Why\n\nBecause.", "theme": consultation.themes.first().pk,
        "action_kind": "cooperation", "estimated_cost": "300000", "partners": "Montevideo",
        "district": "", "cost_2027": "", "cost_2028": "", "publish": "1",
    }
    data.update(overrides)
    return data


def test_submit_proposal_with_costs_per_year(client, proposals_phase):
    author = logged_in(client, proposals_phase)
    token = once(client, url("proposal_create", proposals_phase))
    response = client.post(url("proposal_create", proposals_phase), proposal_data(
        proposals_phase, once=token, cost_2027="100000", cost_2028="200000"))
    assert response.status_code == 302
    proposal = Proposal.objects.get(author=author)
    assert proposal.status == Proposal.Status.PUBLISHED
    assert dict(proposal.year_costs.values_list("year", "amount")) == {
        2027: Decimal("100000"), 2028: Decimal("200000")}


def test_double_submit_of_a_proposal_is_refused_and_creates_one(client, proposals_phase):
    logged_in(client, proposals_phase)
    token = once(client, url("proposal_create", proposals_phase))
    data = proposal_data(proposals_phase, once=token)
    assert client.post(url("proposal_create", proposals_phase), data).status_code == 302
    again = client.post(url("proposal_create", proposals_phase), data)
    assert again.status_code == 409
    assert "already sent" in again.content.decode()
    assert Proposal.objects.count() == 1


def test_save_draft(client, proposals_phase):
    logged_in(client, proposals_phase)
    token = once(client, url("proposal_create", proposals_phase))
    data = proposal_data(proposals_phase, once=token)
    data.pop("publish")
    data["save_draft"] = "1"
    client.post(url("proposal_create", proposals_phase), data)
    assert Proposal.objects.get().status == Proposal.Status.DRAFT


@pytest.mark.parametrize("override, message", [
    ({"title": ""}, "This field is required."),
    ({"estimated_cost": "-5"}, "greater than or equal to 0"),
    ({"estimated_cost": "abc"}, "Write a number, for example 2,400,000.50."),
    ({"cost_2027": "1"}, "The years add up to 1\xa0MXN, not the estimated 300,000\xa0MXN."),
    ({"theme": "999999"}, "Select a valid choice"),
])
def test_submit_bad_input_re_renders_with_message(client, proposals_phase, override, message):
    logged_in(client, proposals_phase)
    token = once(client, url("proposal_create", proposals_phase))
    response = client.post(url("proposal_create", proposals_phase),
                           proposal_data(proposals_phase, once=token, **override))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Proposal.objects.count() == 0


def test_submit_on_behalf_of_an_organisation_only_if_member(client, proposals_phase):
    author = logged_in(client, proposals_phase)
    org = OrganisationFactory(city=proposals_phase.city)
    page = client.get(url("proposal_create", proposals_phase)).content.decode()
    assert "Submit as" not in page  # not a member of any organisation
    org.members.add(author.user)
    token = once(client, url("proposal_create", proposals_phase))
    client.post(url("proposal_create", proposals_phase),
                proposal_data(proposals_phase, once=token, organisation=org.pk))
    assert Proposal.objects.get().organisation == org
    foreign = OrganisationFactory(city=proposals_phase.city)
    token = once(client, url("proposal_create", proposals_phase))
    response = client.post(url("proposal_create", proposals_phase),
                           proposal_data(proposals_phase, once=token, organisation=foreign.pk))
    assert response.status_code == 400 and Proposal.objects.count() == 1


@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.REVIEW, Phase.VOTING, Phase.RESULTS])
def test_submit_outside_the_proposals_phase_is_403(client, phase):
    consultation = ConsultationFactory(phase=phase)
    ThemeFactory(consultation=consultation)
    logged_in(client, consultation)
    response = client.post(url("proposal_create", consultation), proposal_data(consultation))
    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_anonymous_submit_goes_to_login(client, proposals_phase):
    response = client.get(url("proposal_create", proposals_phase))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- edit and withdraw -------------------------------------------------------------------------


def test_author_edits_while_open_others_get_403(client, proposals_phase):
    author = ParticipantFactory(city=proposals_phase.city)
    proposal = ProposalFactory(consultation=proposals_phase, author=author, title="Old")
    data = proposal_data(proposals_phase, title="New title")
    logged_in(client, proposals_phase)  # someone else
    assert client.post(url("proposal_edit", proposals_phase, proposal.pk), data).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Old"
    client.force_login(author.user)
    form = client.get(url("proposal_edit", proposals_phase, proposal.pk))
    assert form.status_code == 200 and 'value="Old"' in form.content.decode()
    assert client.post(url("proposal_edit", proposals_phase, proposal.pk), data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "New title"


def test_edit_after_proposals_close_is_403(client):
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    proposal = ProposalFactory(consultation=consultation)
    client.force_login(proposal.author.user)
    response = client.post(url("proposal_edit", consultation, proposal.pk),
                           proposal_data(consultation, title="Late"))
    assert response.status_code == 403
    assert "Nothing was changed." in response.content.decode()


def test_withdraw_with_reason_then_again_is_403(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    client.force_login(proposal.author.user)
    empty = client.post(url("proposal_withdraw", proposals_phase, proposal.pk), {"reason": " "})
    assert empty.status_code == 400
    response = client.post(url("proposal_withdraw", proposals_phase, proposal.pk),
                           {"reason": "Merged with another proposal"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "Merged with another proposal" in page
    again = client.post(url("proposal_withdraw", proposals_phase, proposal.pk), {"reason": "x"})
    assert again.status_code == 403


# --- supports ----------------------------------------------------------------------------------


def test_support_and_unsupport_during_proposals(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    me = logged_in(client, proposals_phase)
    assert client.post(url("proposal_support", proposals_phase, proposal.pk)).status_code == 302
    assert client.post(url("proposal_support", proposals_phase, proposal.pk)).status_code == 302
    assert Support.objects.filter(participant=me, proposal=proposal).count() == 1
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "You support this proposal." in page
    assert client.post(url("proposal_unsupport", proposals_phase, proposal.pk)).status_code == 302
    assert not Support.objects.exists()


def test_support_redirects_back_to_the_list_with_its_filters(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    logged_in(client, proposals_phase)
    back = url("proposals", proposals_phase) + "?order=newest"
    response = client.post(url("proposal_support", proposals_phase, proposal.pk), {"next": back})
    assert response.url == back
    evil = client.post(url("proposal_support", proposals_phase, proposal.pk),
                       {"next": "https://evil.example/"})
    assert evil.url == url("proposal", proposals_phase, proposal.pk)


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.RESULTS])
def test_support_outside_proposals_phase_is_403(client, phase):
    consultation = ConsultationFactory(phase=phase)
    proposal = ProposalFactory(consultation=consultation)
    logged_in(client, consultation)
    assert client.post(url("proposal_support", consultation, proposal.pk)).status_code == 403
    assert client.post(url("proposal_unsupport", consultation, proposal.pk)).status_code == 403
    assert not Support.objects.exists()


def test_support_needs_post_and_csrf(proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    client = Client(enforce_csrf_checks=True)
    logged_in(client, proposals_phase)
    assert client.get(url("proposal_support", proposals_phase, proposal.pk)).status_code == 405
    assert client.post(url("proposal_support", proposals_phase, proposal.pk)).status_code == 403
    assert not Support.objects.exists()


def test_support_of_unknown_proposal_is_404(client, proposals_phase):
    logged_in(client, proposals_phase)
    assert client.post(url("proposal_support", proposals_phase, 999999)).status_code == 404


# --- comments and flags ------------------------------------------------------------------------


def test_comment_and_reply_and_double_submit(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    logged_in(client, proposals_phase)
    page_url = url("proposal", proposals_phase, proposal.pk)
    token = once(client, page_url)
    response = client.post(url("comment_create", proposals_phase, proposal.pk),
                           {"body": "Good idea", "once": token})
    assert response.status_code == 302
    again = client.post(url("comment_create", proposals_phase, proposal.pk),
                        {"body": "Good idea", "once": token})
    assert again.status_code == 409
    top = Comment.objects.get()
    token = once(client, page_url)
    client.post(url("comment_create", proposals_phase, proposal.pk),
                {"body": "Agreed", "parent": top.pk, "once": token})
    reply = Comment.objects.get(body="Agreed")
    assert reply.parent == top
    token = once(client, page_url)
    client.post(url("comment_create", proposals_phase, proposal.pk),
                {"body": "Deeper", "parent": reply.pk, "once": token})
    assert Comment.objects.get(body="Deeper").parent == top  # one level deep


def test_empty_comment_and_foreign_parent_are_refused(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    logged_in(client, proposals_phase)
    token = once(client, url("proposal", proposals_phase, proposal.pk))
    empty = client.post(url("comment_create", proposals_phase, proposal.pk),
                        {"body": "   ", "once": token})
    assert empty.status_code == 400
    foreign = CommentFactory()
    response = client.post(url("comment_create", proposals_phase, proposal.pk),
                           {"body": "Hi", "parent": foreign.pk, "once": token})
    assert response.status_code == 400
    assert Comment.objects.filter(proposal=proposal).count() == 0


def test_comment_after_voting_closed_is_403(client):
    consultation = ConsultationFactory(phase=Phase.RESULTS)
    proposal = ProposalFactory(consultation=consultation)
    logged_in(client, consultation)
    token = once(client, url("proposal", consultation, proposal.pk))
    response = client.post(url("comment_create", consultation, proposal.pk),
                           {"body": "Late", "once": token})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_flags_hide_a_comment_after_the_threshold(client, proposals_phase):
    proposals_phase.flags_to_hide = 2
    proposals_phase.save()
    proposal = ProposalFactory(consultation=proposals_phase)
    comment = CommentFactory(proposal=proposal, body="Buy cheap watches")
    for _ in range(2):
        reporter = Client()
        logged_in(reporter, proposals_phase)
        assert reporter.get(url("comment_flag", proposals_phase, proposal.pk,
                                comment.pk)).status_code == 200
        response = reporter.post(url("comment_flag", proposals_phase, proposal.pk, comment.pk),
                                 {"reason": "spam"})
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and Flag.objects.count() == 2
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "Buy cheap watches" not in page and "hidden by moderation" in page


def test_flag_needs_a_valid_reason(client, proposals_phase):
    proposal = ProposalFactory(consultation=proposals_phase)
    logged_in(client, proposals_phase)
    response = client.post(url("proposal_flag", proposals_phase, proposal.pk), {"reason": "meh"})
    assert response.status_code == 400 and not Flag.objects.exists()


def test_hidden_proposal_shows_a_notice_to_others_and_the_reason_to_its_author(
    client, proposals_phase
):
    from consult.models import ModerationDecision

    proposal = ProposalFactory(consultation=proposals_phase, is_hidden=True, title="Spammy")
    ModerationDecision.objects.create(proposal=proposal, action="hide", reason="Advertising")
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "Spammy" not in page and "Hidden proposal" in page
    client.force_login(proposal.author.user)
    page = client.get(url("proposal", proposals_phase, proposal.pk)).content.decode()
    assert "Spammy" in page and "Advertising" in page


def test_comment_and_publication_times_are_the_citys_local_time(client):
    """A comment written at 05:50 UTC on 2 December reads 1 December, 23:50 in Mexico City."""
    from datetime import datetime

    from consult.models import Comment, Phase
    from tests.factories import (
        CityFactory,
        CommentFactory,
        ConsultationFactory,
        ProposalFactory,
    )

    city = CityFactory(slug="cdmx-time", timezone="America/Mexico_City")
    consultation = ConsultationFactory(city=city, phase=Phase.PROPOSALS)
    moment = datetime(2026, 12, 2, 5, 50, tzinfo=UTC)
    proposal = ProposalFactory(consultation=consultation, published_at=moment)
    comment = CommentFactory(proposal=proposal)
    Comment.objects.filter(pk=comment.pk).update(created_at=moment)
    page = client.get(f"/{city.slug}/{consultation.slug}/proposals/{proposal.pk}/",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'datetime="2026-12-01T23:50:00-06:00"' in page
    assert "Dec. 1, 2026, 23:50" in page


def test_editing_a_proposal_written_in_another_language_edits_that_language(client,
                                                                          proposals_phase):
    """An English reader edits a proposal written in Spanish only: the form holds the Spanish
    text (marked Spanish, with a note), saving changes the Spanish and writes no English."""
    author = ParticipantFactory(city=proposals_phase.city)
    proposal = ProposalFactory(consultation=proposals_phase, author=author)
    Proposal.objects.filter(pk=proposal.pk).update(
        title_es="Más árboles", title_en=None, title_fr=None, title_pt_br=None,
        summary_es="Sombra en las calles", summary_en=None, summary_fr=None, summary_pt_br=None)
    client.force_login(author.user)
    edit = url("proposal_edit", proposals_phase, proposal.pk)
    page = client.get(edit, HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert form.own_language == "es" and form["title"].value() == "Más árboles"
    assert 'lang="es"' in str(form["title"]) and "title_en" in form.fields
    assert "Written in: Spanish. You edit this text in that language" in page.content.decode()
    response = client.post(edit, proposal_data(
        proposals_phase, title="Más árboles en Lima", summary="Sombra en las calles",
        title_en="", summary_en="Shade in the streets"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title_es, proposal.title_en) == ("Más árboles en Lima", None)
    assert (proposal.summary_es, proposal.summary_en) == ("Sombra en las calles",
                                                          "Shade in the streets")


def test_a_reader_whose_language_is_written_edits_it_without_a_note(client, proposals_phase):
    author = ParticipantFactory(city=proposals_phase.city)
    proposal = ProposalFactory(consultation=proposals_phase, author=author)
    Proposal.objects.filter(pk=proposal.pk).update(title_es="Más árboles", title_en="More trees")
    client.force_login(author.user)
    page = client.get(url("proposal_edit", proposals_phase, proposal.pk),
                      HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert form.own_language == "en" and form["title"].value() == "More trees"
    assert form["title_es"].value() == "Más árboles" and not form.writing_note
