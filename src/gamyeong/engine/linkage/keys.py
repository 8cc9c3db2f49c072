"""Combination keys (결합키) and serial numbers (일련번호): the provider's half of seed step 4-1.

For each record, :func:`make_keys` gives

- ``serial``: 32 random hex characters from the OS (never derived from identifiers), unique;
- one key per key set (:class:`KeySpec`): HMAC-SHA-256 with the combination's salt over the
  set's items, normalized (:mod:`.normalize`) and joined with ``|`` in the fixed item order
  ``name, birth_date, sex, phone, ci, text``, as 64 lowercase hex characters. A record with any
  item of a set missing or invalid gets no key for that set (null), never a key of empty text;

and a :class:`KeyReport`: rows, keyed and excluded rows per key set with the reasons per item,
and keys shared by more than one record here (duplicates: the key-management agency excludes
them from linking).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import polars as pl

from gamyeong.engine.linkage.artifacts import SERIAL
from gamyeong.engine.linkage.digest import digests
from gamyeong.engine.linkage.key_items import check_items, key_message, normalized_items
from gamyeong.engine.linkage.key_report import ROW_NUMBER, KeyReport, SpecReport, build_report
from gamyeong.engine.linkage.key_specs import (
    KEY_VERSION,
    KeySpec,
    check_specs,
    default_spec,
    key_column,
    parse_key_set,
)
from gamyeong.engine.linkage.salt import check_salt
from gamyeong.engine.techniques.tokenization import random_hex_series

__all__ = [
    "KEY_VERSION",
    "ROW_NUMBER",
    "KeyReport",
    "KeyResult",
    "KeySpec",
    "SpecReport",
    "default_spec",
    "key_column",
    "key_message",
    "make_keys",
    "normalized_items",
    "parse_key_set",
]

SERIAL_CHARS = 32


@dataclass(frozen=True)
class KeyResult:
    """``table``: one row per input row, in order — ``serial``, ``row_number``, the normalized
    items (named by kind) and the key columns."""

    table: pl.DataFrame
    specs: list[KeySpec]
    report: KeyReport

    @property
    def key_columns(self) -> list[str]:
        return [key_column(spec, self.specs) for spec in self.specs]

    @property
    def keyed(self) -> pl.Expr:
        """True for rows with a key in at least one key set."""
        return pl.any_horizontal(pl.col(c).is_not_null() for c in self.key_columns)

    def keys(self) -> pl.DataFrame:
        """The key file's rows: ``serial`` and the key columns, keyed rows only."""
        return self.table.filter(self.keyed).select(SERIAL, *self.key_columns)

    def identifiers(self) -> pl.DataFrame:
        """Additional information for the vault: serial ↔ row number and normalized items."""
        return self.table.select(SERIAL, ROW_NUMBER, *self.report.items)


def make_keys(
    table: pl.LazyFrame,
    items: Mapping[str, str],
    specs: Sequence[KeySpec],
    salt: bytes,
    salt_id: str,
    *,
    rows: int | None = None,
) -> KeyResult:
    """Serial numbers, one key per key set and the report for every row of ``table``.

    ``items`` maps item kinds (``name``, ``birth_date``, ``sex``, ``phone``, ``ci``, ``text``) to
    the provider's own column names. ``rows``, the number of rows when known beforehand, lets
    the serial numbers be drawn while the items are normalized (in a second thread).
    """
    started = time.perf_counter()
    check_salt(salt)
    schema = table.collect_schema()
    check_items(items, schema)
    check_specs(specs, items)
    with ThreadPoolExecutor(1) as background:
        drawn = background.submit(new_serials, rows) if rows is not None else None
        frame = normalized_items(table, items, schema)
        if drawn is None or rows != frame.height:
            drawn = background.submit(new_serials, frame.height)
        keys = {
            key_column(spec, specs): digests(key_message(frame, spec), salt, spec.algorithm)
            for spec in specs
        }
        serials = drawn.result()
    row_numbers = pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW_NUMBER)
    result = frame.select(serials, row_numbers, *items).with_columns(
        values.alias(name) for name, values in keys.items()
    )
    report = build_report(frame, result, items, specs, salt_id)
    seconds = round(time.perf_counter() - started, 3)
    return KeyResult(result, list(specs), replace(report, seconds=seconds))


def new_serials(rows: int) -> pl.Series:
    """``rows`` distinct serial numbers: 32 random hex characters each, from the OS."""
    return random_hex_series(rows, SERIAL_CHARS, unique=True).alias(SERIAL)
