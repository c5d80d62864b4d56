"""Page timings as ratios measured in one run: a big consultation's pages vs a small one's, and
each vs /healthz.

    .venv/bin/python bench/pages.py [--ballots N] [--proposals 100000] [--repeat 9] [--write]
    .venv/bin/python bench/pages.py --tiny      # seconds on SQLite: for CI

Uses DATABASE_URL / BENCH_DATABASE_URL (a server database must be a throw-away one, named
*bench* or *test*: its tables are dropped and recreated) or a throw-away SQLite file. Seeds with
COPY on PostgreSQL (executemany elsewhere), then compares, with Django's test Client in-process
(median of --repeat rounds after a warm-up, pages requested in turn within each round):

- results and consultation pages of a closed consultation with N ballots (~3 choices over 100
  proposals; its totals stored once by consult.services.tally_compute) vs one with 1,000;
- a small city's consultation page before and after a big city's N participants are added;
- the proposal list sorted by support at --proposals proposals vs 100.

It only creates rows (Support rows, not counters) and calls pages; if Proposal has a stored
support_count column, it is set from the Support rows once after seeding.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    analyze,
    default_database_url,
    drop_tables,
    insert_rows,
    load,
    machine,
    measure,
    setup,
    write_section,
)

__all__ = ["setup"]  # bench/reports.py imports it from here

SMALL_BALLOTS = 1_000
SMALL_PROPOSALS = 100
BALLOT_PROPOSALS = 100
TARGETS = {"small": 1.5, "healthz": 50.0, "city": 1.2}
NOTES = """\
Notes: the "alone" row is measured before the big city is seeded (its × `/healthz` against the
`/healthz` of that moment); every other row comes from the same rounds. The closed
consultations' totals are stored once (`consult.services.tally_compute`, timed above), so their
pages read the tally rather than the ballots. `ANALYZE` runs after seeding. The proposal lists
use their own client (the list stores an order seed in the session, which would add a session
query to the other pages). The bench creates `Support` rows only; if `Proposal.support_count`
is a stored column, it is set once from them after seeding. Timings vary by ±30 % between runs
on this shared machine; a ratio near its target (the small city's page) can fall either side."""


def make_city(name: str, slug: str):
    from consult.models import City

    return City.objects.create(name=name, slug=slug, country="MX",
                               timezone="America/Mexico_City", currency="MXN")


def make_consultation(city, slug: str, phase: str):
    from consult import services
    from tests.factories import phase_dates

    return services.consultation_create(
        city=city, title=f"Bench {slug}", slug=slug, plan_start_year=2027, plan_end_year=2030,
        budget=Decimal("100000000"), max_choices=3, **phase_dates(phase),
    )


def add_participants(city, n: int) -> list[int]:
    from consult.models import Participant

    insert_rows(Participant, ["city_id", "district"], ((city.pk, f"D{i % 40}") for i in range(n)))
    return list(Participant.objects.filter(city=city).order_by("pk").values_list("pk", flat=True))


def add_proposals(consultation, n: int, authors: list[int], status: str, rng) -> list[int]:
    from django.utils import timezone

    from consult.models import Proposal

    themes = list(consultation.themes.values_list("pk", flat=True))
    words = ["climate", "roofs", "migrants", "festival", "water", "museum", "bikes", "youth"]
    now = timezone.now()
    insert_rows(
        Proposal,
        ["consultation_id", "author_id", "theme_id", "title", "summary", "body",
         "estimated_cost", "action_kind", "status", "published_at", "district", "created_at",
         "updated_at"],
        ((consultation.pk, authors[i % len(authors)], themes[i % len(themes)],
          f"Proposal {i} {rng.choice(words)}",
          f"A proposal about {rng.choice(words)} and {rng.choice(words)}.",
          "## What\n\nA plan with *partners*.\n\n- one\n- two",
          Decimal(rng.randrange(10, 500) * 1000), "cooperation", status,
          now - dt.timedelta(seconds=i), f"D{i % 40}", now, now)
         for i in range(n)),
    )
    return list(Proposal.objects.filter(consultation=consultation).order_by("pk")
                .values_list("pk", flat=True))


def add_supports(proposals: list[int], people: list[int], rng) -> int:
    """Skewed support counts (a few popular proposals, most with 0-3), distinct supporters."""
    from consult.models import Support

    step = len(people) // 53 + 1

    def rows():
        for j, pid in enumerate(proposals):
            k = min(50, int(rng.paretovariate(1.2)) - 1 + rng.randrange(3))
            for t in range(k):
                yield people[(j * 7919 + t * step) % len(people)], pid

    return insert_rows(Support, ["participant_id", "proposal_id"], rows())


def sync_support_counter(consultations) -> None:
    """If a stored Proposal.support_count exists (a denormalised counter), set it once from the
    Support rows inserted above (COPY bypasses whatever maintains it)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from consult.models import Proposal, Support

    if not any(f.name == "support_count" and getattr(f, "concrete", False)
               for f in Proposal._meta.get_fields()):
        return
    counted = (Support.objects.filter(proposal=OuterRef("pk")).order_by()
               .values("proposal").annotate(n=Count("*")).values("n"))
    Proposal.objects.filter(consultation__in=consultations).update(
        support_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def add_ballots(consultation, people: list[int], n: int, proposals: list[int], tag: str,
                rng) -> int:
    """n ballots of the first n people, 2-3 choices each (2.9 on average)."""
    from consult.models import Ballot, BallotChoice

    opened = consultation.voting_opens_at
    insert_rows(
        Ballot, ["participant_id", "consultation_id", "receipt_code", "created_at", "updated_at"],
        ((people[i], consultation.pk, f"{tag}{i:010d}", opened + dt.timedelta(seconds=i % 86400),
          opened + dt.timedelta(seconds=i % 86400)) for i in range(n)),
    )
    # Read first: the COPY below holds the connection (no query can run during it).
    ballots = list(Ballot.objects.filter(consultation=consultation).order_by("pk")
                   .values_list("pk", flat=True))

    def choices():
        for ballot in ballots:
            for pid in rng.sample(proposals, 2 if rng.random() < 0.1 else 3):
                yield ballot, pid, 1

    return insert_rows(BallotChoice, ["ballot_id", "proposal_id", "points"], choices())


def close_voting(consultations) -> None:
    """Move the voting into the past (the service would refuse: the rules are frozen)."""
    from django.utils import timezone

    from consult.models import Consultation

    now = timezone.now()
    Consultation.objects.filter(pk__in=[c.pk for c in consultations]).update(
        voting_closes_at=now - dt.timedelta(hours=2), results_at=now - dt.timedelta(hours=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=None,
                        help="ballots (and big-city participants): default 1,000,000 on "
                             "PostgreSQL, 100,000 elsewhere")
    parser.add_argument("--proposals", type=int, default=100_000,
                        help="proposals of the big proposal list")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--tiny", action="store_true",
                        help="2,000 ballots, 300 proposals, 2 repeats (CI)")
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the seeded tables")
    args = parser.parse_args()
    if args.tiny:
        args.ballots, args.proposals, args.repeat = 2_000, 300, 2

    database_url = setup(args.database_url)
    from django.db import connection
    from django.test import Client

    from consult import services
    from consult.models import Consultation, Proposal

    if args.ballots is None:
        args.ballots = 1_000_000 if connection.vendor == "postgresql" else 100_000
    small_ballots = min(SMALL_BALLOTS, args.ballots)
    rng = random.Random(7)
    client = Client()  # anonymous; the proposal list gets its own (it stores a session)
    lister = Client()
    timings: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        timings[name] = time.perf_counter() - start
        return value

    # 1. A small city alone: its consultation page (proposals phase, live counts).
    town = make_city("Assen", "assen")
    town_people = add_participants(town, 1_000)
    local = make_consultation(town, "local", "proposals")
    add_supports(add_proposals(local, 100, town_people, Proposal.Status.PUBLISHED, rng),
                 town_people, rng)
    sync_support_counter([local])
    analyze()
    town_url = f"/{town.slug}/{local.slug}/"
    alone = measure({"healthz": (client, "/healthz"), "town": (client, town_url)}, args.repeat)

    # 2. A big city: N participants, a consultation of N ballots and one of 1,000, two lists.
    city = make_city("Ciudad de México", "cdmx")
    people = timed("participants", lambda: add_participants(city, args.ballots))
    big = make_consultation(city, "big", "voting")
    small = make_consultation(city, "small", "voting")
    status = Proposal.Status.SHORTLISTED
    big_ids = add_proposals(big, BALLOT_PROPOSALS, people, status, rng)
    small_ids = add_proposals(small, BALLOT_PROPOSALS, people, status, rng)
    choices = timed("ballots", lambda: add_ballots(big, people, args.ballots, big_ids, "B", rng))
    add_ballots(small, people, small_ballots, small_ids, "S", rng)
    close_voting([big, small])
    analyze()
    big, small = Consultation.objects.get(pk=big.pk), Consultation.objects.get(pk=small.pk)
    timed("tally", lambda: services.tally_compute(consultation=big))
    timed("tally small", lambda: services.tally_compute(consultation=small))

    long_list = make_consultation(city, "long-list", "proposals")
    short_list = make_consultation(city, "short-list", "proposals")
    supports = timed("list", lambda: add_supports(
        add_proposals(long_list, args.proposals, people, Proposal.Status.PUBLISHED, rng),
        people, rng))
    add_supports(add_proposals(short_list, SMALL_PROPOSALS, people, Proposal.Status.PUBLISHED,
                               rng), people, rng)
    sync_support_counter([long_list, short_list])
    analyze()

    # 3. Every page in the same rounds.
    def url(consultation, tail=""):
        return f"/{consultation.city.slug}/{consultation.slug}/{tail}"

    pages = {
        "healthz": (client, "/healthz"),
        "town": (client, town_url),
        "results big": (client, url(big, "results/")),
        "results small": (client, url(small, "results/")),
        "consultation big": (client, url(big)),
        "consultation small": (client, url(small)),
        "list big": (lister, url(long_list, "proposals/?order=supported")),
        "list small": (lister, url(short_list, "proposals/?order=supported")),
    }
    got = measure(pages, args.repeat)
    labels = {
        "healthz": "`/healthz` (trivial view)",
        "town": f"small city's consultation page, with {args.ballots:,} big-city participants",
        "results big": f"results page, {args.ballots:,} ballots",
        "results small": f"results page, {small_ballots:,} ballots",
        "consultation big": f"consultation page, {args.ballots:,} ballots",
        "consultation small": f"consultation page, {small_ballots:,} ballots",
        "list big": f"proposal list by support, {args.proposals:,} proposals",
        "list small": f"proposal list by support, {SMALL_PROPOSALS:,} proposals",
    }
    base = got["healthz"][0]
    rows = [("small city's consultation page, alone", *alone["town"],
             alone["town"][0] / alone["healthz"][0])]
    rows += [(labels[k], ms, q, ms / base) for k, (ms, q) in got.items()]

    def ratio(name, a, b, target):
        value = a / b
        return name, value, target, "met" if value <= target else "MISSED"

    h = TARGETS["healthz"]
    ratios = [
        ratio(f"results page: {args.ballots:,} vs {small_ballots:,} ballots",
              got["results big"][0], got["results small"][0], TARGETS["small"]),
        ratio("results page (big) vs /healthz", got["results big"][0], base, h),
        ratio(f"consultation page: {args.ballots:,} vs {small_ballots:,} ballots",
              got["consultation big"][0], got["consultation small"][0], TARGETS["small"]),
        ratio("consultation page (big) vs /healthz", got["consultation big"][0], base, h),
        ratio(f"small city's page: with vs without {args.ballots:,} big-city participants",
              got["town"][0], alone["town"][0], TARGETS["city"]),
        ratio(f"proposal list: {args.proposals:,} vs {SMALL_PROPOSALS} proposals",
              got["list big"][0], got["list small"][0], TARGETS["small"]),
        ratio("proposal list (big) vs /healthz", got["list big"][0], base, h),
    ]
    db = f"{connection.vendor} ({database_url.split(':', 1)[0]})"
    summary = (f"database: {db}; {args.ballots:,} ballots ({choices:,} choices) seeded in "
               f"{timings['ballots']:.1f} s ({args.ballots:,} participants "
               f"{timings['participants']:.1f} s); tally_compute of {args.ballots:,} ballots "
               f"{timings['tally']:.2f} s ({small_ballots:,}: {timings['tally small']:.2f} s); "
               f"{args.proposals:,} proposals + {supports:,} supports seeded in "
               f"{timings['list']:.1f} s; median of {args.repeat} rounds; load {load()}")
    print(summary)
    print(f"{'page':72} {'median ms':>10} {'queries':>8} {'× healthz':>10}")
    for name, ms, q, x in rows:
        print(f"{name:72} {ms:10.1f} {q:8d} {x:10.1f}")
    print()
    print(f"{'ratio':72} {'value':>10} {'target':>8} {'':>10}")
    for name, value, target, verdict in ratios:
        print(f"{name:72} {value:9.2f}× {'≤' if target != h else '<'}{target:6.1f}× {verdict:>10}")

    if args.write:
        command = "bench/pages.py" + ("" if args.ballots == 1_000_000 and not args.tiny else
                                      f" --ballots {args.ballots}") + " --write"
        prefix = ("DATABASE_URL=postgres://postgres@127.0.0.1:5432/cabildo_bench "
                  if connection.vendor == "postgresql" else "")
        body = [
            f"Measured {dt.date.today().isoformat()} on {machine()} (shared with other work, "
            f"load {load()}), Django 5.2, {db}; reproduce with "
            f"`{prefix}.venv/bin/python {command}` (`--tiny` for a seconds-long run on SQLite, "
            "which `tests/test_bench.py` runs in CI). Every figure is a ratio measured in one "
            "run and one database, with Django's test `Client` in-process (full middleware, "
            f"templates, sessions): median of {args.repeat} rounds after a warm-up round, every "
            "page requested in turn within a round; queries counted with "
            "`CaptureQueriesContext`.",
            "",
            f"Seeding: {summary}.",
            "",
            "| page | median | queries | × `/healthz` |",
            "|---|---:|---:|---:|",
            *(f"| {name} | {ms:,.1f} ms | {q} | {x:,.1f} |" for name, ms, q, x in rows),
            "",
            "| ratio | measured | target | |",
            "|---|---:|---:|---|",
            *(f"| {name} | {value:,.2f}× | {'≤' if target != h else '<'} {target:g}× | "
              f"{verdict} |" for name, value, target, verdict in ratios),
            "",
            NOTES,
        ]
        write_section("Pages", "\n".join(body), replaces=("Web pages",))
    if connection.vendor != "sqlite" and not args.keep:
        drop_tables()
    elif connection.vendor == "sqlite" and "cabildo-bench-" in database_url and not args.keep:
        connection.close()
        shutil.rmtree(Path(database_url.split("sqlite:///", 1)[1]).parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
