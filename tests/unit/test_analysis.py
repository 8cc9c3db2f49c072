"""gamyeong.analysis: tables, histograms and regressions with their disclosure evidence.

The ACRO section runs gamyeong on ACRO's own test data (``test_data.dta`` from AI-SDC/ACRO, in
``shared/reference/acro``) and checks the per-cell flags against what ACRO reports for the same
tables. The expected numbers come from ACRO's test suite (``test/test_initial.py`` in
AI-SDC/ACRO: the test named in each comment) and the expected cell positions from ACRO 1.0.2
(``pip install acro``, run with ``suppress=False``; its ``sdc["cells"]`` lists ``[row, column]``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from gamyeong import analysis as ga
from gamyeong.analysis.rules import flag_column

ROOT = Path(__file__).resolve().parents[2]
ACRO_DATA = ROOT / "tests" / "data" / "acro" / "test_data.dta"  # a copy of shared/reference/acro


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> ga.Session:
    return ga.Session(tmp_path / "outputs")


@pytest.fixture(scope="module")
def acro_data() -> object:
    pd = pytest.importorskip("pandas")
    if not ACRO_DATA.exists():
        pytest.skip("tests/data/acro/test_data.dta is not there")
    return pd.read_stata(ACRO_DATA)


def _cells(result: ga.TableResult, check: str) -> list[list[int]]:
    return result.flagged_cells(check)


def _column(col: int, rows: range = range(6)) -> list[list[int]]:
    return [[r, col] for r in rows]


# -- ACRO's rules on ACRO's data -----------------------------------------------------------------


def test_frequency_table_threshold_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_crosstab_threshold: 6 cells of the R/G column fail the threshold; R/G sums to 48
    result = ga.crosstab(acro_data, "year", "grant_type", session=session)
    assert result.table.columns == ["year", "G", "N", "R", "R/G"]
    assert result.table.get_column("year").to_list() == list(range(2010, 2016))
    assert result.table.get_column("R/G").sum() == 48
    assert _cells(result, "threshold") == _column(3)
    assert _cells(result, "zeros") == []
    assert result.status == "fail"
    assert result.sdc()["summary"] == {"suppressed": False, "threshold": 6, "zeros": 0}


def test_mean_table_dominance_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_crosstab_multiple: NKCheck 1 cell, PPercentCheck 2 cells, threshold 6 cells.
    # (2010, N) is an all-zero cell: ACRO's p-ratio flags it, and so does gamyeong.
    result = ga.crosstab(
        acro_data, "year", "grant_type", values="inc_grants", aggfunc="mean", session=session
    )
    assert _cells(result, "nk-rule") == [[0, 3]]
    assert _cells(result, "p-ratio") == [[0, 1], [0, 3]]
    assert _cells(result, "threshold") == _column(3)
    assert result.status == "fail"
    zero_cell = result.cells.filter((pl.col("row_pos") == 0) & (pl.col("col_pos") == 1))
    assert zero_cell.get_column("sum").item() == 0
    assert zero_cell.get_column("p_ratio").item() == 0


def test_negative_values_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_negatives: rows 0-10 of inc_grants set to -10 → dominance is undefined; ACRO
    # marks the cells holding a negative under NK and p% and sends the output to review.
    data = acro_data.copy()  # type: ignore[attr-defined]
    data.loc[0:10, "inc_grants"] = -10
    table = ga.crosstab(
        data, "year", "grant_type", values="inc_grants", aggfunc="mean", session=session
    )
    negative = [[0, 2]] + [[r, c] for r in range(1, 6) for c in (1, 2)]
    assert _cells(table, "nk-rule") == negative
    assert _cells(table, "p-ratio") == negative
    assert _cells(table, "negative") == negative
    assert table.status == "fail"  # the threshold still fails
    pivot = ga.pivot_table(
        data, values=["inc_grants"], index=["grant_type"], aggfunc="mean", session=session
    )
    assert _cells(pivot, "nk-rule") == [[1, 0], [2, 0]]
    assert pivot.status == "review"


def test_missing_values_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_missing: with check_missing_values on, cells with a missing value go to review.
    data = acro_data.copy()  # type: ignore[attr-defined]
    data.loc[0:10, "inc_grants"] = np.nan
    rules = ga.Rules(check_missing_values=True)
    table = ga.crosstab(
        data,
        "year",
        "grant_type",
        values="inc_grants",
        aggfunc="mean",
        session=session,
        rules=rules,
    )
    expected = [[0, 0], [0, 1], [0, 2], [0, 3], [5, 0]] + [
        [r, c] for r in range(1, 6) for c in (1, 2)
    ]
    assert _cells(table, "missing") == sorted(expected)
    pivot = ga.pivot_table(
        data, "inc_grants", "grant_type", aggfunc="mean", session=session, rules=rules
    )
    assert _cells(pivot, "missing") == [[0, 0], [1, 0], [2, 0], [3, 0]]
    assert pivot.status == "review"


def test_margins_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_crosstab_with_totals_without_suppression: All[0] == 153, grand total 918
    result = ga.crosstab(acro_data, "year", "grant_type", margins=True, session=session)
    assert result.table.get_column("All").to_list() == [153] * 6 + [918]
    assert result.table.row(-1) == ("All", 90, 354, 426, 48, 918)
    assert _cells(result, "threshold") == _column(3)  # the margins pass
    frame = result.to_pandas()
    assert frame.loc["All", "All"] == 918


def test_blank_totals_of_empty_combinations_as_acro(session: ga.Session) -> None:
    # pandas (and so ACRO) leaves the total of an unobserved row combination blank (NaN) and
    # ACRO flags nothing there but missing values: (2, "y") below is such a row
    frame = pl.DataFrame(
        {
            "a": [1, 1, 2, 2, 2],
            "b": ["x", "y", "x", "x", "x"],
            "c": ["p", "q", "p", "q", "p"],
            "v": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    # expected: ACRO 1.0.2's sdc["cells"] for the same two tables
    every = [[r, c] for r in range(5) for c in range(3)]
    counts = ga.crosstab(frame, ["a", "b"], "c", margins=True, session=session)
    assert counts.table.get_column("All").to_list() == [1, 1, 3, None, 5]
    assert _cells(counts, "threshold") == [cell for cell in every if cell != [3, 2]]
    assert _cells(counts, "zeros") == [[0, 1], [1, 0], [3, 0], [3, 1]]
    means = ga.crosstab(
        frame, ["a", "b"], "c", values="v", aggfunc="mean", margins=True, session=session
    )
    assert means.table.get_column("All").to_list() == [1.0, 2.0, 4.0, None, 3.0]
    assert _cells(means, "threshold") == [cell for cell in every if cell != [3, 2]]
    dominated = [[0, 0], [0, 2], [1, 1], [1, 2], [2, 0], [2, 1], [4, 1]]
    assert _cells(means, "nk-rule") == dominated
    assert _cells(means, "p-ratio") == dominated


def test_pivot_table_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_pivot_table_without_suppression: the mean column sums to 36293992; it passes
    result = ga.pivot_table(
        acro_data, ["inc_grants"], ["grant_type"], aggfunc=["mean", "std"], session=session
    )
    assert result.table.columns == ["grant_type", "mean / inc_grants", "std / inc_grants"]
    assert result.table.get_column("mean / inc_grants").sum() == pytest.approx(36293992, rel=1e-6)
    assert result.status == "pass"
    assert result.applicable["std(inc_grants)"] == ("dof", "negative")
    frame = result.to_pandas()
    assert frame["mean"]["inc_grants"].sum() == pytest.approx(36293992, rel=1e-6)


def test_two_aggfuncs_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_crosstab_multiple_aggregate_function: sum of mean R/G == 97383496; fails
    result = ga.crosstab(
        acro_data, "year", "grant_type", "inc_grants", aggfunc=["mean", "std"], session=session
    )
    assert result.to_pandas()["mean"]["R/G"].sum() == pytest.approx(97383496, rel=1e-6)
    assert result.status == "fail"


def test_zeros_not_disclosive_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_zeros_are_not_disclosive: the threshold failures remain (R/G row)
    result = ga.pivot_table(
        acro_data,
        "inc_grants",
        "grant_type",
        columns="year",
        session=session,
        rules=ga.Rules(zeros_are_disclosive=False),
    )
    assert _cells(result, "threshold") == [[3, c] for c in range(6)]
    assert _cells(result, "nk-rule") == [[3, 0]]
    assert _cells(result, "p-ratio") == [[1, 0], [3, 0]]


def test_zeros_in_frequency_table_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO 1.x PresenceOfZeroCheck: empty cells of year × (grant_type, survivor)
    result = ga.crosstab(acro_data, "year", ["grant_type", "survivor"], session=session)
    assert result.column_labels[:2] == [("G", "Dead in 2015"), ("G", "Alive in 2015")]
    assert _cells(result, "zeros") == [[r, c] for r in range(6) for c in (2, 6)]
    assert len(_cells(result, "threshold")) == 24
    relaxed = ga.crosstab(
        acro_data,
        "year",
        ["grant_type", "survivor"],
        session=session,
        rules=ga.Rules(zeros_are_disclosive=False),
    )
    assert _cells(relaxed, "zeros") == []


def test_hierarchical_sum_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_hierachical_aggregation: sum of inc_activity by (year, survivor) × grant_type
    data = acro_data[acro_data.grant_type != "G"]  # type: ignore[index, attr-defined]
    result = ga.crosstab(
        data, ["year", "survivor"], "grant_type", "inc_activity", "sum", session=session
    )
    first = result.table.row(1)
    assert first[:2] == (2010, "Alive in 2015")
    assert first[2:] == pytest.approx((52865600.0, 6.791129e08, 24592000.0), rel=1e-6)
    assert result.table.row(0)[2:] == pytest.approx((0.0, 1.723599e07, 0.0), rel=1e-6)


def test_regression_dof_as_acro(acro_data: object, session: ga.Session) -> None:
    # ACRO test_ols (and test_get_table_sdc_minimumdofcheck_pass): 10 rows → dof 6, fail;
    # all 811 complete rows → dof 807, pass, R² ≈ 0.894
    columns = ["inc_activity", "inc_grants", "inc_donations", "total_costs", "charity"]
    data = acro_data[columns].dropna()  # type: ignore[index]
    regressors = ["inc_grants", "inc_donations", "total_costs"]
    small = ga.regression(
        data.iloc[:10], y="inc_activity", X=regressors, unit="charity", session=session
    )
    assert small.df_resid == 6
    assert small.status == "fail"
    assert small.summary == "fail; dof=6 < 10"
    assert small.evidence_summary()["n_persons"] == 2
    full = ga.regression(data, y="inc_activity", X=regressors, session=session)
    assert (full.nobs, full.df_resid, full.status) == (811, 807, "pass")
    assert full.fitted.rsquared == pytest.approx(0.894, abs=1e-3)
    formula = ga.regression(
        acro_data, "inc_activity ~ inc_grants + inc_donations + total_costs", session=session
    )
    assert formula.df_resid == 807
    assert formula.coefficients.get_column("term").to_list()[0] == "Intercept"


def test_binary_models_record_outcome_counts(acro_data: object, session: ga.Session) -> None:
    data = acro_data.assign(  # type: ignore[attr-defined]
        alive=(acro_data.survivor.astype(str) == "Alive in 2015").astype(int)  # type: ignore[attr-defined]
    )
    for kind in ("logit", "probit"):
        result = ga.regression(
            data, "alive ~ inc_activity + inc_grants + year", kind=kind, session=session
        )
        assert result.df_resid == 811
        assert result.evidence_summary()["outcome_counts"] == {"0": 265, "1": 550}
        assert "z" in result.coefficients.columns


# -- ACRO's rule definitions on small hand-made cells --------------------------------------------


def _one_cell(values: list[float | None], **rules: object) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"g": ["a"] * len(values), "v": values}, schema_overrides={"v": pl.Float64}
    )
    result = ga.crosstab(
        frame,
        "g",
        values="v",
        aggfunc="sum",
        session=ga.Session("/nonexistent"),
        rules=ga.Rules(**rules),  # type: ignore[arg-type]
    )
    return result.cells


@pytest.mark.parametrize(
    ("values", "nk", "p"),
    [
        ([100.0, 1.0, 1.0, 1.0], True, True),  # ACRO test_agg_p_percent_normal_violation
        ([10.0] * 5, False, False),  # ACRO test_agg_p_percent_normal_pass
        ([0.0, 0.0, 0.0], False, True),  # all zero: ACRO's p-ratio keeps the numerator, 0 < p
        ([5.0], True, True),  # one contributor
        ([50.0, 40.0, 10.0], True, False),  # top 2 hold exactly 90 %: ACRO 1.x flags ≥ k
        ([50.0, 39.0, 11.0], False, False),
        ([50.0, 45.0, 4.0], True, True),  # the rest is 8 % of the largest
        ([None, None], False, False),  # no values: nothing to dominate
    ],
)
def test_dominance_definitions(values: list[float | None], nk: bool, p: bool) -> None:
    cells = _one_cell(values)
    assert cells.get_column(flag_column("nk-rule")).item() is nk
    assert cells.get_column(flag_column("p-ratio")).item() is p


def test_nk_rule_parameters() -> None:
    cells = _one_cell([30.0, 30.0, 30.0, 10.0], safe_nk_n=3, safe_nk_k=0.85)
    assert cells.get_column("topn_sum").item() == 90
    assert cells.get_column(flag_column("nk-rule")).item() is True
    cells = _one_cell([30.0, 30.0, 30.0, 10.0], safe_nk_n=2, safe_nk_k=0.85)
    assert cells.get_column(flag_column("nk-rule")).item() is False


# -- persons, evidence, layout ------------------------------------------------------------------


@pytest.fixture
def panel() -> pl.DataFrame:
    """12 persons; person p0 has 8 rows in region A (one person, many records)."""
    persons = [f"p{i}" for i in range(12)]
    rows = [("A", "p0", 1000.0)] * 8 + [("A", p, 10.0) for p in persons[1:4]]
    rows += [("B", p, float(i)) for i, p in enumerate(persons[4:])] + [("B", "p4", None)]
    return pl.DataFrame(rows, schema=["region", "person", "income"], orient="row")


def test_rows_versus_persons(panel: pl.DataFrame, session: ga.Session) -> None:
    result = ga.crosstab(panel, "region", unit="person", session=session)
    cells = result.cells.sort("row_pos")
    assert cells.get_column("n_records").to_list() == [11, 9]
    assert cells.get_column("n_persons").to_list() == [4, 8]
    assert _cells(result, "threshold") == [[1, 0]]  # ACRO counts rows: 11 pass, 9 fail
    assert _cells(result, "threshold-persons") == [[0, 0], [1, 0]]  # but 4 and 8 persons


def test_person_contributions(panel: pl.DataFrame, session: ga.Session) -> None:
    result = ga.pivot_table(
        panel, "income", "region", aggfunc="sum", unit="person", session=session
    )
    a = result.cells.filter(pl.col("region") == "A")
    assert a.get_column("top1").item() == 1000.0
    assert a.get_column("person_top1").item() == 8000.0  # p0's eight rows together
    assert a.get_column("person_top1_share").item() == pytest.approx(8000 / 8030)
    assert a.get_column(flag_column("nk-rule")).item() is False  # rows: 2000 / 8030
    assert a.get_column(flag_column("nk-rule-persons")).item() is True
    b = result.cells.filter(pl.col("region") == "B")
    assert b.get_column("n_missing").item() == 1
    assert b.get_column("n_zero_values").item() == 1
    assert result.check_counts["threshold-persons"] == 2


def test_polars_and_pandas_agree(panel: pl.DataFrame, session: ga.Session) -> None:
    pytest.importorskip("pandas")
    from_polars = ga.crosstab(panel, "region", values="income", aggfunc="mean", session=session)
    from_pandas = ga.crosstab(
        panel.to_pandas(), "region", values="income", aggfunc="mean", session=session
    )
    assert from_polars.table.equals(from_pandas.table)
    assert from_polars.cells.equals(from_pandas.cells)


def test_pandas_category_order_and_empty_categories(session: ga.Session) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "size": pd.Categorical(
                ["small", "large"] * 10, categories=["small", "medium", "large"]
            ),
            "kind": ["x"] * 20,
        }
    )
    result = ga.crosstab(frame, "size", "kind", session=session)
    assert result.table.get_column("size").to_list() == ["small", "medium", "large"]
    assert result.table.get_column("x").to_list() == [10, 0, 10]
    assert _cells(result, "zeros") == [[1, 0]]


def test_rows_with_missing_keys_are_counted(session: ga.Session) -> None:
    frame = pl.DataFrame({"k": ["a", None, "a", "b"], "c": ["x", "x", None, "x"]})
    result = ga.crosstab(frame, "k", "c", session=session)
    summary = result.evidence_summary()
    assert (summary["rows_in"], summary["rows_missing_key"]) == (4, 2)
    assert result.table.rows() == [("a", 1), ("b", 1)]


def test_invalid_calls(panel: pl.DataFrame, session: ga.Session) -> None:
    with pytest.raises(ValueError, match="go together"):
        ga.crosstab(panel, "region", values="income", session=session)
    with pytest.raises(ValueError, match="mode"):
        ga.crosstab(panel, "region", values="income", aggfunc="mode", session=session)
    with pytest.raises(ValueError, match="not supported"):
        ga.pivot_table(panel, "income", "region", aggfunc="mad", session=session)
    with pytest.raises(KeyError, match="nope"):
        ga.crosstab(panel, "nope", session=session)
    with pytest.raises(TypeError, match="not numeric"):
        ga.pivot_table(panel, "person", "region", session=session)
    with pytest.raises(ValueError, match="reserved"):
        ga.crosstab(panel.rename({"region": "sum"}), "sum", session=session)
    with pytest.raises(ValueError, match="safe_nk_k"):
        ga.Rules(safe_nk_k=1.5)


def test_rules_from_acro_yaml() -> None:
    rules = ga.Rules.from_mapping(
        {"safe_threshold": 5, "safe_nk_n": 3, "survival_safe_threshold": 10, "federated": False}
    )
    assert (rules.safe_threshold, rules.safe_nk_n, rules.safe_nk_k) == (5, 3, 0.9)
    with pytest.raises(ValueError, match="unknown"):
        ga.Rules.from_mapping({"safe_treshold": 5})


# -- histogram ----------------------------------------------------------------------------------


def test_histogram_counts_and_persons(session: ga.Session) -> None:
    values = [0.5] * 12 + [1.5] * 3 + [3.0] * 20 + [None]
    frame = pl.DataFrame({"x": values, "id": [f"p{i % 13}" for i in range(36)]})
    result = ga.histogram(frame, "x", bins=3, unit="id", session=session)
    assert result.edges == pytest.approx([0.5, 4 / 3, 13 / 6, 3.0])
    assert result.counts.get_column("count").to_list() == [12, 3, 20]
    assert result.counts.get_column("bin").to_list()[-1].endswith("]")
    assert result.cells.get_column("n_persons").to_list() == [12, 3, 13]
    assert result.sdc()["cells"]["threshold"] == [[1, 0]]
    assert result.status == "fail"
    summary = result.evidence_summary()
    assert (summary["n_values"], summary["n_missing"], summary["edges_from_data"]) == (35, 1, True)


def test_histogram_with_edges(session: ga.Session) -> None:
    frame = pl.DataFrame({"x": list(range(100))})
    result = ga.histogram(frame, "x", bins=[0, 50, 100, 200], session=session)
    assert result.counts.get_column("count").to_list() == [50, 50, 0]
    assert result.check_counts == {"threshold": 1, "zeros": 1}
    assert result.evidence_summary()["edges_from_data"] is False


def test_histogram_picture_only_with_matplotlib(session: ga.Session) -> None:
    frame = pl.DataFrame({"x": [float(i % 7) for i in range(200)]})
    result = ga.histogram(frame, "x", bins=7, session=session)
    written = {p.name for p in session.save("hist", result)}
    assert {"hist.csv", "hist.evidence.csv"} <= written
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "hist.png" not in written
    else:
        assert "hist.png" in written


# -- session and results.json -------------------------------------------------------------------


def test_session_writes_acro_style_results(panel: pl.DataFrame, session: ga.Session) -> None:
    table = ga.crosstab(
        panel, "region", values="income", aggfunc="sum", unit="person", session=session
    )
    ga.pivot_table(panel, "income", "region", session=session)  # recorded, never saved
    paths = session.save("income_by_region", table, comment="regional totals")
    out = session.outputs_dir
    assert {p.relative_to(out).as_posix() for p in paths} == {
        "income_by_region.csv",
        "_evidence/income_by_region.evidence.csv",
    }
    raw = (out / "income_by_region.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0] == "region,income"
    session.request_exception("income_by_region", "the totals are published anyway")
    results = json.loads(session.finalise().read_text(encoding="utf-8"))

    assert set(results) == {"version", "tool", "results", "gamyeong"}
    assert list(results["results"]) == ["income_by_region", "output_1"]
    record = results["results"]["income_by_region"]
    acro_keys = {"uid", "status", "type", "properties", "files", "outcome", "command"}
    acro_keys |= {"summary", "timestamp", "comments", "exception"}
    assert acro_keys <= set(record)
    assert record["type"] == "table"
    assert record["properties"]["method"] == "crosstab"
    assert record["command"].startswith("table = ga.crosstab(panel")
    assert record["comments"] == ["regional totals"]
    assert record["exception"] == "the totals are published anyway"
    file_entry = record["files"][0]
    assert file_entry["name"] == "income_by_region.csv"
    assert file_entry["sdc"]["summary"]["suppressed"] is False
    assert file_entry["sdc"]["cells"]["nk-rule"] == []
    assert record["outcome"] == {
        "income": {
            "A": "threshold-persons; nk-rule-persons; p-ratio-persons; ",
            "B": "threshold; threshold-persons; ",
        }
    }
    evidence = record["gamyeong"]
    assert evidence["saved"] is True
    assert evidence["checks"]["threshold"]["acro_name"] == "MinimumThresholdCheck"
    assert evidence["evidence_files"][0]["name"] == "_evidence/income_by_region.evidence.csv"
    assert results["results"]["output_1"]["files"] == []
    assert results["results"]["output_1"]["gamyeong"]["saved"] is False
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_save_names_are_checked(panel: pl.DataFrame, session: ga.Session) -> None:
    first = ga.crosstab(panel, "region", session=session)
    second = ga.crosstab(panel, "region", session=session)
    session.save("소득표", first)
    session.save("소득표", first)  # the same result again: rewritten
    with pytest.raises(ValueError, match="already exists"):
        session.save("소득표", second)
    for bad in ("../x", "_evidence", ".hidden", "a/b", ""):
        with pytest.raises(ValueError, match="output name"):
            session.save(bad, second)


def test_default_session_from_environment(
    panel: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMYEONG_OUTPUTS", str(tmp_path / "env-out"))
    ga.set_default_session(None)
    try:
        result = ga.crosstab(panel, "region")
        assert ga.default_session().outputs_dir == tmp_path / "env-out"
        assert result.uid == "output_0"
        ga.default_session().save("t", result)
        assert (tmp_path / "env-out" / "results.json").exists()
    finally:
        ga.set_default_session(None)


def test_multilevel_csv_layout(acro_data: object, session: ga.Session) -> None:
    result = ga.crosstab(acro_data, ["year", "status"], ["grant_type", "survivor"], session=session)
    lines = result.to_csv().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("grant_type,,G,G,N,N")
    assert lines[1].startswith("survivor,,Dead in 2015,Alive in 2015")
    assert lines[2].startswith("year,status,,")
    assert lines[3].startswith("2010,dead,3,0,0,0")
    outcome = result.outcome()
    assert "('G', 'Dead in 2015')" in outcome
    assert "(2010, 'dead')" in outcome["('G', 'Dead in 2015')"]
