"""Time materialising the eligibility table (1M rows) in every workspace format, and its dummy.

The table is the synthetic ``ssis_eligibility`` of a 2.3M-person population (about 1.0M rows),
cut to ``--rows``, built once into benchmarks/out/. Each measurement runs in a new process so
that its peak memory (max RSS, whole process including Python, Polars and pyreadstat) is its
own: Parquet + CSV alone, then each other format added on its own, then everything (with the
CP949 CSV), then ``make_dummy`` of 1,000 rows and ``write_dummy``.

Usage: python benchmarks/workspace_files_speed.py [--rows 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PERSONS = 2_300_000
CASES = {
    "parquet+csv": "parquet,csv",
    "+sav": "parquet,csv,sav",
    "+dta": "parquet,csv,dta",
    "+xpt (+ .sas)": "parquet,csv,xpt",
    "+rds (+ .R)": "parquet,csv,rds",
    "all + cp949": "parquet,csv,sav,dta,xpt,rds,cp949",
    "dummy 1,000 rows": "dummy",
}


def build_table(rows: int) -> tuple[Path, Path]:
    from gamyeong.engine.synth import SynthConfig, generate

    source = OUT / "workspace_synth"
    if not (source / "manifest.json").exists():
        generate(SynthConfig(persons=PERSONS, seed=7), source)
    table = OUT / f"workspace_eligibility_{rows}.parquet"
    if not table.exists():
        pl.scan_parquet(source / "ssis_eligibility.parquet").head(rows).sink_parquet(table)
    return table, source / "manifest.json"


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: on Linux it survives exec, so a
    child of a parent that just generated the input would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(case: str, table: Path, manifest: Path, out: Path) -> None:
    """One measurement, in this (new) process; prints a JSON line."""
    from gamyeong.engine.workspace import Codebook, materialise, write_dummy

    codebook = Codebook.from_synth(manifest)
    inputs = {"ssis_eligibility": table}
    start = time.perf_counter()
    if case == "dummy":
        write_dummy(inputs, out, codebook, rows=1000, seed=1)
    else:
        formats = [f for f in case.split(",") if f != "cp949"]
        materialise(inputs, out, codebook, cp949="cp949" in case, formats=formats)
    seconds = time.perf_counter() - start
    sizes = {p.name: p.stat().st_size for p in out.rglob("*") if p.is_file()}
    peak_mb = peak_rss_mb()
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb), "sizes": sizes}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs=4, metavar=("CASE", "TABLE", "MANIFEST", "OUT"))
    args = parser.parse_args()
    if args.child:
        case, table, manifest, out = args.child
        child(case, Path(table), Path(manifest), Path(out))
        return
    table, manifest = build_table(args.rows)
    rows = pl.scan_parquet(table).select(pl.len()).collect().item()
    print(f"table: {table} ({rows:,} rows)", flush=True)
    results: dict[str, list[dict[str, object]]] = {}
    for label, case in CASES.items():
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(dir=OUT) as tmp:
                done = subprocess.run(
                    [sys.executable, __file__, "--child", case, str(table), str(manifest), tmp],
                    check=True,
                    capture_output=True,
                    text=True,
                )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.setdefault(label, []).append(result)
            print(
                f"{label:18} {result['seconds']:7.2f} s  peak {result['peak_mb']:6,} MB", flush=True
            )
    last = results["all + cp949"][-1]["sizes"]
    print("file sizes (all formats):")
    for name, size in sorted(last.items()):  # type: ignore[attr-defined]
        print(f"  {name:40} {size / 2**20:8.1f} MiB")
    summary = {
        label: {
            "seconds": [r["seconds"] for r in runs],
            "peak_mb": [r["peak_mb"] for r in runs],
        }
        for label, runs in results.items()
    }
    print(json.dumps({"rows": rows, "runs": summary}))


if __name__ == "__main__":
    main()
