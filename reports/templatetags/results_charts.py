"""The chart of the public results page: support per proposal as horizontal bars, the selected
proposals in a colour of their own (named in the legend) once the selection may be shown.

consult's results page loads this library by name (``{% load results_charts %}``), as it loads
planning's tags, so consult does not import reports. The figure is a plain dict for
``json_script``; ``static/reports/reports.js`` draws it with the plotly.js Cabildo serves, and the
votes table below the chart stays the accessible alternative."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go
from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports.charts import MUTED, PALETTE, _layout

register = template.Library()

#: At most this many bars (the proposals with the most support); the table lists them all.
RESULTS_CHART_LIMIT = 40
#: Longer titles are cut on the axis (the hover shows them whole), so that the bars keep room
#: on a 360 px screen.
LABEL_CHARS = 22
SELECTED_COLOUR = PALETTE[0]

SHOWS_VOTES = gettext_lazy("Votes per proposal, the most supported first.")
SHOWS_POINTS = gettext_lazy("Points per proposal, the most supported first.")
SHOWS_SELECTION = gettext_lazy("The selected proposals are drawn in a colour of their own.")


def _labels(titles: list[str]) -> list[str]:
    """Short, unique axis labels (two proposals may share a title)."""
    cut = [t if len(t) <= LABEL_CHARS else t[: LABEL_CHARS - 1].rstrip() + "…" for t in titles]
    seen: Counter[str] = Counter()
    labels = []
    for label in cut:
        seen[label] += 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def results_figure(rows: Iterable, *, selected_ids: Iterable[int] | None,
                   cumulative: bool = False, limit: int = RESULTS_CHART_LIMIT
                   ) -> dict[str, Any] | None:
    """The figure (a plotly dict) of the proposals ``rows`` (with ``pk``, ``title``, ``votes``
    and ``points``), sorted by support, or None when there is nothing to draw. With
    ``selected_ids`` (the selection may be shown) two traces: selected and not selected."""
    value = (lambda p: p.points) if cumulative else (lambda p: p.votes)
    ranked = sorted(rows, key=lambda p: (-(value(p) or 0), p.title.casefold(), p.pk))[:limit]
    if not ranked:
        return None
    labels = _labels([p.title for p in ranked])
    what = _("Points") if cumulative else _("Votes")
    fig = go.Figure()

    def bars(name: str, members: list[int], colour: str) -> None:
        fig.add_trace(go.Bar(
            name=name, orientation="h", y=[labels[i] for i in members],
            x=[value(ranked[i]) for i in members],
            customdata=[ranked[i].title for i in members],
            marker={"color": colour},
            hovertemplate="%{customdata}: %{x}<extra></extra>"))

    everyone = list(range(len(ranked)))
    if selected_ids is None:
        bars(what, everyone, PALETTE[0])
    else:
        chosen = set(selected_ids)
        bars(_("Selected"), [i for i in everyone if ranked[i].pk in chosen], SELECTED_COLOUR)
        bars(_("Not selected"), [i for i in everyone if ranked[i].pk not in chosen], MUTED)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], tickfont={"size": 12})
    fig.update_xaxes(title_text=what, rangemode="tozero")
    height = max(260, 26 * len(ranked) + 120)
    fig = _layout(fig, height=height)
    # The legend above the bars (below, it would sit under the axis title on a phone).
    fig.update_layout(barmode="stack", showlegend=selected_ids is not None,
                      legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                              "traceorder": "normal"},
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return json.loads(fig.to_json())


def results_chart_summary(n_rows: int, *, shows_selection: bool, cumulative: bool,
                          limit: int = RESULTS_CHART_LIMIT) -> str:
    """What the chart shows, in words (under its title and for screen readers)."""
    parts = [str(SHOWS_POINTS if cumulative else SHOWS_VOTES)]
    if shows_selection:
        parts.append(str(SHOWS_SELECTION))
    if n_rows > limit:
        parts.append(ngettext(
            "Only the %(n)s proposal with the most support is drawn; the table lists them all.",
            "Only the %(n)s proposals with the most support are drawn; the table lists them all.",
            limit) % {"n": limit})
    return " ".join(parts)


@register.simple_tag
def results_chart(consultation, rows, show_selection=False, selected_ids=None):
    """For consult's results page: ``{"figure", "summary"}`` of the support per proposal,
    with the selection when ``show_selection`` (``selected_ids``: the official count's
    proposals), or None when no proposal received votes."""
    rows = list(rows or [])
    cumulative = consultation.voting_method == "cumulative"
    chosen = list(selected_ids or []) if show_selection else None
    figure = results_figure(rows, selected_ids=chosen, cumulative=cumulative)
    if figure is None:
        return None
    return {"figure": figure,
            "summary": results_chart_summary(len(rows), shows_selection=chosen is not None,
                                             cumulative=cumulative)}
