"""Web page timings: the proposal list and a proposal page at 10,000 proposals and 200,000
supports, next to a trivial view measured in the same run.

    .venv/bin/python bench/pages.py [--proposals 10000] [--supports 200000] [--repeat 15]

Uses a throw-away SQLite file (or DATABASE_URL if set), seeds with bulk_create, renders with
Django's test Client, counts queries and prints median times and their ratio to /healthz.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database_url is None:
        path = Path(tempfile.mkdtemp(prefix="cabildo-bench-")) / "bench.sqlite3"
        database_url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = database_url
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # allows the test Client's host, in-memory e-mail

    call_command("migrate", verbosity=0)
    return database_url


def seed(*, proposals: int, supports: int, seed_value: int = 7):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from consult import services
    from consult.models import City, Comment, Participant, Proposal, Support
    from tests.factories import phase_dates

    rng = random.Random(seed_value)
    city = City.objects.create(name="Lima", slug="lima", country="PE",
                               timezone="America/Lima", currency="PEN")
    consultation = services.consultation_create(
        city=city, title="Bench consultation", slug="bench", plan_start_year=2027,
        plan_end_year=2030, budget=Decimal("100000000"), **phase_dates("proposals"),
    )
    themes = list(consultation.themes.all())
    people_count = max(1000, supports // 200 + 1)
    people = Participant.objects.bulk_create(
        (Participant(city=city, district=f"D{i % 40}") for i in range(people_count)),
        batch_size=5000,
    )
    now = timezone.now()
    words = ["climate", "roofs", "migrants", "festival", "water", "museum", "bikes", "youth"]
    Proposal.objects.bulk_create(
        (
            Proposal(
                consultation=consultation, author=people[i % len(people)],
                theme=themes[i % len(themes)], title=f"Proposal {i} {rng.choice(words)}",
                summary=f"A proposal about {rng.choice(words)} and {rng.choice(words)}.",
                body="## What\n\nA plan with *partners*.\n\n- one\n- two",
                estimated_cost=Decimal(rng.randrange(10, 500) * 1000),
                action_kind="cooperation", status=Proposal.Status.PUBLISHED,
                published_at=now, district=f"D{i % 40}",
            )
            for i in range(proposals)
        ),
        batch_size=5000,
    )
    ids = list(Proposal.objects.filter(consultation=consultation).values_list("pk", flat=True))
    per_person = -(-supports // len(people))
    rows, made = [], 0
    for person in people:
        for pid in rng.sample(ids, min(per_person, len(ids))):
            if made == supports:
                break
            rows.append(Support(participant=person, proposal_id=pid))
            made += 1
        if len(rows) >= 20000:
            Support.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Support.objects.bulk_create(rows, batch_size=5000)
    target = Proposal.objects.get(pk=ids[len(ids) // 2])
    Comment.objects.bulk_create(
        Comment(proposal=target, author=people[i], body=f"Comment {i}") for i in range(30)
    )
    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    Participant.objects.filter(pk=people[0].pk).update(user=user)
    return consultation, target, user


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up (and session seed)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--supports", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()

    database_url = setup(args.database_url)
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    consultation, target, user = seed(proposals=args.proposals, supports=args.supports)
    seeded = time.perf_counter() - started
    base = f"/{consultation.city.slug}/{consultation.slug}"
    anonymous, member = Client(), Client()
    member.force_login(user)
    pages = [
        ("/healthz (trivial view)", anonymous, "/healthz"),
        ("consultation page", anonymous, f"{base}/"),
        ("proposal list, most supported", anonymous, f"{base}/proposals/"),
        ("proposal list, page 200", anonymous, f"{base}/proposals/?page=200"),
        ("proposal list, search + theme", anonymous,
         f"{base}/proposals/?q=climate&theme=urban-sustainability&order=newest"),
        ("proposal list, random order", anonymous, f"{base}/proposals/?order=random"),
        ("proposal list, logged in", member, f"{base}/proposals/"),
        ("proposal page (30 comments)", anonymous, f"{base}/proposals/{target.pk}/"),
        ("proposal page, logged in", member, f"{base}/proposals/{target.pk}/"),
    ]
    print(f"database: {connection.vendor} ({database_url.split(':', 1)[0]}); "
          f"{args.proposals:,} proposals, {args.supports:,} supports; seeded in {seeded:.1f} s; "
          f"median of {args.repeat} requests")
    print(f"{'page':38} {'median ms':>10} {'queries':>8} {'× healthz':>10}")
    baseline = None
    for name, client, url in pages:
        median, queries = measure(client, url, args.repeat)
        baseline = baseline or median
        print(f"{name:38} {median:10.1f} {queries:8d} {median / baseline:10.1f}")


if __name__ == "__main__":
    main()
