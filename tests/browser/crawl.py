"""Find the pages a visitor can reach by following links, one page per kind, and check each in a
browser: nothing wider than the viewport, the page's language, no raw number in the text.

The links are collected with Django's test client (fast, in-process); the pages are then loaded
in Chromium. A page's kind is its URL pattern, refined by the consultation's phase (a proposal
page in the voting phase is another kind than one in the results phase) and by the plan's
status: one page of each kind is enough to check a layout.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

#: Not pages to look at: leaving, switching language, the admin, files, the API, one-off links.
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/admin/", "/static/", "/media/", "/api/",
                 "/notifications/unsubscribe/", "/.well-known/")
SKIP_PARTS = ("/pack/", "/tables/")
SKIP_ENDINGS = (".json", ".csv", ".pb", ".zip", ".xlsx", ".ods", ".pdf", ".txt", ".xml")
#: Raw numbers a template printed without formatting: a float with seven or more digits, or a
#: year that went through a float column ("2026.0").
RAW_NUMBER = re.compile(r"\d{7,}\.\d|\b(?:19|20)\d\d\.0\b")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str, here: str) -> list[str]:
    """Same-site paths (with their query) that an <a> of the page points to."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _fragment = urldefrag(urljoin(here, href))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        path = parts.path
        if (path.startswith(SKIP_PREFIXES) or any(p in path for p in SKIP_PARTS)
                or path.endswith(SKIP_ENDINGS)):
            continue
        found.append(path + (f"?{parts.query}" if parts.query else ""))
    return found


#: Pages that look different in each phase of their consultation.
BY_PHASE = {"consult:consultation", "consult:proposal", "consult:results"}


def kind_of(path: str) -> str | None:
    """The kind of page a path shows (None: not a page of the site)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    kind = match.view_name
    kwargs = match.kwargs
    if match.view_name in BY_PHASE and "city" in kwargs and "slug" in kwargs:
        from consult.models import Consultation

        consultation = Consultation.objects.filter(
            city__slug=kwargs["city"], slug=kwargs["slug"]).first()
        if consultation is not None:
            kind += f"[{consultation.phase}]"
    elif match.namespace == "planning" and "pk" in kwargs and match.url_name != "proposal_fate":
        from planning.models import StrategyPlan

        status = StrategyPlan.objects.filter(pk=kwargs["pk"]).values_list(
            "status", flat=True).first()
        kind += f"[{status}]"
    return kind


@dataclass
class Found:
    path: str
    kind: str
    who: str  # the username that reached it ("" for anonymous)


def crawl(users: dict[str, object], *, limit: int = 60, per_user: int = 400) -> list[Found]:
    """Breadth-first over the links each person sees, from the home page; the first page of each
    kind is kept (at most `limit` kinds). `users` maps a name to a user, or None (anonymous)."""
    kept: dict[str, Found] = {}
    for name, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        seen_paths: set[str] = set()
        seen_kinds: set[str] = set()
        queue = deque(["/"])
        fetched = 0
        while queue and fetched < per_user and len(kept) < limit:
            path = queue.popleft()
            if path in seen_paths:
                continue
            seen_paths.add(path)
            kind = kind_of(path.split("?")[0])
            if kind is None or kind in seen_kinds:
                continue
            seen_kinds.add(kind)
            response = client.get(path, follow=True)
            fetched += 1
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            final = response.request["PATH_INFO"]
            if response.request.get("QUERY_STRING"):
                final += "?" + response.request["QUERY_STRING"]
            final_kind = kind_of(final.split("?")[0]) or kind
            seen_kinds.add(final_kind)
            if final_kind not in kept:
                kept[final_kind] = Found(final, final_kind, name if user is not None else "")
            queue.extend(links_in(response.content.decode(), f"http://testserver{final}"))
    return list(kept.values())


#: The innermost elements that reach past the viewport's right edge (by their box or by content
#: spilling out of it) outside any scroll box of their own: the culprits, with the nearest
#: named ancestor for context.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const over = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const reach = getComputedStyle(el).overflowX === 'visible'
      ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
    if (reach > width + 0.5 && !clipped(el)) over.push([el, reach]);
  }
  const parents = new Set(over.map(([el]) => el.parentElement));
  return over.filter(([el]) => !parents.has(el)).slice(0, 3).map(([el, reach]) => {
    let context = el.parentElement;
    while (context && context !== document.body && !(context.id || context.className))
      context = context.parentElement;
    const where = context && context !== document.body ? ' in ' + name(context) : '';
    return `${name(el)}${where} reaches ${Math.round(reach)} px: ` +
      `"${(el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
  });
}"""


def problems(page, *, width: int, language: str | None = None) -> list[str]:
    """What is wrong with the page as loaded: sideways scrolling, a wrong <html lang>, raw
    numbers in the visible text."""
    found = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        widest = page.evaluate(WIDEST)
        found.append(f"{scroll} px wide at {width} px; widest: {'; '.join(widest) or '?'}")
    if language is not None:
        lang = page.evaluate("document.documentElement.lang")
        if lang.lower() != language:
            found.append(f'<html lang="{lang}">, asked for {language}')
        text = page.evaluate("document.body.innerText")
        raw = sorted({m.group(0) for m in RAW_NUMBER.finditer(text)})
        if raw:
            found.append(f"raw numbers in the text: {raw[:5]}")
    return found
