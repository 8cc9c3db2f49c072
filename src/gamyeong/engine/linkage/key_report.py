"""The provider's own report on its keys: rows keyed and excluded per key set, the reasons per
item, and keys held by more than one record (duplicates, which the KMA excludes from linking)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from gamyeong.engine.linkage.key_items import INVALID, MISSING, status_column
from gamyeong.engine.linkage.key_specs import KeySpec, key_column

ROW_NUMBER = "row_number"  # 1-based data row in the provider's file (header not counted)
EXAMPLES = 20  # excluded row numbers shown per key set in the provider's own report
REASONS = {MISSING: "missing", INVALID: "invalid"}


@dataclass(frozen=True)
class SpecReport:
    """One key set: rows keyed and excluded (with the reasons per item: ``missing`` = null or
    blank, ``invalid`` = present but fits no rule), and keys held by more than one record."""

    name: str
    items: list[str]
    keyed: int
    excluded: int
    reasons: dict[str, dict[str, int]]
    duplicate_keys: int
    duplicate_records: int
    excluded_examples: list[int]  # first row numbers (1-based), for the provider only


@dataclass(frozen=True)
class KeyReport:
    rows: int
    items: dict[str, str]  # item kind → the provider's column
    salt_id: str
    key_sets: list[SpecReport]
    unkeyed_rows: int  # rows with no key in any key set (left out of the key file)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def key_set(self, name: str) -> SpecReport:
        return next(s for s in self.key_sets if s.name == name)


def build_report(
    frame: pl.DataFrame,
    result: pl.DataFrame,
    items: Mapping[str, str],
    specs: Sequence[KeySpec],
    salt_id: str,
) -> KeyReport:
    """The report from the normalized items (``frame``, with statuses) and the keyed rows."""
    counts = frame.select(
        (pl.col(status_column(kind)) == code).sum().alias(f"{kind}:{reason}")
        for kind in items
        for code, reason in REASONS.items()
    ).row(0, named=True)
    sets = [_spec_report(spec, result, specs, counts) for spec in specs]
    columns = [key_column(spec, specs) for spec in specs]
    unkeyed = result.select(pl.all_horizontal(pl.col(c).is_null() for c in columns).sum()).item()
    return KeyReport(frame.height, dict(items), salt_id, sets, int(unkeyed))


def _spec_report(
    spec: KeySpec, result: pl.DataFrame, specs: Sequence[KeySpec], counts: Mapping[str, int]
) -> SpecReport:
    keys = result.get_column(key_column(spec, specs))
    excluded = keys.is_null()
    reasons = {
        kind: {r: int(counts[f"{kind}:{r}"]) for r in REASONS.values() if counts[f"{kind}:{r}"]}
        for kind in spec.items
    }
    duplicate_keys, duplicate_records = _duplicates(keys)
    examples = result.get_column(ROW_NUMBER).filter(excluded).head(EXAMPLES).to_list()
    return SpecReport(
        name=spec.name,
        items=list(spec.items),
        keyed=int(keys.len() - keys.null_count()),
        excluded=int(keys.null_count()),
        reasons={kind: r for kind, r in reasons.items() if r},
        duplicate_keys=duplicate_keys,
        duplicate_records=duplicate_records,
        excluded_examples=[int(n) for n in examples],
    )


def _duplicates(keys: pl.Series) -> tuple[int, int]:
    """Keys held by more than one record, and those records. A cheap 64-bit hash finds the
    candidates; the exact count is taken on them only."""
    present = keys.drop_nulls()
    hashed = present.hash()
    if hashed.n_unique() == hashed.len():
        return 0, 0
    candidates = present.filter(hashed.is_duplicated())
    if candidates.is_empty():
        return 0, 0
    counts = candidates.value_counts(name="n").filter(pl.col("n") > 1)
    return counts.height, int(counts.get_column("n").sum())
