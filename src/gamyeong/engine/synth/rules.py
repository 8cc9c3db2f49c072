"""Programme rules and 2026 amounts used by the synthetic generator (korea-process.md §10).

Every figure is a parameter of :class:`ProgrammeRules`; the defaults are the 2026 values where
they are published (기준중위소득, 생계급여 선정기준, 기초연금 선정기준액) and otherwise the latest
known values, marked ``[R]`` (recalled, to be checked against the official notice). Simplifications
of the real rules (no 부양의무자 criteria, one asset category each for property and savings) are
stated in docs/synthetic-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# 2026 기준중위소득 (monthly, KRW) for 1–6 persons (1–4 published [S24]; 5–6 [R]). Larger
# households add the difference between 6 and 5 persons per extra person (the notice's rule).
MEDIAN_INCOME_2026: tuple[int, ...] = (
    2_564_238,
    4_199_292,
    5_359_036,
    6_494_738,
    7_556_719,
    8_555_952,
)


def median_income(size: int, table: tuple[int, ...] = MEDIAN_INCOME_2026) -> int:
    if size <= len(table):
        return table[size - 1]
    step = table[-1] - table[-2]
    return table[-1] + step * (size - len(table))


@dataclass(frozen=True)
class ProgrammeRules:
    """Selection thresholds (share of 기준중위소득) and payment amounts, in KRW per month."""

    median_income: tuple[int, ...] = MEDIAN_INCOME_2026
    livelihood_share: float = 0.32  # 생계급여 (2026)
    medical_share: float = 0.40  # 의료급여
    housing_share: float = 0.48  # 주거급여
    education_share: float = 0.50  # 교육급여
    near_poor_share: float = 0.50  # 차상위계층
    single_parent_share: float = 0.63  # 한부모가족 아동양육비 [R]
    # 기초생활보장 소득인정액: property above the basic deduction × monthly conversion rate.
    property_deduction_by_grade: tuple[int, ...] = (99_000_000, 80_000_000, 77_000_000, 53_000_000)
    property_rate_monthly: float = 0.0417
    financial_deduction: int = 5_000_000
    financial_rate_monthly: float = 0.0626
    # 기초연금 (2026): cut-offs for singles and couples; max amount [R] ≈ 2025 342,510 × CPI.
    basic_pension_cutoff_single: int = 2_470_000
    basic_pension_cutoff_couple: int = 3_952_000
    basic_pension_max: int = 349_700
    basic_pension_couple_cut: float = 0.20
    basic_pension_floor_share: float = 0.10  # 소득역전방지 감액 후 최저 (10%)
    basic_pension_earned_deduction: int = 1_160_000  # 근로소득 공제액 [R]
    basic_pension_property_deduction_by_grade: tuple[int, ...] = (
        135_000_000,
        135_000_000,
        85_000_000,
        72_500_000,
    )
    basic_pension_financial_deduction: int = 20_000_000
    basic_pension_property_rate_yearly: float = 0.04
    # 장애인연금: 기초급여 max equals the basic pension; 부가급여 by status [R].
    disability_supplement_basic: int = 90_000  # 생계·의료급여 수급자
    disability_supplement_low: int = 70_000  # 주거·교육급여·차상위
    disability_supplement_other: int = 20_000  # 차상위 초과
    # 주거급여 기준임대료 by 급지 (1 서울, 2 경기·인천, 3 광역·세종시, 4 그 외) and size 1–6 [R].
    housing_reference_rent: tuple[tuple[int, ...], ...] = (
        (369_000, 414_000, 492_000, 571_000, 589_000, 696_000),
        (288_000, 322_000, 391_000, 451_000, 466_000, 553_000),
        (230_000, 253_000, 304_000, 350_000, 362_000, 428_000),
        (192_000, 212_000, 253_000, 289_000, 299_000, 354_000),
    )
    housing_reduction_rate: float = 0.30  # above the livelihood threshold: rent − 30% of excess
    # 교육급여 교육활동지원비 (annual, per student) [R].
    education_annual: tuple[int, int, int] = (487_000, 679_000, 768_000)  # 초, 중, 고
    single_parent_per_child: int = 230_000  # 아동양육비 per child under 18 [R]
    child_allowance: int = 100_000  # 아동수당, flat
    child_allowance_max_age: int = 8  # under 9 from 2026 [R]
    parent_benefit: tuple[int, int] = (1_000_000, 500_000)  # 부모급여 age 0, age 1
    daycare_fee: tuple[int, int] = (584_000, 515_000)  # 보육료 deducted when using daycare [R]
    programme_start: dict[str, date] = field(
        default_factory=lambda: {
            "livelihood": date(2000, 10, 1),
            "medical": date(2000, 10, 1),
            "housing": date(2015, 7, 1),
            "education": date(2015, 7, 1),
            "near_poor": date(2010, 1, 1),
            "basic_pension": date(2014, 7, 1),
            "disability_pension": date(2010, 7, 1),
            "single_parent": date(2008, 1, 1),
            "child_allowance": date(2018, 9, 1),
            "parent_benefit": date(2023, 1, 1),
        }
    )

    def threshold(self, share: float, size: int) -> int:
        """Selection threshold in KRW (rounded down to a won) for a household of ``size``."""
        return int(median_income(size, self.median_income) * share)


@dataclass(frozen=True)
class Programme:
    code: str
    name_ko: str
    name_en: str
    means_tested: bool
    ministry_division: str
    rule_ko: str
    rule_en: str


PROGRAMMES: tuple[Programme, ...] = (
    Programme(
        "livelihood",
        "생계급여",
        "Livelihood benefit",
        True,
        "보건복지부 기초생활보장과",
        "소득인정액이 기준중위소득 32% 이하인 가구. 지급액 = 선정기준액 − 소득인정액 (가구 단위, 월)",
        "Households whose recognised income is at most 32% of the standard median income. "
        "Payment = threshold − recognised income (per household, monthly).",
    ),
    Programme(
        "medical",
        "의료급여",
        "Medical aid",
        True,
        "보건복지부 기초의료보장과",
        "소득인정액이 기준중위소득 40% 이하인 가구. 현물급여(1종·2종)로 현금 지급액 없음",
        "Households at most 40% of the median. In-kind (type 1 or 2); no cash payment.",
    ),
    Programme(
        "housing",
        "주거급여",
        "Housing benefit",
        True,
        "국토교통부 주거급여팀",
        "소득인정액이 기준중위소득 48% 이하인 가구. 임차가구는 기준임대료 한도 내 실제 임차료, "
        "생계급여 선정기준 초과분의 30% 차감",
        "Households at most 48% of the median. Tenants get their rent up to the reference rent, "
        "less 30% of income above the livelihood threshold.",
    ),
    Programme(
        "education",
        "교육급여",
        "Education benefit",
        True,
        "교육부 교육복지정책과",
        "소득인정액이 기준중위소득 50% 이하인 가구의 초·중·고 학생. 교육활동지원비 연 1회",
        "Primary and secondary pupils in households at most 50% of the median; an annual "
        "education-activity grant.",
    ),
    Programme(
        "near_poor",
        "차상위계층",
        "Near-poor",
        True,
        "보건복지부 기초생활보장과",
        "소득인정액이 기준중위소득 50% 이하이면서 생계·의료급여를 받지 않는 가구",
        "Households at most 50% of the median that receive neither livelihood nor medical aid.",
    ),
    Programme(
        "basic_pension",
        "기초연금",
        "Basic pension",
        True,
        "보건복지부 기초연금과",
        "만 65세 이상, 소득인정액이 선정기준액(단독 247만 원, 부부 395.2만 원) 이하. "
        "부부 각 20% 감액, 국민연금 연계·소득역전방지 감액",
        "Aged 65+ with recognised income under the cut-off (single 2.47M, couple 3.952M KRW). "
        "20% cut for couples; pension-linked and income-reversal reductions.",
    ),
    Programme(
        "disability_pension",
        "장애인연금",
        "Disability pension",
        True,
        "보건복지부 장애인자립기반과",
        "만 18세 이상 중증장애인, 소득인정액이 선정기준액 이하. 기초급여(18–64세) + 부가급여",
        "Severely disabled persons aged 18+ under the cut-off. Base benefit (18–64) plus a "
        "supplement by income status.",
    ),
    Programme(
        "single_parent",
        "한부모가족 아동양육비",
        "Single-parent child-rearing allowance",
        True,
        "성평등가족부 가족지원과",
        "소득인정액이 기준중위소득 63% 이하인 한부모·조손가족, 18세 미만 자녀 1인당 월 지급",
        "Single-parent and grandparent families at most 63% of the median; paid monthly per "
        "child under 18.",
    ),
    Programme(
        "child_allowance",
        "아동수당",
        "Child allowance",
        False,
        "보건복지부 아동정책과",
        "만 9세 미만 모든 아동에게 월 10만 원 (소득재산조사 없음)",
        "Every child under 9: 100,000 KRW a month (no means test).",
    ),
    Programme(
        "parent_benefit",
        "부모급여",
        "Parent benefit",
        False,
        "보건복지부 보육정책과",
        "0세 월 100만 원, 1세 월 50만 원. 어린이집 이용 시 보육료를 뺀 금액 (소득재산조사 없음)",
        "Age 0: 1,000,000 KRW a month; age 1: 500,000. Daycare fees are deducted when the child "
        "attends daycare (no means test).",
    ),
)

PROGRAMMES_BY_CODE = {p.code: p for p in PROGRAMMES}
