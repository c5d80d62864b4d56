"""A citizen's journey, a moderator's decision and an accessibility check of the main pages,
in a real browser (Debian's Chromium driven by Playwright). Screenshots go to test-artifacts/."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from consult.models import (
    Ballot,
    BallotChoice,
    CityRole,
    Comment,
    Flag,
    Phase,
    Proposal,
    Support,
    VotingMethod,
)
from tests.browser.axe import assert_accessible
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "s3cret-pass"  # tests.factories.UserFactory's password


@pytest.fixture
def lima():
    city = CityFactory(name="Lima", slug="lima", timezone="America/Lima", currency="PEN",
                       country="PE")
    proposals = ConsultationFactory(
        city=city, phase=Phase.PROPOSALS, slug="lima-abierta", currency="PEN",
        title="Lima, ciudad abierta 2027–2030", plan_start_year=2027, plan_end_year=2028,
        description="How should Lima work with the world? **Propose** actions.",
    )
    theme = ThemeFactory(consultation=proposals, name="Urban sustainability", slug="urban")
    for title in ("Sister-city climate pact", "Migrant welcome desk", "Film festival"):
        ProposalFactory(consultation=proposals, theme=theme, title=title,
                        summary=f"{title}: a proposal for the strategy.",
                        body="## What\n\nA *real* plan with partners.")
    voting = ConsultationFactory(
        city=city, phase=Phase.VOTING, slug="agenda-climatica", currency="PEN",
        title="Agenda climática 2027", voting_method=VotingMethod.KNAPSACK,
        budget=Decimal("1000"), max_choices=None,
    )
    for title, cost in (("Green roofs", 600), ("Bike lanes", 300), ("River park", 500)):
        ProposalFactory(consultation=voting, title=title, estimated_cost=Decimal(cost),
                        summary=f"{title} with partner cities.")
    return {"city": city, "proposals": proposals, "voting": voting}


def login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_citizen_signs_up_proposes_supports_votes_and_changes_the_ballot(
    live_server, new_page, shot, lima
):
    base = live_server.url
    page = new_page()

    # Sign up, choosing the city.
    page.goto(f"{base}/accounts/signup/")
    assert_accessible(page, "sign-up")
    shot(page, "01-signup")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("E-mail address").fill("rosa@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("Rosa-in-Lima-2027")
    page.get_by_label("Password confirmation").fill("Rosa-in-Lima-2027")
    page.get_by_label("Your city").select_option(label="Lima")
    page.get_by_label("District or neighbourhood").fill("Barranco")
    page.get_by_label("I agree that Cabildo stores my answers").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    assert_accessible(page, "home")
    shot(page, "02-home")

    # The consultation page: timeline in Lima time, what one can do now.
    page.get_by_role("link", name="Lima, ciudad abierta 2027–2030").first.click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_text(re.compile(r"until \d\d:\d\d, Lima time")).first).to_be_visible()
    assert_accessible(page, "consultation")
    shot(page, "03-consultation")

    # Submit a proposal with costs per year.
    page.get_by_role("link", name="Submit a proposal").click()
    # the fields in the writer's own language (the other languages have their own, folded)
    page.locator("#id_title").fill("Lima–Montevideo green roofs twinning")
    page.locator("#id_summary").fill("Exchange of technicians to build green roofs.")
    page.locator("#id_body").fill("## Why\n\nRoofs cool the city.\n\n- step one")
    page.get_by_label("Theme").select_option(label="Urban sustainability")
    page.get_by_label("Estimated cost (PEN)").fill("250000")
    page.get_by_label("2027").fill("100000")
    page.get_by_label("2028").fill("150000")
    assert_accessible(page, "proposal form")
    shot(page, "04-proposal-form")
    page.get_by_role("button", name="Publish the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lima–Montevideo green roofs twinning")
    expect(page.get_by_text("Your proposal is published.")).to_be_visible()
    expect(page.get_by_role("heading", name="Why")).to_be_visible()
    assert_accessible(page, "proposal page")
    shot(page, "05-proposal")
    mine = Proposal.objects.get(title="Lima–Montevideo green roofs twinning")
    assert mine.author.user.username == "rosa"
    assert mine.year_costs.count() == 2

    # Support two other proposals from the list; the filters stay.
    page.goto(f"{base}/lima/lima-abierta/proposals/?order=newest")
    assert_accessible(page, "proposal list")
    page.get_by_role("button", name=re.compile(r"^Support\W+Migrant welcome desk")).click()
    expect(page).to_have_url(re.compile(r"order=newest"))
    page.get_by_role("button", name=re.compile(r"^Support\W+Film festival")).click()
    expect(page.get_by_role("button", name=re.compile("Supported.*Film festival"))).to_be_visible()
    shot(page, "06-proposal-list")
    assert Support.objects.filter(participant__user__username="rosa").count() == 2

    # Vote within the budget: the meter follows the choices.
    page.goto(f"{base}/lima/agenda-climatica/vote/")
    status = page.locator("#ballot-status")
    expect(status).to_contain_text("Money left: 1,000\u00a0PEN of 1,000\u00a0PEN")
    page.get_by_label("Green roofs").check()
    expect(status).to_contain_text("Money left: 400\u00a0PEN")
    river = page.locator(".ballot-item", has_text="River park")
    expect(river).to_contain_text("Does not fit in what is left")
    page.get_by_label("Bike lanes").check()
    expect(status).to_contain_text("Money left: 100\u00a0PEN")
    assert_accessible(page, "vote")
    shot(page, "07-vote")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("heading", name="Your ballot is saved")).to_be_visible()
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert_accessible(page, "receipt")
    shot(page, "08-receipt")

    # Change the ballot: it is pre-filled; the receipt code stays.
    page.get_by_role("link", name="Change my ballot").click()
    expect(page.get_by_label("Green roofs")).to_be_checked()
    page.get_by_label("Green roofs").uncheck()
    page.get_by_label("River park").check()
    page.get_by_role("button", name="Save my new ballot").click()
    expect(page.locator("#receipt-code")).to_have_text(code)
    ballot = Ballot.objects.get(participant__user__username="rosa")
    chosen = set(BallotChoice.objects.filter(ballot=ballot)
                 .values_list("proposal__title", flat=True))
    assert chosen == {"Bike lanes", "River park"}

    # My participation lists it all.
    page.get_by_role("link", name="My participation").click()
    expect(page.get_by_text(code)).to_be_visible()
    expect(page.get_by_role("link", name="Migrant welcome desk")).to_be_visible()
    assert_accessible(page, "my participation")
    shot(page, "09-my-participation")


def test_over_budget_ballot_is_refused_by_the_server_without_javascript(
    live_server, new_page, lima
):
    participant = ParticipantFactory(city=lima["city"])
    page = new_page(javascript=False)
    login(page, live_server.url, participant.user.username)
    page.goto(f"{live_server.url}/lima/agenda-climatica/vote/")
    page.get_by_label("Green roofs").check()
    page.get_by_label("River park").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("more than the budget")
    expect(page.get_by_label("Green roofs")).to_be_checked()  # what was sent stays
    assert not Ballot.objects.exists()
    page.get_by_label("River park").uncheck()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("heading", name="Your ballot is saved")).to_be_visible()


def test_moderator_hides_a_flagged_comment_with_a_reason_the_author_reads(
    live_server, new_page, shot, lima
):
    base = live_server.url
    proposal = Proposal.objects.get(title="Film festival")
    author = ParticipantFactory(city=lima["city"], user=UserFactory(username="grumpy"))
    comment = CommentFactory(proposal=proposal, author=author, body="You are all idiots.")
    Flag.objects.create(reporter=ParticipantFactory(city=lima["city"]), comment=comment,
                        reason=Flag.Reason.OFFENSIVE, detail="Insults")
    moderator = UserFactory(username="moderadora")
    ParticipantFactory(user=moderator, city=lima["city"])
    CityRoleFactory(user=moderator, city=lima["city"], role=CityRole.Role.MODERATOR)

    page = new_page()
    login(page, base, "moderadora")
    page.goto(f"{base}/moderation/lima/")
    expect(page.get_by_text("You are all idiots.")).to_be_visible()
    assert_accessible(page, "moderation queue")
    shot(page, "10-moderation-queue")
    page.get_by_role("link", name=re.compile(rf"^Review\W+#{comment.pk}$")).click()
    page.get_by_label("Hide").check()
    page.get_by_label("Reason shown to the author").fill("Insults other participants.")
    assert_accessible(page, "moderation decision")
    shot(page, "11-moderation-decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Your decision is recorded.")).to_be_visible()
    expect(page.get_by_text("Nothing to review.").last).to_be_visible()
    comment.refresh_from_db()
    assert comment.is_hidden

    # Everyone sees a placeholder; the author reads the reason.
    reader = new_page()
    reader.goto(f"{base}/lima/lima-abierta/proposals/{proposal.pk}/")
    expect(reader.get_by_text("This comment is hidden by moderation.")).to_be_visible()
    assert "You are all idiots." not in reader.content()
    author_page = new_page()
    login(author_page, base, "grumpy")
    author_page.goto(f"{base}/lima/lima-abierta/proposals/{proposal.pk}/")
    expect(author_page.get_by_text("Moderators' reason: Insults other participants.")
           ).to_be_visible()
    shot(author_page, "12-author-sees-reason")


def test_citizen_flags_a_comment_and_replies(live_server, new_page, lima):
    proposal = Proposal.objects.get(title="Migrant welcome desk")
    comment = CommentFactory(proposal=proposal, body="Which partner cities?",
                             author=ParticipantFactory(city=lima["city"]))
    participant = ParticipantFactory(city=lima["city"])
    page = new_page()
    login(page, live_server.url, participant.user.username)
    page.goto(f"{live_server.url}/lima/lima-abierta/proposals/{proposal.pk}/")
    page.locator("details.reply summary").first.click()
    page.get_by_label("Your reply").fill("Montevideo and Quito.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your comment is published.")).to_be_visible()
    assert Comment.objects.get(body="Montevideo and Quito.").parent == comment
    page.get_by_role("link", name=re.compile(r"^Report\W+this comment")).first.click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("moderators will review your report")).to_be_visible()
    assert Flag.objects.filter(comment=comment).count() == 1


def test_moderator_on_a_phone_follows_the_header_count_and_rejects_a_proposal(
    live_server, new_page, shot, lima
):
    base = live_server.url
    proposal = Proposal.objects.get(title="Migrant welcome desk")
    Flag.objects.create(reporter=ParticipantFactory(city=lima["city"]), proposal=proposal,
                        reason=Flag.Reason.OFFENSIVE, detail="Not a city matter")
    moderator = UserFactory(username="moderador")
    ParticipantFactory(user=moderator, city=lima["city"])
    CityRoleFactory(user=moderator, city=lima["city"], role=CityRole.Role.MODERATOR)

    page = new_page(width=360)
    login(page, base, "moderador")
    page.get_by_role("link", name=re.compile(r"^Waiting for you\W+1\W+items$")).click()
    page.get_by_role("link", name="Open the moderation queue").click()
    expect(page.get_by_role("heading", name="Reported proposals")).to_be_visible()
    page.get_by_role("link", name=re.compile(rf"^Review\W+#{proposal.pk}$")).click()
    page.get_by_role("link", name="Reject the proposal").click()
    page.get_by_label("Why is the proposal rejected?").fill("The city has no say on migration.")
    assert_accessible(page, "reject a proposal")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the rejection page overflows a phone screen by {overflow}px"
    shot(page, "13-reject-proposal-phone")
    page.get_by_role("button", name="Reject the proposal").click()
    expect(page.get_by_text("The proposal is rejected; its author can read why.")).to_be_visible()
    expect(page.get_by_text("The city has no say on migration.")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED


def test_admin_on_a_phone_edits_a_consultation_previews_and_saves_it(
    live_server, new_page, shot, lima
):
    base = live_server.url
    admin = UserFactory(username="administradora")
    ParticipantFactory(user=admin, city=lima["city"])
    CityRoleFactory(user=admin, city=lima["city"], role=CityRole.Role.ADMIN)

    page = new_page(width=360)
    login(page, base, "administradora")
    page.get_by_role("link", name=re.compile(r"^Waiting for you")).click()
    page.get_by_role("link", name=re.compile(r"^Set up consultations")).click()
    expect(page.get_by_role("link", name="New consultation")).to_be_visible()
    assert_accessible(page, "set-up list")
    page.get_by_role("link", name=re.compile(r"^Edit\W+Lima, ciudad abierta")).click()
    assert_accessible(page, "edit a consultation")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the set-up form overflows a phone screen by {overflow}px"
    shot(page, "14-setup-edit-phone")
    page.locator("#id_title").fill("Lima abierta al mundo")
    page.get_by_role("button", name="Preview, without saving").click()
    expect(page.get_by_text("Nothing is saved yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lima abierta al mundo")).to_be_visible()
    assert_accessible(page, "preview of a consultation")
    lima["proposals"].refresh_from_db()
    assert lima["proposals"].title == "Lima, ciudad abierta 2027–2030"
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    lima["proposals"].refresh_from_db()
    assert lima["proposals"].title == "Lima abierta al mundo"


def test_public_pages_pass_axe_and_fit_a_phone(live_server, new_page, shot, lima):
    closed = ConsultationFactory(city=lima["city"], phase=Phase.RESULTS, slug="pasada",
                                 title="Estrategia 2023–2026", currency="PEN")
    winner = ProposalFactory(consultation=closed, title="Tourism office",
                             status=Proposal.Status.SELECTED)
    ballot = Ballot.objects.create(participant=ParticipantFactory(), consultation=closed)
    BallotChoice.objects.create(ballot=ballot, proposal=winner)
    proposal = Proposal.objects.get(title="Film festival")
    pages = {
        "home": "/",
        "login": "/accounts/login/",
        "password-reset": "/accounts/password_reset/",
        "consultation-voting": "/lima/agenda-climatica/",
        "proposal-list": "/lima/lima-abierta/proposals/",
        "proposal": f"/lima/lima-abierta/proposals/{proposal.pk}/",
        "vote-anonymous": "/lima/agenda-climatica/vote/",
        "results": "/lima/pasada/results/",
        "receipt-check": "/receipts/",
    }
    desktop, phone = new_page(), new_page(width=375)
    for name, path in pages.items():
        for label, page in (("desktop", desktop), ("phone", phone)):
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert_accessible(page, f"{name} ({label})")
            # Nothing wider than the screen on a phone.
            if label == "phone":
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 1, f"{name} overflows a phone screen by {overflow}px"
        shot(desktop, f"20-{name}")
    shot(phone, "21-results-phone")
