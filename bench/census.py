"""Census import timings: `census_import` of a 100,000-row file, next to reading and hashing the
same file and to a raw insert of the same rows, measured in the same run.

    .venv/bin/python bench/census.py [--rows 100000] [--repeat 3] [--write]
    .venv/bin/python bench/census.py --tiny     # 2,000 rows, seconds on SQLite: for CI

Uses a throw-away SQLite file (or BENCH_DATABASE_URL; its name must contain "bench" or "test").
The synthetic file (written to a temporary directory) has document numbers written as people
type them (dots and a dash), birth dates in both accepted formats and a district. Measured, each
the median of `--repeat` runs:

- read + hash: parse the CSV, normalise and hash every identifier (no database);
- raw insert: the same rows, already hashed, inserted with `bench._common.insert_rows` (COPY on
  PostgreSQL, executemany elsewhere) into an emptied table;
- import (first): `census_import` into a city without a census;
- import (replace): `census_import` over a census of the same size (delete + insert, one
  transaction), the usual case of a city publishing its new census.

The ratio that matters: import (replace) ÷ (read + hash + raw insert), the import's overhead
over doing the least that any import must do.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    default_database_url,
    insert_rows,
    load,
    machine,
    setup,
    write_section,
)

DISTRICTS = ["Centro", "Norte", "Sur", "Oriente", "Poniente", "Cerro Alegre", "Playa Ancha",
             "Barón", "Placeres", "Rodelillo"]
TARGET_SECONDS = 5.0
TARGET_RATIO = 2.0


def write_file(path: Path, rows: int, *, seed: int = 5) -> None:
    rng = random.Random(seed)
    numbers = rng.sample(range(5_000_000, 30_000_000), rows)
    start = date(1930, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("identifier,birth_date,district\n")
        for i, number in enumerate(numbers):
            text = f"{number:,}".replace(",", ".") + f"-{rng.choice('0123456789K')}"
            born = start + timedelta(days=rng.randrange(0, 365 * 75))
            when = born.isoformat() if i % 2 else born.strftime("%d/%m/%Y")
            handle.write(f"{text},{when},{rng.choice(DISTRICTS)}\n")


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="2,000 rows, once: for CI")
    parser.add_argument("--write", action="store_true",
                        help="write the figures to docs/benchmarks.md (## Census import)")
    parser.add_argument("--database-url", default=default_database_url())
    args = parser.parse_args()
    if args.tiny:
        args.rows, args.repeat = 2_000, 1
    database_url = setup(args.database_url)

    from django.db import connection

    from consult.identity import normalise_identifier
    from consult.models import CensusEntry, City
    from consult.services.census import _rows_of_file, census_hasher, census_import

    workdir = Path(tempfile.mkdtemp(prefix="cabildo-census-"))
    path = workdir / "census.csv"
    started = time.perf_counter()
    write_file(path, args.rows)
    written = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6

    city = City.objects.create(name="Valparaíso", slug="bench-census", country="CL",
                               timezone="America/Santiago", currency="CLP")
    digest = census_hasher(city_id=city.pk)

    def read_and_hash() -> list[tuple]:
        return [(digest(normalise_identifier(row["identifier"])), row["birth_date"],
                 row["district"]) for _line, row in _rows_of_file(path)]

    hashed = read_and_hash()
    prepared = []
    from consult.services.census import parse_birth_date

    for identifier_hash, born, district in hashed:
        prepared.append((city.pk, identifier_hash, parse_birth_date(born), district))

    def raw_insert() -> None:
        CensusEntry.objects.filter(city=city).delete()
        insert_rows(CensusEntry, ["city_id", "identifier_hash", "birth_date", "district"],
                    prepared)

    def import_first() -> None:
        CensusEntry.objects.filter(city=city).delete()
        report = census_import(city=city, file=path)
        assert report.stored == args.rows and not report.refused, report

    def import_replace() -> None:
        report = census_import(city=city, file=path)
        assert report.stored == args.rows and not report.refused, report

    load_before = load()
    read_s = median_of(read_and_hash, args.repeat)
    raw_s = median_of(raw_insert, args.repeat)
    first_s = median_of(import_first, args.repeat)
    replace_s = median_of(import_replace, args.repeat)
    assert CensusEntry.objects.filter(city=city).count() == args.rows
    floor = read_s + raw_s
    ratio = replace_s / floor
    vendor = connection.vendor
    lines = [
        f"database: {vendor} ({database_url.split(':', 1)[0]}); {args.rows:,} rows "
        f"({size_mb:.1f} MB, written in {written:.1f} s); median of {args.repeat}; "
        f"load {load_before} → {load()}",
        f"{'what':34} {'seconds':>8} {'rows/s':>10}",
    ]
    for name, seconds in (("read + hash (no database)", read_s),
                          ("raw insert (insert_rows)", raw_s),
                          ("census_import, first", first_s),
                          ("census_import, replacing", replace_s)):
        lines.append(f"{name:34} {seconds:8.3f} {args.rows / seconds:10,.0f}")
    verdict = lambda met: "met" if met else "MISSED"  # noqa: E731
    lines.append(f"import (replacing) vs read + hash + raw insert: {ratio:.2f}× "
                 f"(target ≤ {TARGET_RATIO:.1f}×) {verdict(ratio <= TARGET_RATIO)}")
    if not args.tiny:
        lines.append(f"import (replacing) of {args.rows:,} rows: {replace_s:.2f} s "
                     f"(target ≤ {TARGET_SECONDS:.0f} s) {verdict(replace_s <= TARGET_SECONDS)}")
    print("\n".join(lines))
    if args.write:
        write_section("Census import", "\n".join([
            f"Measured {date.today().isoformat()} on {machine()}; reproduce with "
            "`.venv/bin/python bench/census.py --write` (SQLite) or with "
            "`BENCH_DATABASE_URL=postgres://…/cabildo_bench` (`--tiny` for a seconds-long run "
            "on SQLite, which `tests/test_bench.py` runs in CI). See the script's docstring for "
            "what each line measures.",
            "",
            "```",
            *lines,
            "```",
        ]))


if __name__ == "__main__":
    main()
