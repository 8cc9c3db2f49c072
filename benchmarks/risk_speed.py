"""Time the identification-risk review end to end from Parquet (10M rows ≤ 3 s is the goal).

Usage: python benchmarks/risk_speed.py [--persons N] [--seed S] [--repeat R] [--compare-duckdb]

Generates the synthetic persons once into benchmarks/out/synth-N-seedS/ (in a child process, so
the generator's memory does not count) unless they are already there, then times
``assess(open_table(ssis_persons.parquet).frame, qi=[sex, age, sigungu_code, household_type],
sensitive=[disability], k=5)`` — every metric, outliers included. Also times the ``gamyeong risk
--json`` command as a child process (Python start-up and imports included). Prints one line per
run and a JSON summary (seconds, peak RSS of this process). ``--compare-duckdb`` also times the
one heavy step (records per class and sensitive value) in Polars and in DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from gamyeong.engine.io import open_table
from gamyeong.engine.risk import assess

OUT = Path(__file__).resolve().parent / "out"
QI = ["sex", "age", "sigungu_code", "household_type"]
SENSITIVE = ["disability"]
GOAL_SECONDS = 3.0


def ensure_data(persons: int, seed: int) -> Path:
    """benchmarks/out/synth-N-seedS/ssis_persons.parquet, generated once."""
    folder = OUT / f"synth-{persons}-seed{seed}"
    path = folder / "ssis_persons.parquet"
    if not path.exists():
        print(f"generating {persons:,} persons into {folder} …", flush=True)
        command = [sys.executable, "-m", "gamyeong", "synth", "-n", str(persons)]
        subprocess.run([*command, "--seed", str(seed), "--out", str(folder)], check=True)
    return path


def time_assess(path: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    with open_table(path) as table:
        report = assess(table.frame, QI, sensitive=SENSITIVE, k=5)
    return time.perf_counter() - start, report.to_dict()


def time_cli(path: Path) -> float:
    command = [sys.executable, "-m", "gamyeong", "risk", str(path), "--qi", ",".join(QI)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--sensitive", ",".join(SENSITIVE), "--json"], capture_output=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    return seconds


def compare_engines(path: Path, repeat: int) -> dict[str, float]:
    """Best time of the one heavy step, records per (class, sensitive value): Polars on text
    keys, Polars on Categorical keys (what ``assess`` does) and DuckDB reading the file."""
    import duckdb

    from gamyeong.engine.risk.classes import pair_counts

    keys = [*QI, *SENSITIVE]
    sql = f"SELECT {', '.join(keys)}, count(*) AS n FROM read_parquet(?) GROUP BY ALL"

    def polars_text() -> int:
        return pl.scan_parquet(path).select(keys).group_by(keys).len().collect().height

    def polars_categorical() -> int:
        frame = pl.scan_parquet(path)
        return pair_counts(frame, frame.collect_schema(), QI, SENSITIVE[0]).collect().height

    def duckdb_file() -> int:
        with duckdb.connect() as con:
            return len(con.execute(sql, [str(path)]).fetchall())

    runs = {
        "polars_text_keys": polars_text,
        "polars_categorical_keys": polars_categorical,
        "duckdb_from_parquet": duckdb_file,
    }
    best: dict[str, float] = {}
    for name, run in runs.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        best[name] = round(min(times), 3)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-duckdb", action="store_true")
    args = parser.parse_args()

    path = ensure_data(args.persons, args.seed)
    runs = []
    for run in range(args.repeat):
        seconds, report = time_assess(path)
        runs.append(seconds)
        print(
            f"run {run + 1}: {seconds:.2f} s  records={report['records']:,}  "
            f"classes={report['classes']:,}  k_min={report['k_min']}",
            flush=True,
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cli = [time_cli(path) for _ in range(args.repeat)]
    summary: dict[str, object] = {
        "persons": args.persons,
        "rows": report["records"],
        "qi": QI,
        "sensitive": SENSITIVE,
        "cpus": os.cpu_count(),
        "polars": pl.__version__,
        "seconds": [round(s, 2) for s in runs],
        "best_seconds": round(min(runs), 2),
        "median_seconds": round(statistics.median(runs), 2),
        "cli_seconds": [round(s, 2) for s in cli],
        "peak_rss_mb": round(peak_mb),
        "goal_seconds": GOAL_SECONDS,
        "meets_goal": min(runs) <= GOAL_SECONDS,
    }
    if args.compare_duckdb:
        summary["pair_count_seconds"] = compare_engines(path, args.repeat)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
