"""Fresh random tokens in the shape of a column's values (for dummy identifiers).

A column's *shape* is learnt per value length (lengths held by at least k values, the eight
most common): for each position, the alphabet its characters come from — a character shared by
every value of that length (the ``P`` of ``P3825995280``, the ``-`` of a phone number) is kept,
otherwise the narrowest of digits, hex digits, upper- or lower-case letters, letters,
letters-and-digits or Hangul syllables that holds all of them. A token is then drawn character by
character from those alphabets, with NumPy, as code points viewed as fixed-width strings: no
Python loop over rows. Nothing of any single value is reproduced beyond those shared characters.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import polars as pl

DIGITS = string.digits
HEX = "0123456789abcdef"
HEX_UPPER = "0123456789ABCDEF"
HANGUL = "".join(map(chr, range(0xAC00, 0xD7A4)))  # every modern Hangul syllable, 가 … 힣
ALNUM = string.ascii_letters + string.digits
ALPHABETS = (
    DIGITS,
    HEX,
    HEX_UPPER,
    string.ascii_uppercase,
    string.ascii_lowercase,
    string.ascii_letters,
    ALNUM,
    HANGUL,
)
SAMPLE = 200_000  # values enough to learn a shape from
MAX_SHAPES = 8


@dataclass(frozen=True)
class Shape:
    alphabets: tuple[str, ...]  # one per character position
    weight: int


def learn_shapes(values: pl.Series, k: int) -> list[Shape]:
    """The shapes of ``values`` (see the module docstring); empty when there is no value."""
    text = values.drop_nulls().cast(pl.String).head(SAMPLE)
    text = text.filter(text.str.len_chars() > 0)
    if text.is_empty():
        return []
    lengths = text.str.len_chars().alias("length").value_counts(name="n")
    lengths = lengths.sort(["n", "length"], descending=[True, False])
    common = lengths.filter(pl.col("n") >= k).head(MAX_SHAPES)
    chosen = common if not common.is_empty() else lengths.head(1)
    shapes = []
    for length, count in chosen.iter_rows():
        same = text.filter(text.str.len_chars() == length)
        alphabets = tuple(
            _alphabet(same.str.slice(p, 1), trusted=count >= k, k=k) for p in range(length)
        )
        shapes.append(Shape(alphabets, int(count)))
    return shapes


def _alphabet(chars: pl.Series, *, trusted: bool, k: int) -> str:
    counts = chars.alias("char").value_counts(name="n")
    distinct = set(counts["char"].to_list())
    if len(distinct) == 1:
        char = next(iter(distinct))
        # A shared letter or digit is kept only when enough values share it (else it could be
        # a piece of one person's value); punctuation is never identifying.
        if trusted or not (char.isalnum()):
            return str(char)
    for alphabet in ALPHABETS:
        if distinct <= set(alphabet):
            return alphabet
    frequent = sorted(counts.filter(pl.col("n") >= k)["char"].to_list())
    return "".join(frequent) if len(frequent) > 1 else ALNUM


def draw_tokens(shapes: list[Shape], n: int, rng: np.random.Generator) -> pl.Series:
    """``n`` random tokens following ``shapes`` (chosen by weight)."""
    if not shapes or n == 0:
        return pl.Series(values=[None] * n, dtype=pl.String)
    weights = np.array([s.weight for s in shapes], dtype=np.float64)
    picked = rng.choice(len(shapes), size=n, p=weights / weights.sum())
    parts: list[np.ndarray] = []
    where: list[np.ndarray] = []
    for index, shape in enumerate(shapes):
        rows = np.flatnonzero(picked == index)
        if rows.size == 0:
            continue
        codes = np.empty((rows.size, len(shape.alphabets)), dtype="<u4")
        for position, alphabet in enumerate(shape.alphabets):
            table = np.frombuffer(alphabet.encode("utf-32-le"), dtype="<u4")
            codes[:, position] = table[rng.integers(table.size, size=rows.size)]
        parts.append(codes.view(f"<U{len(shape.alphabets)}").ravel())
        where.append(rows)
    tokens = np.concatenate(parts)[np.argsort(np.concatenate(where), kind="stable")]
    return pl.Series(values=tokens, dtype=pl.String)


def draw_digit_ids(values: pl.Series, n: int, rng: np.random.Generator) -> pl.Series:
    """``n`` random non-negative integers with the most common digit count of ``values``."""
    present = values.drop_nulls()
    digits = 1
    if not present.is_empty():
        counted = present.abs().cast(pl.String).str.len_chars().mode().sort()
        digits = int(counted[0])
    low = 0 if digits == 1 else 10 ** (digits - 1)
    high = min(10**digits - 1, 2**62)
    drawn = rng.integers(low, high + 1, size=n, dtype=np.int64)
    return pl.Series(values=drawn).cast(values.dtype, strict=False)
