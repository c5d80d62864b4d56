"""The difference between two plan snapshots (PlanVersion.snapshot): a pure function over two
dicts, no database. Actions, objectives and indicators are matched by id (versions of one plan
keep the ids of its rows); budget lines by (action, year, source, type)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

PLAN_FIELDS = ("title", "description", "start_year", "end_year", "currency", "envelope")
OBJECTIVE_FIELDS = ("title", "description", "result_level")
ACTION_FIELDS = ("title", "description", "objective_title", "department", "partners",
                 "partner_cities", "rank", "proposals")
INDICATOR_FIELDS = ("title", "measure", "unit_label", "ascending", "baseline_year",
                    "baseline_value", "baseline_comment", "means_of_verification", "assumptions",
                    "targets")


def _changes(old: dict, new: dict, fields: tuple[str, ...]) -> list[dict]:
    return [
        {"field": name, "old": old.get(name), "new": new.get(name)}
        for name in fields
        if old.get(name) != new.get(name)
    ]


def _by_id(items: list[dict]) -> dict[Any, dict]:
    return {item["id"]: item for item in items}


def _compare(old: list[dict], new: list[dict], fields: tuple[str, ...]) -> dict[str, list]:
    before, after = _by_id(old), _by_id(new)
    changed = []
    for key in after.keys() & before.keys():
        changes = _changes(before[key], after[key], fields)
        if changes:
            changed.append({"id": key, "title": after[key].get("title"), "changes": changes})
    return {
        "added": [after[key] for key in after if key not in before],
        "removed": [before[key] for key in before if key not in after],
        "changed": sorted(changed, key=lambda item: str(item["title"])),
    }


def _lines(snapshot: dict) -> dict[tuple, dict]:
    lines = {}
    for action in snapshot.get("actions", []):
        for line in action.get("budget_lines", []):
            key = (action["id"], line["year"], line["source"], line["type"])
            lines[key] = {**line, "action": action["id"], "action_title": action["title"]}
    return lines


def _amount(line: dict | None) -> Decimal:
    return Decimal(line["amount"]) if line else Decimal("0")


def plan_diff(old: dict, new: dict) -> dict[str, Any]:
    """What changed from the `old` snapshot to the `new` one."""
    old_lines, new_lines = _lines(old), _lines(new)
    budget = []
    for key in sorted(old_lines.keys() | new_lines.keys(), key=lambda k: (str(k[0]), *k[1:])):
        before, after = old_lines.get(key), new_lines.get(key)
        if before and after and before["amount"] == after["amount"] and (
            before["status"] == after["status"]
        ):
            continue
        line = after or before
        budget.append({
            "action": key[0], "action_title": line["action_title"], "year": key[1],
            "source": key[2], "type": key[3],
            "old": before["amount"] if before else None,
            "new": after["amount"] if after else None,
            "old_status": before["status"] if before else None,
            "new_status": after["status"] if after else None,
            "delta": f"{_amount(after) - _amount(before):.2f}",
        })
    old_ceilings, new_ceilings = old.get("ceilings", {}), new.get("ceilings", {})
    ceilings = [
        {"year": int(year), "old": old_ceilings.get(year), "new": new_ceilings.get(year)}
        for year in sorted(old_ceilings.keys() | new_ceilings.keys())
        if old_ceilings.get(year) != new_ceilings.get(year)
    ]
    result = {
        "plan": _changes(old.get("plan", {}), new.get("plan", {}), PLAN_FIELDS),
        "ceilings": ceilings,
        "objectives": _compare(old.get("objectives", []), new.get("objectives", []),
                               OBJECTIVE_FIELDS),
        "actions": _compare(old.get("actions", []), new.get("actions", []), ACTION_FIELDS),
        "budget": budget,
        "indicators": _compare(old.get("indicators", []), new.get("indicators", []),
                               INDICATOR_FIELDS),
        "total_old": f"{sum((_amount(line) for line in old_lines.values()), Decimal('0')):.2f}",
        "total_new": f"{sum((_amount(line) for line in new_lines.values()), Decimal('0')):.2f}",
    }
    result["is_empty"] = not (
        result["plan"] or result["ceilings"] or result["budget"]
        or any(result[part][kind] for part in ("objectives", "actions", "indicators")
               for kind in ("added", "removed", "changed"))
    )
    return result
