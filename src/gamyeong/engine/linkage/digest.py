"""Keyed digests of normalized identifiers, in DuckDB on every core.

``hmac-sha256`` is HMAC-SHA-256 (RFC 2104) with the salt as the key, built from two SHA-256
calls over BLOBs: ``sha256(opad ‖ unhex(sha256(ipad ‖ message)))``. ``sha256`` is the plain
``SHA-256(message ‖ salt)`` of the public sample implementations, for compatibility. Both give
64 lowercase hex characters; a null message gives a null digest.

Why DuckDB: of the methods measured on the 2-core reference machine
(``benchmarks/keys_speed.py --compare``; 10M normalized messages, idle machine) it is the
fastest that needs nothing new: about 2.0 M HMAC/s with two threads (0.9 M/s with one).
Python's ``hashlib`` with precomputed inner/outer states and ``copy()`` does 0.9–1.4 M/s in one
process, ``hmac.new(key).copy()`` 0.8 M/s, ``hmac.digest`` 0.5 M/s; a process pool over Arrow
chunks only 1.0–1.4 M/s (the rows travel to the workers and back); polars-hash 1.1–1.4 M/s
(Arrow concatenation around two SHA-256 calls); a numba kernel 2.3 M/s at the cost of LLVM and
a JIT step. DuckDB's SHA-256 is software (no SHA-NI), ~1 µs of CPU per HMAC.
"""

from __future__ import annotations

import hashlib
import os

import duckdb
import polars as pl

ALGORITHMS = ("hmac-sha256", "sha256")
BLOCK = 64  # SHA-256 block size

HMAC_SQL = "SELECT sha256($outer || unhex(sha256($inner || encode(m)))) AS k FROM messages"
SHA256_SQL = "SELECT sha256(encode(m) || $salt) AS k FROM messages"


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA-256."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def digests(
    messages: pl.Series, salt: bytes, algorithm: str, *, threads: int | None = None
) -> pl.Series:
    """The keyed digest (hex) of each message's UTF-8 text, in order; nulls stay null."""
    params: dict[str, bytes]
    if algorithm == "hmac-sha256":
        inner, outer = hmac_pads(salt)
        sql, params = HMAC_SQL, {"inner": inner, "outer": outer}
    elif algorithm == "sha256":
        sql, params = SHA256_SQL, {"salt": salt}
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    frame = pl.DataFrame({"m": messages.cast(pl.String)})
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
        con.register("messages", frame)
        result = con.sql(sql, params=params).to_arrow_table()
    return pl.Series(messages.name, result.column("k")).cast(pl.String)
