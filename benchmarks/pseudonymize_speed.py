"""Time `gamyeong pseudonymize` on the synthetic eligibility table with the shipped policy.

Goal (issue): 10M rows, Parquet → Parquet, ≤ 60 s with peak memory ≤ 4 GB.

The 10M-row table is built once into benchmarks/out/ from several synthetic populations
(different seeds; management numbers prefixed per chunk so they stay unique), then the CLI is
run in a child process so its peak memory (max RSS) can be read.

Usage: python benchmarks/pseudonymize_speed.py [--rows 10000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from gamyeong.engine.synth import SynthConfig, generate

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PERSONS_PER_CHUNK = 2_000_000


def build_table(rows: int) -> Path:
    target = OUT / f"eligibility_{rows}.parquet"
    if target.exists():
        return target
    OUT.mkdir(parents=True, exist_ok=True)
    chunks: list[Path] = []
    total, seed = 0, 100
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        while total < rows:
            folder = Path(tmp) / f"chunk{seed}"
            generate(SynthConfig(persons=PERSONS_PER_CHUNK, seed=seed), folder)
            part = pl.read_parquet(folder / "ssis_eligibility.parquet").with_columns(
                pl.col("person_id").str.replace("^P", f"P{seed}"),
                pl.col("household_id").str.replace("^H", f"H{seed}"),
            )
            part = part.head(rows - total)
            chunk = Path(tmp) / f"part{seed}.parquet"
            part.write_parquet(chunk)
            chunks.append(chunk)
            total += part.height
            shutil.rmtree(folder)
            seed += 1
            print(f"  built {total:,} / {rows:,} rows", flush=True)
        pl.scan_parquet(chunks).sink_parquet(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    table = build_table(args.rows)
    policy = ROOT / "examples" / "policies" / "ssis_eligibility.yaml"
    runs = []
    for attempt in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            out = Path(tmp) / "out" / "eligibility.parquet"
            vault = Path(tmp) / "vault"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gamyeong",
                    "pseudonymize",
                    str(table),
                    "--policy",
                    str(policy),
                    "--out",
                    str(out),
                    "--vault",
                    str(vault),
                    "--json",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            rows_out = pl.scan_parquet(out).select(pl.len()).collect().item()
        runs.append(
            {"seconds": round(seconds, 2), "peak_rss_mb_max_so_far": max(peak, before) // 1024}
        )
        print(
            f"run {attempt + 1}: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s, rows out {rows_out:,}, "
            f"peak RSS (largest child so far) {max(peak, before) / 1024:,.0f} MB",
            flush=True,
        )
    summary = {
        "rows": args.rows,
        "runs": runs,
        "best_seconds": min(r["seconds"] for r in runs),
        "goal": "≤ 60 s, ≤ 4096 MB",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
