"""Markdown written by participants, rendered to HTML that is safe to show to everyone.

Markdown is converted first, then the HTML is cleaned with nh3 (an allow-list sanitiser): raw
HTML, scripts, styles, event handlers and `javascript:` links never survive.
"""
from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Participant Markdown → sanitised HTML. Headings start at level 2 (the page owns h1)."""
    if not text:
        return mark_safe("")
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    # The page title is the only h1: demote a participant's top-level headings.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
