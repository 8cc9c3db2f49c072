"""Identifiers that pseudonymization must remove: names, resident-number-shaped IDs, phones,
addresses. All column-wise; strings are assembled with Polars.

**Resident-registration-number-shaped IDs (주민등록번호 형태) are never a valid number.**
A real number has the shape ``YYMMDD-GNNNNNC``: birth date, a sex-and-century digit ``G``
(1/2 born 1900–1999, 3/4 born 2000–), and six more digits. Every number issued before
2020-10-05 ends in a check digit ``C = (11 − Σ wᵢ·dᵢ mod 11) mod 10`` (weights 2,3,4,5,6,7,8,9,2,3,
4,5). Every generated ID carries a *different* last digit, so none equals a number of that scheme.
Since 2020-10-05 newborns get six random digits without a check digit; synthetic persons born on
or after that day therefore get the 1800s century digit (9 male, 0 female) with their 20YY birth
date — a person born in 1820–1826, for whom no number was ever issued. :func:`is_valid_rrn`
applies both rules, and the tests run it on every generated ID. (A number *changed* after
2020-10 for someone born earlier is also random; no format rule can exclude those, which is why
the generated IDs must never be used outside synthetic data.)

Phones use the 010 prefix with a middle block ``0000``–``1999``, which is not assigned to
subscribers in Korea.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gamyeong.engine.synth.population import CHILD, GRANDCHILD, HEAD, PARENT, Population
from gamyeong.engine.synth.reference import given_names, regions, road_names, surnames

RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
RANDOM_SCHEME_START = np.datetime64("2020-10-05", "D")


def rrn_check_digit(first12: np.ndarray) -> np.ndarray:
    """Check digit of the pre-2020 scheme for an (n, 12) array of digits."""
    return np.asarray((11 - (first12 @ RRN_WEIGHTS) % 11) % 10, dtype=np.int64)


CENTURY = {1: 1900, 2: 1900, 5: 1900, 6: 1900, 3: 2000, 4: 2000, 7: 2000, 8: 2000, 9: 1800, 0: 1800}


def is_valid_rrn(value: str) -> bool:
    """Could ``value`` be an issued resident (or foreigner) registration number?

    Numbers of people born before 2020-10-05 must pass the check digit; numbers of people born
    after it (random scheme) must carry a birth date on or after that day and no later than today.
    """
    digits = value.replace("-", "")
    if len(digits) != 13 or not digits.isdigit():
        return False
    year = CENTURY[int(digits[6])] + int(digits[:2])
    try:
        born = np.datetime64(f"{year:04d}-{digits[2:4]}-{digits[4:6]}", "D")
    except ValueError:
        return False
    if born > np.datetime64("today", "D"):
        return False
    if born >= RANDOM_SCHEME_START:
        return True
    d = np.array([int(c) for c in digits])
    return bool(int(rrn_check_digit(d[None, :12])[0]) == d[12])


def surnames_for(rng: np.random.Generator, pop: Population) -> np.ndarray:
    """Surnames by family logic: children and grandchildren of a male head share his surname,
    so do the head's father; spouses and mothers have their own."""
    table = surnames()
    n = pop.persons
    drawn = rng.choice(table.name.size, size=n, p=table.weight)
    head_index = np.flatnonzero(pop.role == HEAD)  # first member of each household
    head_surname = drawn[head_index][pop.household]
    head_male = (pop.sex[head_index] == 1)[pop.household]
    inherits = (
        ((pop.role == CHILD) | (pop.role == GRANDCHILD)) & (head_male | (rng.random(n) < 0.5))
    ) | ((pop.role == PARENT) & (pop.sex == 1))
    return table.name[np.where(inherits | (pop.role == HEAD), head_surname, drawn)]


def given_names_for(
    rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray
) -> np.ndarray:
    out = np.empty(sex.size, dtype=object)
    for pool in given_names():
        mask = (sex == pool.sex) & (birth_year >= pool.birth_from) & (birth_year <= pool.birth_to)
        count = int(mask.sum())
        if count:
            out[mask] = pool.names[rng.choice(pool.names.size, size=count, p=pool.weight)]
    missing = out == None  # noqa: E711 — element-wise comparison on an object array
    if missing.any():
        oldest = [
            p for p in given_names() if p.birth_from == min(q.birth_from for q in given_names())
        ]
        fallback = np.concatenate([p.names for p in oldest])
        out[missing] = fallback[rng.integers(0, fallback.size, int(missing.sum()))]
    return out.astype(str)


def rrn_like(rng: np.random.Generator, birth_date: np.ndarray, sex: np.ndarray) -> pl.Series:
    """``YYMMDD-GNNNNNC`` strings that look real and fail the check digit (module docstring)."""
    n = sex.size
    year = birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth_date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth_date - birth_date.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.where(year >= 2000, 2, 0)
    gender = sex.astype(np.int64) + century  # 1/2 for 1900s, 3/4 for 2000s
    randomized_era = birth_date >= RANDOM_SCHEME_START
    gender = np.where(randomized_era, (sex.astype(np.int64) + 8) % 10, gender)
    digits = np.zeros((n, 13), dtype=np.int64)
    yy = year % 100
    digits[:, 0], digits[:, 1] = yy // 10, yy % 10
    digits[:, 2], digits[:, 3] = month // 10, month % 10
    digits[:, 4], digits[:, 5] = day // 10, day % 10
    digits[:, 6] = gender
    digits[:, 7:12] = rng.integers(0, 10, size=(n, 5))
    valid = rrn_check_digit(digits[:, :12])
    digits[:, 12] = (valid + rng.integers(1, 10, n)) % 10  # anything but the valid digit
    front = digits[:, :6] @ (10 ** np.arange(5, -1, -1))
    back = digits[:, 6:] @ (10 ** np.arange(6, -1, -1))
    return (
        pl.DataFrame({"f": front, "b": back})
        .select(
            pl.concat_str(
                pl.col("f").cast(pl.String).str.zfill(6),
                pl.lit("-"),
                pl.col("b").cast(pl.String).str.zfill(7),
            )
        )
        .to_series()
    )


def phones(rng: np.random.Generator, age: np.ndarray) -> pl.Series:
    """010-0NNN-NNNN / 010-1NNN-NNNN (unassigned blocks); none for under-10s, often none at 85+."""
    n = age.size
    middle = rng.integers(0, 2000, n)
    last = rng.integers(0, 10000, n)
    has_phone = (age >= 10) & ~((age >= 85) & (rng.random(n) < 0.3))
    df = pl.DataFrame({"m": middle, "l": last, "has": has_phone})
    return df.select(
        pl.when(pl.col("has"))
        .then(
            pl.concat_str(
                pl.lit("010-"),
                pl.col("m").cast(pl.String).str.zfill(4),
                pl.lit("-"),
                pl.col("l").cast(pl.String).str.zfill(4),
            )
        )
        .alias("phone")
    ).to_series()


def addresses(rng: np.random.Generator, region_index: np.ndarray) -> pl.Series:
    """도로명주소-shaped household addresses: 시도 시군구 도로명 건물번호[, 동 호]."""
    reg = regions()
    roads = road_names()
    n = region_index.size
    apartment = rng.random(n) < 0.62
    df = pl.DataFrame(
        {
            "sido": reg.sido_name[region_index],
            "sigungu": reg.sigungu_name[region_index],
            "road": roads[rng.integers(0, roads.size, n)],
            "building": rng.integers(1, 400, n),
            "dong": rng.integers(101, 116, n),
            "floor": rng.integers(1, 26, n),
            "unit": rng.integers(1, 5, n),
            "apt": apartment,
        }
    )
    base = pl.concat_str(
        pl.col("sido"),
        pl.lit(" "),
        pl.col("sigungu"),
        pl.lit(" "),
        pl.col("road"),
        pl.lit(" "),
        pl.col("building").cast(pl.String),
    )
    suffix = pl.concat_str(
        pl.lit(", "),
        pl.col("dong").cast(pl.String),
        pl.lit("동 "),
        pl.col("floor").cast(pl.String),
        pl.col("unit").cast(pl.String).str.zfill(2),
        pl.lit("호"),
    )
    return df.select(
        pl.when(pl.col("apt")).then(pl.concat_str(base, suffix)).otherwise(base).alias("address")
    ).to_series()
