"""One-way keyed hashing (일방향 암호화): HMAC-SHA-256 with a secret held in the provider's vault.

Without the key the hash cannot be recomputed from a guessed value (unlike a plain or salted
hash of a resident number, which can be brute-forced). Each distinct value is hashed once, in
DuckDB (HMAC from two SHA-256 calls over BLOBs, on all cores).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl

from gamyeong.engine.techniques.base import ANY, STRING, Context, Param, Technique

BLOCK = 64  # SHA-256 block size


def hmac_sha256_hex(values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA-256 (hex) of each value's UTF-8 text; nulls stay null."""
    if len(key) > BLOCK:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in padded)
    outer = bytes(b ^ 0x5C for b in padded)
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("input", frame)
        result = con.sql(
            "SELECT CASE WHEN v IS NULL THEN NULL "
            "ELSE sha256($outer || unhex(sha256($inner || encode(v)))) END AS h FROM input",
            params={"outer": outer, "inner": inner},
        ).to_arrow_table()
    return pl.Series(result.column("h"))


def _lookup(values: pl.Series, params: Mapping[str, Any], ctx: Context) -> pl.Series:
    key = ctx.need_vault().secret(params["secret"])
    hashed = hmac_sha256_hex(values, key)
    return hashed.str.slice(0, params["length"])


HMAC = Technique(
    "hmac",
    "cryptography (일방향 암호화)",
    "일방향 암호화(HMAC-SHA-256)",
    "One-way keyed hash (HMAC-SHA-256)",
    (
        Param("secret", "string", default="hmac"),
        Param("length", "int", default=64, minimum=16, maximum=64),
    ),
    accepts=frozenset({ANY}),
    output=STRING,
    lookup=_lookup,
    uses_vault=True,
)
