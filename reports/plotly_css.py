"""plotly.js's own styles as static files, so that the charts need no inline style.

As it loads and draws, plotly.js inserts ``<style>`` elements, which a Content-Security-Policy
without ``'unsafe-inline'`` for styles blocks:

- its base rules (mode bar, hover labels, notifier) go into ``#plotly.js-style-global``, unless
  the page already has an element with that id and the class ``no-inline-styles``;
- the full bundle adds MapLibre's stylesheet into a ``<style>`` with a fixed id, unless an
  element with that id exists.

So the report pages link these rules as files, with those ids (templates/reports/
_plotly_styles.html). Everything is made from the installed bundle by
``python -m reports.plotly_css``; tests/reports/test_plotly_css.py fails when an upgrade of
plotly changes it (run the command again and commit the result).
"""
from __future__ import annotations

import json
import re
import sys
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = "reports"  # under static/
INCLUDE = ROOT / "templates" / "reports" / "_plotly_styles.html"

_STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
# A key is a string or, where the minifier dropped the quotes, a bare name (Y: "…").
_PAIR = re.compile(rf"\s*({_STRING}|[A-Za-z_$][\w$]*)\s*:\s*({_STRING})\s*([,}}])")
_INSERTED = re.compile(
    r'document\.getElementById\("([\w-]+)"\)\)\{var (\w+)=document\.createElement\("style"\);'
    r'\2\.id="\1",\2\.textContent=`([^`]*)`')


def bundle() -> Path:
    return Path(find_spec("plotly").origin).resolve().parent / "package_data" / "plotly.min.js"


def _string(literal: str) -> str:
    if literal[0] not in "'\"":
        return literal
    if literal[0] == "'":
        literal = '"' + literal[1:-1].replace('\\"', '"').replace("\\'", "'").replace(
            '"', '\\"') + '"'
    return json.loads(literal)


def rules(source: str) -> list[tuple[str, str]]:
    """The (selector, declarations) of plotly.js's global stylesheet, in the bundle's order."""
    start = source.find('{"X,X div":')
    if start < 0:
        raise ValueError("plotly.js's style rules were not found in the bundle")
    found, at = [], start + 1
    while True:
        match = _PAIR.match(source, at)
        if match is None:
            raise ValueError(f"cannot read plotly.js's style rules at offset {at}")
        found.append((_string(match[1]), _string(match[2])))
        at = match.end()
        if match[3] == "}":
            return found


def global_stylesheet(source: str) -> str:
    """The rules as plotly.js would apply them: X and Y expanded, and in reverse order (each is
    inserted at index 0 of its sheet, so the last one ends first)."""
    lines = [HEADER]
    for selector, declarations in reversed(rules(source)):
        selector = re.sub(r"^,", " ,", selector)
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace(
            "Y", ".plotly-notifier")
        lines.append(f"{selector}{{{declarations}}}")
    return "\n".join(lines) + "\n"


def inserted_stylesheets(source: str) -> list[tuple[str, str]]:
    """The (element id, CSS) of each ``<style>`` the bundle inserts whole (MapLibre's)."""
    found = []
    for match in _INSERTED.finditer(source):
        if "${" in match[3] or "\\" in match[3]:
            raise ValueError(f"the stylesheet #{match[1]} is not plain text in the bundle")
        found.append((match[1], match[3]))
    return found


HEADER = "/* From the installed plotly.js bundle by reports/plotly_css.py: do not edit. */"


def files(source: str) -> dict[Path, str]:
    """Every file the command writes, by path, with its content."""
    out = {ROOT / "static" / STATIC / "plotly.css": global_stylesheet(source)}
    links = ['<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" '
             "href=\"{% static 'reports/plotly.css' %}\">"]
    for n, (element_id, css) in enumerate(inserted_stylesheets(source), start=1):
        name = f"plotly-inserted-{n}.css"
        out[ROOT / "static" / STATIC / name] = f"{HEADER}\n{css}\n"
        links.append(f'<link rel="stylesheet" id="{element_id}" '
                     f"href=\"{{% static 'reports/{name}' %}}\">")
    out[INCLUDE] = (
        "{% load static %}{# plotly.js's styles as files, with the ids it looks for before it "
        "inserts a <style>: made by reports/plotly_css.py, do not edit. #}\n"
        + "\n".join(links) + "\n")
    return out


def main() -> None:
    for path, content in files(bundle().read_text(encoding="utf-8")).items():
        path.write_text(content, encoding="utf-8")
        sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
