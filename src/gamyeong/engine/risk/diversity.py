"""l-diversity (distinct and entropy) and t-closeness of a sensitive attribute, as pycanon does.

Input is the table of (class, sensitive value, records) made by
:func:`~gamyeong.engine.risk.classes.pair_counts`; NULL is a sensitive value of its own.

- distinct l: min over classes of the number of distinct sensitive values.
- entropy l (pycanon ``entropy_l_diversity``): per class ``H = -Σ_v p_v·ln p_v`` with
  ``p_v = n_v / f``; the result is ``int(e ** min H)``. The last step is pycanon's, float
  rounding included (a 50/50 class gives ``e ** ln 2 = 1.9999999999999998`` and so 1); the
  classes at the minimum are recomputed with pycanon's exact NumPy arithmetic so the values agree.
- t-closeness (pycanon ``t_closeness``): max over classes of the earth mover's distance between
  the class's distribution q and the whole data's p over the m distinct values. Ordered values
  (numbers, booleans, dates; NULL placed after the largest) use ``1/(m-1)·Σ_i |Σ_{j≤i}(q_j-p_j)|``;
  other values use equal distance ``½·Σ_i |q_i-p_i|``. With m = 1 the distance is 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from gamyeong.engine.risk.classes import CLASS_ID, CLASS_SIZE, COUNT
from gamyeong.engine.risk.report import Distance, SensitiveRisk

VALUE_INDEX = "__gy_i"
SHARE = "__gy_p"
#: Classes whose entropy is within this of the minimum are recomputed exactly.
ENTROPY_TOLERANCE = 1e-9


def distance_for(dtype: pl.DataType) -> Distance:
    """Ordered ground distance for numbers, booleans and dates; equal distance otherwise."""
    if dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean:
        return "ordered"
    return "equal"


def sensitive_risk(
    pairs: pl.DataFrame, classes: pl.DataFrame, qi: Sequence[str], name: str, dtype: pl.DataType
) -> SensitiveRisk:
    """Distinct l, entropy l and t-closeness of ``name`` from its (class, value) counts and
    the class table of :func:`~gamyeong.engine.risk.classes.class_sizes`."""
    values = global_distribution(pairs, name)
    joined = (
        pairs.join(classes, on=list(qi), nulls_equal=True)
        .join(values, on=name, nulls_equal=True)
        .select(CLASS_ID, CLASS_SIZE, VALUE_INDEX, COUNT, SHARE)
        .sort(CLASS_ID, VALUE_INDEX)
    )
    per_class = joined.group_by(CLASS_ID).agg(
        pl.len().alias("l"),
        pl.col(CLASS_SIZE)
        .first()
        .log()
        .sub((pl.col(COUNT) * pl.col(COUNT).log()).sum() / pl.col(CLASS_SIZE).first())
        .alias("h"),
    )
    l_entropy, entropy = entropy_l(joined, per_class)
    distance = distance_for(dtype)
    m = values.height
    t = ordered_emd(joined, values) if distance == "ordered" else equal_emd(joined)
    return SensitiveRisk(
        name=name,
        l_distinct_min=int(per_class.select(pl.col("l").min()).item()),
        l_entropy_min=l_entropy,
        entropy_min=entropy,
        t_closeness_max=t if m > 1 else 0.0,
        distance=distance,
    )


def global_distribution(pairs: pl.DataFrame, name: str) -> pl.DataFrame:
    """The whole data's distribution of ``name``: value, index in sorted order, share p."""
    counts = pairs.group_by(name).agg(pl.col(COUNT).sum())
    total = counts[COUNT].sum()
    return (
        counts.sort(name, nulls_last=True)
        .with_row_index(VALUE_INDEX)
        .select(name, VALUE_INDEX, (pl.col(COUNT) / total).alias(SHARE))
    )


def entropy_l(joined: pl.DataFrame, per_class: pl.DataFrame) -> tuple[int, float]:
    """pycanon's entropy l and the smallest class entropy (nats).

    Polars finds the classes at the minimum; those few count patterns (the counts of each
    sensitive value in sorted order) are then evaluated with pycanon's own NumPy expression,
    ``-np.sum(p * np.log(p))`` and ``np.exp(1) ** H``, so floating-point rounding is the same.
    """
    h_min = float(per_class.select(pl.col("h").min()).item())
    near = per_class.filter(pl.col("h") <= h_min + ENTROPY_TOLERANCE)[CLASS_ID]
    patterns = (
        joined.filter(pl.col(CLASS_ID).is_in(near.implode()))  # keeps the value order
        .group_by(CLASS_ID, maintain_order=True)
        .agg(pl.col(COUNT))
        .select(pl.col(COUNT).unique())
        .to_series()
        .to_list()
    )
    entropies = [pycanon_entropy(counts) for counts in patterns]
    exact = min(entropies)
    l_value = min(np.exp(1) ** np.asarray(entropies))
    return int(l_value), float(exact) + 0.0  # no -0.0


def pycanon_entropy(counts: Sequence[int]) -> float:
    """``-Σ p·ln p`` for one class, in pycanon's order of operations."""
    p = np.asarray(counts, dtype=np.float64) / float(sum(counts))
    return float(-np.sum(p * np.log(p)))


def equal_emd(joined: pl.DataFrame) -> float:
    """Max over classes of ½·Σ_v |q_v - p_v|; values absent from a class contribute p_v."""
    q = pl.col(COUNT) / pl.col(CLASS_SIZE)
    per_class = joined.group_by(CLASS_ID).agg(
        (q - pl.col(SHARE)).abs().sum().alias("present"), pl.col(SHARE).sum().alias("p_in")
    )
    emd = 0.5 * (pl.col("present") + (1.0 - pl.col("p_in")).clip(lower_bound=0.0))
    return float(per_class.select(emd.max()).item())


def ordered_emd(joined: pl.DataFrame, values: pl.DataFrame) -> float:
    """Max over classes of 1/(m-1)·Σ_i |Q_i - P_i| (Q, P cumulative shares over sorted values).

    Q is a step function that changes only at values present in the class, so the sum is taken
    segment by segment: over a run of indices [a, b] where Q is constant, Σ|Q - P_i| splits at
    the first P_i above Q (a binary search, P being increasing) into two prefix-sum differences.
    Work is proportional to the number of (class, value) pairs, not classes × m.
    """
    m = values.height
    if m < 2:
        return 0.0
    cum_p = values[SHARE].cum_sum()
    prefix = pl.concat([pl.Series([0.0]), cum_p.cum_sum()])  # prefix[i] = Σ_{j<i} P_j
    p_series, s_series = pl.lit(cum_p), pl.lit(prefix)
    i, cid = pl.col(VALUE_INDEX).cast(pl.Int64), pl.col(CLASS_ID)
    first = (cid != cid.shift(1)).fill_null(True)  # rows are sorted by class, then value
    total = pl.col(COUNT).cast(pl.Int64).cum_sum()
    offset = pl.when(first).then(total - pl.col(COUNT)).forward_fill()
    segments = joined.with_columns(
        a=i,
        b=pl.when(cid.shift(-1) == cid).then(i.shift(-1) - 1).otherwise(m - 1),
        q=(total - offset) / pl.col(CLASS_SIZE),
    ).with_columns(
        u=p_series.search_sorted(pl.col("q"), side="right")
        .cast(pl.Int64)
        .clip(pl.col("a"), pl.col("b") + 1)
    )
    a, b, u, qc = pl.col("a"), pl.col("b"), pl.col("u"), pl.col("q")
    s_a, s_u, s_b1 = s_series.gather(a), s_series.gather(u), s_series.gather(b + 1)
    term = qc * (u - a) - (s_u - s_a) + (s_b1 - s_u) - qc * (b + 1 - u)
    per_class = (
        segments.with_columns(term=term, before=s_a)
        .group_by(CLASS_ID)
        .agg(pl.col("term").sum() + pl.col("before").first())
    )
    return float(per_class.select(pl.col("term").max()).item()) / (m - 1)
