"""Tokenization (토큰화): each distinct value gets a random token; the value ↔ token table is
additional information (추가정보) and lives only in the provider's vault.

Tokens are random (not derived from the value), so the table is the only way back. A value seen
in an earlier run keeps its token, so datasets pseudonymized at different times still link.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from gamyeong.engine.techniques.base import ANY, STRING, Context, Param, Technique

HEX = np.array(list("0123456789abcdef"))


def random_hex(count: int, length: int) -> npt.NDArray[np.str_]:
    """``count`` random hex strings of ``length`` characters from the OS's random source."""
    raw = np.frombuffer(secrets.token_bytes(count * ((length + 1) // 2)), dtype=np.uint8)
    nibbles = np.stack([raw >> 4, raw & 15], axis=-1).reshape(count, -1)[:, :length]
    return np.ascontiguousarray(HEX[nibbles]).view(f"<U{length}").ravel()


def random_hex_series(count: int, length: int, *, unique: bool = False) -> pl.Series:
    """:func:`random_hex` as a Polars ``String`` series, from the same source; several times
    faster for millions of values (no NumPy Unicode array on the way). With ``unique``, values
    whose first 64 bits repeat are drawn again until none does, so all values are distinct
    (``length`` ≥ 16 then)."""
    nbytes = (length + 1) // 2
    if unique and length < 16:
        raise ValueError("unique random hex values need at least 16 characters")
    raw = np.frombuffer(secrets.token_bytes(count * nbytes), dtype=np.uint8).reshape(count, nbytes)
    while unique and count:
        repeated = _repeated_prefixes(raw)
        if not repeated.size:
            break
        fresh = secrets.token_bytes(repeated.size * nbytes)
        raw = raw.copy()
        raw[repeated] = np.frombuffer(fresh, dtype=np.uint8).reshape(-1, nbytes)
    buffer = pa.py_buffer(np.ascontiguousarray(raw))
    array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(nbytes), count, [None, buffer])
    hexed = pl.Series(pl.from_arrow(array)).cast(pl.Binary).bin.encode("hex")
    return hexed.str.slice(0, length) if length % 2 else hexed


def _repeated_prefixes(raw: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Rows of ``raw`` whose first 8 bytes occur in another row too."""
    prefix = pl.Series(np.ascontiguousarray(raw[:, :8]).view(np.uint64).ravel())
    if prefix.n_unique() == prefix.len():  # the usual case, and much cheaper to find out
        return np.empty(0, dtype=np.int64)
    return prefix.is_duplicated().arg_true().to_numpy().astype(np.int64)


def _new_tokens(count: int, prefix: str, length: int, taken: pl.Series) -> pl.Series:
    tokens = pl.Series("token", random_hex(count, length)).str.replace(r"^", prefix)
    while True:
        clash = tokens.is_duplicated() | tokens.is_in(taken.implode())
        if not clash.any():
            return tokens
        redo = int(clash.sum())
        fresh = pl.Series(random_hex(redo, length)).str.replace(r"^", prefix)
        tokens = tokens.scatter(clash.arg_true(), fresh)


def _lookup(values: pl.Series, params: Mapping[str, Any], ctx: Context) -> pl.Series:
    vault = ctx.need_vault()
    name = params["table"] or ctx.column
    table = vault.read_table(name)
    if table is None:
        table = pl.DataFrame(schema={"value": pl.String, "token": pl.String})
    wanted = pl.DataFrame({"value": values.cast(pl.String)})
    missing = wanted.drop_nulls().unique().join(table, on="value", how="anti")
    if missing.height:
        tokens = _new_tokens(missing.height, params["prefix"], params["length"], table["token"])
        table = pl.concat([table, missing.with_columns(tokens)])
        vault.write_table(name, table)
    joined = wanted.join(table, on="value", how="left", maintain_order="left")
    return joined.get_column("token")


TOKENIZE = Technique(
    "tokenize",
    "tokenization (토큰화)",
    "토큰화",
    "Tokenization",
    (
        Param("table", "string"),
        Param("prefix", "string", default="T"),
        Param("length", "int", default=16, minimum=8, maximum=32),
    ),
    accepts=frozenset({ANY}),
    output=STRING,
    lookup=_lookup,
    reversible=True,
    uses_vault=True,
)
