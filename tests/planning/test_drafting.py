"""The arithmetic of drafting, without a database: spreading costs over years, yearly profiles,
placing actions within the yearly ceilings."""
from decimal import Decimal

from planning.drafting import place_within_ceilings, spread_evenly, year_profile

D = Decimal


def test_spread_evenly_puts_remainder_cents_on_last_year():
    parts = spread_evenly(D("100"), [2027, 2028, 2029])
    assert parts == {2027: D("33.33"), 2028: D("33.33"), 2029: D("33.34")}
    assert sum(parts.values()) == D("100")
    assert spread_evenly(D("0.01"), [2027, 2028]) == {2027: D("0.00"), 2028: D("0.01")}


def test_place_within_ceilings_shifts_then_reports_what_cannot_move():
    years = [2027, 2028, 2029]
    profiles = [(1, {2027: D("60")}), (2, {2027: D("50")}), (3, {2029: D("80")})]
    shifts, conflicts = place_within_ceilings(
        profiles, years=years, ceilings={2027: D("100"), 2028: D("100"), 2029: D("100")})
    assert shifts == {1: 0, 2: 1, 3: 0}  # 2 moves to 2028; nothing over
    assert conflicts == []
    shifts, conflicts = place_within_ceilings(
        [(1, {2029: D("150")})], years=years, ceilings={2029: D("100")})
    assert shifts == {1: 0}
    assert conflicts == [{"code": "ceiling", "year": 2029, "ceiling": "100.00",
                          "planned": "150.00", "excess": "50.00", "actions": [1]}]


def test_year_profile_clamps_own_years_into_the_period_or_spreads_the_estimate():
    years = [2027, 2028, 2029]
    assert year_profile(estimated_cost=D("90"), year_costs=[], years=years) == {
        2027: D("30.00"), 2028: D("30.00"), 2029: D("30.00")}
    own = [(2025, D("10")), (2027, D("5")), (2031, D("7"))]
    assert year_profile(estimated_cost=D("90"), year_costs=own, years=years) == {
        2027: D("15"), 2029: D("7")}


def test_spread_evenly_over_one_year_keeps_the_whole_amount():
    assert spread_evenly(D("1234.565"), [2027]) == {2027: D("1234.57")}
