"""Results-day timings: the Pabulib export of a large consultation, and Election.input_hash.

    .venv/bin/python bench/export.py [--ballots 100000] [--proposals 100] [--old]
    .venv/bin/python bench/export.py --tiny          # 200 ballots, a few seconds
    .venv/bin/python bench/export.py --hash [--ballots 1000000]

The export bench seeds a closed consultation (approval ballots of 0-8 choices, about 2.94
choices per ballot, 100 proposals) in a throw-away SQLite file or in BENCH_DATABASE_URL
(``--database-url``; the seeded consultation is deleted afterwards), then runs the export in
a fresh subprocess per measurement (``export_pabulib`` into a file) and reports its wall time
and peak RSS (VmHWM of that subprocess, else ``resource.getrusage``; it includes Python, Django and
numpy: ``baseline`` is the same process before exporting). ``--old`` also runs the former
in-memory export (kept in tests/planning/test_pabulib_export_stream.py) and checks that both
files are equal.

``--hash`` needs no database: it builds a synthetic election in memory and times
``Election.input_hash`` (best of 3) against the former per-voter implementation (kept in
tests/counting/test_input_hash.py), checking that the values are equal.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench._common import peak_rss_mb  # noqa: E402

MEAN_CHOICES = 2.94


def synthetic_ballot_lengths(rng, n):
    import numpy as np

    return np.minimum(rng.poisson(MEAN_CHOICES, size=n), 8)


# -- input_hash --------------------------------------------------------------------------------


def bench_hash(ballots: int, proposals: int) -> None:
    import numpy as np

    from planning.counting import Election
    from tests.counting.test_input_hash import reference_input_hash

    rng = np.random.default_rng(2026)
    lengths = synthetic_ballot_lengths(rng, ballots)
    popularity = rng.dirichlet(np.ones(proposals))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    # distinct projects per ballot: draw with replacement, then let Election de-duplicate
    indices = rng.choice(proposals, size=int(indptr[-1]), p=popularity)
    ids = [str(i + 1) for i in range(proposals)]  # "10" sorts before "9"
    for vote_type in ("approval", "cumulative"):
        points = rng.integers(1, 6, size=len(indices)) if vote_type == "cumulative" else None
        election = Election(ids, [1000] * proposals, 10**6, indptr, indices, points, vote_type)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            new = election.input_hash()
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        old = reference_input_hash(election)
        before = time.perf_counter() - started
        print(json.dumps({
            "vote_type": vote_type, "ballots": election.n_voters,
            "choices": len(election.indices), "before_s": round(before, 3),
            "after_s": round(min(times), 3), "speed_up": round(before / min(times), 1),
            "equal": new == old}))
        assert new == old


# -- export ------------------------------------------------------------------------------------


def seed(*, ballots: int, proposals: int, seed_value: int = 3):
    import numpy as np

    from consult import services
    from consult.models import Ballot, BallotChoice, City, Participant, Proposal
    from tests.factories import phase_dates

    rng = random.Random(seed_value)
    nrng = np.random.default_rng(seed_value)
    slug = f"bench-export-{os.getpid()}-{int(time.time())}"
    city = City.objects.create(name="Ciudad de México", slug=slug, country="MX",
                               timezone="America/Mexico_City", currency="MXN")
    consultation = services.consultation_create(
        city=city, title="Results day", slug="results-day", plan_start_year=2027,
        plan_end_year=2030, budget=Decimal("120000000"), max_choices=8,
        counting_rule="greedy", **phase_dates("results"),
    )
    themes = list(consultation.themes.all())
    author = Participant.objects.create(city=city)
    made = Proposal.objects.bulk_create(
        Proposal(consultation=consultation, author=author, theme=themes[i % len(themes)],
                 reference=str(i + 1), title=f"Proposal {i + 1}", summary="A proposal.",
                 estimated_cost=Decimal(rng.randrange(5, 60) * 100_000),
                 status=Proposal.Status.SHORTLISTED)
        for i in range(proposals)
    )
    pks = np.array([p.pk for p in made])
    popularity = nrng.dirichlet(np.ones(proposals))
    batch = 20_000
    for start in range(0, ballots, batch):
        size = min(batch, ballots - start)
        people = Participant.objects.bulk_create(
            (Participant(city=city) for _ in range(size)), batch_size=5000)
        rows = Ballot.objects.bulk_create(
            (Ballot(participant=person, consultation=consultation) for person in people),
            batch_size=5000)
        lengths = synthetic_ballot_lengths(nrng, size)
        choices = []
        for ballot, k in zip(rows, lengths.tolist(), strict=True):
            if k:
                picked = nrng.choice(proposals, size=k, replace=False, p=popularity)
                choices.extend(BallotChoice(ballot_id=ballot.pk, proposal_id=int(pks[j]))
                               for j in picked.tolist())
        BallotChoice.objects.bulk_create(choices, batch_size=5000)
    return consultation


def child(args) -> None:
    """In a fresh process: export the consultation into a file, report time and peak RSS."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from consult.models import Consultation

    baseline = peak_rss_mb()
    consultation = Consultation.objects.select_related("city").get(pk=args.consultation)
    started = time.perf_counter()
    if args.child == "old":
        from tests.planning.test_pabulib_export_stream import reference_export

        Path(args.out).write_text(reference_export(consultation=consultation),
                                  encoding="utf-8")
    else:
        from io import StringIO

        from django.core.management import call_command

        call_command("export_pabulib", str(consultation.pk), args.out, stdout=StringIO())
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(json.dumps({"export": args.child, "seconds": round(seconds, 2),
                      "peak_rss_mb": round(peak), "baseline_rss_mb": round(baseline)}))


def run_child(kind: str, database_url: str, consultation: int, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--database-url", database_url,
         "--consultation", str(consultation), "--out", str(out)],
        check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_export(args) -> None:
    from pages import setup  # bench/pages.py: throw-away database, migrations

    database_url = setup(args.database_url)
    started = time.perf_counter()
    consultation = seed(ballots=args.ballots, proposals=args.proposals)
    print(json.dumps({"seeded_ballots": args.ballots,
                      "seed_s": round(time.perf_counter() - started, 1)}), flush=True)
    from django.db import connection

    connection.close()
    outdir = Path(os.environ.get("TMPDIR", "/tmp"))
    digests = {}
    try:
        for kind in (["old"] if args.old else []) + ["new"]:
            out = outdir / f"bench-export-{os.getpid()}-{kind}.pb"
            result = run_child(kind, database_url, consultation.pk, out)
            digests[kind] = hashlib.sha256(out.read_bytes()).hexdigest()
            result["file_mb"] = round(out.stat().st_size / 2**20, 1)
            result["vendor"] = database_url.split(":", 1)[0]
            print(json.dumps(result), flush=True)
            out.unlink()
        if args.old:
            assert digests["old"] == digests["new"], "the exports differ"
            print(json.dumps({"identical": True}))
    finally:
        if args.database_url:  # a shared database: remove what was seeded
            from consult.models import Ballot, BallotChoice, Participant, Proposal

            BallotChoice.objects.filter(ballot__consultation=consultation)._raw_delete("default")
            Ballot.objects.filter(consultation=consultation)._raw_delete("default")
            # Proposals protect their themes, and the consultation protects both.
            Proposal.objects.filter(consultation=consultation).delete()
            consultation.themes.all().delete()
            city = consultation.city
            consultation.delete()
            Participant.objects.filter(city=city)._raw_delete("default")
            city.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=None)
    parser.add_argument("--proposals", type=int, default=100)
    parser.add_argument("--tiny", action="store_true", help="200 ballots: a smoke run")
    parser.add_argument("--old", action="store_true", help="also time the former export")
    parser.add_argument("--hash", action="store_true", help="time Election.input_hash")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--child", choices=["old", "new"], help=argparse.SUPPRESS)
    parser.add_argument("--consultation", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if args.ballots is None:
        args.ballots = 200 if args.tiny else (1_000_000 if args.hash else 100_000)
    if args.hash:
        return bench_hash(args.ballots, args.proposals)
    return bench_export(args)


if __name__ == "__main__":
    main()
