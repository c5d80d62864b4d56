"""Report timings: the consultation results report on 100,000 ballots, next to a trivial view
measured in the same run.

    .venv/bin/python bench/reports.py [--ballots 100000] [--proposals 60] [--repeat 5]
    .venv/bin/python bench/reports.py --tiny     # seconds on SQLite: for CI

Uses a throw-away SQLite file (or BENCH_DATABASE_URL), seeds with bulk_create (participants with
district, age band and gender; approval ballots of 1–5 choices), counts queries and prints
median times and their ratio to /healthz. The report reads the ballots as arrays (four
queries), counts them with five rules in memory and aggregates everything else in the database.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import setup  # noqa: E402  (bench/pages.py: throw-away database, migrations)


def seed(*, ballots: int, proposals: int, seed_value: int = 11):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from consult import services
    from consult.models import (
        Ballot,
        BallotChoice,
        City,
        CityRole,
        Participant,
        Proposal,
        new_receipt_code,
    )
    from demo.reports import CDMX_DISTRICTS, seed_population
    from tests.factories import phase_dates

    rng = random.Random(seed_value)
    city = City.objects.create(name="Ciudad de México", slug="ciudad-de-mexico", country="MX",
                               timezone="America/Mexico_City", currency="MXN",
                               population=9209944)
    seed_population(city)
    consultation = services.consultation_create(
        city=city, title="Bench consultation", slug="bench", plan_start_year=2027,
        plan_end_year=2030, budget=Decimal("120000000"), max_choices=5,
        counting_rule="mes", **phase_dates("results"),
    )
    themes = list(consultation.themes.all())
    districts = list(CDMX_DISTRICTS)
    ages = ["u18", "18-29", "30-44", "45-64", "65+", ""]
    genders = ["woman", "man", "non_binary", "other", ""]
    people = Participant.objects.bulk_create(
        (Participant(city=city, district=rng.choice(districts),
                     age_band=rng.choices(ages, [2, 26, 30, 28, 12, 2])[0],
                     gender=rng.choices(genders, [50, 44, 2, 1, 3])[0])
         for _ in range(ballots)),
        batch_size=5000,
    )
    now = timezone.now()
    made = Proposal.objects.bulk_create(
        Proposal(consultation=consultation, author=people[i], theme=themes[i % len(themes)],
                 title=f"Proposal {i}", summary="A proposal.",
                 estimated_cost=Decimal(rng.randrange(5, 60) * 100_000),
                 action_kind="cooperation", status=Proposal.Status.SHORTLISTED,
                 published_at=now)
        for i in range(proposals)
    )
    weights = [1 / (1 + i) ** 0.7 for i in range(len(made))]
    opened = consultation.voting_opens_at
    span = (consultation.voting_closes_at - opened).total_seconds()
    codes: set[str] = set()
    while len(codes) < ballots:
        codes.add(new_receipt_code())
    from datetime import timedelta

    cast = [opened + timedelta(seconds=rng.random() * span) for _ in range(ballots)]
    rows = Ballot.objects.bulk_create(
        (Ballot(participant=person, consultation=consultation, receipt_code=code,
                created_at=at, updated_at=at)
         for person, code, at in zip(people, codes, cast, strict=True)),
        batch_size=5000,
    )
    choices = []
    for ballot in rows:
        picked = set(rng.choices(range(len(made)), weights, k=rng.randint(1, 5)))
        choices.extend(BallotChoice(ballot_id=ballot.pk, proposal_id=made[j].pk)
                       for j in picked)
        if len(choices) >= 50_000:
            BallotChoice.objects.bulk_create(choices, batch_size=5000)
            choices = []
    BallotChoice.objects.bulk_create(choices, batch_size=5000)
    planner = get_user_model().objects.create_user("bench-planner", password="bench-pass-123")
    CityRole.objects.create(user=planner, city=city, role=CityRole.Role.PLANNER)
    return consultation, planner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tiny", action="store_true",
                        help="2,000 ballots, 20 proposals, 2 repeats (CI)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    if args.tiny:
        args.ballots, args.proposals, args.repeat = 2_000, 20, 2

    database_url = setup(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from planning.services import count_run_create
    from reports import selectors

    started = time.perf_counter()
    consultation, planner = seed(ballots=args.ballots, proposals=args.proposals)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    count_run_create(consultation=consultation, official=True)
    counted = time.perf_counter() - started

    def timed(fn, repeat):
        fn()  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as queries:
            fn()
        return statistics.median(times) * 1000, len(queries)

    member = Client()
    member.force_login(planner)
    anonymous = Client()
    base = f"/reports/consultation/{consultation.pk}"

    def get(client, url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return fetch

    from reports.models import PublishedReport
    from reports.services import report_publish

    published = report_publish(user=planner, consultation=consultation)
    assert PublishedReport.objects.count() == 1
    measurements = [
        ("/healthz (trivial view)", get(anonymous, "/healthz")),
        ("results report: build (selector only)",
         lambda: selectors.consultation_report(consultation=consultation)),
        ("results report page, live (planner)", get(member, f"{base}/")),
        ("published report page (frozen)", get(anonymous, f"/reports/published/{published.pk}/")),
        ("export votes.xlsx, live", get(member, f"{base}/tables/votes.xlsx")),
        ("export from published, votes.csv",
         get(anonymous, f"/reports/published/{published.pk}/tables/votes.csv")),
        ("ballots as Pabulib (.pb)", get(anonymous, f"{base}/ballots.pb")),
        ("network dashboard", get(anonymous, "/reports/network/")),
    ]
    print(f"database: {connection.vendor} ({database_url.split(':', 1)[0]}); "
          f"{args.ballots:,} ballots, {args.proposals} proposals; seeded in {seeded:.1f} s; "
          f"official count (mes) {counted:.1f} s; median of {args.repeat}")
    print(f"{'what':42} {'median ms':>10} {'queries':>8} {'× healthz':>10}")
    baseline = None
    for name, fn in measurements:
        median, queries = timed(fn, args.repeat)
        baseline = baseline or median
        print(f"{name:42} {median:10.1f} {queries:8d} {median / baseline:10.0f}")


if __name__ == "__main__":
    main()
