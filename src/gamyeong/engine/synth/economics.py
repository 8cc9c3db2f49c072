"""Income and assets (소득·재산) of households and of pension units, and recognised income.

Two recognised-income (소득인정액) rules are used, as the programmes do:

- 기초생활보장 (livelihood, medical, housing, education, near-poor, single-parent): monthly
  evaluated income + (property − basic deduction by region) × 4.17% + (savings − 5M) × 6.26%.
- 기초연금·장애인연금 (pension unit = the person, or the married couple): earned income less
  1.16M, × 70%, plus other income in full, plus (property − deduction + savings − 20M) × 4% / 12.

Household income is drawn relative to the 기준중위소득 for its size, lower for elderly, single-
parent and disabled-headed households; property and savings rise with age and with income.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gamyeong.engine.synth.population import (
    COUPLE,
    HEAD,
    ONE,
    SINGLE_PARENT,
    SPOUSE,
    Population,
)
from gamyeong.engine.synth.reference import regions
from gamyeong.engine.synth.rules import ProgrammeRules, median_income


@dataclass(frozen=True)
class Economics:
    hh_income: np.ndarray  # monthly evaluated income (소득평가액), KRW
    hh_property: np.ndarray  # general property (일반재산), KRW
    hh_savings: np.ndarray  # financial assets (금융재산), KRW
    hh_recognized: np.ndarray  # 소득인정액 under the 기초생활보장 rule
    hh_grade: np.ndarray  # housing-benefit grade 1–4 (급지)
    married: np.ndarray  # person lives with a spouse (head with spouse, or the spouse)
    unit_income: np.ndarray  # pension unit's monthly income (person or couple)
    unit_assets: np.ndarray  # pension unit's property + savings
    unit_recognized: np.ndarray  # 소득인정액 under the 기초연금 rule


def _round_krw(values: np.ndarray, unit: int = 1000) -> np.ndarray:
    return np.asarray(np.maximum(values, 0) // unit * unit, dtype=np.int64)


def build_economics(rng: np.random.Generator, pop: Population, rules: ProgrammeRules) -> Economics:
    head = np.flatnonzero(pop.role == HEAD)
    head_age = pop.age[head]
    min_age = np.full(pop.households, 200)
    np.minimum.at(min_age, pop.household, pop.age)
    medians = np.array([median_income(int(s), rules.median_income) for s in range(1, 16)])
    hh_median = medians[np.minimum(pop.hh_size, 15) - 1]

    mu = np.select(
        [
            (head_age >= 65) & (min_age >= 60),
            pop.hh_type == SINGLE_PARENT,
            (pop.hh_type == ONE) & (head_age < 35),
            pop.disability[head] == 2,
        ],
        [-0.25, -0.30, 0.0, -0.35],
        0.15,
    )
    ratio = np.exp(rng.normal(mu, 0.62))
    # A small group with almost no income and few assets (elderly people living alone, people
    # unable to work): the mass at the bottom that means-tested programmes mostly serve.
    destitute_p = np.where((pop.hh_type == ONE) & (head_age >= 60), 0.08, 0.012)
    destitute = rng.random(pop.households) < destitute_p
    ratio = np.where(destitute, rng.uniform(0.0, 0.3, pop.households), ratio)
    income = _round_krw(ratio * hh_median)
    age_factor = np.select([head_age < 35, head_age < 55], [0.25, 0.8], 1.2)
    owns = (rng.random(pop.households) < np.where(head_age < 35, 0.55, 0.8)) & ~destitute
    property_ = _round_krw(
        owns * 150_000_000 * age_factor * ratio**0.6 * np.exp(rng.normal(0, 0.9, pop.households)),
        100_000,
    )
    savings = _round_krw(
        np.where(destitute, 0.1, 1.0)
        * 12_000_000
        * age_factor
        * ratio**0.7
        * np.exp(rng.normal(0, 1.0, pop.households)),
        10_000,
    )
    grade = regions().housing_grade[pop.hh_region]
    deduction = np.array(rules.property_deduction_by_grade)[grade - 1]
    recognized = (
        income
        + np.maximum(property_ - deduction, 0) * rules.property_rate_monthly
        + np.maximum(savings - rules.financial_deduction, 0) * rules.financial_rate_monthly
    ).astype(np.int64)
    married = _married(pop)
    unit_income, unit_assets, unit_recognized = _pension_units(
        rng, pop, rules, married, income, property_, savings, grade
    )
    return Economics(
        hh_income=income,
        hh_property=property_,
        hh_savings=savings,
        hh_recognized=recognized,
        hh_grade=grade,
        married=married,
        unit_income=unit_income,
        unit_assets=unit_assets,
        unit_recognized=unit_recognized,
    )


def _married(pop: Population) -> np.ndarray:
    has_spouse = np.zeros(pop.households, dtype=bool)
    has_spouse[pop.household[pop.role == SPOUSE]] = True
    return np.asarray(((pop.role == HEAD) & has_spouse[pop.household]) | (pop.role == SPOUSE))


def _pension_units(
    rng: np.random.Generator,
    pop: Population,
    rules: ProgrammeRules,
    married: np.ndarray,
    hh_income: np.ndarray,
    hh_property: np.ndarray,
    hh_savings: np.ndarray,
    hh_grade: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Income and assets of each adult's pension unit (self, or self and spouse).

    Where the household *is* the unit (one person, or a couple alone) the household's figures are
    used; otherwise the unit's own share is drawn. Spouses share one unit's figures.
    """
    n = pop.persons
    h = pop.household
    household_is_unit = np.isin(pop.hh_type, [ONE, COUPLE])[h] & (
        (pop.role == HEAD) | (pop.role == SPOUSE)
    )
    # One draw per household for the head's unit, so that head and spouse share it.
    own_median = np.where(married, 2_000_000, 1_250_000)
    unit_mu = np.where(pop.disability == 2, -0.2, np.where(pop.age >= 65, 0.35, 0.2))
    hh_draw = rng.normal(0, 0.95, pop.households)[h]
    person_draw = rng.normal(0, 0.95, n)
    draw = np.where(married, hh_draw, person_draw)
    own_income = _round_krw(own_median * np.exp(unit_mu + draw))
    own_property = _round_krw(
        (rng.random(pop.households) < 0.6)[h] * 90_000_000 * np.exp(rng.normal(0, 1.0, n)), 100_000
    )
    own_savings = _round_krw(8_000_000 * np.exp(rng.normal(0, 1.1, n)), 10_000)
    income = np.where(household_is_unit, hh_income[h], own_income)
    property_ = np.where(household_is_unit, hh_property[h], own_property)
    savings = np.where(household_is_unit, hh_savings[h], own_savings)
    earned = np.where(pop.age >= 65, 0.3, 0.8) * income
    evaluated = np.maximum(earned - rules.basic_pension_earned_deduction, 0) * 0.7 + (
        income - earned
    )
    deduction = np.array(rules.basic_pension_property_deduction_by_grade)[hh_grade[h] - 1]
    asset_income = (
        np.maximum(property_ - deduction + savings - rules.basic_pension_financial_deduction, 0)
        * rules.basic_pension_property_rate_yearly
        / 12
    )
    recognized = (evaluated + asset_income).astype(np.int64)
    adult = pop.age >= 18
    return (
        np.where(adult, income, 0),
        np.where(adult, property_ + savings, 0),
        np.where(adult, recognized, 0),
    )
