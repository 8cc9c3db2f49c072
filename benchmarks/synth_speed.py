"""Time the synthetic-data generator end to end (1M persons ≤ 30 s is the goal).

Usage: python benchmarks/synth_speed.py [--persons N] [--seed S] [--repeat R]
Prints one line per run and a JSON summary (wall seconds, persons/s, peak RSS, file sizes).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from gamyeong.engine.synth import SynthConfig, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    runs = []
    for run in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="gamyeong-bench-"))
        try:
            start = time.perf_counter()
            manifest = generate(SynthConfig(persons=args.persons, seed=args.seed), out)
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
        finally:
            shutil.rmtree(out, ignore_errors=True)
        rows = {d["name"]: d["rows"] for d in manifest["datasets"]}
        runs.append(seconds)
        print(
            f"run {run + 1}: {seconds:.2f} s  ({args.persons / seconds:,.0f} persons/s)  rows={rows}"
            f"  parquet={size / 1e6:.1f} MB"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {
        "persons": args.persons,
        "seed": args.seed,
        "seconds": [round(s, 2) for s in runs],
        "best_seconds": round(min(runs), 2),
        "peak_rss_mb": round(peak_mb),
        "goal_seconds": 30,
        "meets_goal": min(runs) <= 30,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
