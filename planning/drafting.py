"""The arithmetic of drafting a plan: spreading a cost over the plan's years and placing the
actions' yearly costs within the yearly ceilings. Plain numbers in, plain numbers out — no Django,
no ORM — like the counting engine, so it is tested and reasoned about on its own."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

MONEY_STEP = Decimal("0.01")


def spread_evenly(total: Decimal, years: list[int]) -> dict[int, Decimal]:
    """Split an amount evenly over years, to the cent; the remainder cents go to the last year
    so the parts add up exactly to the total."""
    cents = int((Decimal(total) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    base, remainder = divmod(cents, len(years))
    parts = {year: Decimal(base) / 100 for year in years}
    parts[years[-1]] += Decimal(remainder) / 100
    return {year: amount.quantize(MONEY_STEP) for year, amount in parts.items()}


def year_profile(
    *, estimated_cost: Decimal, year_costs: Iterable[tuple[int, Decimal]], years: list[int]
) -> dict[int, Decimal]:
    """A cost per plan year: the given yearly costs (clamped into the period), or the estimated
    cost spread evenly over the period when there are none."""
    own = list(year_costs)
    if not own:
        return spread_evenly(estimated_cost, years)
    profile: dict[int, Decimal] = defaultdict(Decimal)
    for year, amount in own:
        profile[min(max(year, years[0]), years[-1])] += amount
    return dict(profile)


def place_within_ceilings(
    profiles: list[tuple[int, dict[int, Decimal]]],
    *,
    years: list[int],
    ceilings: Mapping[int, Decimal],
) -> tuple[dict[int, int], list[dict]]:
    """Place each action's yearly profile (in rank order: better-ranked actions first) so that
    no year goes over its ceiling, shifting an action's whole profile to later years where the
    period allows. Returns the shift (in years) per action key and the conflicts left: one per
    year still over its ceiling, naming the actions that could not be moved. Pure function."""
    used: dict[int, Decimal] = defaultdict(Decimal)
    shifts: dict[int, int] = {}
    stuck: dict[int, list[int]] = defaultdict(list)
    last = years[-1]

    def fits(profile: dict[int, Decimal], shift: int) -> bool:
        return all(
            year + shift <= last
            and (year + shift not in ceilings or used[year + shift] + amount
                 <= ceilings[year + shift])
            for year, amount in profile.items()
        )

    for key, profile in profiles:
        profile = {year: amount for year, amount in profile.items() if amount}
        latest = max(profile, default=last)
        shift = next((s for s in range(0, last - latest + 1) if fits(profile, s)), None)
        if shift is None:
            shift = 0
            for year in profile:
                if year in ceilings and used[year] + profile[year] > ceilings[year]:
                    stuck[year].append(key)
        shifts[key] = shift
        for year, amount in profile.items():
            used[year + shift] += amount
    conflicts = [
        {
            "code": "ceiling",
            "year": year,
            "ceiling": f"{ceilings[year]:.2f}",
            "planned": f"{used[year]:.2f}",
            "excess": f"{used[year] - ceilings[year]:.2f}",
            "actions": stuck.get(year, []),
        }
        for year in years
        if year in ceilings and used[year] > ceilings[year]
    ]
    return shifts, conflicts
