"""gamyeong.disclosure: per-cell disclosure checks, profiles, leaks, differencing, remedies.

The ACRO section reproduces ACRO's documented cases (``shared/reference/acro/README.md``) on
ACRO's test data with the ``acro`` profile: the expected numbers are ACRO's test suite's, the
cell positions those ACRO 1.0.2 reports for the same tables (``sdc["cells"]``, ``[row, column]``).
``benchmarks/disclosure_speed.py --acro-python … --verify N`` compares with ACRO itself.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from gamyeong import analysis as ga
from gamyeong import disclosure as gd
from gamyeong.disclosure.checks import fail_column
from gamyeong.disclosure.margins import recoverable

ROOT = Path(__file__).resolve().parents[2]
ACRO_DATA = ROOT / "tests" / "data" / "acro" / "test_data.dta"  # a copy of shared/reference/acro


@pytest.fixture(scope="module")
def acro_data() -> Any:
    pd = pytest.importorskip("pandas")
    if not ACRO_DATA.exists():
        pytest.skip("tests/data/acro/test_data.dta is not there")
    return pd.read_stata(ACRO_DATA)


def cells(report: gd.CheckReport, check: str) -> list[list[int]]:
    """ACRO's ``sdc["cells"]`` for one check: ``[row, column]`` positions, row-major."""
    hit = report.cells.filter(pl.col(fail_column(check))).sort("row_pos", "col_pos")
    return [[int(r), int(c)] for r, c in hit.select("row_pos", "col_pos").iter_rows()]


def column(col: int, rows: range = range(6)) -> list[list[int]]:
    return [[r, col] for r in rows]


# -- ACRO's documented cases (README of shared/reference/acro), acro profile ---------------------


def test_case_1_frequency_threshold(acro_data: Any) -> None:
    report = gd.check_table(acro_data, "acro", rows="year", cols="grant_type")
    assert cells(report, "threshold") == column(3)
    assert cells(report, "zeros") == []
    assert report.summary() == {"threshold": 6, "zeros": 0}
    assert report.status == "fail"


def test_case_2_dominance(acro_data: Any) -> None:
    report = gd.check_table(
        acro_data, "acro", rows="year", cols="grant_type", values="inc_grants", agg="mean"
    )
    assert cells(report, "nk") == [[0, 3]]
    assert cells(report, "p_percent") == [[0, 1], [0, 3]]  # (2010, N) is all zero: ACRO's quirk
    assert cells(report, "threshold") == column(3)
    assert report.summary() == {"threshold": 6, "nk": 1, "p_percent": 2}
    assert report.status == "fail"


def test_case_3_negative_values_go_to_review(acro_data: Any) -> None:
    data = acro_data.copy()
    data.loc[0:10, "inc_grants"] = -10
    table = gd.check_table(
        data, "acro", rows="year", cols="grant_type", values="inc_grants", agg="mean"
    )
    negative = [[0, 2]] + [[r, c] for r in range(1, 6) for c in (1, 2)]
    assert cells(table, "nk") == negative and cells(table, "p_percent") == negative
    assert "negative" not in table.checks  # the acro profile has only ACRO's checks
    one_way = gd.check_table(data, "acro", rows="grant_type", values="inc_grants", agg="mean")
    assert cells(one_way, "nk") == [[1, 0], [2, 0]]
    assert one_way.status == "review"  # dominance undefined: review, as ACRO says
    ours = gd.check_table(data, "gamyeong", rows="grant_type", values="inc_grants", agg="mean")
    assert cells(ours, "negative") == [[1, 0], [2, 0]]


def test_case_4_missing_values_go_to_review(acro_data: Any) -> None:
    data = acro_data.copy()
    data.loc[0:10, "inc_grants"] = np.nan
    profile = gd.get_profile("acro", check_missing_values=True)
    report = gd.check_table(data, profile, rows="grant_type", values="inc_grants", agg="mean")
    assert cells(report, "missing") == [[0, 0], [1, 0], [2, 0], [3, 0]]
    assert report.status == "review"


def test_case_5_margins(acro_data: Any) -> None:
    report = gd.check_table(acro_data, "acro", rows="year", cols="grant_type", margins=True)
    totals = report.cells.filter(pl.col("col_pos") == 4).sort("row_pos")
    assert totals.get_column("value").to_list() == [153] * 6 + [918]
    assert cells(report, "threshold") == column(3)  # the totals pass
    assert report.cells.get_column("margin").sum() == 11


def test_case_6_pivot_passes(acro_data: Any) -> None:
    report = gd.check_table(acro_data, "acro", rows="grant_type", values="inc_grants", agg="mean")
    assert report.status == "pass"
    assert report.cells.get_column("value").sum() == pytest.approx(36293992, rel=1e-6)
    total = gd.check_table(acro_data, "acro", rows="grant_type", values="inc_grants", agg="sum")
    assert total.status == "pass"


def test_case_7_mode_is_manual_review(acro_data: Any) -> None:
    report = gd.check_table(
        acro_data, "acro", rows="year", cols="grant_type", values="inc_grants", agg="mode"
    )
    assert report.checks == ("manual",)
    assert report.summary() == {"manual": 24}
    assert report.status == "review"


@pytest.mark.parametrize(("rows", "dof", "status"), [(10, 6, "fail"), (None, 807, "pass")])
def test_cases_8_9_regression_dof(
    acro_data: Any, tmp_path: Path, rows: int | None, dof: int, status: str
) -> None:
    columns = ["inc_activity", "inc_grants", "inc_donations", "total_costs"]
    data = acro_data[columns].dropna()
    data = data.iloc[:rows] if rows else data
    session = ga.Session(tmp_path)
    model = ga.regression(data, y="inc_activity", X=columns[1:], session=session)
    session.save("model", model)
    session.finalise()
    (report,) = gd.check_results_json(tmp_path / "results.json", "acro")
    assert report.kind == "regression"
    assert report.cells.get_column("value").item() == dof
    assert report.status == status


def test_case_10_zeros_not_disclosive(acro_data: Any) -> None:
    profile = gd.get_profile("acro", zeros_are_disclosive=False)
    report = gd.check_table(
        acro_data, profile, rows="grant_type", cols="year", values="inc_grants", agg="mean"
    )
    assert cells(report, "threshold") == [[3, c] for c in range(6)]
    frequency = gd.check_table(acro_data, profile, rows="year", cols=["grant_type", "survivor"])
    assert cells(frequency, "zeros") == []
    disclosive = gd.check_table(acro_data, "acro", rows="year", cols=["grant_type", "survivor"])
    assert cells(disclosive, "zeros") == [[r, c] for r in range(6) for c in (2, 6)]


def test_acro_profile_matches_the_analysis_flags(acro_data: Any, tmp_path: Path) -> None:
    # the analysis helpers' flags were verified against ACRO 1.0.2 on 82 tables
    session = ga.Session(tmp_path)
    result = ga.crosstab(
        acro_data, ["year", "status"], "grant_type", "inc_grants", "sum", session=session
    )
    report = gd.check_table(result, "acro")
    for ours, theirs in (("threshold", "threshold"), ("nk", "nk-rule"), ("p_percent", "p-ratio")):
        assert cells(report, ours) == result.flagged_cells(theirs)
    assert report.status == result.status


# -- profiles ------------------------------------------------------------------------------------


@pytest.fixture
def panel() -> pl.DataFrame:
    """Region A: person p0 has 8 rows of 1,000 and 3 others 10 each; region B 8 persons."""
    persons = [f"p{i}" for i in range(12)]
    rows = [("A", "p0", 1000.0)] * 8 + [("A", p, 10.0) for p in persons[1:4]]
    rows += [("B", p, float(i + 1)) for i, p in enumerate(persons[4:])] + [("B", "p4", None)]
    return pl.DataFrame(rows, schema=["region", "person", "income"], orient="row")


def test_gamyeong_profile_counts_distinct_persons(panel: pl.DataFrame) -> None:
    acro = gd.check_table(panel, "acro", rows="region", unit="person")
    assert cells(acro, "threshold") == [[1, 0]]  # rows: A 11, B 9
    ours = gd.check_table(panel, "gamyeong", rows="region", unit="person")
    assert cells(ours, "threshold") == [[0, 0], [1, 0]]  # persons: A 4, B 8
    assert ours.cells.get_column("count").to_list() == [4, 8]
    first = ours.to_json()["cells"][0]
    assert first["reasons"]["threshold"] == "인원 4명 < 10 / 4 persons < 10"
    korean = gd.check_table(panel, "korean", rows="region", unit="person")
    assert cells(korean, "threshold") == [[0, 0]]  # 4 < 5 ≤ 8


def test_dominance_on_persons_and_korean_rule(panel: pl.DataFrame) -> None:
    by_rows = gd.check_table(panel, "acro", rows="region", values="income", agg="sum")
    assert cells(by_rows, "nk") == []  # the top 2 rows hold 2,000 of 8,030
    by_persons = gd.check_table(
        panel, "gamyeong", rows="region", values="income", agg="sum", unit="person"
    )
    assert cells(by_persons, "nk") == [[0, 0]]  # p0 holds 8,000 of 8,030
    korean = gd.check_table(
        panel, "korean", rows="region", values="income", agg="sum", unit="person"
    )
    assert korean.profile.rules.safe_nk_n == 1 and cells(korean, "nk") == [[0, 0]]
    assert cells(korean, "missing") == [[1, 0]]  # B has a missing income: review
    reason = korean.to_json()["cells"][0]["reasons"]["nk"]
    assert "top 1 hold 99.6% ≥ 50%" in reason


def test_a_computed_table_is_reflagged_with_the_profile(
    panel: pl.DataFrame, tmp_path: Path
) -> None:
    result = ga.pivot_table(
        panel, "income", "region", aggfunc="sum", unit="person", session=ga.Session(tmp_path)
    )
    direct = gd.check_table(
        panel, "korean", rows="region", values="income", agg="sum", unit="person"
    )
    again = gd.check_table(result, "korean")  # computed with ACRO's n = 2, checked with n = 1
    assert again.cells.equals(direct.cells)
    with pytest.raises(gd.DisclosureError, match="n=3"):
        gd.check_table(result, gd.get_profile("acro", safe_nk_n=3))


def test_profiles_and_overrides() -> None:
    assert set(gd.PROFILES) == {"gamyeong", "korean", "acro"}
    acro = gd.get_profile("acro")
    assert acro.rules == ga.Rules() and not acro.extra_checks and not acro.count_persons
    assert gd.get_profile("korean").rules.safe_threshold == 5
    assert gd.get_profile().name == "gamyeong"
    assert gd.get_profile("korean", safe_threshold=3).rules.safe_threshold == 3
    with pytest.raises(gd.DisclosureError, match="unknown profile: nope"):
        gd.get_profile("nope")
    with pytest.raises(gd.DisclosureError, match="safe_nk_k"):
        gd.get_profile("acro", safe_nk_k=2.0)


def test_no_unit_under_the_person_rule_goes_to_review(panel: pl.DataFrame) -> None:
    report = gd.check_table(panel.filter(pl.col("region") == "B"), "korean", rows="region")
    assert report.summary()["threshold"] == 0
    assert report.status == "review" and "no person-id column" in report.notes[0]


def test_the_fast_json_cells_are_the_records(households: pl.DataFrame, acro_data: Any) -> None:
    # check-output --json encodes most cells with Polars: they must be the records exactly
    reports = [
        gd.check_table(
            households,
            "gamyeong",
            rows="type",
            cols="size",
            unit="id",
            margins=True,
            structural_zeros=[{"type": "one", "size": "2"}],
        ),
        gd.check_table(
            acro_data,
            "acro",
            rows=["year", "survivor"],
            cols="grant_type",
            values="inc_grants",
            agg="mean",
            margins=True,
        ),
        gd.check_table(acro_data, "acro", rows="year", cols="grant_type"),
    ]
    for report in reports:
        records = report.to_json()["cells"]
        assert json.loads(report.cells_json()) == records
        assert json.loads(report.cells_json(all_cells=False)) == [r for r in records if r["failed"]]
    assert any(r.get("structural_zero") for r in reports[0].to_json()["cells"])
    assert any(r["value"] is None for r in reports[1].to_json()["cells"])


# -- zeros, single units, percentages ----------------------------------------------------------


@pytest.fixture
def households() -> pl.DataFrame:
    """Household type × size: a one-person household of size 2 is impossible (structural zero)."""
    rows = [("one", 1)] * 30 + [("couple", 2)] * 25 + [("couple", 1)] * 12
    return pl.DataFrame(rows, schema=["type", "size"], orient="row").with_columns(
        pl.col("size").cast(pl.String), pl.int_range(pl.len()).alias("id")
    )


def test_structural_zeros_are_not_disclosive(households: pl.DataFrame) -> None:
    plain = gd.check_table(households, "gamyeong", rows="type", cols="size", unit="id")
    assert cells(plain, "zeros") == [[1, 1]] and cells(plain, "threshold") == [[1, 1]]
    declared = gd.check_table(
        households,
        "gamyeong",
        rows="type",
        cols="size",
        unit="id",
        structural_zeros=[{"type": "one", "size": "2"}],
    )
    assert cells(declared, "zeros") == [] and cells(declared, "threshold") == []
    assert declared.status == "pass"
    assert declared.to_json()["cells"][3]["structural_zero"] is True
    wrong = gd.check_table(
        households,
        "gamyeong",
        rows="type",
        cols="size",
        unit="id",
        structural_zeros=[{"size": "1"}],
    )
    assert "hold records" in wrong.notes[0]
    with pytest.raises(gd.DisclosureError, match="not in the table: colour"):
        gd.check_table(
            households, "gamyeong", rows="type", cols="size", structural_zeros=[{"colour": "x"}]
        )


def test_min_and_max_are_single_unit_values(panel: pl.DataFrame) -> None:
    report = gd.check_table(
        panel, "gamyeong", rows="region", values="income", agg="max", unit="person"
    )
    assert cells(report, "single_unit") == [[0, 0], [1, 0]]
    assert report.status == "fail"  # B has 8 persons
    region_b = panel.filter(pl.col("region") == "B")  # 8 persons ≥ korean's 5
    only = gd.check_table(
        region_b, "korean", rows="region", values="income", agg="min", unit="person"
    )
    assert only.summary()["threshold"] == 0 and only.status == "review"
    assert gd.check_table(panel, "acro", rows="region", values="income", agg="max").checks == (
        "threshold",
        "zeros",
    )


def test_percentages_are_checked_as_their_counts(households: pl.DataFrame) -> None:
    report = gd.check_table(
        households, "acro", rows="type", cols="size", percent="row", margins=True
    )
    counts = gd.check_table(households, "acro", rows="type", cols="size", margins=True)
    assert cells(report, "threshold") == cells(counts, "threshold")
    couple = report.cells.filter(pl.col("row_pos") == 0).sort("col_pos")
    assert couple.get_column("value").to_list() == pytest.approx(
        [12 / 37 * 100, 25 / 37 * 100, 100.0]
    )
    assert set(report.cells.get_column("block")) == {"percent(row)"}
    with pytest.raises(gd.DisclosureError, match="percent must be one of"):
        gd.check_table(households, "acro", rows="type", percent="rows")


# -- totals that reveal suppressed cells ---------------------------------------------------------


def determined_by_algebra(suppressed: np.ndarray, row_lines: bool, col_lines: bool) -> np.ndarray:
    """Brute force: a suppressed cell is recoverable iff its unit vector is in the row space of
    the line equations restricted to the suppressed cells (the last row/column are totals)."""
    n_rows, n_cols = suppressed.shape
    unknown = [tuple(x) for x in np.argwhere(suppressed)]
    equations = []
    if row_lines:
        for r in range(n_rows):
            equations.append([(1 if c < n_cols - 1 else -1) if rr == r else 0 for rr, c in unknown])
    if col_lines:
        for c in range(n_cols):
            equations.append([(1 if r < n_rows - 1 else -1) if cc == c else 0 for r, cc in unknown])
    out = np.zeros_like(suppressed)
    if not unknown or not equations:
        return out
    matrix = np.array(equations, dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    for i, cell in enumerate(unknown):
        unit = np.zeros(len(unknown))
        unit[i] = 1
        out[cell] = np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank
    return out


def test_recoverable_cells_are_the_bridges() -> None:
    grid = np.zeros((6, 6), dtype=bool)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        grid[r, c] = True  # two rectangles joined by one cell: every line has ≥ 2 suppressed
    found = recoverable(grid, row_lines=True, col_lines=True)
    assert [tuple(x) for x in np.argwhere(found)] == [(1, 2)]
    assert (found == determined_by_algebra(grid, True, True)).all()


def test_recoverable_matches_linear_algebra_on_random_patterns() -> None:
    rng = np.random.default_rng(5)
    for trial in range(300):
        shape = (int(rng.integers(2, 7)), int(rng.integers(1, 7)))
        grid = rng.random(shape) < rng.uniform(0.1, 0.6)
        row_lines = shape[1] > 1 and trial % 5 != 0
        found = recoverable(grid, row_lines=row_lines, col_lines=True)
        assert (found == determined_by_algebra(grid, row_lines, True)).all(), (grid, row_lines)


@pytest.fixture
def grid_data() -> pl.DataFrame:
    """A 3 × 3 table of counts; (a, x) has 3 persons, the rest 20 or more."""
    counts = {("a", "x"): 3, ("a", "y"): 20, ("a", "z"): 25, ("b", "x"): 30, ("b", "y"): 22,
              ("b", "z"): 21, ("c", "x"): 26, ("c", "y"): 24, ("c", "z"): 40}  # fmt: skip
    rows = [(r, c) for (r, c), n in counts.items() for _ in range(n)]
    return pl.DataFrame(rows, schema=["r", "c"], orient="row").with_row_index("id")


def test_a_lone_suppressed_cell_is_revealed_by_its_totals(grid_data: pl.DataFrame) -> None:
    report = gd.check_table(grid_data, "gamyeong", rows="r", cols="c", unit="id", margins=True)
    assert cells(report, "threshold") == [[0, 0]]
    assert cells(report, "margins") == [
        [0, 0],
        [0, 3],
        [3, 0],
    ]  # the cell, its row and column totals
    notes = {
        tuple(c["position"]): c["reasons"]["margins"]
        for c in report.to_json()["cells"]
        if "margins" in c["failed"]
    }
    assert "recoverable from the totals" in notes[(0, 0)]
    assert "a total revealing r=a, c=x" in notes[(0, 3)]
    plain = gd.check_table(grid_data, "gamyeong", rows="r", cols="c", unit="id")
    assert "margins" not in plain.checks  # no totals in the table: nothing to subtract from
    assert (
        "margins" not in gd.check_table(grid_data, "acro", rows="r", cols="c", margins=True).checks
    )


def test_suppressed_rectangle_is_safe_and_one_way_totals(grid_data: pl.DataFrame) -> None:
    small = grid_data.filter(
        ~((pl.col("r").is_in(["a", "b"])) & pl.col("c").is_in(["x", "y"])) | (pl.col("id") % 4 == 0)
    )
    report = gd.check_table(small, "gamyeong", rows="r", cols="c", unit="id", margins=True)
    assert cells(report, "threshold") == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert cells(report, "margins") == []  # a rectangle: every cell lies on a cycle
    one_way = gd.check_table(grid_data, "gamyeong", rows=["r", "c"], unit="id", margins=True)
    assert cells(one_way, "margins") == [[0, 0], [9, 0]]  # one small cell in the column: revealed
    assert one_way.cells.filter(pl.col("margin")).height == 1


# -- remedies ----------------------------------------------------------------------------------


def secondary_is_safe(report: gd.CheckReport, remedies: gd.Remedies) -> bool:
    layout = report.layout
    assert layout is not None
    grid = np.zeros((layout.n_rows, layout.n_cols), dtype=bool)
    for r, c in remedies.suppress.select("row_pos", "col_pos").iter_rows():
        grid[r, c] = True
    primary = np.zeros_like(grid)
    for r, c in (
        remedies.suppress.filter(pl.col("role") == "primary")
        .select("row_pos", "col_pos")
        .iter_rows()
    ):
        primary[r, c] = True
    return not (determined_by_algebra(grid, bool(layout.col_keys), True) & primary).any()


def test_secondary_suppression_protects_every_primary_cell(grid_data: pl.DataFrame) -> None:
    report = gd.check_table(grid_data, "gamyeong", rows="r", cols="c", unit="id", margins=True)
    remedies = gd.suggest(report)
    roles = dict(remedies.suppress.group_by("role").len().iter_rows())
    assert roles == {"primary": 1, "secondary": 3}  # the cheapest rectangle through (a, x)
    secondary = remedies.suppress.filter(pl.col("role") == "secondary").sort("row_pos", "col_pos")
    assert secondary.select("row_pos", "col_pos").rows() == [(0, 1), (2, 0), (2, 1)]  # 20, 26, 24
    assert secondary_is_safe(report, remedies)
    assert remedies.to_json()["secondary"] == 3


def test_secondary_suppression_on_random_tables() -> None:
    rng = np.random.default_rng(11)
    for trial in range(40):
        n_r, n_c = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        sizes = rng.choice([0, 2, 5, 15, 40], size=(n_r, n_c), p=[0.1, 0.15, 0.15, 0.3, 0.3])
        rows = [
            (f"r{r}", f"c{c}")
            for r, c in itertools.product(range(n_r), range(n_c))
            for _ in range(sizes[r, c])
        ]
        if not rows:
            continue
        frame = pl.DataFrame(rows, schema=["r", "c"], orient="row")
        report = gd.check_table(frame, "acro", rows="r", cols="c", margins=trial % 2 == 0)
        profile = gd.get_profile("gamyeong") if trial % 2 else report.profile
        report.profile = profile  # assume totals are known elsewhere for half of them
        remedies = gd.suggest(report)
        if remedies.notes and "cannot be protected" in remedies.notes[0]:
            continue
        assert secondary_is_safe(report, remedies), trial


def test_rounding_and_recoding(households: pl.DataFrame) -> None:
    report = gd.check_table(households, "acro", rows="type", cols="size")
    remedies = gd.suggest(report)
    assert remedies.rounded.sort("col_pos", "row_pos").get_column("rounded").to_list() == [
        10,
        30,
        25,
        0,
    ]
    # half the cells of type "one" and of size "2" fail: merge each with its neighbour
    assert [(r.column, r.levels) for r in remedies.recodes] == [
        ("type", ("one", "couple")),
        ("size", ("2", "1")),
    ]
    payload = remedies.to_json()
    assert payload["recode"][1]["into"] == "2+1" and payload["rounded"][1]["position"] == [1, 0]


# -- differencing ------------------------------------------------------------------------------


def test_differencing_a_subset_released_after_the_whole(acro_data: Any) -> None:
    whole = gd.check_table(acro_data, "acro", rows="year", cols="grant_type", name="whole")
    alive = acro_data[acro_data.status != "dead"]
    subset = gd.check_table(alive, "acro", rows="year", cols="grant_type", name="alive")
    findings = gd.differencing(subset, [whole])
    assert [(f.kind, f.row_pos, f.col_pos) for f in findings] == [
        ("subset", r, 0) for r in range(6)
    ]
    assert "the difference from whole is 3 < 10" in findings[0].detail
    marked = gd.with_findings(subset, findings)
    assert marked.summary()["differencing"] == 6 and marked.status == "fail"
    assert marked.to_json()["differencing"][0]["earlier"] == "whole"
    assert gd.differencing(whole, [whole]) == []


def test_differencing_with_earlier_totals(acro_data: Any) -> None:
    by_year = gd.check_table(acro_data, "acro", rows="year", name="by_year")
    table = gd.check_table(acro_data, "acro", rows="year", cols="grant_type", name="table")
    findings = gd.differencing(table, [by_year])
    assert [(f.kind, f.row_pos, f.col_pos) for f in findings] == [
        ("margin", r, 3) for r in range(6)
    ]
    reverse = gd.differencing(by_year, [table])  # the totals released after the table
    assert [(f.row_pos, f.col_pos) for f in reverse] == [(r, 0) for r in range(6)]
    assert "revealing a suppressed cell of table" in reverse[0].detail
    other = gd.check_table(acro_data[acro_data.status == "dead"], "acro", rows="year", name="dead")
    assert gd.differencing(table, [other]) == []  # different data: the totals do not add up


def test_differencing_percentages_against_counts(households: pl.DataFrame) -> None:
    strict = gd.get_profile("acro", safe_threshold=15)  # (couple, 1) has 12: suppressed here …
    counts = gd.check_table(households, strict, rows="type", cols="size", name="counts")
    shares = gd.check_table(
        households, "acro", rows="type", cols="size", percent="row", name="shares"
    )
    findings = gd.differencing(shares, [counts])  # … and shown as 32 % of 37 there
    assert [(f.kind, f.row_pos, f.col_pos) for f in findings] == [("percent", 0, 0)]


# -- results.json and folders --------------------------------------------------------------------


def test_gamyeong_results_json_is_rechecked_from_its_evidence(
    acro_data: Any, tmp_path: Path
) -> None:
    session = ga.Session(tmp_path)
    table = ga.crosstab(
        acro_data, "year", "grant_type", unit="charity", margins=True, session=session
    )
    session.save("table", table)
    ga.crosstab(acro_data, "year", "grant_type", session=session)  # recorded, never saved
    hist = ga.histogram(acro_data, "inc_grants", bins=10, unit="charity", session=session)
    session.save("hist", hist)
    session.finalise()
    reports = gd.check_results_json(tmp_path / "results.json", "gamyeong")
    assert [r.name for r in reports] == ["table", "hist"]
    direct = gd.check_table(table, "gamyeong")
    assert reports[0].summary() == direct.summary() == {"threshold": 7, "zeros": 0, "margins": 14}
    assert (
        reports[0].cells.select(pl.exclude("keys")).equals(direct.cells.select(pl.exclude("keys")))
    )
    assert reports[1].kind == "histogram" and reports[1].summary()["single_unit"] == 2
    acro = gd.check_results_json(tmp_path / "results.json", "acro")
    assert acro[0].summary() == {"threshold": 6, "zeros": 0}
    assert acro[1].summary() == {"threshold": 8, "zeros": 3}
    assert (hist.check_counts["threshold"], hist.check_counts["zeros"]) == (8, 3)


def acro_results(folder: Path, acro_data: Any) -> Path:
    """A results.json as ACRO 1.0.2 writes it (abridged): a frequency table, a mean table with
    margins, a histogram (an image only), a regression and ACRO's own summary."""
    pd = pytest.importorskip("pandas")
    counts = pd.crosstab(acro_data.year, acro_data.grant_type)
    counts.to_csv(folder / "output_0_0.csv")
    means = pd.crosstab(
        acro_data.year,
        acro_data.grant_type,
        values=acro_data.inc_grants,
        aggfunc="mean",
        margins=True,
    )
    means.to_csv(folder / "output_1_0.csv")
    (folder / "histogram_0.png").write_bytes(b"\x89PNG\r\n")
    years = [str(y) for y in counts.index]

    def outcome(
        columns: list[str], rows: list[str], flagged: dict[tuple[str, str], str]
    ) -> dict[str, Any]:
        return {c: {r: flagged.get((r, c), "ok") for r in rows} for c in columns}

    results = {
        "version": "1.0.2",
        "tool": {"@type": "SoftwareApplication", "name": "ACRO", "version": "1.0.2"},
        "results": {
            "output_0": {
                "uid": "output_0", "status": "fail", "type": "table",
                "properties": {"method": "crosstab", "mitigation": "none"},
                "files": [{"name": "output_0_0.csv", "sdc": {"summary": {"MinimumThresholdCheck": 6}}}],
                "outcome": outcome(["G", "N", "R", "R/G"], years, {(y, "R/G"): "MinimumThresholdCheck; " for y in years}),
                "summary": "FrequencyTable : \n MinimumThresholdCheck: fail - 6 cells may need suppressing.\n",
                "fair": {"statbarn": "Frequencies"},
            },
            "output_1": {
                "uid": "output_1", "status": "fail", "type": "table",
                "properties": {"method": "crosstab", "mitigation": "none"},
                "files": [{"name": "output_1_0.csv", "sdc": {}}],
                "outcome": outcome(["G", "N", "R", "R/G", "All"], [*years, "All"], {
                    ("2010", "N"): "PPercentCheck; ",
                    ("2010", "R/G"): "NKCheck; PPercentCheck; MinimumThresholdCheck; ",
                    **{(y, "R/G"): "MinimumThresholdCheck; " for y in years[1:]},
                }),
                "summary": "Mean : \nNKCheck: fail - 1 cells may need suppressing.\n",
                "fair": {"statbarn": "LinearAggregations"},
            },
            "output_3": {
                "uid": "output_3", "status": "fail", "type": "histogram", "properties": {"method": "histogram"},
                "files": [{"name": "histogram_0.png", "sdc": {"summary": {"MinimumThresholdCheck": 8}}}],
                "outcome": {},
            },
            "output_4": {
                "uid": "output_4", "status": "pass", "type": "regression",
                "properties": {"method": "ols", "dof": 807}, "files": [], "outcome": {},
            },
            "2ndary_risk_summary_json-DONT_RELEASE": {"type": "custom", "files": [{"name": "session_summary.json"}]},
        },
    }  # fmt: skip
    path = folder / "results.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def test_acro_results_json(acro_data: Any, tmp_path: Path) -> None:
    path = acro_results(tmp_path, acro_data)
    reports = {r.name: r for r in gd.check_results_json(path, "acro")}
    assert list(reports) == ["output_0", "output_1", "output_3", "output_4"]
    frequency = reports["output_0"]
    assert cells(frequency, "threshold") == column(3)  # re-checked from the counts in the CSV
    assert frequency.cells.filter(pl.col("row_pos") == 0).get_column("value").to_list() == [
        15,
        59,
        71,
        8,
    ]
    means = reports["output_1"]
    assert cells(means, "nk") == [[0, 3]] and cells(means, "p_percent") == [[0, 1], [0, 3]]
    assert means.status == "fail" and not means.needs_review
    assert reports["output_3"].status == "fail" and reports["output_4"].status == "pass"
    strict = {r.name: r for r in gd.check_results_json(path, "korean")}
    assert cells(strict["output_0"], "threshold") == []  # 8 rows ≥ 5
    assert strict["output_0"].status == "review"  # ACRO records rows, not persons
    assert strict["output_1"].status == "fail" and strict["output_1"].needs_review
    assert strict["output_3"].summary() == {"graph_counts": 1}


def test_folder_images_need_their_counts(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "bars.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "bars.csv").write_text("group,count\na,12\nb,4\nc,0\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    reports = {r.name: r for r in gd.check_folder(tmp_path, "gamyeong")}
    assert set(reports) == {"bars.png", "chart.png", "notes.txt"}
    assert reports["chart.png"].summary() == {"graph_counts": 1}
    bars = reports["bars.png"]
    assert cells(bars, "threshold") == [[1, 0], [2, 0]] and cells(bars, "zeros") == [[2, 0]]
    assert (
        reports["notes.txt"].summary() == {"manual": 1} and reports["notes.txt"].status == "review"
    )
    acro = {r.name: r for r in gd.check_folder(tmp_path, "acro")}
    assert acro["chart.png"].summary() == {"manual": 1}


def test_bad_results_json_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"results": {', encoding="utf-8")
    with pytest.raises(gd.DisclosureError, match=r"invalid JSON in .*results.json at line 1"):
        gd.check_results_json(bad)
    bad.write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(gd.DisclosureError, match="no 'results' object"):
        gd.check_outputs(bad)
    with pytest.raises(gd.DisclosureError, match="no such file or folder"):
        gd.check_outputs(tmp_path / "missing")


def test_report_json_shape(grid_data: pl.DataFrame) -> None:
    report = gd.check_table(grid_data, "gamyeong", rows="r", cols="c", unit="id", name="t")
    payload = report.to_json()
    assert {"output", "kind", "profile", "status", "summary", "cells", "notes", "table"} <= set(
        payload
    )
    first = payload["cells"][0]
    assert first["keys"] == {"r": "a", "c": "x"} and first["count"] == 3
    assert first["failed"] == ["threshold"] and first["position"] == [0, 0]
    assert payload["cells"][1]["failed"] == [] and "reasons" not in payload["cells"][1]
    assert payload["table"] == {
        "rows": ["r"],
        "columns": ["c"],
        "statistics": ["count"],
        "margins": False,
        "unit": "id",
        "shape": [3, 3],
    }
    json.dumps(payload, ensure_ascii=False)  # serialisable as it is


def test_bad_table_requests(panel: pl.DataFrame) -> None:
    with pytest.raises(gd.DisclosureError, match="column\\(s\\) not in the data: regoin"):
        gd.check_table(panel, rows="regoin")
    with pytest.raises(gd.DisclosureError, match="values and agg go together"):
        gd.check_table(panel, rows="region", values="income")
    with pytest.raises(gd.DisclosureError, match="not numeric"):
        gd.check_table(panel, rows="region", values="person", agg="sum")
    with pytest.raises(gd.DisclosureError, match="no rows"):
        gd.check_table(panel.clear(), rows="region")
    lazy = gd.check_table(panel.lazy(), "acro", rows="region")
    assert lazy.summary() == {"threshold": 1, "zeros": 0}


def test_totals_of_unobserved_combinations_as_acro_lays_them_out() -> None:
    # ACRO 1.0.2 on this table: pandas leaves the totals of the empty row combinations (x, q)
    # and (y, p) blank, so only their inner cells are flagged; with object column keys the
    # totals of empty column combinations are 0 (flagged), with categorical ones blank.
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"a": ["x"] * 12 + ["y"] * 12, "b": ["p"] * 12 + ["q"] * 12, "c": ["m", "f"] * 12}
    )
    rows = gd.check_table(frame, "acro", rows=["a", "b"], cols="c", margins=True)
    assert cells(rows, "zeros") == [[1, 0], [1, 1], [2, 0], [2, 1]]
    assert cells(rows, "threshold") == [[r, c] for r in range(4) for c in (0, 1)]
    ours = gd.check_table(frame, "gamyeong", rows=["a", "b"], cols="c", margins=True)
    assert [1, 2] in cells(ours, "zeros")  # gamyeong: an empty total is a zero cell
    columns = gd.check_table(frame, "acro", rows="c", cols=["a", "b"], margins=True)
    assert cells(columns, "zeros") == [[r, c] for r in range(3) for c in (1, 2)]
    frame["a"] = pd.Categorical(frame["a"], categories=["x", "y", "z"])
    categorical = gd.check_table(frame, "acro", rows="c", cols=["a", "b"], margins=True)
    assert cells(categorical, "zeros") == [[r, c] for r in range(2) for c in (1, 2, 4, 5)]
