"""Benchmark: the counting engine against pabutools 1.2.3 on real Pabulib files.

    .venv/bin/python bench/counting.py            # full: also runs pabutools live where sane
    .venv/bin/python bench/counting.py --quick    # ours only; pabutools figures as recorded
    .venv/bin/python bench/counting.py --write    # also update docs/benchmarks.md

Times are "read the file + count", measured in one process (no interpreter start-up); ours is
the best of 5 (of 3 for runs of seconds). pabutools is run live only where it takes seconds;
its mes-add1 on Warszawa (~600 s, ~12 GB) and the long Toulouse / Wroclaw runs are never run
here: the figures recorded in ../shared/data/pabulib/expected-pabutools.jsonl (parse_s +
rule_s, 2-core machine) are used and marked "recorded". Peak memory of ours is the peak RSS
(VmHWM) of a fresh subprocess doing the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / ".." / "shared" / "data" / "pabulib"
DOC = ROOT / "docs" / "benchmarks.md"

CASES = [
    ("Poland_Warszawa_2026.pb", "greedy"),
    ("Poland_Warszawa_2026.pb", "mes"),
    ("Poland_Warszawa_2026.pb", "mes-greedy"),
    ("Poland_Warszawa_2026.pb", "phragmen"),
    ("Poland_Warszawa_2026.pb", "mes-add1"),
    ("Poland_Wroclaw_2015_150_-_500.pb", "greedy"),
    ("Poland_Wroclaw_2015_150_-_500.pb", "mes"),
    ("Poland_Wroclaw_2015_150_-_500.pb", "mes-greedy"),
    ("Poland_Wroclaw_2015_150_-_500.pb", "phragmen"),
    ("France_Toulouse_2022.pb", "mes-add1"),
    ("Hungary_Budapest_2024.pb", "mes"),
]
REPEATS = 5  # ours: best of this many runs (3 for runs of seconds)
QUICK = {("Poland_Warszawa_2026.pb", r) for r in ("greedy", "mes", "mes-add1")}
# mes-add1 runs skipped by the breakpoint analysis (accelerated vs the plain +1 loop)
ADD1_CASES = ["Poland_Warszawa_2026.pb", "France_Toulouse_2022.pb", "Hungary_Budapest_2024.pb",
              "synthetic-city"]
# the plain +1 loop takes minutes here (22,002 MES runs): not run
NO_PLAIN = {"Hungary_Budapest_2024.pb"}


def synthetic_city(seed: int = 2026, n: int = 3360, m: int = 60, budget: int = 120_000_000):
    """A city-sized instance with large costs (like Mexico City's): 3,360 voters approving 1-5
    of 60 projects costing 1.5M-18M, budget 120M. Seeded, so every run is the same."""
    import numpy as np

    from planning.counting import Election

    rng = np.random.default_rng(seed)
    costs = (rng.integers(30, 361, size=m) * 50_000).tolist()
    pop = rng.gamma(1.2, 1.0, size=m)
    pop /= pop.sum()
    indptr, indices = [0], []
    for _ in range(n):
        chosen = np.sort(rng.choice(m, size=int(rng.integers(1, 6)), replace=False, p=pop))
        indices.extend(chosen.tolist())
        indptr.append(len(indices))
    return Election([str(j + 1) for j in range(m)], costs, budget, np.array(indptr),
                    np.array(indices))


# mes-add1 in a fresh process: read + count timed from after `import planning.counting`, so it
# includes importing numba and loading (or, with an empty NUMBA_CACHE_DIR, compiling) the kernel
FRESH_SNIPPET = """
import sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from planning.counting import count, pabulib
t = time.perf_counter()
if {name!r} == "synthetic-city":
    from counting import synthetic_city
    e = synthetic_city()
else:
    e = pabulib.read({path!r})[1]
count(e, "mes-add1")
print(time.perf_counter() - t)
"""


def add1_fresh(name: str, compile_: bool = False) -> float:
    """Seconds of read + mes-add1 count in a new process: the compiled kernel loaded from its
    on-disk cache, or (``compile_``) compiled first, as after a fresh install."""
    import tempfile

    code = FRESH_SNIPPET.format(root=str(ROOT), bench=str(ROOT / "bench"), name=name,
                                path=str(DATA / name))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, **({"NUMBA_CACHE_DIR": cache} if compile_ else {}))
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env)
    return float(res.stdout.strip().splitlines()[-1])


def add1_row(name: str, plain: bool) -> tuple:
    from planning.counting import count, pabulib
    from planning.counting._prepare import TieBreak, prepare
    from planning.counting.mes import mes_add1, mes_setup

    def load():
        return synthetic_city() if name == "synthetic-city" else pabulib.read(DATA / name)[1]

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        out = count(load(), "mes-add1")
        best = min(best, time.perf_counter() - t)
    t_plain = None
    if plain:
        t = time.perf_counter()
        e = load()
        res, _runs, _log = mes_add1(mes_setup(prepare(e, 0, TieBreak.LEXICOGRAPHIC)),
                                    accelerate=False)
        t_plain = time.perf_counter() - t
        assert sorted(e.project_ids[j] for j in res.selected) == out.selected
    return (name.removesuffix(".pb"), out.n_voters, out.trace["runs"],
            out.trace["runs_computed"], best, add1_fresh(name), t_plain)
# pabutools runs that take too long or too much memory: use the recorded figure
NEVER_LIVE = {("Poland_Warszawa_2026.pb", "mes-add1"), ("France_Toulouse_2022.pb", "mes-add1"),
              ("Poland_Wroclaw_2015_150_-_500.pb", "greedy"),
              ("Poland_Wroclaw_2015_150_-_500.pb", "mes"),
              ("Poland_Wroclaw_2015_150_-_500.pb", "mes-greedy")}

# VmHWM (peak RSS of this process image) rather than ru_maxrss, which on Linux keeps the
# high-water mark of the parent that forked us
MEM_SNIPPET = """
import sys
sys.path.insert(0, {root!r})
from planning.counting import count, pabulib
_m, e, _x = pabulib.read({path!r})
count(e, {rule!r})
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) // 1024)
"""


def ours(path: Path, rule: str) -> tuple[float, list[str]]:
    from planning.counting import count, pabulib

    best, spent, runs = float("inf"), 0.0, 0
    # best of 5 (of 3 when a run takes seconds): the machine may be shared
    while runs < 3 or (runs < REPEATS and spent < 10.0):
        t = time.perf_counter()
        _m, election, _x = pabulib.read(path)
        out = count(election, rule)
        dt_ = time.perf_counter() - t
        best, spent, runs = min(best, dt_), spent + dt_, runs + 1
    return best, out.selected


def ours_peak_mb(path: Path, rule: str) -> int:
    code = MEM_SNIPPET.format(root=str(ROOT), path=str(path), rule=rule)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return int(res.stdout.strip().splitlines()[-1])


def pabutools_live(path: Path, rule: str) -> tuple[float, list[str]]:
    sys.path.insert(0, str(ROOT / "tests" / "counting"))
    from pabutools.election import parse_pabulib
    from pabutools_bridge import pabutools_outcome  # noqa: F401  (rule definitions)

    t = time.perf_counter()
    instance, profile = parse_pabulib(str(path))
    from pabutools.election import Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    if rule == "greedy":
        res = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes":
        res = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes-greedy":
        res = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat}, {"sat_class": Cost_Sat}])
    elif rule == "phragmen":
        res = sequential_phragmen(instance, profile)
    else:
        raise ValueError(rule)
    return time.perf_counter() - t, sorted(p.name for p in res)


def targets_paragraph(rows) -> str:
    ratio = {(f, r): (t, x) for f, r, _n, t, _m, _tp, _h, _pm, x in rows}

    def state(key, goal):
        if key not in ratio:
            return "not measured in this run"
        t, x = ratio[key]
        return f"{'met' if x >= goal else 'not met'} (×{x:,.0f}, {t:.3f} s)"

    return (
        "Targets (Warszawa, read + count): `mes` ≥ ×100 faster than pabutools — "
        f"{state(('Poland_Warszawa_2026', 'mes'), 100)}; `mes-add1` ≥ ×300 — "
        f"{state(('Poland_Warszawa_2026', 'mes-add1'), 300)}. Load average when written: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine may be shared)."
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="Warszawa only, no live pabutools")
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    ap.add_argument("--add1-only", action="store_true",
                    help="only the mes-add1 table (best of 3 each; no docs update)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"no Pabulib data in {DATA.resolve()}", file=sys.stderr)
        return 1
    recorded = {}
    for line in (DATA / "expected-pabutools.jsonl").read_text().splitlines():
        d = json.loads(line)
        recorded[(d["file"], d["rule"])] = d
    rows = []
    cases = [c for c in CASES if (not args.quick or c in QUICK) and not args.add1_only]
    if args.add1_only and args.write:
        ap.error("--add1-only does not update the docs")
    for name, rule in cases:
        path = DATA / name
        t_ours, sel = ours(path, rule)
        rec = recorded[(name, rule)]
        assert sel == rec["selected"], f"{name} {rule}: outcome differs from pabutools"
        mem = ours_peak_mb(path, rule)
        if args.quick or (name, rule) in NEVER_LIVE:
            t_pabu = rec["parse_s"] + rec["rule_s"]
            how = "recorded"
        else:
            t_pabu, psel = pabutools_live(path, rule)
            assert psel == sel
            how = "live"
        ratio = t_pabu / t_ours
        rows.append((name.removesuffix(".pb"), rule, rec["n_ballots"], t_ours, mem, t_pabu, how,
                     rec["maxrss_mb"], ratio))
        print(f"{name:38s} {rule:10s} ours {t_ours:7.3f} s {mem:5d} MB | pabutools "
              f"{t_pabu:8.2f} s ({how}, {rec['maxrss_mb']} MB) | ×{ratio:,.0f}", flush=True)
    table = [
        "| file | rule | voters | ours: read + count | ours: peak RSS | pabutools 1.2.3 "
        "| pabutools peak RSS | speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f, rule, n, t, mem, tp, how, pm, r in rows:
        table.append(f"| {f} | {rule} | {n:,} | {t:.3f} s | {mem} MB | {tp:.1f} s ({how}) "
                     f"| {pm:,} MB | ×{r:,.0f} |")
    print("\n".join(table))
    add1 = [
        "| instance | voters | per-voter budgets tried (= pabutools runs) | runs computed "
        "| ours: read + count | ours, fresh process | ours, plain +1 loop |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ADD1_CASES:
        f, n, runs, computed, t, t_fresh, tp = add1_row(name, plain=not args.quick
                                                        and name not in NO_PLAIN)
        plain_s = (f"{tp:.2f} s" if tp is not None else
                   "not run (--quick)" if args.quick else "not run (minutes)")
        add1.append(f"| {f} | {n:,} | {runs:,} | {computed:,} | {t:.3f} s | {t_fresh:.3f} s "
                    f"| {plain_s} |")
        print(add1[-1], flush=True)
    t_compile = add1_fresh(ADD1_CASES[1], compile_=True)
    compile_note = (f"A fresh install has no compiled kernel yet: its first `mes-add1` compiles "
                    f"it (`{ADD1_CASES[1].removesuffix('.pb')}` in a fresh process with an "
                    f"empty `NUMBA_CACHE_DIR`: {t_compile:.1f} s); later processes load it from "
                    "the cache (\"fresh process\" above).")
    print(compile_note, flush=True)
    if args.write:
        section = "\n".join([
            "## Counting engine",
            "",
            f"Measured {dt.date.today().isoformat()} on {platform.machine()} Linux, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}; reproduce with "
            f"`.venv/bin/python bench/counting.py{' --quick' if args.quick else ''} --write`.",
            "Times are read-the-file + count in one process (best of 5 for ours, of 3 when a "
            "run takes seconds). "
            "\"recorded\" pabutools figures are `parse_s + rule_s` from "
            "`../shared/data/pabulib/expected-pabutools.jsonl` (pabutools mes-add1 on Warszawa "
            "takes ~600 s and ~12 GB, so it is not re-run); \"live\" ones were measured in the "
            "same process as ours. Peak RSS of ours (VmHWM of a fresh process) includes the "
            "interpreter and numpy.",
            "",
            *table,
            "",
            "`mes-add1` skips the runs whose outcome provably cannot change (see "
            "`docs/counting.md`). `synthetic-city` is a seeded instance shaped like a city "
            "vote with large costs (3,360 voters, 60 projects of 1.5M-18M, budget 120M; "
            "`synthetic_city()` in `bench/counting.py`); pabutools is not run on it (it would "
            "need tens of thousands of MES runs). The plain loop is our own engine without "
            "the skipping, run once. \"read + count\" is the best of 3 in one process; "
            "\"fresh process\" is one read + count in a new interpreter (numba imported and "
            "the compiled kernel loaded from its on-disk cache).",
            "",
            *add1,
            "",
            compile_note,
            "",
            targets_paragraph(rows),
            "",
            "",
        ])
        text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
        pattern = re.compile(r"^## Counting engine\n.*?(?=^## |\Z)", re.S | re.M)
        text = pattern.sub(section, text) if pattern.search(text) else (
            text.rstrip() + "\n\n" + section)
        DOC.write_text(text)
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
