"""Every page the demo links to, on a phone: nothing scrolls sideways.

The demo is seeded small; the links are followed from the home page, anonymously and as the
demo's citizen, planners, council member and moderator (tests/browser/crawl.py), keeping one
page of each kind. Every page is loaded at 360 px and at 1280 px in the four languages: no
sideways scrolling, `<html lang>` as asked, no raw number in the visible text (seven digits
with a decimal point, a year ending in ".0"). axe runs on every page (English, 360 px) and on a
representative set (`FULL`) in every language and width: no serious or critical violation.
"""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.axe import violations
from tests.browser.crawl import crawl, problems

pytestmark = pytest.mark.django_db(transaction=True)

#: The demo's citizen, Mexico City's planner and council member (an approved plan), its
#: moderator, Montevideo's planner (a plan in review) and Medellín's (a draft, with its forms),
#: a resident still to verify and Lima's ballot clerk (paper ballots).
PEOPLE = ("ciudadana", "planificador", "concejal", "moderadora", "planificador-montevideo",
          "planificadora-medellin", "vecino", "escrutadora-lima")
LANGUAGES = ("es", "pt-br", "fr", "en")
PHONE, DESKTOP = 360, 1280
MAX_PAGES = 100
#: The kinds of page checked in full: the public path of the closed loop and the staff pages
#: with the widest tables and the charts.
FULL = (
    "consult:home", "consult:consultation[results]", "consult:proposal[results]",
    "consult:results[results]", "consult:vote", "planning:public[approved]",
    "planning:workspace[approved]", "reports:published", "consult:moderation",
)
#: Pages the crawl must reach besides: a draft plan's workspace and edit forms, a plan in
#: review, the diff of two versions.
REACHED = (
    "planning:workspace[draft]", "planning:plan_edit[draft]", "planning:objective_edit[draft]",
    "planning:action_edit[draft]", "planning:workspace[in_review]", "planning:diff[approved]",
    "consult:verify_residence", "consult:paper_entry", "consult:paper_mismatches",
    "consult:paper_import",
)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", participants=300, stdout=_Quiet(), stderr=_Quiet())
    call_command("seed_plans", stdout=_Quiet())
    call_command("seed_reports", stdout=_Quiet())
    users = get_user_model().objects.in_bulk(PEOPLE, field_name="username")
    return {"": None} | {name: users[name] for name in PEOPLE}


class _Quiet:
    """Swallows the seeding commands' output (and progress bars)."""

    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def _pages(browser, live_server, users, *, width: int, language: str):
    """One page (a tab) per person, at `width`, asking for `language`."""
    pages = {}

    def page_of(name):
        if name not in pages:
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          locale="en-GB")
            context.set_default_timeout(15_000)
            cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
            if users[name] is not None:
                client = Client()
                client.force_login(users[name])
                cookies.append({"name": "sessionid", "url": live_server.url,
                                "value": client.cookies["sessionid"].value})
            context.add_cookies(cookies)
            pages[name] = context.new_page()
        return pages[name]

    return page_of, pages


def _visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator("[data-figure]").count():  # charts: drawn after the deferred scripts
        page.wait_for_function(
            "[...document.querySelectorAll('[data-figure]')]"
            ".every(el => el.classList.contains('is-drawn'))", timeout=10_000)


def test_every_page_fits_a_phone_and_the_main_ones_pass_in_every_language(
        live_server, browser, demo):
    started = time.monotonic()
    found = crawl(demo, limit=MAX_PAGES)
    kinds = {page.kind for page in found}
    crawled = time.monotonic()
    assert len(found) >= 40, f"the crawl found only {sorted(kinds)}"
    assert set(FULL) | set(REACHED) <= kinds, f"not reached: {set(FULL + REACHED) - kinds}"

    failures = []
    axed = 0
    for language in LANGUAGES:
        for width in (PHONE, DESKTOP):
            page_of, pages = _pages(browser, live_server, demo, width=width, language=language)
            for found_page in found:
                page = page_of(found_page.who)
                _visit(page, live_server.url + found_page.path)
                where = f"{found_page.path} (as {found_page.who or 'anonymous'}, {language}, " \
                        f"{width} px)"
                failures += [f"{where}: {problem}"
                             for problem in problems(page, width=width, language=language)]
                # axe: every page once (the layout and its structure), the main ones in
                # every language and width (their texts and charts change with both)
                if found_page.kind in FULL or (language, width) == ("en", PHONE):
                    axed += 1
                    failures += [f"{where}: axe {v['id']} ({v['impact']}): {v['help']} "
                                 f"{v['nodes']}" for v in violations(page)]
            for page in pages.values():
                page.context.close()
    done = time.monotonic()
    print(f"\n{len(found)} pages at {PHONE} and {DESKTOP} px in {len(LANGUAGES)} languages, "
          f"{axed} axe runs; crawl {crawled - started:.0f} s, checks {done - crawled:.0f} s")
    assert not failures, "\n".join(failures)
