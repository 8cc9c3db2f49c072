"""Dummy data (더미 데이터): a look-alike of a dataset that a researcher may take outside the
analysis room to write and test code, with no real record in it.

Every column is drawn on its own (so no joint distribution, and no real row, survives), from a
random generator seeded by ``(seed, dataset, column)``, which makes the result the same for a
seed whatever the column order. Per column, by item class and type:

- direct identifiers (식별정보; also hashed or tokenised ids, which keep that class): fresh
  random tokens of the same shape (:mod:`.tokens`), or integers of the same digit count;
- text, booleans and value-labelled numbers: a value drawn uniformly from the values that at
  least ``k`` (5) real records hold; a rarer value is never copied. A text column with no such
  value (free text, unique codes) gets shape tokens instead. A token that happens to equal a
  real value is drawn again, and is left missing if it keeps colliding;
- other numbers: uniform between the observed minimum and maximum rounded outward to two
  significant digits (``183,110,000`` → ``190,000,000``), kept within the column type;
- dates: uniform between the first day of the minimum's month and the last day of the
  maximum's; date-times likewise, by day;
- missing values: at the observed share rounded to a tenth, only when at least ``k`` are missing;
- a column with fewer than ``k`` values is left missing.

Finally no dummy row may equal a real row on the quasi-identifiers and sensitive items together
(checked with a join): matching rows are drawn again, up to 50 times, and dropped if they still
match (possible only when those columns' joint domain is tiny).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from gamyeong.engine.io.writers import write_table
from gamyeong.engine.workspace.codebook import (
    QUASI,
    SENSITIVE,
    Codebook,
    DatasetCodebook,
    conform,
)
from gamyeong.engine.workspace.dummy_plans import ColumnPlan, K, plan_column
from gamyeong.engine.workspace.manifest import WorkspaceManifest
from gamyeong.engine.workspace.materialisation import check_inputs, open_parquet, write_codebook
from gamyeong.engine.workspace.staging import staged

ID_ROUNDS = 20
ROW_ROUNDS = 50
README = "README.md"


def _rng(seed: int, dataset: str, column: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(dataset.encode()), zlib.crc32(column.encode())])


def make_dummy(
    parquet: Path, codebook_for_dataset: DatasetCodebook, *, rows: int = 1000, seed: int, k: int = K
) -> pl.DataFrame:
    """A dummy look-alike of the dataset at ``parquet``: same columns and types, ``rows`` rows
    (fewer only in the rare case described in the module docstring)."""
    scan, schema = open_parquet(Path(parquet), codebook_for_dataset.name)
    book = conform(codebook_for_dataset, schema)
    plans = {c.name: plan_column(scan, c, schema[c.name], k) for c in book.columns}
    rngs = {c.name: _rng(seed, book.name, c.name) for c in book.columns}
    frame = pl.DataFrame([plans[n].draw(rows, rngs[n]).alias(n) for n in schema.names()])
    for name, plan in plans.items():
        if plan.kind in ("tokens", "digit_ids"):  # identifiers, and text with no common value
            frame = frame.with_columns(_fresh_ids(frame[name], scan, plan, rngs[name]))
    return _without_real_rows(frame, scan, book.names([QUASI, SENSITIVE]), plans, rngs)


def _fresh_ids(
    drawn: pl.Series, scan: pl.LazyFrame, plan: ColumnPlan, rng: np.random.Generator
) -> pl.Series:
    """``drawn`` with every value that occurs in the real column replaced (or made missing)."""
    name = drawn.name
    real = scan.select(pl.col(name).drop_nulls().unique()).collect().to_series()
    for _ in range(ID_ROUNDS):
        hits = np.flatnonzero(drawn.is_in(real.implode(), nulls_equal=False).to_numpy())
        if hits.size == 0:
            return drawn
        drawn = drawn.scatter(hits, plan.draw(int(hits.size), rng))
    hits = np.flatnonzero(drawn.is_in(real.implode(), nulls_equal=False).to_numpy())
    return drawn.scatter(hits, None) if hits.size else drawn


def _without_real_rows(
    frame: pl.DataFrame,
    scan: pl.LazyFrame,
    key: list[str],
    plans: Mapping[str, ColumnPlan],
    rngs: Mapping[str, np.random.Generator],
) -> pl.DataFrame:
    """Redraw (then drop) dummy rows equal to a real row on all of ``key`` jointly."""
    if not key or frame.is_empty():
        return frame
    real = scan.select(key).unique().collect()
    for _ in range(ROW_ROUNDS):
        hits = _matching_rows(frame, real, key)
        if hits.size == 0:
            return frame
        frame = frame.with_columns(
            frame[name].scatter(hits, plans[name].draw(int(hits.size), rngs[name])) for name in key
        )
    hits = _matching_rows(frame, real, key)
    if hits.size == 0:
        return frame
    keep = np.ones(frame.height, dtype=bool)
    keep[hits] = False
    return frame.filter(pl.Series(keep))


def _matching_rows(frame: pl.DataFrame, real: pl.DataFrame, key: list[str]) -> np.ndarray:
    matched = (
        frame.select(key).with_row_index("__row").join(real, on=key, how="semi", nulls_equal=True)
    )
    return matched["__row"].to_numpy()


def write_dummy(
    inputs: Mapping[str, Path],
    out_dir: Path,
    codebook: Codebook,
    *,
    rows: int = 1000,
    seed: int,
) -> WorkspaceManifest:
    """Write dummy data for each dataset into ``out_dir/dummy/``: ``<name>_dummy.parquet`` and
    ``<name>_dummy.csv`` (UTF-8 with BOM), the codebook marked ``dummy`` and a ``README.md``;
    all or nothing, like :func:`~gamyeong.engine.workspace.materialisation`."""
    check_inputs(inputs, ())
    with staged(Path(out_dir) / "dummy", dummy=True) as stage:
        documented = []
        for name, source in inputs.items():
            entry = codebook.dataset(name)
            frame = make_dummy(Path(source), entry, rows=rows, seed=seed)
            parquet = f"{name}_dummy.parquet"
            frame.write_parquet(stage.path(parquet), metadata={"gamyeong.dummy": "true"})
            stage.add(parquet, "parquet", dataset=name, rows=frame.height, columns=frame.width)
            csv = f"{name}_dummy.csv"
            written = write_table(frame, stage.path(csv), fmt="csv", csv_encoding="utf-8-sig")
            stage.add(csv, "csv", dataset=name, rows=written.rows, columns=frame.width)
            book = conform(entry, frame.schema)
            documented.append(replace(book, dummy=True))
        dummy_book = Codebook(tuple(documented))
        write_codebook(stage, dummy_book)
        stage.write_text(README, readme(dummy_book, rows=rows, seed=seed), "readme")
        return stage.commit()


def readme(codebook: Codebook, *, rows: int, seed: int) -> str:
    names = ", ".join(f"`{d.name}`" for d in codebook.datasets)
    return f"""# 더미 데이터 (Dummy data) — 실제 자료가 아닙니다 / NOT REAL DATA

이 폴더의 파일({names})은 **더미 데이터**입니다. 실제 자료의 열 이름·유형·값의 범위만 본떠
무작위로 만든 값이며, 어떤 사람의 기록도 들어 있지 않습니다. 분석실 밖에서 분석 코드를 작성하고
시험하는 데에만 쓰십시오. 이 데이터로 낸 결과는 의미가 없습니다.

- 열마다 따로 무작위로 뽑았습니다 (열 사이의 관계는 없습니다).
- 식별정보·관리번호 열은 같은 모양의 새 무작위 값이며 실제 값과 겹치지 않습니다.
- 범주 값은 실제 자료에서 {K}건 이상 나타난 값 중에서만 고르며, 드문 값은 쓰지 않습니다.
- 숫자는 반올림한 최솟값~최댓값, 날짜는 월 단위로 넓힌 범위 안에서 고르게 뽑았습니다.
- 준식별자와 민감정보의 조합이 실제 행과 같은 행은 없습니다.
- 행 수 {rows}, 시드(seed) {seed}. 코드북(`codebook.json`)에 `"dummy": true`로 표시되어 있습니다.

The files here ({names}) are **dummy data**: random values in the shape of the real data
(column names, types, value ranges) with no real person's record in them, for writing and
testing analysis code outside the analysis room. Results computed on them mean nothing.
Columns are drawn independently; identifiers are fresh random tokens that share no value with
the real data; categories come only from values at least {K} real records hold; numbers and dates
are uniform within rounded ranges; no row equals a real row on the quasi-identifiers and
sensitive items together. Rows {rows}, seed {seed}; the codebook says `"dummy": true`.
"""
