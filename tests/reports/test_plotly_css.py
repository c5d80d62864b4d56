"""plotly.js's styles are static files made from the installed bundle (reports/plotly_css.py):
they match the bundle, so that the charts need no inline style under the CSP. After an upgrade
of plotly that changes them: `python -m reports.plotly_css` and commit the files."""
from __future__ import annotations

import pytest

from reports import plotly_css

SOURCE = plotly_css.bundle().read_text(encoding="utf-8")
REGENERATE = "out of date with the installed plotly: run `python -m reports.plotly_css`"


def test_the_static_styles_match_the_installed_bundle():
    made = plotly_css.files(SOURCE)
    for path, content in made.items():
        assert path.is_file(), f"{path} is missing: {REGENERATE}"
        assert path.read_text(encoding="utf-8") == content, f"{path} is {REGENERATE}"
    static = plotly_css.ROOT / "static" / plotly_css.STATIC
    stale = {path for path in static.glob("plotly*.css")} - set(made)
    assert not stale, f"{stale} are no longer made: delete them"


def test_the_rules_are_read_as_plotly_applies_them():
    rules = plotly_css.rules(SOURCE)
    assert rules[0][0] == "X,X div" and len(rules) > 40
    css = plotly_css.global_stylesheet(SOURCE)
    assert ".js-plotly-plot .plotly .modebar{" in css
    assert ".plotly-notifier{" in css  # a key the minifier left unquoted (Y:)
    # Each rule is inserted at index 0: the bundle's last rule comes first, its first last.
    assert css.splitlines()[1].startswith(rules[-1][0].replace("Y", ".plotly-notifier"))
    assert css.splitlines()[-1].startswith(".js-plotly-plot .plotly,.js-plotly-plot .plotly div{")


def test_a_bundle_without_the_rules_is_an_error():
    with pytest.raises(ValueError):
        plotly_css.rules("var a={};")


def test_the_include_links_each_file_with_the_id_plotly_checks():
    include = plotly_css.files(SOURCE)[plotly_css.INCLUDE]
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in include
    for element_id, _css in plotly_css.inserted_stylesheets(SOURCE):
        assert f'id="{element_id}"' in include
