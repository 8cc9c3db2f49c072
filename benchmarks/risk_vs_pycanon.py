"""gamyeong's risk review against pycanon on the same 1M rows (goal: ≥ 50× faster, same k and l).

Usage: python benchmarks/risk_vs_pycanon.py [--persons N] [--seed S] [--repeat R] [--skip-slow]

Data: benchmarks/out/synth-N-seedS/ssis_persons.parquet (generated once in a child process);
quasi-identifiers sex, age, sigungu_code, household_type; sensitive attribute disability with
NULL written as "없음" for both tools (pycanon cannot take NULL sensitive values and drops NULL
quasi-identifiers; this data has none).

- gamyeong: ``assess`` end to end from the Parquet file (read + every metric + outliers), best of R.
- pycanon 1.3: ``k_anonymity``, ``l_diversity``, ``entropy_l_diversity`` and ``t_closeness``
  on a pandas DataFrame already in memory (the conversion is timed separately and not counted).
  ``--skip-slow`` leaves out entropy l and t-closeness (minutes on 1M rows).

Asserts identical k, distinct l and entropy l, and t within 1e-9; prints both times and ratios.
On these fine classes k and l are 1, so a second, coarse check (sex, sido_code; sensitive
household_type: k in the thousands, l above 1) compares values that are not trivially 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.io import open_table
from gamyeong.engine.risk import RiskReport, assess

OUT = Path(__file__).resolve().parent / "out"
QI = ["sex", "age", "sigungu_code", "household_type"]
SENSITIVE = "disability"
COARSE_QI, COARSE_SENSITIVE = ["sex", "sido_code"], "household_type"


def ensure_data(persons: int, seed: int) -> Path:
    folder = OUT / f"synth-{persons}-seed{seed}"
    path = folder / "ssis_persons.parquet"
    if not path.exists():
        print(f"generating {persons:,} persons into {folder} …", flush=True)
        command = [sys.executable, "-m", "gamyeong", "synth", "-n", str(persons)]
        subprocess.run([*command, "--seed", str(seed), "--out", str(folder)], check=True)
    return path


def run_gamyeong(path: Path) -> RiskReport:
    with open_table(path) as table:
        frame = table.frame.with_columns(pl.col(SENSITIVE).fill_null("없음"))
        return assess(frame, QI, sensitive=[SENSITIVE], k=5)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def coarse_check(path: Path) -> dict[str, Any]:
    """Every metric on coarse classes, where the values are not 1; asserts they agree."""
    from pycanon import anonymity

    start = time.perf_counter()
    with open_table(path) as table:
        report = assess(table.frame, COARSE_QI, sensitive=[COARSE_SENSITIVE], k=5)
    ours = time.perf_counter() - start
    (sens,) = report.sensitive
    data = pl.read_parquet(path, columns=[*COARSE_QI, COARSE_SENSITIVE]).to_pandas()
    qi, sa = COARSE_QI, [COARSE_SENSITIVE]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = {
            "k_min": anonymity.k_anonymity(data, qi),
            "l_distinct_min": anonymity.l_diversity(data, qi, sa),
            "l_entropy_min": anonymity.entropy_l_diversity(data, qi, sa),
            "t_closeness_max": anonymity.t_closeness(data, qi, sa),
        }
    pycanon_seconds = time.perf_counter() - start
    mine = {
        "k_min": report.k_min,
        "l_distinct_min": sens.l_distinct_min,
        "l_entropy_min": sens.l_entropy_min,
        "t_closeness_max": sens.t_closeness_max,
    }
    assert abs(mine.pop("t_closeness_max") - theirs.pop("t_closeness_max")) < 1e-9
    assert mine == theirs, (mine, theirs)
    print(f"coarse check: identical {mine}", flush=True)
    return {
        "qi": qi,
        "sensitive": COARSE_SENSITIVE,
        "values": {**mine, "t_closeness_max": sens.t_closeness_max},
        "gamyeong_seconds": round(ours, 3),
        "pycanon_seconds_all_four": round(pycanon_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()

    from pycanon import anonymity

    path = ensure_data(args.persons, args.seed)
    runs = [timed(lambda: run_gamyeong(path)) for _ in range(args.repeat)]
    ours, report = min(runs, key=lambda run: run[0])
    (sens,) = report.sensitive
    print(f"gamyeong assess: {ours:.3f} s (all metrics, from Parquet)", flush=True)

    convert, data = timed(
        lambda: (
            pl.read_parquet(path, columns=[*QI, SENSITIVE])
            .with_columns(pl.col(SENSITIVE).fill_null("없음"))
            .to_pandas()
        )
    )
    theirs: dict[str, float] = {}
    values: dict[str, Any] = {}
    calls: dict[str, Callable[[], Any]] = {
        "k_anonymity": lambda: anonymity.k_anonymity(data, QI),
        "l_diversity": lambda: anonymity.l_diversity(data, QI, [SENSITIVE]),
    }
    if not args.skip_slow:
        calls["entropy_l_diversity"] = lambda: anonymity.entropy_l_diversity(data, QI, [SENSITIVE])
        calls["t_closeness"] = lambda: anonymity.t_closeness(data, QI, [SENSITIVE])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, call in calls.items():
            theirs[name], values[name] = timed(call)
            print(f"pycanon {name}: {theirs[name]:.1f} s → {values[name]}", flush=True)

    assert values["k_anonymity"] == report.k_min, (values["k_anonymity"], report.k_min)
    assert values["l_diversity"] == sens.l_distinct_min, (values["l_diversity"], sens)
    if not args.skip_slow:
        assert values["entropy_l_diversity"] == sens.l_entropy_min, sens
        assert abs(values["t_closeness"] - sens.t_closeness_max) < 1e-9, sens

    k_and_l = theirs["k_anonymity"] + theirs["l_diversity"]
    summary: dict[str, Any] = {
        "rows": report.records,
        "classes": report.classes,
        "qi": QI,
        "sensitive": SENSITIVE,
        "values": {
            "k_min": report.k_min,
            "l_distinct_min": sens.l_distinct_min,
            "l_entropy_min": sens.l_entropy_min,
            "t_closeness_max": sens.t_closeness_max,
        },
        "identical": True,
        "gamyeong_seconds": round(ours, 3),
        "gamyeong_runs": [round(run[0], 3) for run in runs],
        "pycanon_seconds": {name: round(s, 2) for name, s in theirs.items()},
        "pycanon_pandas_conversion_seconds": round(convert, 2),
        "ratio_k_and_l": round(k_and_l / ours, 1),
        "goal_ratio": 50,
        "meets_goal": k_and_l / ours >= 50,
    }
    if not args.skip_slow:
        summary["ratio_all_four"] = round(sum(theirs.values()) / ours, 1)
    summary["coarse_check"] = coarse_check(path)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
