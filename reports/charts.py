"""Plotly figures drawn from a report's tables and chart specifications.

A chart is a picture of one table: the spec names the table and its columns, so a published
report's charts are redrawn from its frozen tables (labels in the reader's language). Figures
are returned as plain dicts (``json.loads(fig.to_json())``) for ``json_script``; the page draws
them with the plotly.js served from the installed plotly package. Each chart comes with a short
text summary; its table is always on the page.
"""
from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .selectors import HIDDEN, MIN_CELL, SUPPRESSED, column_label, format_number, is_withheld

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
HIGHLIGHT, MUTED = "#0b5cad", "#9aa3b2"
#: The smallest text a chart draws, in pixels: a label that does not fit at this size is left
#: out of the picture (it stays in the hover text and in the table) rather than shrunk.
MIN_FONT_PX = 12
FONT_PX = 14


def fmt_value(value, kind: str, currency: str = "") -> str:
    """A cell as text for the active language (grouping, decimal mark, currency code)."""
    if value is None or value == "":
        return ""
    if value == SUPPRESSED:
        return f"< {MIN_CELL}"
    if value == HIDDEN:
        return _("hidden")
    if kind == "year":  # a report frozen with a float column of years holds 2026.0
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "money":
        places = 0 if float(value) == int(float(value)) else 2
        return f"{format_number(value, places)}\u00a0{currency}".strip()
    if kind == "percent":
        return f"{format_number(value, 1)}\u00a0%"
    if kind == "ratio":
        return format_number(value, 2)
    if kind in ("number",) and isinstance(value, int | float):
        places = 0 if float(value) == int(float(value)) else 2
        return format_number(value, places)
    if kind == "int" and isinstance(value, int | float):
        return format_number(value, 0)
    return str(value)


def _columns(table: dict) -> dict[str, int]:
    return {column["key"]: i for i, column in enumerate(table["columns"])}


def _values(table: dict, key: str) -> list:
    i = _columns(table)[key]
    return [None if is_withheld(row[i]) else row[i] for row in table["rows"]]


def _layout(fig: go.Figure, *, height: int = 360, money: str = "") -> go.Figure:
    fig.update_layout(
        template="none", colorway=PALETTE, height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": "system-ui, sans-serif", "size": FONT_PX, "color": "#1d2330"},
        uniformtext={"minsize": MIN_FONT_PX, "mode": "hide"},
        legend={"orientation": "h", "y": -0.15},
        separators=formats.get_format("DECIMAL_SEPARATOR") + (
            formats.get_format("THOUSAND_SEPARATOR") or ","),
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _bars(spec: dict, table: dict, *, currency: str, money: str) -> tuple[go.Figure, int]:
    kind = spec["type"]
    x = [str(v) for v in _values(table, spec["x"])]
    limit = spec.get("limit")
    fig = go.Figure()
    colours = None
    if spec.get("highlight"):
        flags = _values(table, spec["highlight"])
        colours = [HIGHLIGHT if f else MUTED for f in flags]
    for n, key in enumerate(spec["y"]):
        y = _values(table, key)
        xs, ys = (x[:limit], y[:limit]) if limit else (x, y)
        trace = dict(name=column_label(key), hovertemplate="%{y}<extra></extra>")
        if kind == "hbar":
            trace = dict(name=column_label(key), y=xs[::-1], x=ys[::-1], orientation="h",
                         hovertemplate="%{y}: %{x}<extra></extra>")
            if colours and n == 0:
                trace["marker"] = {"color": (colours[:limit] if limit else colours)[::-1]}
        else:
            trace.update(x=xs, y=ys)
            if colours and n == 0:
                trace["marker"] = {"color": colours}
        fig.add_trace(go.Bar(**trace))
    rows = min(len(x), limit or len(x))
    height = max(260, 28 * rows * (len(spec["y"]) if kind == "hbar" else 0) + 120) \
        if kind == "hbar" else 360
    fig.update_layout(barmode="group", showlegend=len(spec["y"]) > 1)
    if money:
        (fig.update_xaxes if kind == "hbar" else fig.update_yaxes)(
            title_text=currency)
    return fig, min(height, 1400)


def _stacked_columns(spec: dict, table: dict, *, currency: str,
                     money: str) -> tuple[go.Figure, int]:
    names = [str(v) for v in _values(table, spec["name"])]
    fig = go.Figure()
    for i, name in enumerate(names):
        row = table["rows"][i]
        cols = _columns(table)
        fig.add_trace(go.Bar(name=name, x=[column_label(c) for c in spec["columns"]],
                             y=[row[cols[c]] for c in spec["columns"]]))
    fig.update_layout(barmode="stack", yaxis_title=money or None)
    return fig, 420


def _stacked_long(spec: dict, table: dict, *, currency: str,
                  money: str) -> tuple[go.Figure, int]:
    xs, colours, ys = (_values(table, spec["x"]), _values(table, spec["color"]),
                       _values(table, spec["y"]))
    fig = go.Figure()
    for group in dict.fromkeys(colours):
        points = [(x, y) for x, c, y in zip(xs, colours, ys, strict=True) if c == group]
        fig.add_trace(go.Bar(name=str(group), x=[p[0] for p in points],
                             y=[p[1] for p in points]))
    fig.update_layout(barmode="stack", yaxis_title="%")
    return fig, 400


def _treemap(spec: dict, table: dict, *, currency: str, money: str) -> tuple[go.Figure, int]:
    path, value = spec["path"], spec["value"]
    ids, labels, parents, values = [], [], [], []
    seen = {}
    for row in zip(*[_values(table, k) for k in path], _values(table, value), strict=True):
        amount = row[-1] or 0
        for depth in range(len(path)):
            node = " / ".join(str(p) for p in row[: depth + 1])
            parent = " / ".join(str(p) for p in row[:depth]) if depth else ""
            if node not in seen:
                seen[node] = len(ids)
                ids.append(node)
                labels.append(str(row[depth]))
                parents.append(parent)
                values.append(0.0)
            values[seen[node]] += amount
    fig = go.Figure(go.Treemap(ids=ids, labels=labels, parents=parents, values=values,
                               branchvalues="total", marker={"colors": None},
                               textinfo="label", textfont={"size": FONT_PX},
                               insidetextfont={"size": FONT_PX},
                               pathbar={"textfont": {"size": FONT_PX}},
                               hovertemplate="%{label}: %{value}<extra></extra>"))
    return fig, 460


def _sankey(spec: dict, table: dict, *, currency: str, money: str) -> tuple[go.Figure, int]:
    path, value = spec["path"], spec["value"]
    nodes: dict[tuple[int, str], int] = {}
    links: dict[tuple[int, int], float] = {}
    columns = [_values(table, k) for k in path]
    amounts = _values(table, value)
    for r, amount in enumerate(amounts):
        for level in range(len(path) - 1):
            a = nodes.setdefault((level, str(columns[level][r])), len(nodes))
            b = nodes.setdefault((level + 1, str(columns[level + 1][r])), len(nodes))
            links[(a, b)] = links.get((a, b), 0.0) + float(amount or 0)
    labels = [name for (_level, name), _i in sorted(nodes.items(), key=lambda kv: kv[1])]
    fig = go.Figure(go.Sankey(
        node={"label": labels, "pad": 16, "thickness": 16, "color": HIGHLIGHT},
        textfont={"size": FONT_PX, "color": "#1d2330"},
        link={"source": [a for a, _b in links], "target": [b for _a, b in links],
              "value": list(links.values()), "color": "rgba(11,92,173,0.25)"},
    ))
    return fig, max(360, 28 * len(labels))


#: Each chart type's figure and its height in pixels.
FIGURES = {
    "bar": _bars, "hbar": _bars, "stack_columns": _stacked_columns,
    "stack_long": _stacked_long, "treemap": _treemap, "sankey": _sankey,
}


def figure(spec: dict, table: dict, *, currency: str = "") -> dict | None:
    """The figure of one chart, or None when its table is empty or its type unknown."""
    draw = FIGURES.get(spec["type"])
    if not table["rows"] or draw is None:
        return None
    fig, height = draw(spec, table, currency=currency,
                       money=currency if spec.get("money") else "")
    return json.loads(_layout(fig, height=height).to_json())


NO_DATA = gettext_lazy("No data yet.")


def summary(spec: dict, table: dict, *, currency: str = "") -> str:
    """One or two sentences that say what the chart shows, for everyone and screen readers."""
    rows = table["rows"]
    if not rows:
        return str(NO_DATA)
    kind = spec["type"]
    types = {c["key"]: c["type"] for c in table["columns"]}
    if kind in ("bar", "hbar"):
        labels = _values(table, spec["x"])
        parts = []
        for key in spec["y"]:
            values = _values(table, key)
            known = [(v, lab) for v, lab in zip(values, labels, strict=True) if v is not None]
            if not known:
                continue
            top_value, top_label = max(known, key=lambda item: item[0])
            parts.append(_("%(what)s: highest for %(label)s (%(value)s).") % {
                "what": column_label(key), "label": top_label,
                "value": fmt_value(top_value, types[key], currency)})
        hidden = sum(1 for row in rows if any(is_withheld(value) for value in row))
        if hidden:
            parts.append(_("%(n)s groups are not shown to protect privacy (fewer than 10 "
                           "people, or hidden so that such a group cannot be worked out).")
                         % {"n": hidden})
        return " ".join(parts) or str(NO_DATA)
    if kind == "stack_columns":
        cols = _columns(table)
        totals = [(sum(float(r[cols[c]] or 0) for r in rows), c) for c in spec["columns"]]
        if not totals:
            return str(NO_DATA)
        top = max(totals)
        return _("%(n)s series stacked; the largest column is %(label)s with %(value)s.") % {
            "n": len(rows), "label": column_label(top[1]),
            "value": fmt_value(top[0], "money" if spec.get("money") else "number", currency)}
    if kind == "stack_long":
        return _("Each bar shows how a city's approved plan budget splits between themes, in "
                 "percent (currencies differ between cities).")
    if kind == "treemap":
        values = _values(table, spec["value"])
        labels = _values(table, spec["path"][-1])
        top_value, top_label = max(zip(values, labels, strict=True),
                                   key=lambda item: item[0] or 0)
        return _("%(n)s actions; the largest is %(label)s with %(value)s.") % {
            "n": len(rows), "label": top_label,
            "value": fmt_value(top_value, "money", currency)}
    if kind == "sankey":
        sources = {row[0] for row in rows}
        middle = {row[1] for row in rows}
        return _("%(sources)s proposals (or planners' additions) flow into %(actions)s plan "
                 "actions; the width of each band is the action's budget.") % {
            "sources": len(sources), "actions": len(middle)}
    return ""


def charts_for(report: dict) -> list[dict[str, Any]]:
    """Every chart of a report in words (`selectors.report_in_language`), ready for a
    template: id, title, figure, summary, table."""
    from .selectors import table_title

    currency = report.get("meta", {}).get("currency", "")
    drawn = []
    for spec in report.get("charts", []):
        table = report["tables"].get(spec["table"])
        if table is None:
            continue
        drawn.append({
            "id": spec["id"], "table_name": spec["table"], "title": table_title(spec["table"]),
            "figure": figure(spec, table, currency=currency),
            "summary": summary(spec, table, currency=currency),
        })
    return drawn


def present_table(name: str, table: dict, *, currency: str = "",
                  exports: dict[str, str] | None = None) -> dict[str, Any]:
    """A table in words (`selectors.worded_table`) formatted for a page: caption, headers,
    cells as text (numbers grouped for the language, money with its currency code, suppressed
    cells as "< MIN_CELL")."""
    from .selectors import table_title

    numeric = {"int", "money", "percent", "ratio", "number"}
    columns = table["columns"]
    rows = []
    for row in table["rows"]:
        rows.append([
            {"text": fmt_value(value, column["type"], currency),
             "numeric": column["type"] in numeric,
             "suppressed": is_withheld(value)}
            for value, column in zip(row, columns, strict=True)
        ])
    return {
        "name": name,
        "title": table_title(name),
        "headers": [{"label": column_label(c["key"]), "numeric": c["type"] in numeric}
                    for c in columns],
        "rows": rows,
        "suppressed": table.get("suppressed", 0),
        "exports": exports or {},
    }
