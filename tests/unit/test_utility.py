"""Utility: information loss per item, checked on small tables."""

from __future__ import annotations

import polars as pl
import pytest

from gamyeong.engine.policy import load_policy
from gamyeong.engine.utility import compare

POLICY = """
environment: closed_room
items:
  name: delete
  region: keep
  age:
    technique: band
    width: 10
  income:
    technique: round
    base: 1000
"""


def test_losses_per_item_and_overall() -> None:
    before = pl.LazyFrame(
        {
            "name": ["a", "b", "c", "d"],
            "region": ["11", "11", "26", "26"],
            "age": [31, 35, 42, 47],
            "income": [1200, 1800, 2500, 3100],
        }
    )
    after = pl.LazyFrame(
        {
            "region": ["11", "11", "26", None],
            "age": ["30-39", "30-39", "40-49", "40-49"],
            "income": [1000, 2000, 3000, 3000],
        }
    )
    report = compare(before, after, load_policy(text=POLICY, source="p"))
    items = {item.column: item for item in report.items}
    assert items["name"].deleted and items["name"].loss == 1.0
    assert items["region"].suppressed_share == pytest.approx(0.25)
    # 4 distinct ages became 2 bands: half the distinct values, half the entropy (2 bits → 1).
    assert items["age"].generalization == pytest.approx(0.5)
    assert items["age"].entropy_before == pytest.approx(2.0)
    assert items["age"].entropy_after == pytest.approx(1.0)
    assert items["age"].loss == pytest.approx(0.5)
    assert items["income"].mean_before == pytest.approx(2150)
    assert items["income"].mean_after == pytest.approx(2250)
    assert 0 < items["income"].ks_distance <= 1  # type: ignore[operator]
    assert report.records_removed_share == 0
    assert report.mean_loss == pytest.approx(sum(i.loss for i in report.items) / 4)


def test_unchanged_data_loses_nothing() -> None:
    frame = pl.LazyFrame({"region": ["11", "26", "26"], "income": [1000, 2000, 3000]})
    policy = load_policy(
        text="environment: closed_room\nitems:\n  region: keep\n  income: keep\n", source="p"
    )
    report = compare(frame, frame, policy)
    assert report.mean_loss == 0
    assert all(item.loss == 0 for item in report.items)
