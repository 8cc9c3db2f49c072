"""Each pseudonymization technique on small tables, with hypothesis properties."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamyeong.engine.errors import EngineError
from gamyeong.engine.techniques import COLUMN_TECHNIQUES, RECORD_TECHNIQUES, Context
from gamyeong.engine.techniques.encryption import _cipher, decrypt_values
from gamyeong.engine.techniques.noise import ROW
from gamyeong.engine.techniques.suppression import suppress
from gamyeong.engine.vault import Vault


def apply(
    name: str, values: list[Any], vault: Vault | None = None, dtype: Any = None, **params: Any
) -> list[Any]:
    technique = COLUMN_TECHNIQUES[name]
    checked = technique.check_params(params, "test")
    ctx = Context("c", vault)
    frame = pl.DataFrame({"c": pl.Series(values, dtype=dtype)}).with_row_index(ROW)
    if technique.lookup is not None:
        series = frame.get_column("c")
        distinct = series.drop_nulls().unique()
        new = technique.lookup(distinct, checked, ctx)
        return series.replace_strict(distinct, new, default=None, return_dtype=new.dtype).to_list()
    assert technique.expr is not None
    return frame.select(technique.expr(pl.col("c"), checked, ctx)).to_series().to_list()


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(tmp_path / "vault")


def test_masking_names_and_phones() -> None:
    assert apply("mask", ["홍길동", "남궁민수", None]) == ["홍**", "남***", None]
    phone = apply("mask", ["010-1234-5678"], keep_first=4, keep_last=4)
    assert phone == ["010-****-5678"]


@given(st.text(min_size=0, max_size=20), st.integers(0, 5), st.integers(0, 5))
def test_masking_keeps_length_and_the_visible_ends(text: str, first: int, last: int) -> None:
    (masked,) = apply("mask", [text], keep_first=first, keep_last=last, preserve="")
    assert len(masked) == len(text)
    assert masked[:first] == text[:first]
    hidden = masked[first : max(first, len(text) - last)]
    assert set(hidden) <= {"*"}


def test_age_bands_with_an_open_top() -> None:
    assert apply("band", [0, 4, 5, 34, 85, 99, None], width=5, top=85) == [
        "0-4",
        "0-4",
        "5-9",
        "30-34",
        "85+",
        "85+",
        None,
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 110), min_size=1, max_size=200), st.integers(1, 20))
def test_generalization_never_makes_a_class_smaller(ages: list[int], width: int) -> None:
    banded = apply("band", ages, width=width)
    frame = pl.DataFrame({"age": ages, "band": banded})
    sizes = frame.with_columns(before=pl.len().over("age"), after=pl.len().over("band"))
    assert (sizes["after"] >= sizes["before"]).all()


def test_dates_to_month_quarter_and_year_from_dates_and_text() -> None:
    days = [date(1985, 3, 7), date(2026, 11, 30), None]
    assert apply("generalize_date", days, to="month") == ["1985-03", "2026-11", None]
    assert apply("generalize_date", days, to="quarter") == ["1985-Q1", "2026-Q4", None]
    text = ["1985.03.07", "19850307", "1985-03-07", "1985/03/07"]
    assert apply("generalize_date", text, to="year") == ["1985"] * 4


def test_region_to_province() -> None:
    assert apply("region", ["11110", "41111", "52111"]) == ["11", "41", "52"]
    assert apply("region", ["11110", "26110"], to="sido_name") == ["서울특별시", "부산광역시"]


def test_hierarchy_from_a_csv(tmp_path: Path) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text("value,level1,level2\n약사,보건의료,전문직\n간호사,보건의료,전문직\n", "utf-8")
    assert apply("hierarchy", ["약사", "간호사", None], file=str(csv), level=1) == [
        "보건의료",
        "보건의료",
        None,
    ]
    assert apply("hierarchy", ["약사"], file=str(csv), level=2) == ["전문직"]
    with pytest.raises(EngineError, match="not in the hierarchy: 기타"):
        apply("hierarchy", ["약사", "기타"], file=str(csv))
    assert apply("hierarchy", ["약사", "기타"], file=str(csv), missing="blank") == [
        "보건의료",
        None,
    ]


@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=50),
    st.sampled_from([10, 1000, 10000]),
)
def test_rounding_stays_within_half_a_base(values: list[int], base: int) -> None:
    rounded = apply("round", values, base=base)
    for before, after in zip(values, rounded, strict=True):
        assert after % base == 0
        assert abs(after - before) <= base / 2


def test_random_rounding_is_unbiased_and_reproducible(vault: Vault) -> None:
    values = [12_345] * 4000
    first = apply("random_round", values, vault, base=10_000)
    assert set(first) == {10_000, 20_000}
    assert sum(first) / len(first) == pytest.approx(12_345, rel=0.03)
    assert apply("random_round", values, vault, base=10_000) == first


def test_top_and_bottom_coding() -> None:
    assert apply("top_code", [1, 5, 9, None], above=5) == [1, 5, 5, None]
    assert apply("top_code", [1, 9], above=5, to="null") == [1, None]
    assert apply("bottom_code", [-3, 0, 4], below=0) == [0, 0, 4]


def test_noise_is_bounded_and_reproducible_from_the_secret(tmp_path: Path) -> None:
    values = [1_000_000] * 2000
    one, other = Vault(tmp_path / "a"), Vault(tmp_path / "b")
    noisy = apply("noise", values, one, relative=0.1)
    assert all(900_000 <= v <= 1_100_000 for v in noisy)
    assert len(set(noisy)) > 1000
    assert apply("noise", values, one, relative=0.1) == noisy
    assert apply("noise", values, other, relative=0.1) != noisy
    shifted = apply("noise", [date(2020, 1, 15)] * 200, one, days=3)
    assert {abs((d - date(2020, 1, 15)).days) for d in shifted} <= {0, 1, 2, 3}


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30, unique=True))
@settings(max_examples=25, deadline=None)
def test_keyed_hash_is_deterministic_per_key_and_differs_across_keys(values: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Vault(Path(tmp) / "a"), Vault(Path(tmp) / "b")
        first = apply("hmac", values, a)
        assert apply("hmac", values, a) == first
        assert apply("hmac", values, b) != first
        assert len(set(first)) == len(values)
        expected = hmac.new(a.secret("hmac"), values[0].encode(), hashlib.sha256).hexdigest()
        assert first[0] == expected


def test_tokens_are_random_stable_and_kept_only_in_the_vault(vault: Vault) -> None:
    tokens = apply("tokenize", ["a", "b", "a", None], vault, prefix="T")
    assert tokens[0] == tokens[2] and tokens[0] != tokens[1] and tokens[3] is None
    assert all(t.startswith("T") and len(t) == 17 for t in tokens[:3])
    again = apply("tokenize", ["b", "c"], vault, prefix="T")
    assert again[0] == tokens[1]  # the same value keeps its token across runs
    table = vault.read_table("c")
    assert table is not None and sorted(table["value"].to_list()) == ["a", "b", "c"]
    assert (vault.table_path("c").stat().st_mode & 0o077) == 0


def test_two_way_encryption_round_trips_only_with_the_key(vault: Vault, tmp_path: Path) -> None:
    encrypted = apply("encrypt", ["900101-1234567", "홍길동", None], vault)
    assert encrypted[0] != "900101-1234567" and encrypted[2] is None
    assert apply("encrypt", ["900101-1234567"], vault) == encrypted[:1]
    ctx = Context("c", vault)
    back = decrypt_values(pl.Series(encrypted[:2]), _cipher(ctx, "aes"), b"c")
    assert back.to_list() == ["900101-1234567", "홍길동"]
    from cryptography.exceptions import InvalidTag

    stranger = Context("c", Vault(tmp_path / "other"))
    with pytest.raises(InvalidTag):
        decrypt_values(pl.Series(encrypted[:1]), _cipher(stranger, "aes"), b"c")


def test_delete_records_and_sampling(vault: Vault) -> None:
    frame = pl.LazyFrame({"age": list(range(120))}).with_row_index(ROW)
    delete = RECORD_TECHNIQUES["delete_records"]
    params = delete.check_params({"column": "age", "op": ">=", "value": 100}, "t")
    kept = delete.apply(frame, params, Context("r", vault)).collect()
    assert kept["age"].max() == 99 and kept.height == 100
    sample = RECORD_TECHNIQUES["sample"]
    big = pl.LazyFrame({"x": range(20_000)}).with_row_index(ROW)
    half = sample.apply(big, sample.check_params({"fraction": 0.5}, "t"), Context("r", vault))
    first = half.collect()
    assert 9_500 < first.height < 10_500
    assert half.collect().equals(first)


def test_local_suppression_reaches_k() -> None:
    frame = pl.DataFrame(
        {
            ROW: range(8),
            "sex": ["1", "1", "1", "2", "2", "2", "1", "2"],
            "age": ["30", "30", "30", "40", "40", "40", "50", "60"],
        }
    )
    result = suppress(frame, ["sex", "age"], k=3)
    sizes = result.frame.group_by(["sex", "age"]).len()
    assert sizes["len"].min() >= 3
    assert result.suppressed["age"] >= 2
    assert result.frame.height + result.removed == 8
