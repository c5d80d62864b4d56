"""Benchmark: the counting engine against pabutools 1.2.3 on real Pabulib files.

    .venv/bin/python bench/counting.py            # full: also runs pabutools live where sane
    .venv/bin/python bench/counting.py --quick    # ours only; pabutools figures as recorded
    .venv/bin/python bench/counting.py --write    # also update docs/benchmarks.md

Times are "read the file + count", measured in one process (no interpreter start-up); ours is
the best of 3. pabutools is run live only where it takes seconds; its mes-add1 on Warszawa
(~600 s, ~12 GB) and the long Toulouse / Wroclaw runs are never run here: the figures recorded
in ../shared/data/pabulib/expected-pabutools.jsonl (parse_s + rule_s, 2-core machine) are used
and marked "recorded". Peak memory of ours is the peak RSS (VmHWM) of a fresh subprocess
doing the same.
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
QUICK = {("Poland_Warszawa_2026.pb", r) for r in ("greedy", "mes", "mes-add1")}
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

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        _m, election, _x = pabulib.read(path)
        out = count(election, rule)
        best = min(best, time.perf_counter() - t)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="Warszawa only, no live pabutools")
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"no Pabulib data in {DATA.resolve()}", file=sys.stderr)
        return 1
    recorded = {}
    for line in (DATA / "expected-pabutools.jsonl").read_text().splitlines():
        d = json.loads(line)
        recorded[(d["file"], d["rule"])] = d
    rows = []
    cases = [c for c in CASES if not args.quick or c in QUICK]
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
    if args.write:
        section = "\n".join([
            "## Counting engine",
            "",
            f"Measured {dt.date.today().isoformat()} on {platform.machine()} Linux, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}; reproduce with "
            f"`.venv/bin/python bench/counting.py{' --quick' if args.quick else ''} --write`.",
            "Times are read-the-file + count in one process (best of 3 for ours). "
            "\"recorded\" pabutools figures are `parse_s + rule_s` from "
            "`../shared/data/pabulib/expected-pabutools.jsonl` (pabutools mes-add1 on Warszawa "
            "takes ~600 s and ~12 GB, so it is not re-run); \"live\" ones were measured in the "
            "same process as ours. Peak RSS of ours (VmHWM of a fresh process) includes the "
            "interpreter and numpy.",
            "",
            *table,
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
