"""The official count of a large consultation read from PostgreSQL, as a ratio to streaming the
same choices out with a plain `COPY … TO STDOUT` in the same run, and its peak memory.

    .venv/bin/python bench/count_db.py [--ballots 1000000] [--write]
    .venv/bin/python bench/count_db.py --tiny

Seeds its own database (`cabildo_count`, dropped and created on DATABASE_URL's server) with
`--ballots` approval ballots of three choices over 100 proposals, loaded with COPY. Each timing
runs in a fresh process, so that peak RSS (VmHWM) is the count's own.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import fresh_postgres_database, peak_rss_mb, write_section  # noqa: E402

DB_NAME = "cabildo_count"


def django_env(url: str) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}


def seed(ballots: int) -> int:
    """Runs in the seeding child: one closed consultation, 100 proposals, COPY of ballots and
    choices. Returns the consultation's id."""
    import django

    django.setup()
    from django.db import connection

    from consult.models import Participant, Phase, Proposal
    from tests.factories import CityFactory, ConsultationFactory, ThemeFactory

    city = CityFactory(slug="big", name="Big City")
    consultation = ConsultationFactory(city=city, phase=Phase.RESULTS, max_choices=3,
                                       counting_rule="mes", slug="big")
    theme = ThemeFactory(consultation=consultation)
    author_id = Participant.objects.create(city=city).pk
    Proposal.objects.bulk_create(
        Proposal(consultation=consultation, author_id=author_id, theme=theme, title=f"P{i}",
                 summary="s", estimated_cost=10_000 + 1_000 * (i % 37), action_kind="project",
                 status=Proposal.Status.PUBLISHED)
        for i in range(100))
    proposal_ids = list(Proposal.objects.filter(consultation=consultation)
                        .order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy("COPY consult_participant (city_id, public_name, district, age_band, "
                      "gender, is_verified, created_at) FROM STDIN") as copy:
            for _ in range(ballots):
                copy.write_row((city.pk, "", "", "", "", False, "2026-01-01T00:00Z"))
        cursor.execute("SELECT id FROM consult_participant WHERE city_id = %s AND id <> %s "
                       "ORDER BY id", [city.pk, author_id])
        people = [row[0] for row in cursor.fetchall()]
        with raw.copy("COPY consult_ballot (participant_id, consultation_id, channel, serial, "
                      "receipt_code, created_at, updated_at) FROM STDIN") as copy:
            for i, person in enumerate(people):
                copy.write_row((person, consultation.pk, "online", "", f"B{i:013d}",
                                "2026-01-01T00:00Z", "2026-01-01T00:00Z"))
        cursor.execute("SELECT id FROM consult_ballot WHERE consultation_id = %s ORDER BY id",
                       [consultation.pk])
        ballot_ids = [row[0] for row in cursor.fetchall()]
        with raw.copy("COPY consult_ballotchoice (ballot_id, proposal_id, points) "
                      "FROM STDIN") as copy:
            for i, ballot in enumerate(ballot_ids):
                # Popularity skewed like a real vote: low ids are chosen more often.
                a = (i * 7) % 100 if i % 3 else i % 10
                b = (a + 1 + (i * 13) % 40) % 100
                c = (b + 1 + (i * 29) % 50) % 100
                for proposal in sorted({a, b, c}):
                    copy.write_row((ballot, proposal_ids[proposal], 1))
        cursor.execute("ANALYZE")
    return consultation.pk


def child(what: str, consultation_id: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from consult.models import Consultation
    from planning.services import count_run_create

    started = time.perf_counter()
    if what == "copy":
        rows = 0
        with connection.cursor() as cursor, cursor.cursor.copy(
                "COPY (SELECT c.ballot_id, c.proposal_id, c.points FROM consult_ballotchoice c "
                "JOIN consult_ballot b ON b.id = c.ballot_id WHERE b.consultation_id = %s) "
                "TO STDOUT (FORMAT binary)", [consultation_id]) as copy:
            for block in copy:
                rows += len(block)
        result = {"bytes": rows}
    else:
        run = count_run_create(consultation=Consultation.objects.get(pk=consultation_id),
                               rule="mes", official=False)
        result = {"selected": len(run.selected), "ballots": run.n_ballots,
                  "input_hash": run.input_hash}
    result.update(seconds=time.perf_counter() - started, peak_mb=peak_rss_mb())
    print(json.dumps(result))


def run_child(url: str, what: str, consultation_id: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", what, str(consultation_id)],
                         cwd=ROOT, env=django_env(url), capture_output=True, text=True,
                         timeout=3600)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--seed-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if args.seed_child is not None:
        print(seed(args.seed_child))
        return
    if args.tiny:
        args.ballots, args.repeat = 2000, 1
    url = fresh_postgres_database(DB_NAME, script="bench/count_db.py")
    env = django_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env=env, check=True, timeout=600)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--seed-child", str(args.ballots)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=3600)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    consultation_id = int(out.stdout.strip().splitlines()[-1])
    seeded = time.perf_counter() - started
    copies = [run_child(url, "copy", consultation_id) for _ in range(args.repeat)]
    counts = [run_child(url, "count", consultation_id) for _ in range(args.repeat)]
    copy_s = min(c["seconds"] for c in copies)
    count_s = min(c["seconds"] for c in counts)
    peak = max(c["peak_mb"] for c in counts)
    assert counts[0]["ballots"] == args.ballots, counts[0]
    assert len({c["input_hash"] for c in counts}) == 1  # the same input, the same hash
    line = (f"| {args.ballots:,} ballots, {counts[0]['ballots']:,} counted, 100 proposals, MES "
            f"| {copy_s:.2f} s | {count_s:.2f} s | **{count_s / copy_s:.1f}×** (target ≤ 3×) "
            f"| {peak:,.0f} MB (target < 1,500) |")
    print(f"seeded in {seeded:.0f} s")
    print("| consultation | COPY of its choices | official count (read + MES + store) | ratio "
          "| count's peak RSS |\n|---|---:|---:|---:|---:|")
    print(line)
    if args.write:
        write_section("Counting from PostgreSQL", (
            f"Measured {date.today().isoformat()} on this 2-core machine; reproduce with "
            f"`.venv/bin/python bench/count_db.py --ballots {args.ballots} --write` (`--tiny` "
            f"runs in CI). Best of {args.repeat} fresh processes each; the COPY streams the "
            "consultation's choices in binary and discards them.\n\n| consultation | COPY of its "
            "choices | official count (read + MES + store) | ratio | count's peak RSS |\n"
            f"|---|---:|---:|---:|---:|\n{line}"))

if __name__ == "__main__":
    main()
