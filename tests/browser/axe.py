"""Run axe-core in the page and fail on serious or critical WCAG 2.1 A/AA violations.

axe.min.js comes from an installed package, never from a CDN: the `axe-playwright-python`
wheel ships it (pip), or `npm install axe-core` puts it in node_modules/. AXE_JS may point
at another copy.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_source() -> str | None:
    candidates = []
    if os.environ.get("AXE_JS"):
        candidates.append(Path(os.environ["AXE_JS"]))
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec and spec.origin:
        candidates.append(Path(spec.origin).parent / "axe.min.js")
    candidates.append(ROOT / "node_modules" / "axe-core" / "axe.min.js")
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def violations(page) -> list[dict]:
    """Serious and critical violations on the page as it is now."""
    from tests.needs import needs

    source = axe_source()
    needs(source is not None, "axe-core is not installed (pip install axe-playwright-python, "
                              "or npm install axe-core)")
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})",
        TAGS,
    )
    return [
        {
            "id": v["id"], "impact": v["impact"], "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def assert_accessible(page, name: str) -> None:
    found = violations(page)
    assert not found, f"axe: serious/critical violations on {name}: {found}"
