"""An author reads what became of her proposal, starting from her inbox: the results are
published, the header says she has a notification, the inbox names her proposal, and the link
opens the proposal at its fate — not selected, with the figures that say why — in her
language, on a phone as on a desktop."""
from __future__ import annotations

import importlib.util
from decimal import Decimal

import pytest

from tests.needs import CHROMIUM, needs  # noqa: E402

needs(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
needs(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)")

from django.test import Client  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from consult import services as consult_services  # noqa: E402
from consult.models import Consultation, Phase  # noqa: E402
from planning.services import count_run_create, results_publish  # noqa: E402
from tests.factories import (  # noqa: E402
    CityFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    phase_dates,
)

from .axe import assert_accessible  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def page_as(new_page, live_server, user, **options):
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


@pytest.fixture
def published():
    """The small election of tests/planning/test_fates.py, counted with equal shares and
    published: Beta (50) is not selected, its two voters had 10 left (20 %), their 40 went to
    Alpha."""
    city = CityFactory(slug="rivera", name="Rivera", currency="UYU",
                       timezone="America/Montevideo")
    consultation = ConsultationFactory(city=city, phase=Phase.VOTING, budget=Decimal("100"),
                                       max_choices=3, currency="UYU")
    author = ParticipantFactory(city=city)
    a = ProposalFactory(consultation=consultation, title="Alpha", estimated_cost=Decimal("60"))
    b = ProposalFactory(consultation=consultation, title="Beta", estimated_cost=Decimal("50"),
                        author=author)
    c = ProposalFactory(consultation=consultation, title="Gamma", estimated_cost=Decimal("30"))
    for chosen in ([a, b], [a, b], [a], [c]):
        consult_services.ballot_submit(participant=ParticipantFactory(city=city),
                                       consultation=consultation,
                                       choices={p.pk: 1 for p in chosen})
    Consultation.objects.filter(pk=consultation.pk).update(**phase_dates(Phase.RESULTS))
    consultation.refresh_from_db()
    count_run_create(consultation=consultation, rule="mes", official=True)
    results_publish(consultation=consultation, user=None)
    return author.user, b


@pytest.mark.parametrize("width", [1280, 360])
def test_an_author_reads_her_proposals_fate_from_the_inbox(live_server, new_page, shot,
                                                           published, width):
    user, beta = published
    page = page_as(new_page, live_server, user, width=width)
    page.goto(f"{live_server.url}/")
    header_link = page.get_by_role("link", name="Notifications")
    expect(header_link).to_contain_text("1")
    header_link.click()
    assert_accessible(page, "inbox")
    told = page.get_by_role("link", name="“Beta” was not selected", exact=False)
    expect(told).to_be_visible()
    told.click()
    page.wait_for_url(f"**/{beta.pk}/**#fate")
    fate = page.locator("#fate")
    expect(fate).to_be_visible()
    expect(fate.get_by_role("heading", name="What became of this proposal")).to_be_visible()
    expect(fate).to_contain_text("Not selected")
    expect(fate).to_contain_text("its 2 supporters had 10\u00a0UYU left between them: 20%")
    expect(fate).to_contain_text("Their money went to the selected “Alpha” (40\u00a0UYU)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, "proposal fate")
    shot(page, f"fate-from-inbox-{width}")
    # Read: the header count is gone.
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".notification--unread")).to_have_count(0)


def test_the_fate_reads_in_the_authors_language(live_server, new_page, published):
    user, beta = published
    page = page_as(new_page, live_server, user, locale="es-419")
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="«Beta»", exact=False).click()
    fate = page.locator("#fate")
    expect(fate).to_contain_text("No seleccionada")
    expect(fate).to_contain_text("20\u00a0%")
    expect(fate).to_contain_text("«Alpha»")
