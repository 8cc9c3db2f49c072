"""Disclosure checks: speed on a 3-way table, and ACRO 1.0.2 side by side with identical flags.

Usage: python benchmarks/disclosure_speed.py [--persons N] [--big-persons M] [--seed S]
       [--repeat R] [--acro-python PATH] [--verify K] [--skip-cli]

Data: the project's synthetic generator (fixed seed) into benchmarks/out/synth-N-seedS/.

- ``count``: ``ssis_persons`` (N rows), sigungu_code × age_band (5-year bands, 85+) × sex —
  256 × 18 × 2 = 9,216 cells; ``check_table`` with the ``acro`` profile (ACRO's settings, rows
  counted) and with ``gamyeong`` (distinct persons, all checks); all of R runs, in memory,
  after one warm-up. Also ``gamyeong check-output --data … --json`` as a new process
  (start-up, imports and reading the Parquet file included), unless ``--skip-cli``.
- ``mean``: the same 9,216 cells, mean household size (a magnitude table: (n,k), p %).
- ``sum``: ``ssis_eligibility`` joined to the persons' region and sex: sum of the payment by
  sigungu_code × programme × sex.
- ``--acro-python``: the python of a separate environment with ``pip install acro`` (ACRO 1.0.2
  pins pandas ≤ 2.3.3, so it cannot share this one). The same tables are computed there by
  ``ACRO(suppress=False).crosstab`` on the same data (a CSV both read; reading is not timed),
  ACRO and gamyeong in turns (ACRO once, then gamyeong once, R times: each pair under the same
  load, since this machine is shared; the ratio reported is the median of the pairs'), and every
  flagged cell of every ACRO check must be the cell gamyeong flags (ACRO's
  ``sdc["cells"]``; for MinimumDoFCheck, whose cell list in ACRO 1.0.2 names every cell with a
  non-zero dof rather than the failing ones, the status is compared). ``--verify K`` adds
  ACRO's reference cases (shared/reference/acro/test_data.dta, incl. negative and missing
  values) and K random tables (small samples, random keys, statistics, margins, rules).
- ``--big-persons M`` (default 10M, 0 to skip): the ``count`` and ``mean`` tables on M rows.

Prints one line per measurement and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.disclosure import check_table, get_profile
from gamyeong.disclosure.checks import fail_column

OUT = Path(__file__).resolve().parent / "out"
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "acro" / "test_data.dta"
ACRO_NAMES = {
    "MinimumThresholdCheck": "threshold",
    "PresenceOfZeroCheck": "zeros",
    "NKCheck": "nk",
    "PPercentCheck": "p_percent",
    "MissingCheck": "missing",
}
KEY_DTYPES = {
    "sigungu_code": "str",
    "sido_code": "str",
    "household_type": "str",
    "programme": "str",
}
COUNT_CASE = {"index": ["sigungu_code", "age_band"], "columns": ["sex"]}
MEAN_CASE = {**COUNT_CASE, "values": "household_size", "aggfunc": "mean"}
SUM_CASE = {
    "index": ["sigungu_code", "programme"],
    "columns": ["sex"],
    "values": "payment_amount_krw",
    "aggfunc": "sum",
}

# Runs inside ACRO's environment: reads a spec, computes each table with ACRO, writes the flags.
ACRO_WORKER = r"""
import json, logging, sys, time, warnings
warnings.simplefilter("ignore"); logging.disable(logging.CRITICAL)
import numpy as np, pandas as pd
from acro import ACRO
spec = json.load(open(sys.argv[1], encoding="utf-8"))
frames, tables = {}, {}
for t in spec:
    src = t["source"]
    key = json.dumps(src, sort_keys=True)
    if key not in frames:
        if src["path"].endswith(".dta"):
            df = pd.read_stata(src["path"])
        else:
            df = pd.read_csv(src["path"], dtype=src.get("dtypes", {}))
        for column, first, last, value in src.get("mutate", []):
            df.loc[first:last, column] = np.nan if value is None else value
        for column in src.get("categorical", []):
            df[column] = df[column].astype("category")
        frames[key] = df
    tables[t["name"]] = (t, frames[key])

def run(name):
    t, df = tables[name]
    acro = ACRO(suppress=False)
    acro.sdc_checks.risk_appetite.update(t.get("rules", {}))
    index = [df[c] for c in t["index"]]
    columns = [df[c] for c in t["columns"]]
    values = df[t["values"]] if t.get("values") else None
    start = time.perf_counter()
    acro.crosstab(index, columns, values=values, aggfunc=t.get("aggfunc"),
                  margins=t.get("margins", False))
    seconds = time.perf_counter() - start
    record = acro.results.get_index(-1)
    return {"seconds": [seconds], "status": record.status, "cells": record.sdc["cells"]}

if sys.argv[2] == "-":  # serve: one table per line of stdin, one JSON line back
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(run(line.strip())), flush=True)
else:
    out = {}
    for name, (t, _) in tables.items():
        results = [run(name) for _ in range(t.get("repeat", 1))]
        out[name] = {**results[-1], "seconds": [r["seconds"][0] for r in results]}
    json.dump(out, open(sys.argv[2], "w", encoding="utf-8"))
"""


def ensure_data(persons: int, seed: int) -> Path:
    """benchmarks/out/synth-N-seedS/, generated once by ``gamyeong synth``."""
    folder = OUT / f"synth-{persons}-seed{seed}"
    if not (folder / "manifest.json").exists():
        print(f"generating {persons:,} persons into {folder} …", flush=True)
        command = [sys.executable, "-m", "gamyeong", "synth", "-n", str(persons)]
        subprocess.run([*command, "--seed", str(seed), "--out", str(folder)], check=True)
    return folder


def persons_frame(folder: Path) -> pl.DataFrame:
    columns = ["person_id", "sigungu_code", "sido_code", "age", "sex", "household_type"]
    frame = pl.read_parquet(folder / "ssis_persons.parquet", columns=[*columns, "household_size"])
    band = (pl.col("age") // 5).clip(0, 17).cast(pl.Int8)  # the generator's types: sex Int8 …
    return frame.with_columns(band.alias("age_band")).drop("age")


def payments_frame(folder: Path, persons: pl.DataFrame) -> pl.DataFrame:
    columns = ["person_id", "programme", "payment_amount_krw", "income_krw"]
    rows = pl.read_parquet(folder / "ssis_eligibility.parquet", columns=columns)
    joined = rows.join(persons.drop("household_size"), on="person_id", how="inner")
    return joined.with_columns(pl.col("payment_amount_krw", "income_krw").cast(pl.Float64))


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    runs, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        runs.append(time.perf_counter() - start)
    return runs, value


def ours(frame: Any, case: dict[str, Any], profile: Any, unit: str | None = None) -> Any:
    return check_table(
        frame,
        profile,
        rows=case["index"],
        cols=case["columns"],
        values=case.get("values"),
        agg=case.get("aggfunc"),
        unit=unit,
        margins=case.get("margins", False),
    )


def flags(report: Any) -> dict[str, list[list[int]]]:
    out = {}
    for check in ACRO_NAMES.values():
        if check in report.checks:
            hit = report.cells.filter(pl.col(fail_column(check))).sort("row_pos", "col_pos")
            out[check] = [[int(r), int(c)] for r, c in hit.select("row_pos", "col_pos").iter_rows()]
    return out


def differences(report: Any, acro: dict[str, Any]) -> list[str]:
    """Where gamyeong's flags or status differ from ACRO's (empty: identical)."""
    mine = flags(report)
    found = []
    for name, check in ACRO_NAMES.items():
        theirs = sorted(acro["cells"].get(name, []))
        if theirs != mine.get(check, []):
            found.append(f"{check}: ACRO {theirs[:8]} gamyeong {mine.get(check, [])[:8]}")
    if acro["status"] != report.status:
        found.append(f"status: ACRO {acro['status']} gamyeong {report.status}")
    return found


def run_acro(python: str, spec: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        worker, spec_path, out_path = (Path(scratch) / n for n in ("w.py", "s.json", "o.json"))
        worker.write_text(ACRO_WORKER, encoding="utf-8")
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        subprocess.run([python, str(worker), str(spec_path), str(out_path)], check=True)
        result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
        return result


def write_csv(frame: pl.DataFrame, name: str, folder: Path = OUT) -> dict[str, Any]:
    path = folder / name
    frame.write_csv(path)
    dtypes = {c: t for c, t in KEY_DTYPES.items() if c in frame.columns}
    return {"path": str(path), "dtypes": dtypes}


def read_like_acro(source: dict[str, Any]) -> Any:
    """The data as the ACRO side reads it (a pandas frame; mutations applied)."""
    import numpy as np
    import pandas as pd

    if source["path"].endswith(".dta"):
        frame = pd.read_stata(source["path"])
    else:
        frame = pd.read_csv(source["path"], dtype=source.get("dtypes", {}))
    for column, first, last, value in source.get("mutate", []):
        frame.loc[first:last, column] = np.nan if value is None else value
    for column in source.get("categorical", []):
        frame[column] = frame[column].astype("category")
    return frame


def reference_cases() -> list[dict[str, Any]]:
    """ACRO's own test cases on its test data (README of shared/reference/acro), as tables."""
    base = {"path": str(REFERENCE)}
    negative = {**base, "mutate": [["inc_grants", 0, 10, -10]]}
    missing = {**base, "mutate": [["inc_grants", 0, 10, None]]}
    yg = {"index": ["year"], "columns": ["grant_type"]}
    cases: list[dict[str, Any]] = [{"name": "ref count", "source": base, **yg}]
    for agg in ("mean", "sum", "median", "min", "max", "std"):
        cases.append(
            {"name": f"ref {agg}", "source": base, **yg, "values": "inc_grants", "aggfunc": agg}
        )
    cases += [
        {"name": "ref margins", "source": base, **yg, "margins": True},
        {"name": "ref margins mean", "source": base, **yg, "values": "inc_grants", "aggfunc": "mean", "margins": True},
        {"name": "ref negative", "source": negative, **yg, "values": "inc_grants", "aggfunc": "mean"},
        {"name": "ref missing", "source": missing, **yg, "values": "inc_grants", "aggfunc": "mean",
         "rules": {"check_missing_values": True}},
        {"name": "ref zeros on", "source": base, "index": ["year"], "columns": ["grant_type", "survivor"]},
        {"name": "ref zeros off", "source": base, "index": ["year"], "columns": ["grant_type", "survivor"],
         "rules": {"zeros_are_disclosive": False}},
        {"name": "ref 2 rows", "source": base, "index": ["year", "status"], "columns": ["grant_type"]},
        {"name": "ref rules", "source": base, **yg, "values": "inc_donations", "aggfunc": "sum",
         "rules": {"safe_threshold": 50, "safe_nk_n": 3, "safe_nk_k": 0.8, "safe_pratio_p": 0.3}},
    ]  # fmt: skip
    return cases


def random_cases(
    payments: pl.DataFrame, count: int, seed: int, folder: Path
) -> list[dict[str, Any]]:
    """``count`` random tables on small samples: keys, statistic, margins, rules, negatives."""
    rng = random.Random(seed)
    keys = ["sex", "sido_code", "household_type", "age_band", "programme"]
    cases = []
    for i in range(count):
        sample = payments.sample(rng.choice([300, 1000, 3000, 10000]), seed=seed + i)
        chosen = rng.sample(keys, rng.choice([2, 2, 3]))
        aggfunc = rng.choice([None, "sum", "mean", "median", "min", "max", "std"])
        value = rng.choice(["payment_amount_krw", "income_krw"])
        mutate = [[value, 0, 4, -1000.0]] if aggfunc and rng.random() < 0.2 else []
        rules: dict[str, Any] = {
            "safe_threshold": rng.choice([3, 5, 10, 20]),
            "safe_nk_n": rng.choice([1, 2, 3]),
            "safe_nk_k": rng.choice([0.5, 0.75, 0.9]),
            "safe_pratio_p": rng.choice([0.05, 0.1, 0.3]),
            "zeros_are_disclosive": rng.random() < 0.7,
            "check_missing_values": bool(aggfunc) and rng.random() < 0.5,
        }
        split = 1 if len(chosen) == 2 else rng.choice([1, 2])
        source = write_csv(sample.select([*chosen, value]), f"verify-{i}.csv", folder)
        if rng.random() < 0.3:  # pandas categories (their totals are laid out differently)
            source["categorical"] = rng.sample(chosen, rng.choice([1, len(chosen)]))
        cases.append(
            {
                "name": f"random {i}",
                "source": {**source, "mutate": mutate},
                "index": chosen[:split],
                "columns": chosen[split:],
                "values": value if aggfunc else None,
                "aggfunc": aggfunc,
                "margins": rng.random() < 0.3 and aggfunc != "std",
                "rules": rules,
            }
        )
    return cases


def verify(python: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Each case computed by ACRO and by gamyeong (``acro`` profile with the case's rules)."""
    acro = run_acro(python, cases)
    differing = {}
    for case in cases:
        profile = get_profile("acro", **case.get("rules", {}))
        report = ours(read_like_acro(case["source"]), case, profile)
        found = differences(report, acro[case["name"]])
        if found:
            differing[case["name"]] = found
    flagged = sum(
        len(v) for result in acro.values() for k, v in result["cells"].items() if k in ACRO_NAMES
    )
    return {"tables": len(cases), "acro_flagged_cells": flagged, "differing": differing}


class AcroServer:
    """ACRO in its own environment, kept running: one table computed per request, so that its
    runs and gamyeong's can alternate (the machine is shared: times drift over a minute)."""

    def __init__(self, python: str, spec: list[dict[str, Any]]) -> None:
        self.scratch = tempfile.TemporaryDirectory()
        worker, spec_path = (Path(self.scratch.name) / n for n in ("w.py", "s.json"))
        worker.write_text(ACRO_WORKER, encoding="utf-8")
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        command = [python, str(worker), str(spec_path), "-"]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == "ready\n"

    def run(self, name: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        result: dict[str, Any] = json.loads(self.process.stdout.readline())
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()
        self.scratch.cleanup()


def side_by_side(
    python: str, persons: pl.DataFrame, payments: pl.DataFrame, repeat: int
) -> dict[str, Any]:
    """The speed tables in ACRO and in gamyeong, run in turns (ACRO once, gamyeong once, …):
    each pair ran under the same load. Flags compared; times, and the ratio of each pair."""
    acro_profile = get_profile("acro")
    person_columns = ["sigungu_code", "age_band", "sex", "household_size"]
    payment_columns = ["sigungu_code", "programme", "sex", "payment_amount_krw"]
    persons_source = write_csv(persons.select(person_columns), "disclosure-persons.csv")
    payments_source = write_csv(payments.select(payment_columns), "disclosure-payments.csv")
    tables = (
        ("count", persons, persons_source, COUNT_CASE),
        ("mean", persons, persons_source, MEAN_CASE),
        ("sum", payments, payments_source, SUM_CASE),
    )
    spec = [{"name": n, "source": src, **case} for n, _, src, case in tables]
    server = AcroServer(python, spec)
    out: dict[str, Any] = {}
    try:
        for name, frame, _, case in tables:
            ours(frame, case, acro_profile)  # warm-up
            theirs, runs, acro = [], [], {}
            for _ in range(repeat):
                acro = server.run(name)
                theirs.append(acro["seconds"][0])
                mine, report = timed(lambda f=frame, c=case: ours(f, c, acro_profile), 1)
                runs.append(mine[0])
            found = differences(report, acro)
            pairs = [a / g for a, g in zip(theirs, runs, strict=True)]
            out[name] = {
                "rows": frame.height,
                "cells": report.cells.height,
                "flagged": report.summary(),
                "identical_flags": not found,
                "differences": found,
                "gamyeong_seconds": [round(s, 4) for s in runs],
                "acro_seconds": [round(s, 3) for s in theirs],
                "ratio_pairs": [round(r, 1) for r in pairs],
                "ratio_median": round(statistics.median(pairs), 1),
                "ratio_min": round(min(pairs), 1),
            }
            print(f"ACRO vs gamyeong, {name}: {out[name]}", flush=True)
    finally:
        server.close()
    return out


def big_side_by_side(python: str, big: pl.DataFrame, mine: dict[str, Any]) -> dict[str, Any]:
    """ACRO once on the big count table (its CSV alone is large); flags compared."""
    source = write_csv(big.select("sigungu_code", "age_band", "sex"), "disclosure-big.csv")
    acro = run_acro(python, [{"name": "big", "source": source, **COUNT_CASE, "repeat": 1}])
    report = ours(big, COUNT_CASE, get_profile("acro"))
    result = {
        "acro_seconds": [round(s, 2) for s in acro["big"]["seconds"]],
        "identical_flags": not differences(report, acro["big"]),
        "ratio_best": round(min(acro["big"]["seconds"]) / min(mine["seconds"]), 1),
    }
    print(f"ACRO vs gamyeong, big count: {result}", flush=True)
    return result


def time_cli(parquet: Path, repeat: int) -> list[float]:
    command = [sys.executable, "-m", "gamyeong", "check-output", "--data", str(parquet), "--json"]
    command += ["--rows", ",".join(COUNT_CASE["index"]), "--cols", "sex", "--profile", "acro"]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise RuntimeError(done.stderr.decode())
    return runs


def speed(
    label: str,
    frame: pl.DataFrame,
    case: dict[str, Any],
    profile: str,
    unit: str | None,
    repeat: int,
) -> dict[str, Any]:
    chosen = get_profile(profile)
    ours(frame, case, chosen, unit)  # warm-up
    runs, report = timed(lambda: ours(frame, case, chosen, unit), repeat)
    result = {
        "rows": frame.height,
        "cells": report.cells.height,
        "seconds": [round(s, 4) for s in runs],
        "flagged": report.summary(),
    }
    print(f"{label} [{profile}]: {result}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--big-persons", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--acro-python", default=None, help="python of an environment with acro")
    parser.add_argument("--verify", type=int, default=0, help="random tables compared with ACRO")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--acro-big", action="store_true", help="ACRO on the big count table too")
    args = parser.parse_args()

    folder = ensure_data(args.persons, args.seed)
    persons = persons_frame(folder)
    payments = payments_frame(folder, persons)
    summary: dict[str, Any] = {"persons": args.persons, "seed": args.seed}
    summary["count_acro"] = speed("count", persons, COUNT_CASE, "acro", None, args.repeat)
    summary["count_gamyeong"] = speed(
        "count", persons, COUNT_CASE, "gamyeong", "person_id", args.repeat
    )
    summary["mean_acro"] = speed("mean", persons, MEAN_CASE, "acro", None, args.repeat)
    summary["mean_gamyeong"] = speed(
        "mean", persons, MEAN_CASE, "gamyeong", "person_id", args.repeat
    )
    summary["sum_acro"] = speed("sum", payments, SUM_CASE, "acro", None, args.repeat)
    summary["sum_gamyeong"] = speed("sum", payments, SUM_CASE, "gamyeong", "person_id", args.repeat)
    if not args.skip_cli:
        parquet = OUT / f"disclosure-count-{args.persons}-seed{args.seed}.parquet"
        persons.write_parquet(parquet)
        summary["cli_seconds"] = [round(s, 3) for s in time_cli(parquet, args.repeat)]
        print(
            f"gamyeong check-output (new process, from Parquet): {summary['cli_seconds']}",
            flush=True,
        )
    if args.acro_python:
        summary["acro"] = side_by_side(args.acro_python, persons, payments, args.repeat)
        if args.verify >= 0:
            with tempfile.TemporaryDirectory(dir=OUT) as scratch:
                cases = reference_cases() + random_cases(
                    payments, args.verify, args.seed, Path(scratch)
                )
                summary["verify"] = verify(args.acro_python, cases)
            print(f"verification against ACRO: {summary['verify']}", flush=True)
    if args.big_persons:
        big = persons_frame(ensure_data(args.big_persons, args.seed))
        summary["big_count_acro"] = speed("count, big", big, COUNT_CASE, "acro", None, args.repeat)
        summary["big_mean_acro"] = speed("mean, big", big, MEAN_CASE, "acro", None, args.repeat)
        summary["big_count_gamyeong"] = speed(
            "count, big", big, COUNT_CASE, "gamyeong", "person_id", args.repeat
        )
        if args.acro_python and args.acro_big:
            summary["big_acro"] = big_side_by_side(args.acro_python, big, summary["big_count_acro"])
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
