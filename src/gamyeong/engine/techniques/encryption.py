"""Two-way encryption (양방향 암호화): AES-SIV with a key kept in the provider's vault.

AES-SIV is deterministic (the same value always gives the same ciphertext, so encrypted keys
still join) and authenticated. Only the key holder can decrypt (:func:`decrypt_values`), which is
why the key is additional information and never leaves the vault.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from gamyeong.engine.techniques.base import ANY, STRING, Context, Param, Technique

KEY_BYTES = 64  # AES-256-SIV


def _cipher(ctx: Context, name: str) -> AESSIV:
    vault = ctx.need_vault()
    return AESSIV(vault.secret(name, size=KEY_BYTES))


def encrypt_values(values: pl.Series, cipher: AESSIV, associated: bytes) -> pl.Series:
    unique = values.cast(pl.String)
    encrypted = [
        None
        if v is None
        else base64.urlsafe_b64encode(cipher.encrypt(v.encode(), [associated])).decode()
        for v in unique.to_list()
    ]
    return pl.Series(encrypted, dtype=pl.String)


def decrypt_values(values: pl.Series, cipher: AESSIV, associated: bytes) -> pl.Series:
    return pl.Series(
        [
            None
            if v is None
            else cipher.decrypt(base64.urlsafe_b64decode(v), [associated]).decode()
            for v in values.to_list()
        ],
        dtype=pl.String,
    )


def _lookup(values: pl.Series, params: Mapping[str, Any], ctx: Context) -> pl.Series:
    return encrypt_values(values, _cipher(ctx, params["key"]), ctx.column.encode())


ENCRYPT = Technique(
    "encrypt",
    "cryptography (양방향 암호화)",
    "양방향 암호화(AES-SIV)",
    "Two-way encryption (AES-SIV)",
    (Param("key", "string", default="aes"),),
    accepts=frozenset({ANY}),
    output=STRING,
    lookup=_lookup,
    reversible=True,
    uses_vault=True,
)
