"""What a policy costs the research (유용성 평가): information loss per item and overall.

Per item, comparing the original with the pseudonymized data:

- ``deleted``: the item is gone — loss 1.
- ``suppressed_share``: the share of values blanked by the processing (nulls after − before).
- ``distinct_before`` / ``distinct_after`` and ``generalization`` = 1 − after / before.
- text or coded items: ``entropy_before`` / ``entropy_after`` (Shannon, bits, nulls counted as a
  value) and loss = 1 − H(after) / H(before): how much of the item's information is left.
- numeric items: mean and standard deviation before and after, ``mean_change`` (relative), and
  loss = the Kolmogorov–Smirnov distance between the two distributions (0 = identical).

Overall: ``records_removed_share`` (deleted, sampled or suppressed records) and ``mean_loss``,
the average item loss. Columnar: one aggregation per item, quantiles for the distributions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from gamyeong.engine.policy import Policy
from gamyeong.engine.techniques import kind_of

QUANTILES = np.linspace(0, 1, 201)


@dataclass(frozen=True)
class ItemUtility:
    column: str
    rule: str
    deleted: bool
    loss: float
    suppressed_share: float = 0.0
    distinct_before: int = 0
    distinct_after: int = 0
    generalization: float = 0.0
    entropy_before: float | None = None
    entropy_after: float | None = None
    mean_before: float | None = None
    mean_after: float | None = None
    std_before: float | None = None
    std_after: float | None = None
    mean_change: float | None = None
    ks_distance: float | None = None


@dataclass(frozen=True)
class UtilityReport:
    rows_before: int
    rows_after: int
    records_removed_share: float
    mean_loss: float
    items: list[ItemUtility] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entropy(frame: pl.LazyFrame, column: str) -> float:
    counts = frame.group_by(column).len().collect().get_column("len").to_numpy().astype(float)
    if counts.sum() == 0:
        return 0.0
    share = counts / counts.sum()
    return float(-(share * np.log2(share)).sum())


def _stats(frame: pl.LazyFrame, column: str) -> dict[str, float]:
    row = (
        frame.select(
            nulls=pl.col(column).null_count() / pl.len().clip(lower_bound=1),
            distinct=pl.col(column).drop_nulls().n_unique(),
        )
        .collect()
        .row(0, named=True)
    )
    return {"nulls": float(row["nulls"] or 0), "distinct": float(row["distinct"])}


def _numeric(
    frame: pl.LazyFrame, column: str
) -> tuple[float | None, float | None, np.ndarray[Any, Any]]:
    values = frame.select(pl.col(column).cast(pl.Float64).drop_nulls()).collect().to_series()
    if values.is_empty():
        return None, None, np.array([])
    array = values.to_numpy()
    quantiles = np.quantile(array, QUANTILES)
    return float(array.mean()), float(array.std(ddof=1)) if array.size > 1 else 0.0, quantiles


def _ks(before: np.ndarray[Any, Any], after: np.ndarray[Any, Any]) -> float:
    """KS distance between two distributions given by their quantiles."""
    if before.size == 0 or after.size == 0:
        return 1.0
    points = np.union1d(before, after)
    cdf_before = np.searchsorted(before, points, side="right") / before.size
    cdf_after = np.searchsorted(after, points, side="right") / after.size
    return float(np.abs(cdf_before - cdf_after).max())


def _item(
    before: pl.LazyFrame, after: pl.LazyFrame, column: str, rule: str, numeric_out: bool
) -> ItemUtility:
    sb, sa = _stats(before, column), _stats(after, column)
    common: dict[str, Any] = {
        "suppressed_share": round(max(0.0, sa["nulls"] - sb["nulls"]), 6),
        "distinct_before": int(sb["distinct"]),
        "distinct_after": int(sa["distinct"]),
        "generalization": round(max(0.0, 1 - sa["distinct"] / sb["distinct"]), 6)
        if sb["distinct"]
        else 0.0,
    }
    if numeric_out:
        mean_b, std_b, q_b = _numeric(before, column)
        mean_a, std_a, q_a = _numeric(after, column)
        ks = _ks(q_b, q_a)
        change = None if not mean_b else round((mean_a or 0) / mean_b - 1, 6)
        return ItemUtility(
            column,
            rule,
            False,
            round(max(ks, common["suppressed_share"]), 6),
            **common,
            mean_before=mean_b,
            mean_after=mean_a,
            std_before=std_b,
            std_after=std_a,
            mean_change=change,
            ks_distance=round(ks, 6),
        )
    h_b, h_a = _entropy(before, column), _entropy(after, column)
    loss = 0.0 if h_b == 0 else max(0.0, 1 - h_a / h_b)
    return ItemUtility(
        column,
        rule,
        False,
        round(loss, 6),
        **common,
        entropy_before=round(h_b, 6),
        entropy_after=round(h_a, 6),
    )


def compare(before: pl.LazyFrame, after: pl.LazyFrame, policy: Policy) -> UtilityReport:
    """Information loss of each policy item and overall, from the original and the result."""
    rows_before = int(before.select(pl.len()).collect().item())
    rows_after = int(after.select(pl.len()).collect().item())
    after_schema, before_schema = after.collect_schema(), before.collect_schema()
    items = []
    for column, rule in policy.items.items():
        if rule.drops:
            items.append(ItemUtility(column, rule.describe(), True, 1.0))
            continue
        numeric = kind_of(after_schema[column]) == kind_of(before_schema[column]) == "numeric"
        items.append(_item(before, after, column, rule.describe(), numeric))
    losses = [item.loss for item in items]
    return UtilityReport(
        rows_before=rows_before,
        rows_after=rows_after,
        records_removed_share=round(1 - rows_after / rows_before, 6) if rows_before else 0.0,
        mean_loss=round(sum(losses) / len(losses), 6) if losses else 0.0,
        items=items,
    )
