"""Time combination-key generation (결합키 생성) on 10M synthetic persons (goal ≥ 1M rows/s).

Usage: python benchmarks/keys_speed.py [--persons N] [--seed S] [--repeat R] [--compare [M]]

Generates the synthetic persons once into benchmarks/out/synth-N-seedS/ (in a child process)
unless they are already there, then times, on ssis_persons.parquet with the four items name,
birth_date, sex and phone (one key set, HMAC-SHA-256):

- ``make_keys`` alone: normalization, serials, keys and the report (rows/s);
- ``gamyeong keys make`` end to end as a child process: the key file, the payload (every other
  column, no policy) and the vault's serial table, with Python start-up (rows/s, peak RSS).

``--compare [M]`` also times HMAC-SHA-256 of M normalized messages (default 2,000,000) by each
method that was considered, and checks each against Python's ``hmac``. Prints one line per run
and a JSON summary.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from gamyeong.engine.linkage.digest import digests, hmac_pads
from gamyeong.engine.linkage.keys import KeySpec, key_message, make_keys, normalized_items

OUT = Path(__file__).resolve().parent / "out"
ITEMS = {"name": "name", "birth_date": "birth_date", "sex": "sex", "phone": "phone"}
GOAL_ROWS_PER_SECOND = 1_000_000


def ensure_data(persons: int, seed: int) -> Path:
    """benchmarks/out/synth-N-seedS/ssis_persons.parquet, generated once."""
    folder = OUT / f"synth-{persons}-seed{seed}"
    path = folder / "ssis_persons.parquet"
    if not path.exists():
        print(f"generating {persons:,} persons into {folder} …", flush=True)
        command = [sys.executable, "-m", "gamyeong", "synth", "-n", str(persons)]
        subprocess.run([*command, "--seed", str(seed), "--out", str(folder)], check=True)
    return path


def time_make_keys(path: Path, salt: bytes) -> tuple[float, float]:
    """Wall and CPU seconds (all threads of this process) of ``make_keys``."""
    spec = KeySpec("main", tuple(ITEMS))
    start, cpu = time.perf_counter(), time.process_time()
    frame = pl.scan_parquet(path)
    rows = int(frame.select(pl.len()).collect().item())  # Parquet metadata: known up front
    result = make_keys(frame, ITEMS, [spec], salt, "bench", rows=rows)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    keys = result.table.get_column("key")
    messages = key_message(result.table, spec)
    for row in (0, keys.len() // 2, keys.len() - 1):  # spot-check order and value
        if messages[row] is not None:
            want = hmac.new(salt, messages[row].encode(), hashlib.sha256).hexdigest()
            assert keys[row] == want
    return seconds, cpu_seconds


def time_cli(path: Path, salt: bytes) -> tuple[float, int]:
    """``gamyeong keys make`` as a child process: seconds and its peak RSS (MB)."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        salt_file = Path(tmp) / "bench.salt"
        salt_file.write_bytes(salt)
        items = ",".join(f"{k}={v}" for k, v in ITEMS.items())
        command = [sys.executable, "-m", "gamyeong", "keys", "make", str(path), "--items", items]
        command += ["--salt-file", str(salt_file), "--provider", "bench", "--json"]
        command += ["--out-keys", f"{tmp}/send/keys.parquet"]
        command += ["--out-payload", f"{tmp}/send/payload.parquet", "--vault", f"{tmp}/vault"]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return seconds, int(peak)


# --- the HMAC methods that were compared ------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init_worker(salt: bytes) -> None:
    inner, outer = hmac_pads(salt)
    _STATE["inner"], _STATE["outer"] = hashlib.sha256(inner), hashlib.sha256(outer)


def _hmac_chunk(values: pa.Array) -> bytes:
    """HMAC-SHA-256 of each value with precomputed inner/outer states (``copy()``)."""
    copy_inner, copy_outer = _STATE["inner"].copy, _STATE["outer"].copy

    def one(value: bytes) -> bytes:
        inner = copy_inner()
        inner.update(value)
        outer = copy_outer()
        outer.update(inner.digest())
        return outer.digest()

    return b"".join(map(one, values.to_pylist()))


def _hex(digest_bytes: bytes) -> list[str]:
    return [digest_bytes[i : i + 32].hex() for i in range(0, len(digest_bytes), 32)]


def compare_methods(path: Path, count: int, salt: bytes) -> dict[str, float]:
    """Rows/s of HMAC-SHA-256 over ``count`` normalized messages, per method (best of two)."""
    spec = KeySpec("main", tuple(ITEMS))
    frame = pl.scan_parquet(path).head(count)
    messages = key_message(
        normalized_items(frame, ITEMS, frame.collect_schema()), spec
    ).drop_nulls()
    as_bytes = messages.cast(pl.Binary).to_list()
    expected = [hmac.new(salt, m, hashlib.sha256).hexdigest() for m in as_bytes[:1000]]
    arrow = messages.cast(pl.Binary).to_arrow().cast(pa.large_binary())
    chunks = [pa.concat_arrays([arrow.slice(i, 250_000)]) for i in range(0, len(arrow), 250_000)]

    def duckdb_threads(threads: int) -> Callable[[], list[str]]:
        return lambda: digests(messages, salt, "hmac-sha256", threads=threads).head(1000).to_list()

    def python_states() -> list[str]:
        _init_worker(salt)
        return _hex(_hmac_chunk(arrow))[:1000]

    def python_hmac_copy() -> list[str]:
        keyed = hmac.new(salt, digestmod=hashlib.sha256)
        out = []
        for value in as_bytes:
            mac = keyed.copy()
            mac.update(value)
            out.append(mac.digest())
        return [d.hex() for d in out[:1000]]

    def python_hmac_digest() -> list[str]:
        return [hmac.digest(salt, v, "sha256").hex() for v in as_bytes][:1000]

    def process_pool() -> list[str]:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            os.cpu_count(), mp_context=context, initializer=_init_worker, initargs=(salt,)
        ) as pool:
            parts = list(pool.map(_hmac_chunk, chunks))
        return _hex(b"".join(parts))[:1000]

    methods: dict[str, Callable[[], list[str]]] = {
        "duckdb_1_thread": duckdb_threads(1),
        f"duckdb_{os.cpu_count()}_threads": duckdb_threads(os.cpu_count() or 1),
        "python_hashlib_states_1_process": python_states,
        "python_hmac_new_copy_1_process": python_hmac_copy,
        "python_hmac_digest_1_process": python_hmac_digest,
        f"python_process_pool_{os.cpu_count()}": process_pool,
    }
    rates: dict[str, float] = {}
    for name, method in methods.items():
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            got = method()
            best = min(best, time.perf_counter() - start)
            assert got == expected, name
        rates[name] = round(len(as_bytes) / best)
        print(f"  {name}: {rates[name]:,.0f} HMAC/s", flush=True)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--compare", type=int, nargs="?", const=2_000_000, default=0)
    args = parser.parse_args()
    path = ensure_data(args.persons, args.seed)
    rows = int(pl.scan_parquet(path).select(pl.len()).collect().item())
    salt = os.urandom(32)
    keys_runs, keys_cpu, cli_runs, peaks = [], [], [], []
    for attempt in range(args.repeat):
        seconds, cpu_seconds = time_make_keys(path, salt)
        keys_runs.append(seconds)
        keys_cpu.append(cpu_seconds)
        cli_seconds, peak = time_cli(path, salt)
        cli_runs.append(cli_seconds)
        peaks.append(peak)
        print(
            f"run {attempt + 1}: make_keys {seconds:.2f} s ({rows / seconds:,.0f} rows/s, "
            f"CPU {cpu_seconds:.1f} s); "
            f"keys make {cli_seconds:.2f} s ({rows / cli_seconds:,.0f} rows/s), "
            f"peak RSS {peak:,} MB",
            flush=True,
        )
    summary: dict[str, Any] = {
        "rows": rows,
        "cores": os.cpu_count(),
        "make_keys_seconds": [round(s, 2) for s in keys_runs],
        "make_keys_rows_per_s": round(rows / min(keys_runs)),
        "make_keys_cpu_seconds": [round(s, 2) for s in keys_cpu],
        "keys_make_cli_seconds": [round(s, 2) for s in cli_runs],
        "keys_make_cli_rows_per_s": round(rows / min(cli_runs)),
        "keys_make_cli_peak_rss_mb": max(peaks),
        "goal_rows_per_s": GOAL_ROWS_PER_SECOND,
        "goal_met": rows / min(keys_runs) >= GOAL_ROWS_PER_SECOND,
    }
    if args.compare:
        summary["hmac_per_s_by_method"] = compare_methods(path, args.compare, salt)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
