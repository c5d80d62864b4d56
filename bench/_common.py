"""Shared by the bench scripts: a throw-away database, fast inserts, timed requests, docs."""
from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def default_database_url() -> str | None:
    """BENCH_DATABASE_URL, else DATABASE_URL, else None (a throw-away SQLite file)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or None


def setup(database_url: str | None, *, reset: bool = True) -> str:
    """Point Django at `database_url` (a fresh SQLite file if None), empty it and migrate.

    A server database is emptied first (its tables are dropped): it must be a throw-away one,
    so its name has to contain "bench" or "test"."""
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
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # allows the test Client's host, in-memory e-mail
    if reset and connection.vendor != "sqlite":
        drop_tables()
    call_command("migrate", verbosity=0)
    return database_url


def drop_tables() -> None:
    """Drop every table of a throw-away server database (see setup)."""
    from django.db import connection

    name = connection.settings_dict["NAME"] or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to empty database {name!r}: use one named *bench* or *test*")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def insert_rows(model, columns: list[str], rows) -> int:
    """Insert many rows fast: `columns` are attnames of `model`, each row gives their values;
    the other columns get their field's default. COPY on PostgreSQL, executemany in batches
    elsewhere. No signals, no save(): like bulk_create, only faster. Returns the row count."""
    from django.db import connection, transaction
    from django.utils.timezone import now

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.column for f in fields]
    by_attname = {f.attname: i for i, f in enumerate(fields)}
    positions = [by_attname[c] for c in columns]
    base = []
    for field in fields:
        value = field.get_default() if field.has_default() else None
        if value is None and not field.null:
            kind = field.get_internal_type()
            if kind in ("CharField", "TextField", "SlugField"):
                value = ""
            elif kind == "DateTimeField":
                value = now()
        base.append(field.get_db_prep_save(value, connection))
    prep = [fields[p].get_db_prep_save for p in positions]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    sqlite = connection.vendor == "sqlite"
    count = 0

    def full(row):
        values = list(base)
        for position, value, to_db in zip(positions, row, prep, strict=True):
            values[position] = to_db(value, connection) if sqlite else value
        return values

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.connection.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(full(row))
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"
            batch = []
            for row in rows:
                batch.append(full(row))
                if len(batch) >= 10_000:
                    cursor.executemany(sql, batch)
                    count, batch = count + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def analyze() -> None:
    """Fresh planner statistics after seeding (autovacuum would do it a little later)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(requests: dict[str, tuple], repeat: int) -> dict[str, tuple[float, int]]:
    """Median time (ms) and query count of each page. `requests` maps a name to (client, url).
    The pages are requested in turn within each round, so that a slower moment of a shared
    machine falls on all of them alike; one warm-up round first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {name: [] for name in requests}
    for round_ in range(repeat + 1):
        for name, (client, url) in requests.items():
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, (url, response.status_code)
            if round_:
                times[name].append(elapsed)
    result = {}
    for name, (client, url) in requests.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[name] = (statistics.median(times[name]) * 1000, len(queries))
    return result


def machine() -> str:
    return (f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def write_section(title: str, body: str, *, replaces: tuple[str, ...] = ()) -> None:
    """Replace section `## title` (or the first of `replaces` found) of docs/benchmarks.md with
    `body`, or append it."""
    text = DOC.read_text()
    for heading in (title, *replaces):
        match = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", text, re.S | re.M)
        if match:
            text = text[:match.start()] + f"## {title}\n\n{body.strip()}\n\n" + text[match.end():]
            break
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n{body.strip()}\n"
    DOC.write_text(text.rstrip() + "\n")


def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM (reset at exec; ``ru_maxrss`` is inherited from
    the forking parent on Linux, so it would report the seeding process's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_postgres_database(name: str, *, script: str) -> str:
    """Drop and create database `name` on DATABASE_URL's PostgreSQL server; its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cabildo")
    if not base.startswith("postgres"):
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://…")
    admin = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
