"""Programme eligibility (자격) derived from the rules: one row per person × programme.

Household programmes (생계·의료·주거급여, 차상위, 한부모) cover every member of the household;
their payment is recorded once, on the household representative's row (the head), and is empty on
the others, so that sums are not double-counted. Person programmes (기초연금, 장애인연금, 교육급여,
아동수당, 부모급여) carry each person's own payment. Income and assets are filled only for the
means-tested programmes, as in the SSIS data (소득재산조사를 하지 않는 자격은 소득재산정보 없음).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from gamyeong.engine.synth.economics import Economics
from gamyeong.engine.synth.population import (
    CHILD,
    GRANDCHILD,
    GRANDPARENT,
    HEAD,
    SINGLE_PARENT,
    Population,
)
from gamyeong.engine.synth.rules import PROGRAMMES_BY_CODE, ProgrammeRules, median_income

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Grant:
    """The persons one programme covers and what each row says."""

    code: str
    persons: np.ndarray  # person indices
    acquired: np.ndarray  # datetime64[D]
    covered_members: np.ndarray
    payment: np.ndarray  # KRW, -1 = none (shown empty)
    detail: np.ndarray  # benefit detail text ("" = none)
    representative: np.ndarray  # bool
    income: np.ndarray  # KRW, used only for means-tested programmes
    assets: np.ndarray
    recognized: np.ndarray


class Context:
    """Everything the programme rules look at, per person."""

    def __init__(
        self,
        rng: np.random.Generator,
        pop: Population,
        eco: Economics,
        rules: ProgrammeRules,
        as_of: date,
    ) -> None:
        self.rng, self.pop, self.eco, self.rules = rng, pop, eco, rules
        self.as_of = np.datetime64(as_of, "D")
        h = pop.household
        self.h = h
        medians = np.array([median_income(s, rules.median_income) for s in range(1, 16)])
        self.hh_median = medians[np.minimum(pop.hh_size, 15) - 1]
        self.ratio = (eco.hh_recognized / self.hh_median)[h]
        self.head = pop.role == HEAD
        self.hh_assets = (eco.hh_property + eco.hh_savings)[h]
        # One spell start per household, so all members of a household programme share it.
        self.hh_spell = rng.exponential(1.0, pop.households)[h]
        self.person_spell = rng.exponential(1.0, pop.persons)

    def threshold(self, share: float) -> np.ndarray:
        return np.asarray((self.hh_median * share).astype(np.int64)[self.h])

    def acquired(
        self,
        persons: np.ndarray,
        code: str,
        mean_years: float,
        earliest: np.ndarray | None = None,
        household_spell: bool = True,
    ) -> np.ndarray:
        """Acquisition dates: a spell of exponential length before the reference date, never
        before the programme began, the person's birth or ``earliest``."""
        start = np.datetime64(self.rules.programme_start[code], "D")
        floor = np.maximum(self.pop.birth_date[persons], start)
        if earliest is not None:
            floor = np.maximum(floor, earliest)
        spell = (self.hh_spell if household_spell else self.person_spell)[persons]
        days = np.floor(spell * mean_years * 365.25).astype(np.int64)
        return np.asarray(np.maximum(self.as_of - days * DAY, floor))

    def household_grant(
        self, code: str, mask: np.ndarray, payment: np.ndarray, detail: np.ndarray, years: float
    ) -> Grant:
        persons = np.flatnonzero(mask)
        rep = self.head[persons]
        return Grant(
            code=code,
            persons=persons,
            acquired=self.acquired(persons, code, years),
            covered_members=self.pop.hh_size[self.h[persons]],
            payment=np.where(rep, payment[persons], -1),
            detail=detail[persons],
            representative=rep,
            income=self.eco.hh_income[self.h[persons]],
            assets=self.hh_assets[persons],
            recognized=self.eco.hh_recognized[self.h[persons]],
        )


def _livelihood(c: Context) -> Grant:
    threshold = c.threshold(c.rules.livelihood_share)
    recognized = c.eco.hh_recognized[c.h]
    mask = recognized <= threshold
    payment = threshold - recognized
    return c.household_grant("livelihood", mask, payment, np.full(c.pop.persons, ""), 6.0)


def _medical(c: Context) -> Grant:
    mask = c.eco.hh_recognized[c.h] <= c.threshold(c.rules.medical_share)
    # 1종: households with no one able to work (all under 18, 65+, or severely disabled).
    able = (c.pop.age >= 18) & (c.pop.age < 65) & (c.pop.disability != 2)
    any_able = np.zeros(c.pop.households, dtype=bool)
    any_able[c.h[able]] = True
    detail = np.where(any_able[c.h], "2종", "1종")
    return c.household_grant("medical", mask, np.full(c.pop.persons, -1), detail, 6.0)


def _housing(c: Context) -> Grant:
    r = c.rules
    mask = c.eco.hh_recognized[c.h] <= c.threshold(r.housing_share)
    rents = np.array(r.housing_reference_rent)
    size_index = np.minimum(c.pop.hh_size, rents.shape[1]) - 1
    reference = rents[c.eco.hh_grade - 1, size_index][c.h]
    tenant = (c.rng.random(c.pop.households) < 0.78)[c.h]
    actual_rent = (reference * c.rng.uniform(0.6, 1.15, c.pop.households)[c.h]).astype(np.int64)
    base = np.minimum(actual_rent, reference)
    excess = np.maximum(c.eco.hh_recognized[c.h] - c.threshold(r.livelihood_share), 0)
    payment = np.maximum(base - (excess * r.housing_reduction_rate).astype(np.int64), 0)
    payment = np.where(tenant, payment // 10 * 10, -1)
    detail = np.where(tenant, "임차", "자가")
    return c.household_grant("housing", mask, payment, detail, 4.0)


def _near_poor(c: Context) -> Grant:
    recognized = c.eco.hh_recognized[c.h]
    mask = (recognized <= c.threshold(c.rules.near_poor_share)) & (
        recognized > c.threshold(c.rules.medical_share)
    )
    return c.household_grant(
        "near_poor", mask, np.full(c.pop.persons, -1), np.full(c.pop.persons, ""), 3.0
    )


def _single_parent(c: Context) -> Grant:
    r = c.rules
    young_child = ((c.pop.role == CHILD) | (c.pop.role == GRANDCHILD)) & (c.pop.age < 18)
    children = np.bincount(c.h[young_child], minlength=c.pop.households)[c.h]
    family = np.isin(c.pop.hh_type, [SINGLE_PARENT, GRANDPARENT])[c.h] & (children > 0)
    mask = family & (c.eco.hh_recognized[c.h] <= c.threshold(r.single_parent_share))
    payment = children * r.single_parent_per_child
    detail = np.where((c.pop.hh_type == GRANDPARENT)[c.h], "조손가족", "한부모가족")
    return c.household_grant("single_parent", mask, payment, detail, 3.0)


def _education(c: Context) -> Grant:
    r = c.rules
    age = c.pop.age
    pupil = (age >= 7) & (age <= 18)
    mask = pupil & (c.eco.hh_recognized[c.h] <= c.threshold(r.education_share))
    persons = np.flatnonzero(mask)
    level = np.select([age[persons] <= 12, age[persons] <= 15], [0, 1], 2)
    school_start = c.pop.birth_date[persons] + np.floor(7 * 365.25).astype(np.int64) * DAY
    return Grant(
        code="education",
        persons=persons,
        acquired=c.acquired(persons, "education", 3.0, earliest=school_start),
        covered_members=c.pop.hh_size[c.h[persons]],
        payment=np.array(r.education_annual)[level],
        detail=np.array(["초등학생", "중학생", "고등학생"])[level],
        representative=np.ones(persons.size, dtype=bool),
        income=c.eco.hh_income[c.h[persons]],
        assets=c.hh_assets[persons],
        recognized=c.eco.hh_recognized[c.h[persons]],
    )


def _pension_cutoff(c: Context) -> np.ndarray:
    r = c.rules
    return np.where(c.eco.married, r.basic_pension_cutoff_couple, r.basic_pension_cutoff_single)


def _basic_pension(c: Context) -> Grant:
    r = c.rules
    cutoff = _pension_cutoff(c)
    eligible = (c.pop.age >= 65) & (c.eco.unit_recognized <= cutoff)
    # Couples where both receive get 20% less each.
    receiving = np.bincount(c.h[eligible & c.eco.married], minlength=c.pop.households)[c.h]
    both = eligible & c.eco.married & (receiving >= 2)
    persons = np.flatnonzero(eligible)
    amount = np.full(c.pop.persons, float(r.basic_pension_max))
    amount = np.where(both, amount * (1 - r.basic_pension_couple_cut), amount)
    linked = c.rng.random(c.pop.persons) < 0.3  # 국민연금 연계 감액 for some
    amount = np.where(linked, amount * c.rng.uniform(0.5, 1.0, c.pop.persons), amount)
    room = (cutoff - c.eco.unit_recognized) / np.where(both, 2, 1)  # 소득역전방지
    floor = r.basic_pension_max * r.basic_pension_floor_share
    amount = np.maximum(np.minimum(amount, room), floor)
    payment = (amount // 10 * 10).astype(np.int64)
    detail = np.where(both, "부부 감액", np.where(c.eco.married, "부부(1인 수급)", "단독"))
    sixty_five = c.pop.birth_date[persons] + np.floor(65 * 365.25).astype(np.int64) * DAY
    return Grant(
        code="basic_pension",
        persons=persons,
        acquired=c.acquired(persons, "basic_pension", 5.0, sixty_five, household_spell=False),
        covered_members=np.where(c.eco.married[persons], 2, 1),
        payment=payment[persons],
        detail=detail[persons],
        representative=np.ones(persons.size, dtype=bool),
        income=c.eco.unit_income[persons],
        assets=c.eco.unit_assets[persons],
        recognized=c.eco.unit_recognized[persons],
    )


def _disability_pension(c: Context) -> Grant:
    r = c.rules
    severe_adult = (c.pop.disability == 2) & (c.pop.age >= 18)
    eligible = severe_adult & (c.eco.unit_recognized <= _pension_cutoff(c))
    hh_ratio = c.ratio
    low_income = hh_ratio <= r.near_poor_share
    # From 65 the basic pension replaces the base benefit; only low-income people keep a supplement.
    eligible &= (c.pop.age < 65) | low_income
    persons = np.flatnonzero(eligible)
    supplement = np.select(
        [hh_ratio <= r.medical_share, hh_ratio <= r.near_poor_share],
        [r.disability_supplement_basic, r.disability_supplement_low],
        r.disability_supplement_other,
    )
    base = np.where(c.pop.age < 65, r.basic_pension_max, 0)
    payment = (base + supplement)[persons]
    eighteen = c.pop.birth_date[persons] + np.floor(18 * 365.25).astype(np.int64) * DAY
    return Grant(
        code="disability_pension",
        persons=persons,
        acquired=c.acquired(persons, "disability_pension", 6.0, eighteen, household_spell=False),
        covered_members=np.where(c.eco.married[persons], 2, 1),
        payment=payment,
        detail=np.where(c.pop.age[persons] < 65, "기초급여+부가급여", "부가급여"),
        representative=np.ones(persons.size, dtype=bool),
        income=c.eco.unit_income[persons],
        assets=c.eco.unit_assets[persons],
        recognized=c.eco.unit_recognized[persons],
    )


def _child_grant(
    c: Context,
    code: str,
    persons: np.ndarray,
    payment: np.ndarray,
    detail: np.ndarray,
    earliest: np.ndarray | None = None,
) -> Grant:
    birth = c.pop.birth_date[persons]
    applied = birth + c.rng.integers(0, 60, persons.size) * DAY
    start = np.datetime64(c.rules.programme_start[code], "D")
    acquired = np.minimum(np.maximum(applied, start), c.as_of)
    if earliest is not None:
        acquired = np.maximum(acquired, earliest)
    zeros = np.zeros(persons.size, dtype=np.int64)
    return Grant(
        code=code,
        persons=persons,
        acquired=acquired,
        covered_members=np.ones(persons.size, dtype=np.int64),
        payment=payment,
        detail=detail,
        representative=np.ones(persons.size, dtype=bool),
        income=zeros,
        assets=zeros,
        recognized=zeros,
    )


def _child_allowance(c: Context) -> Grant:
    r = c.rules
    persons = np.flatnonzero(c.pop.age <= r.child_allowance_max_age)
    # Children who had aged out under the old limit (under 8) re-acquired it in January 2026.
    aged_out = c.pop.birth_date[persons] + np.floor(8 * 365.25).astype(np.int64) * DAY
    earliest = np.where(
        aged_out < np.datetime64("2026-01-01"),
        np.datetime64("2026-01-01", "D"),
        np.datetime64("1900-01-01", "D"),
    )
    payment = np.full(persons.size, r.child_allowance, dtype=np.int64)
    return _child_grant(c, "child_allowance", persons, payment, np.full(persons.size, ""), earliest)


def _parent_benefit(c: Context) -> Grant:
    r = c.rules
    persons = np.flatnonzero(c.pop.age <= 1)
    age = c.pop.age[persons]
    daycare = c.rng.random(persons.size) < np.where(age == 0, 0.10, 0.50)
    full = np.array(r.parent_benefit)[age]
    fee = np.array(r.daycare_fee)[age]
    payment = np.where(daycare, np.maximum(full - fee, 0), full)
    detail = np.where(daycare, "어린이집 이용", "가정양육")
    return _child_grant(c, "parent_benefit", persons, payment, detail)


PROGRAMME_BUILDERS = (
    _livelihood,
    _medical,
    _housing,
    _education,
    _near_poor,
    _basic_pension,
    _disability_pension,
    _single_parent,
    _child_allowance,
    _parent_benefit,
)


def build_grants(
    rng: np.random.Generator, pop: Population, eco: Economics, rules: ProgrammeRules, as_of: date
) -> list[Grant]:
    context = Context(rng, pop, eco, rules, as_of)
    return [builder(context) for builder in PROGRAMME_BUILDERS]


def eligibility_frame(
    grants: list[Grant], person_id: pl.Series, household_id: pl.Series
) -> pl.DataFrame:
    """The eligibility table, ordered by person then programme."""
    frames = []
    for order, grant in enumerate(grants):
        means_tested = PROGRAMMES_BY_CODE[grant.code].means_tested
        frames.append(
            pl.DataFrame(
                {
                    "_person": grant.persons,
                    "_order": np.full(grant.persons.size, order, dtype=np.int8),
                    "programme": np.full(grant.persons.size, grant.code),
                    "acquisition_date": grant.acquired,
                    "covered_members": grant.covered_members.astype(np.int16),
                    "payment_amount_krw": grant.payment,
                    "benefit_detail": grant.detail,
                    "is_representative": grant.representative,
                    "income_krw": grant.income,
                    "assets_krw": grant.assets,
                    "recognized_income_krw": grant.recognized,
                    "_means": np.full(grant.persons.size, means_tested),
                }
            )
        )
    df = pl.concat(frames).sort("_person", "_order")
    money = ["income_krw", "assets_krw", "recognized_income_krw"]
    return df.select(
        person_id.gather(df["_person"]).alias("person_id"),
        household_id.gather(df["_person"]).alias("household_id"),
        pl.col("programme"),
        pl.col("acquisition_date"),
        pl.col("covered_members"),
        pl.when(pl.col("payment_amount_krw") >= 0)
        .then(pl.col("payment_amount_krw"))
        .alias("payment_amount_krw"),
        pl.when(pl.col("benefit_detail") != "")
        .then(pl.col("benefit_detail"))
        .alias("benefit_detail"),
        pl.col("is_representative"),
        *[pl.when(pl.col("_means")).then(pl.col(m)).alias(m) for m in money],
    )
