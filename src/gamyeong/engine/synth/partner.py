"""A second institution's dataset that overlaps the SSIS persons: a synthetic employment-
insurance register (고용보험 피보험자 DB) of the Korea Employment Information Service
(한국고용정보원, KEIS).

It holds the same people under the partner's own identifier formats — a space between surname
and given name, dates as ``YYYY.MM.DD``, ``YYYYMMDD`` or ``YYYY-MM-DD``, phones with spaces or
without separators, sex as 남/여 — and a small share of real typos (a syllable, a day or a digit).
Some of its people are not in the SSIS data at all. The true overlap is returned separately, for
tests only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from gamyeong.engine.synth.identifiers import given_names_for, phones
from gamyeong.engine.synth.reference import surnames

INDUSTRIES = np.array(
    [
        "C 제조업",
        "G 도매 및 소매업",
        "Q 보건업 및 사회복지 서비스업",
        "F 건설업",
        "I 숙박 및 음식점업",
        "N 사업시설 관리, 사업 지원 및 임대 서비스업",
        "H 운수 및 창고업",
        "M 전문, 과학 및 기술 서비스업",
        "J 정보통신업",
        "P 교육 서비스업",
        "K 금융 및 보험업",
        "S 협회 및 단체, 수리 및 기타 개인 서비스업",
        "O 공공 행정, 국방 및 사회보장 행정",
    ]
)
INDUSTRY_SHARE = np.array([20, 12, 14, 8, 7, 9, 5, 6, 5, 4, 3, 4, 3], dtype=np.float64)
FIRM_SIZES = np.array(["5인 미만", "5~29인", "30~299인", "300인 이상"])
FIRM_SHARE = np.array([0.18, 0.30, 0.28, 0.24])
TYPO_SYLLABLES = np.array(list("민준서연지우현수영정훈은진성호경미숙희철동석재윤하"))


@dataclass(frozen=True)
class PartnerPersons:
    """The identities the partner holds: SSIS persons (with their index) and outsiders."""

    ssis_index: np.ndarray  # index into SSIS persons, -1 for people only the partner has
    name: np.ndarray
    birth_date: np.ndarray  # datetime64[D]
    sex: np.ndarray
    phone: pl.Series  # 010-NNNN-NNNN


def choose_overlap(
    rng: np.random.Generator,
    age: np.ndarray,
    low_income: np.ndarray,
    has_phone: np.ndarray,
    share: float,
) -> np.ndarray:
    """Indices of the SSIS persons the partner also holds: working-age adults, fewer of them
    among low-income households."""
    wanted = round(share * age.size)
    pool = np.flatnonzero((age >= 18) & (age <= 70) & has_phone)
    if wanted > pool.size:
        from gamyeong.engine.synth import SynthError

        raise SynthError(
            f"겹치는 비율 {share:.2f}는 너무 큽니다: 18~70세 {pool.size}명 중 {wanted}명을 "
            "고를 수 없습니다",
            f"overlap {share:.2f} is too large: cannot pick {wanted} of the {pool.size} "
            "persons aged 18-70",
        )
    weight = np.where(low_income[pool], 0.35, 1.0)
    return np.sort(rng.choice(pool, size=wanted, replace=False, p=weight / weight.sum()))


def outsiders(rng: np.random.Generator, count: int, as_of: np.datetime64) -> PartnerPersons:
    table = surnames()
    age = rng.integers(18, 71, count)
    days = np.floor(age * 365.2425 + rng.uniform(0, 365, count)).astype(np.int64)
    birth = as_of - days * np.timedelta64(1, "D")
    sex = rng.choice([1, 2], size=count, p=[0.55, 0.45])
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    name = np.char.add(
        table.name[rng.choice(table.name.size, size=count, p=table.weight)],
        given_names_for(rng, sex, birth_year),
    )
    return PartnerPersons(np.full(count, -1), name, birth, sex, phones(rng, age))


def with_typos(
    rng: np.random.Generator, people: PartnerPersons, rate: float
) -> tuple[PartnerPersons, np.ndarray]:
    """Introduce one typo in a share of the overlapping records; return the field per record."""
    n = people.name.size
    hit = (people.ssis_index >= 0) & (rng.random(n) < rate)
    field = np.where(
        hit, rng.choice(["name", "birth_date", "phone"], size=n, p=[0.4, 0.3, 0.3]), ""
    )
    replacement = TYPO_SYLLABLES[rng.integers(0, TYPO_SYLLABLES.size, n)]
    names = pl.DataFrame({"name": people.name, "typo": field == "name", "r": replacement})
    last = pl.col("name").str.slice(-1, 1)
    name = (
        names.select(
            pl.when(pl.col("typo"))
            .then(
                pl.concat_str(
                    pl.col("name").str.slice(0, pl.col("name").str.len_chars() - 1),
                    pl.when(last == pl.col("r")).then(pl.lit("빈")).otherwise(pl.col("r")),
                )
            )
            .otherwise(pl.col("name"))
        )
        .to_series()
        .to_numpy()
    )
    shift = np.where(field == "birth_date", rng.choice([-1, 1], size=n), 0)
    birth = people.birth_date + shift * np.timedelta64(1, "D")
    phone_df = pl.DataFrame(
        {"p": people.phone, "typo": field == "phone", "d": rng.integers(1, 10, n)}
    )
    phone = phone_df.select(
        pl.when(pl.col("typo"))
        .then(
            pl.concat_str(
                pl.col("p").str.slice(0, 12),
                ((pl.col("p").str.slice(12, 1).cast(pl.Int64) + pl.col("d")) % 10).cast(pl.String),
            )
        )
        .otherwise(pl.col("p"))
    ).to_series()
    return PartnerPersons(people.ssis_index, name, birth, people.sex, phone), field


def partner_frame(
    rng: np.random.Generator,
    people: PartnerPersons,
    typo_field: np.ndarray,
    low_income: np.ndarray,
    as_of: np.datetime64,
) -> pl.DataFrame:
    """The employment register in the partner's formats, in the partner's own row order.

    Two private columns, ``_ssis_index`` and ``_typo``, carry the ground truth; the caller splits
    them off before the register is written.
    """
    n = people.name.size
    ids = rng.choice(9_000_000_000, size=n, replace=False) + 1_000_000_000
    order = rng.permutation(n)  # the partner's rows are in its own order
    employed = rng.random(n) < 0.82
    insured_years = rng.exponential(6.0, n)
    birth_plus_18 = people.birth_date + np.floor(18 * 365.25).astype(np.int64) * np.timedelta64(
        1, "D"
    )
    since = np.maximum(
        as_of - np.floor(insured_years * 365.25).astype(np.int64) * np.timedelta64(1, "D"),
        birth_plus_18,
    )
    wage = (
        (3_200_000 * np.exp(rng.normal(0, 0.5, n)) * np.where(low_income, 0.55, 1.0)) // 1000 * 1000
    )
    benefit = ~employed & (rng.random(n) < 0.45)
    df = pl.DataFrame(
        {
            "insured_id": ids,
            "name": people.name,
            "birth": people.birth_date,
            "sex": people.sex,
            "phone": people.phone,
            "name_style": rng.choice(3, size=n, p=[0.60, 0.35, 0.05]),
            "date_style": rng.choice(3, size=n, p=[0.70, 0.20, 0.10]),
            "phone_style": rng.choice(3, size=n, p=[0.30, 0.40, 0.30]),
            "industry": INDUSTRIES[
                rng.choice(INDUSTRIES.size, size=n, p=INDUSTRY_SHARE / INDUSTRY_SHARE.sum())
            ],
            "firm_size": FIRM_SIZES[rng.choice(FIRM_SIZES.size, size=n, p=FIRM_SHARE)],
            "insured_since": since,
            "monthly_wage_krw": wage.astype(np.int64),
            "employed": employed,
            "benefit": benefit,
            "benefit_krw": (np.minimum(wage * 0.6 / 30, 66_000) * 30 // 10 * 10).astype(np.int64),
            "_ssis_index": people.ssis_index,
            "_typo": typo_field,
        }
    )[order]
    return df.select(
        pl.concat_str(pl.lit("E"), pl.col("insured_id").cast(pl.String)).alias("insured_id"),
        _styled_name().alias("name"),
        _styled_date().alias("birth_date"),
        pl.when(pl.col("sex") == 1).then(pl.lit("남")).otherwise(pl.lit("여")).alias("sex"),
        _styled_phone().alias("phone"),
        pl.col("industry").alias("industry"),
        pl.col("firm_size").alias("firm_size"),
        pl.col("insured_since").alias("insured_since"),
        pl.col("monthly_wage_krw"),
        pl.when(pl.col("employed"))
        .then(pl.lit("재직"))
        .otherwise(pl.lit("상실"))
        .alias("employment_status"),
        pl.col("benefit").alias("job_seeking_benefit"),
        pl.when(pl.col("benefit")).then(pl.col("benefit_krw")).alias("job_seeking_benefit_krw"),
        pl.col("_ssis_index"),
        pl.when(pl.col("_typo") != "").then(pl.col("_typo")).alias("_typo"),
    )


def _styled_name() -> pl.Expr:
    name = pl.col("name")
    spaced = pl.concat_str(name.str.slice(0, 1), pl.lit(" "), name.str.slice(1))
    return (
        pl.when(pl.col("name_style") == 1)
        .then(spaced)
        .when(pl.col("name_style") == 2)
        .then(pl.concat_str(name, pl.lit(" ")))
        .otherwise(name)
    )


def _styled_date() -> pl.Expr:
    birth = pl.col("birth")
    return (
        pl.when(pl.col("date_style") == 0)
        .then(birth.dt.strftime("%Y.%m.%d"))
        .when(pl.col("date_style") == 1)
        .then(birth.dt.strftime("%Y%m%d"))
        .otherwise(birth.dt.strftime("%Y-%m-%d"))
    )


def _styled_phone() -> pl.Expr:
    phone = pl.col("phone")
    return (
        pl.when(pl.col("phone_style") == 0)
        .then(phone.str.replace_all("-", " "))
        .when(pl.col("phone_style") == 1)
        .then(phone.str.replace_all("-", ""))
        .otherwise(phone)
    )
