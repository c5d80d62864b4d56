"""``manage.py tally FILE.pb --rule RULE``: count a Pabulib file with the counting engine."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

RULE_CHOICES = ["greedy", "mes", "mes-add1", "mes-add1u", "mes-greedy", "phragmen"]
# as planning.counting.ADD1_STOPS / COMPARISONS (not imported here: `manage.py help` and other
# commands start without numpy; tests/counting/test_tally_command.py checks they agree)
ADD1_STOP_CHOICES = ["exhaustive", "overspend"]
COMPARISON_CHOICES = ["satisfaction", "exclusion"]


class Command(BaseCommand):
    help = "Count a Pabulib (.pb) file with one rule and print the outcome (json or table)."
    # Counting a file needs neither the database nor the URLs: skipping the system checks keeps
    # start-up short (they would import every view, pandas and plotly included).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a Pabulib .pb file")
        parser.add_argument("--rule", required=True, choices=RULE_CHOICES)
        parser.add_argument("--min-votes", type=int, default=0,
                            help="drop projects with fewer supporters first (default 0)")
        parser.add_argument("--tie-break", default="lexicographic",
                            choices=["lexicographic", "votes-then-cost"])
        parser.add_argument("--add1-stop", default="exhaustive", choices=ADD1_STOP_CHOICES,
                            help="mes-add1, mes-add1u: stop raising the per-voter budget at the "
                                 "first exhaustive outcome (default, pabutools) or only when "
                                 "the next step would overspend (equalshares.net's tool)")
        parser.add_argument("--comparison", default=None, choices=COMPARISON_CHOICES,
                            help="Equal Shares rules: compare with the greedy outcome and keep "
                                 "the one more voters prefer (equalshares.net's comparison "
                                 "step); off by default")
        parser.add_argument("--format", default="json", choices=["json", "table"])

    def handle(self, *args, **options):
        # imported here so that `manage.py help` and other commands start without numpy
        from planning.counting import CountingError, count, pabulib

        if options["min_votes"] < 0:
            raise CommandError("--min-votes must not be negative", returncode=2)
        try:
            meta, election, extras = pabulib.read(options["file"])
        except pabulib.PabulibError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            outcome = count(election, options["rule"], min_votes=options["min_votes"],
                            tie_break=options["tie_break"], add1_stop=options["add1_stop"],
                            comparison=options["comparison"])
        except CountingError as exc:
            raise CommandError(str(exc), returncode=2) from None
        data = outcome.to_dict()
        data["file"] = options["file"]
        data["input_hash"] = election.input_hash()
        official = extras.official_selected()
        if official is not None:
            data["official_selected"] = official
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(_table(data, election))


def _table(data: dict, election) -> str:
    ids = election.project_ids
    costs = dict(zip(ids, election.costs_exact, strict=True))
    rows = []
    order = {p: k for k, p in enumerate(data["selection_order"], start=1)}
    for pid in sorted(ids, key=lambda p: (order.get(p, 10**9), p)):
        ex = data["explanations"][pid]
        if ex["status"] == "selected":
            detail = _selected_detail(ex)
        else:
            detail = ex.get("reason", "").replace("_", " ")
        rows.append((str(order.get(pid, "")), pid, f"{costs[pid]}", str(ex.get("votes", "")),
                     "yes" if ex["status"] == "selected" else "no", detail))
    head = ("#", "project", "cost", "votes", "selected", "why")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    widths[-1] = min(widths[-1], 60)

    def line(r):
        return "  ".join(c.ljust(widths[i]) if i < 5 else c for i, c in enumerate(r)).rstrip()

    out = [
        f"rule: {data['rule']}  tie-break: {data['tie_break']}  min votes: {data['min_votes']}",
        f"voters: {data['n_voters']}  projects: {data['n_projects']}  "
        f"budget: {data['budget']}  spent: {data['total_cost']}  "
        f"selected: {len(data['selected'])}",
    ]
    if data["options"]:
        out.append("options: " + "  ".join(f"{k.replace('_', ' ')}: {v or 'none'}"
                                           for k, v in data["options"].items()))
    trace = data["trace"]
    if "runs" in trace:
        out.append(f"add1: {trace['runs']} per-voter budgets tried, stopped by "
                   f"{(trace['stopped_by'] or '-').replace('_', ' ')} at "
                   f"{trace['voter_budget']:.2f} per voter")
    if trace.get("completion"):
        out.append("greedy completion added: " + ", ".join(trace["completion"]))
    cmp = data["comparison"]
    if cmp:
        out.append(f"comparison ({cmp['method']}): {cmp['prefer_equal_shares']} voters prefer "
                   f"equal shares, {cmp['prefer_greedy']} prefer greedy "
                   f"({', '.join(cmp['greedy']['selected'])}); kept: "
                   f"{cmp['kept'].replace('_', ' ')}")
    out += [
        "",
        line(head),
        line(tuple("-" * w for w in widths)),
        *[line(r) for r in rows],
    ]
    return "\n".join(out)


def _selected_detail(ex: dict) -> str:
    if "price_per_supporter" in ex:
        return (f"round {ex['round']}: {ex['price_per_supporter']:.2f} per supporter, "
                f"effective votes {ex['effective_votes']:.1f}")
    if "time" in ex:
        return f"round {ex['round']}: load {ex['time']:.4g}"
    if "rank" in ex:
        return f"rank {ex['rank']}, fitted"
    return ""
