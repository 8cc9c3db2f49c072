"""Reference tables shipped with the generator (``data/*.csv``), loaded once as arrays.

- ``regions.csv``: 17 시도 and their 시군구 with 5-digit codes and resident populations
  (approximate, 2024–2025; used only as sampling weights).
- ``surnames.csv``: surnames with their 2015 census counts, so names collide as they do in Korea.
- ``given_names.csv``: popular given names by sex and birth cohort.
- ``road_names.csv``: road-name stems for 도로명주소-shaped addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import polars as pl

# 주거급여 급지: 1 서울, 2 경기·인천, 3 광역시·세종, 4 그 외.
HOUSING_GRADE_BY_SIDO = {
    "11": 1,
    "41": 2,
    "28": 2,
    "26": 3,
    "27": 3,
    "29": 3,
    "30": 3,
    "31": 3,
    "36": 3,
}


def _read(name: str) -> pl.DataFrame:
    raw = resources.files("gamyeong.engine.synth").joinpath("data", name).read_bytes()
    return pl.read_csv(raw, infer_schema_length=0)  # everything as text; cast explicitly


@dataclass(frozen=True)
class Regions:
    sido_code: np.ndarray
    sido_name: np.ndarray
    sigungu_code: np.ndarray
    sigungu_name: np.ndarray
    weight: np.ndarray  # population share
    housing_grade: np.ndarray  # 1–4


@lru_cache(maxsize=1)
def regions() -> Regions:
    df = _read("regions.csv")
    population = df["population"].cast(pl.Int64).to_numpy().astype(np.float64)
    sido = df["sido_code"].to_numpy().astype(str)
    grade = np.array([HOUSING_GRADE_BY_SIDO.get(code, 4) for code in sido], dtype=np.int8)
    return Regions(
        sido_code=sido,
        sido_name=df["sido_name"].to_numpy().astype(str),
        sigungu_code=df["sigungu_code"].to_numpy().astype(str),
        sigungu_name=df["sigungu_name"].to_numpy().astype(str),
        weight=population / population.sum(),
        housing_grade=grade,
    )


@dataclass(frozen=True)
class Surnames:
    name: np.ndarray
    weight: np.ndarray


@lru_cache(maxsize=1)
def surnames() -> Surnames:
    df = _read("surnames.csv")
    count = df["count"].cast(pl.Int64).to_numpy().astype(np.float64)
    return Surnames(df["surname"].to_numpy().astype(str), count / count.sum())


@dataclass(frozen=True)
class NamePool:
    birth_from: int
    birth_to: int
    sex: int
    names: np.ndarray
    weight: np.ndarray


@lru_cache(maxsize=1)
def given_names() -> tuple[NamePool, ...]:
    df = _read("given_names.csv").with_columns(
        pl.col("sex", "birth_from", "birth_to", "weight").cast(pl.Int64)
    )
    pools = []
    for (sex, start, end), group in df.group_by(
        ["sex", "birth_from", "birth_to"], maintain_order=True
    ):
        weight = group["weight"].to_numpy().astype(np.float64)
        pools.append(
            NamePool(
                int(start),
                int(end),
                int(sex),
                group["name"].to_numpy().astype(str),
                weight / weight.sum(),
            )
        )
    return tuple(sorted(pools, key=lambda p: (p.sex, p.birth_from)))


@lru_cache(maxsize=1)
def road_names() -> np.ndarray:
    return _read("road_names.csv")["road"].to_numpy().astype(str)
