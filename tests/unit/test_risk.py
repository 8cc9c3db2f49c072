"""Identification-risk review: every metric on small hand-checked tables, properties, pycanon.

No Django: the engine is framework-free (run with ``pytest -p no:django`` if you like).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamyeong.engine.errors import EngineError
from gamyeong.engine.risk import assess, record_risk

# The hand-checked table. Quasi-identifiers: sex, band (an age band; one NULL).
# Sensitive: dis (text → equal distance), pay (number → ordered distance).
#
#  row sex band dis pay income      class (sex, band)  f
#   0   M   20   A   10   100       (M, 20)            3
#   1   M   20   A   20   100       (M, 20)
#   2   M   20   B   30   110       (M, 20)
#   3   M   30   A   10   120       (M, 30)            2
#   4   M   30   B   20   100       (M, 30)
#   5   F   20   A   10   105       (F, 20)            4
#   6   F   20   B   40   115       (F, 20)
#   7   F   20   C   30   100       (F, 20)
#   8   F   20   A   20   110       (F, 20)
#   9   F  NULL  B   40 10000       (F, NULL)          1   ← NULL is a value: its own class
SMALL = pl.DataFrame(
    {
        "sex": ["M", "M", "M", "M", "M", "F", "F", "F", "F", "F"],
        "band": [20, 20, 20, 30, 30, 20, 20, 20, 20, None],
        "dis": ["A", "A", "B", "A", "B", "A", "B", "C", "A", "B"],
        "pay": [10, 20, 30, 10, 20, 10, 40, 30, 20, 40],
        "income": [100, 100, 110, 120, 100, 105, 115, 100, 110, 10_000],
    }
)
QI = ["sex", "band"]


def test_class_figures_by_hand() -> None:
    report = assess(SMALL, QI, k=3)
    assert report.records == 10
    assert report.classes == 4  # (M,20) (M,30) (F,20) (F,NULL)
    assert report.k_min == 1  # (F,NULL)
    assert report.records_below_k == 3  # (M,30): 2 + (F,NULL): 1 are below k=3
    assert report.uniques == 1
    assert not report.passes
    assert assess(SMALL, QI, k=1).passes


def test_attacker_risks_without_population() -> None:
    report = assess(SMALL, QI, k=3)
    assert report.prosecutor_risk_max == 1.0  # 1 / k_min = 1 / 1
    assert report.prosecutor_risk_avg == pytest.approx(0.4)  # classes / records = 4 / 10
    assert report.marketer_risk == pytest.approx(0.4)  # the same without a population
    assert report.journalist_risk_max is None


def test_distinct_l_and_equal_distance_t_by_hand() -> None:
    # dis in the whole data: A 5/10, B 4/10, C 1/10.
    # distinct values per class: (M,20) {A,B}=2, (M,30) {A,B}=2, (F,20) {A,B,C}=3, (F,NULL) {B}=1.
    # t (equal distance, ½·Σ|q-p|):
    #   (M,20) q=(2/3,1/3,0): ½(1/6 + 1/15 + 1/10) = 1/6
    #   (M,30) q=(1/2,1/2,0): ½(0 + 0.1 + 0.1)     = 0.1
    #   (F,20) q=(1/2,1/4,1/4): ½(0 + 0.15 + 0.15) = 0.15
    #   (F,NULL) q=(0,1,0): ½(0.5 + 0.6 + 0.1)     = 0.6  ← max
    (dis,) = assess(SMALL, QI, sensitive=["dis"], k=3).sensitive
    assert dis.l_distinct_min == 1
    assert dis.distance == "equal"
    assert dis.t_closeness_max == pytest.approx(0.6)


def test_ordered_distance_t_by_hand() -> None:
    # pay sorted values 10, 20, 30, 40 with p = (.3, .3, .2, .2); m = 4, so divide by 3.
    #   (F,NULL) q=(0,0,0,1):  cumulative q-p = -.3, -.6, -.8, 0 → Σ|·| = 1.7 → 1.7/3 ← max
    #   (M,20)   q=(⅓,⅓,⅓,0): .0333, .0667, .2, 0 → .3/3 = .1
    #   (M,30)   q=(½,½,0,0):  .2, .4, .2, 0      → .8/3
    #   (F,20)   q=(¼,¼,¼,¼):  -.05, -.1, -.05, 0 → .2/3
    (pay,) = assess(SMALL, QI, sensitive=["pay"], k=3).sensitive
    assert pay.distance == "ordered"
    assert pay.t_closeness_max == pytest.approx(1.7 / 3)
    without_null = assess(SMALL.head(9), QI, sensitive=["pay"], k=1).sensitive[0]
    # Rows 0-8: p = (3/9, 3/9, 2/9, 1/9); (M,30) q=(½,½,0,0): cum 1/6, 1/3, 1/9, 0 → (11/18)/3
    assert without_null.t_closeness_max == pytest.approx(11 / 18 / 3)


def test_entropy_l_is_pycanons_floor_of_e_to_the_min_entropy() -> None:
    # Rows 0-8 (no NULL class): H(M,20) = -(⅔ln⅔ + ⅓ln⅓) = 0.6365 (the minimum),
    # H(M,30) = ln 2, H(F,20) = -(½ln½ + 2·¼ln¼) = 1.5·ln 2. e^0.6365 = 1.89 → 1.
    (dis,) = assess(SMALL.head(9), QI, sensitive=["dis"], k=1).sensitive
    assert dis.entropy_min == pytest.approx(-(2 / 3) * math.log(2 / 3) - (1 / 3) * math.log(1 / 3))
    assert dis.l_entropy_min == 1
    # One class A,B,C,D,A: H = -(.4 ln .4 + 3·.2 ln .2) = 1.3322, e^H = 3.79 → 3.
    one = pl.DataFrame({"q": ["x"] * 5, "s": ["A", "B", "C", "D", "A"]})
    assert assess(one, ["q"], sensitive=["s"], k=1).sensitive[0].l_entropy_min == 3
    # A 50/50 class: mathematically e^(ln 2) = 2, but pycanon computes np.exp(1) ** ln 2 =
    # 1.9999999999999998 and truncates to 1; we report pycanon's value (docs/risk.md).
    half = pl.DataFrame({"q": ["x"] * 4, "s": ["A", "B", "A", "B"]})
    (s,) = assess(half, ["q"], sensitive=["s"], k=1).sensitive
    assert s.l_entropy_min == 1
    assert math.exp(s.entropy_min) == pytest.approx(2.0)


def test_several_sensitive_attributes_give_min_l_and_max_t() -> None:
    report = assess(SMALL.head(9), QI, sensitive=["dis", "pay"], k=1)
    d = report.to_dict()
    assert set(d["sensitive"]) == {"dis", "pay"}
    assert d["l_distinct_min"] == min(v["l_distinct_min"] for v in d["sensitive"].values())
    assert d["l_entropy_min"] == min(v["l_entropy_min"] for v in d["sensitive"].values())
    assert d["t_closeness_max"] == max(v["t_closeness_max"] for v in d["sensitive"].values())
    # pay per class in rows 0-8: (M,20) {10,20,30}, (M,30) {10,20}, (F,20) {10,40,30,20}
    assert d["sensitive"]["pay"]["l_distinct_min"] == 2


def test_null_sensitive_value_counts_as_a_value() -> None:
    frame = pl.DataFrame({"q": ["x", "x", "x", "y", "y"], "s": ["A", None, None, None, None]})
    (s,) = assess(frame, ["q"], sensitive=["s"], k=1).sensitive
    assert s.l_distinct_min == 1  # class y holds only NULL: one value
    both = assess(frame.head(3), ["q"], sensitive=["s"], k=1).sensitive[0]
    assert both.l_distinct_min == 2  # {A, NULL}


# Population for the sample classes (sex, band) → F:
#   (M,20) 30, (M,30) 4, (F,20) 8, (F,NULL) 2, and (M,40) 100 that the sample does not have.
POPULATION = pl.DataFrame(
    {
        "sex": ["M", "M", "F", "F", "M"],
        "band": [20, 30, 20, None, 40],
        "people": [30, 4, 8, 2, 100],
    }
)


def test_population_based_risks_by_hand() -> None:
    report = assess(SMALL, QI, k=3, population=POPULATION, population_count="people")
    # marketer = (1/n)·Σ f/F = (3/30 + 2/4 + 4/8 + 1/2) / 10 = 1.6 / 10
    assert report.marketer_risk == pytest.approx(0.16)
    # journalist = max 1/F over the sample's classes = 1 / 2 ((F,NULL)); (M,40) is not used
    assert report.journalist_risk_max == pytest.approx(0.5)
    # prosecutor figures do not depend on the population
    assert report.prosecutor_risk_max == 1.0
    assert report.prosecutor_risk_avg == pytest.approx(0.4)


def test_population_as_one_row_per_person() -> None:
    index = [i for i, n in enumerate(POPULATION["people"]) for _ in range(n)]
    rows = POPULATION[index].drop("people")
    assert rows.height == 144
    report = assess(SMALL, QI, k=3, population=rows.lazy())
    assert report.marketer_risk == pytest.approx(0.16)
    assert report.journalist_risk_max == pytest.approx(0.5)
    # A wider integer type in the population is fine.
    wide = rows.with_columns(pl.col("band").cast(pl.Int64))
    assert assess(SMALL, QI, population=wide).journalist_risk_max == pytest.approx(0.5)


def test_population_must_contain_the_sample() -> None:
    missing = POPULATION.filter(pl.col("band").is_not_null())
    with pytest.raises(EngineError, match="must contain the sample") as info:
        assess(SMALL, QI, population=missing, population_count="people")
    assert "모집단은 표본을 포함해야" in info.value.korean
    smaller = POPULATION.with_columns(pl.lit(1).alias("people"))  # (M,20) F=1 < f=3
    with pytest.raises(EngineError, match="larger than in it"):
        assess(SMALL, QI, population=smaller, population_count="people")


def test_population_errors() -> None:
    negative = POPULATION.with_columns(pl.col("people") * -1)
    with pytest.raises(EngineError, match="empty or negative"):
        assess(SMALL, QI, population=negative, population_count="people")
    with pytest.raises(EngineError, match=r"not in the population: band"):
        assess(SMALL, QI, population=POPULATION.drop("band"))
    with pytest.raises(EngineError, match="needs a population table"):
        assess(SMALL, QI, population_count="people")
    with pytest.raises(EngineError, match="must be numeric"):
        assess(SMALL, QI, population=POPULATION.with_columns(pl.col("people").cast(pl.String)),
               population_count="people")  # fmt: skip
    as_text = POPULATION.with_columns(pl.col("band").cast(pl.String))
    with pytest.raises(EngineError, match="has type"):
        assess(SMALL, QI, population=as_text, population_count="people")


def test_rare_values_per_quasi_identifier() -> None:
    report = assess(SMALL, QI, k=3)
    rare = {r.column: r for r in report.rare_values}
    assert rare["sex"].values == ()  # M 5, F 5
    # band: 20 → 7 records, 30 → 2, NULL → 1: two rare values, rarest first
    assert rare["band"].values == ((None, 1), (30, 2))
    assert (rare["band"].distinct, rare["band"].records) == (2, 3)
    out = report.to_dict()["outliers"]["rare_values"]["band"]
    assert out == {
        "values": [{"value": None, "count": 1}, {"value": 30, "count": 2}],
        "distinct": 2,
        "records": 3,
        "truncated": False,
    }
    # Text values come back as text, in lexical order among equal counts.
    (sex,) = assess(SMALL, ["sex"], k=6).rare_values
    assert sex.values == (("F", 5), ("M", 5))


def test_rare_values_are_capped() -> None:
    frame = pl.DataFrame({"q": list(range(50))})
    (rare,) = assess(frame, ["q"], k=2).rare_values
    assert len(rare.values) == 20 and rare.distinct == 50 and rare.truncated


def test_extreme_amounts_report_fences_and_counts_only() -> None:
    # income sorted: 100 100 100 100 105 110 110 115 120 10000
    # Q1 (position 2.25) = 100, Q3 (position 6.75) = 110 + .75·5 = 113.75, IQR = 13.75
    # fences: 100 - 3·13.75 = 58.75 and 113.75 + 3·13.75 = 155 → one record above
    report = assess(SMALL, QI, k=3, outlier_columns=["income"])
    (income,) = report.extreme_amounts
    assert (income.lower_fence, income.upper_fence) == (58.75, 155.0)
    assert (income.below, income.above) == (0, 1)
    text = json.dumps(report.to_dict())
    assert "10000" not in text  # the individual amount is never reported
    every = {e.column for e in assess(SMALL, QI).extreme_amounts}
    assert every == {"band", "pay", "income"}  # numeric columns; text columns are skipped


def test_extreme_amounts_of_an_empty_column() -> None:
    frame = SMALL.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    (empty,) = assess(frame, QI, outlier_columns=["empty"]).extreme_amounts
    assert (empty.lower_fence, empty.upper_fence, empty.below, empty.above) == (None, None, 0, 0)
    with pytest.raises(EngineError, match="must be numeric"):
        assess(SMALL, QI, outlier_columns=["sex"])


def test_nan_is_neither_extreme_nor_bad_json() -> None:
    # x: 1, 2, 3, 4, NaN, NaN → quartiles of 1..4 (1.75, 3.25), fences -2.75 and 7.75.
    frame = pl.DataFrame({"q": [1, 1, 1, 2, 2, 2], "x": [1.0, 2.0, 3.0, 4.0, math.nan, math.nan]})
    report = assess(frame, ["q", "x"], k=2, outlier_columns=["x"])
    (x,) = report.extreme_amounts
    assert (x.lower_fence, x.upper_fence, x.below, x.above) == (-2.75, 7.75, 0, 0)
    rare = report.to_dict()["outliers"]["rare_values"]["x"]["values"]
    assert {"value": "nan", "count": 2} not in rare  # NaN×2 is not rare at k=2 …
    assert json.dumps(report.to_dict(), allow_nan=False)  # … and the report is strict JSON
    nan_rare = assess(frame, ["x"], k=3).to_dict()["outliers"]["rare_values"]["x"]["values"]
    assert {"value": "nan", "count": 2} in nan_rare


def test_to_dict_keys() -> None:
    base = {
        "records", "classes", "k", "qi", "k_min", "records_below_k", "uniques",
        "prosecutor_risk_max", "prosecutor_risk_avg", "marketer_risk", "outliers",
    }  # fmt: skip
    diversity = {"l_distinct_min", "l_entropy_min", "t_closeness_max", "sensitive"}
    assert set(assess(SMALL, QI).to_dict()) == base
    assert set(assess(SMALL, QI, sensitive=["dis"]).to_dict()) == base | diversity
    with_pop = assess(SMALL, QI, population=POPULATION, population_count="people").to_dict()
    assert set(with_pop) == base | {"journalist_risk_max"}
    d = assess(SMALL, QI, sensitive=["dis"], k=3).to_dict()
    assert d["k"] == 3 and d["qi"] == QI
    assert set(d["sensitive"]["dis"]) == {"l_distinct_min", "l_entropy_min", "t_closeness_max"}
    json.dumps(d)  # JSON-ready


def test_record_risk_joins_back() -> None:
    risk = record_risk(SMALL, QI).collect()
    assert risk.columns == ["row_nr", "class_size", "prosecutor_risk"]
    assert risk["class_size"].to_list() == [3, 3, 3, 2, 2, 4, 4, 4, 4, 1]
    assert risk["prosecutor_risk"].to_list() == pytest.approx([1 / f for f in risk["class_size"]])
    joined = SMALL.with_row_index("row_nr").join(risk, on="row_nr")
    assert joined.filter(pl.col("band").is_null())["class_size"].to_list() == [1]
    with pytest.raises(EngineError, match="not in the data"):
        record_risk(SMALL, ["nope"])


def test_bad_columns_name_what_is_available() -> None:
    with pytest.raises(EngineError) as info:
        assess(SMALL, ["sex", "agee"])
    assert "agee" in info.value.korean and "agee" in info.value.english
    assert "사용할 수 있는 열" in info.value.korean
    assert "available columns: sex, band, dis, pay, income" in info.value.english
    with pytest.raises(EngineError, match="not in the data: disability"):
        assess(SMALL, QI, sensitive=["disability"])


@pytest.mark.parametrize("k", [0, -1, True, 2.5])
def test_bad_k(k: object) -> None:
    with pytest.raises(EngineError, match="k must be an integer"):
        assess(SMALL, QI, k=k)  # type: ignore[arg-type]


def test_other_bad_arguments() -> None:
    with pytest.raises(EngineError, match="at least one quasi-identifier"):
        assess(SMALL, [])
    with pytest.raises(EngineError, match="not one string"):
        assess(SMALL, "sex")
    with pytest.raises(EngineError, match="more than once"):
        assess(SMALL, ["sex", "sex"])
    with pytest.raises(EngineError, match="cannot also be a quasi-identifier"):
        assess(SMALL, QI, sensitive=["band"])


def test_empty_data_is_an_error() -> None:
    # An empty file is almost always a wrong file or filter; we say so rather than report zeros.
    with pytest.raises(EngineError, match="no rows") as info:
        assess(SMALL.head(0), QI, sensitive=["dis"])
    assert "행이 없습니다" in info.value.korean


def test_reads_parquet_lazily(tmp_path: Path) -> None:
    path = tmp_path / "small.parquet"
    SMALL.write_parquet(path)
    report = assess(pl.scan_parquet(path), QI, sensitive=["dis"], k=3)
    assert (report.records, report.k_min) == (10, 1)


# Properties: generalizing (merging values of) a quasi-identifier or dropping one only ever
# merges equivalence classes, so k_min never falls and fewer records fall below k.
tables = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "a": st.lists(st.integers(0, 5), min_size=n, max_size=n),
            "b": st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n, max_size=n),
            "c": st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
        }
    )
)


@settings(max_examples=60, deadline=None)
@given(table=tables, divisor=st.integers(2, 4), k=st.integers(1, 4))
def test_generalizing_never_lowers_k(table: dict[str, list[object]], divisor: int, k: int) -> None:
    frame = pl.DataFrame(table, schema={"a": pl.Int64, "b": pl.Int64, "c": pl.String})
    before = assess(frame, ["a", "b", "c"], k=k)
    merged = frame.with_columns(pl.col("a") // divisor, pl.col("c").replace({"y": "x"}))
    after = assess(merged, ["a", "b", "c"], k=k)
    assert after.k_min >= before.k_min
    assert after.records_below_k <= before.records_below_k
    assert after.uniques <= before.uniques


@settings(max_examples=60, deadline=None)
@given(table=tables, drop=st.sampled_from(["a", "b", "c"]))
def test_removing_a_quasi_identifier_never_lowers_k(
    table: dict[str, list[object]], drop: str
) -> None:
    frame = pl.DataFrame(table, schema={"a": pl.Int64, "b": pl.Int64, "c": pl.String})
    qi = ["a", "b", "c"]
    fewer = [c for c in qi if c != drop]
    assert assess(frame, fewer).k_min >= assess(frame, qi).k_min


@pytest.mark.parametrize(
    ("qi", "sensitive"),
    [
        # fine classes: k = 1 and l = 1 somewhere
        (
            ["sex", "age_band", "sido_code", "household_type"],
            ["disability", "has_livelihood", "household_size"],
        ),
        # coarse classes: k = 11, distinct l 5 and 4, entropy l 3, many ordered values (age)
        (["sex", "sido_code"], ["household_type", "household_size", "age"]),
    ],
)
def test_agrees_with_pycanon(synth_dir: Path, qi: list[str], sensitive: list[str]) -> None:
    """k, distinct l, entropy l and t-closeness as pycanon computes them, on 3,000 synthetic
    persons (pycanon drops NULL quasi-identifiers and cannot take NULL sensitive values, so
    disability's NULL is written as "없음" for both)."""
    anonymity = pytest.importorskip("pycanon.anonymity")
    frame = (
        pl.read_parquet(synth_dir / "ssis_persons.parquet")
        .head(3000)
        .with_columns(
            (pl.col("age") // 10 * 10).alias("age_band"), pl.col("disability").fill_null("없음")
        )
        .select(*qi, *sensitive)
    )
    report = assess(frame, qi, sensitive=sensitive, k=5)
    data = frame.to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert report.k_min == anonymity.k_anonymity(data, qi)
        for s in report.sensitive:
            assert s.l_distinct_min == anonymity.l_diversity(data, qi, [s.name]), s.name
            assert s.l_entropy_min == anonymity.entropy_l_diversity(data, qi, [s.name]), s.name
            t = anonymity.t_closeness(data, qi, [s.name])
            assert s.t_closeness_max == pytest.approx(t, abs=1e-12), s.name
        # Several sensitive attributes at once (pycanon's gen=True): min l, max t.
        assert report.l_distinct_min == anonymity.l_diversity(data, qi, sensitive)
        assert report.l_entropy_min == anonymity.entropy_l_diversity(data, qi, sensitive)
        assert report.t_closeness_max == pytest.approx(
            anonymity.t_closeness(data, qi, sensitive), abs=1e-12
        )
