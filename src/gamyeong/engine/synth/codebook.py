"""The codebook: every dataset and column with Korean and English labels, type and item class.

Item classes (항목 분류) follow the identification-risk review: ``direct_identifier`` (식별정보:
names, registration numbers, phones, addresses, management numbers), ``quasi_identifier``
(식별가능정보: sex, age, birth date, region, household type, dates), ``sensitive`` (민감정보 and
other high-impact items: disability, benefit receipt, income, assets) and ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gamyeong.engine.synth.population import HOUSEHOLD_TYPES, RELATIONSHIPS
from gamyeong.engine.synth.rules import PROGRAMMES

DIRECT, QUASI, SENSITIVE, OTHER = "direct_identifier", "quasi_identifier", "sensitive", "other"
ITEM_CLASSES = (DIRECT, QUASI, SENSITIVE, OTHER)


@dataclass(frozen=True)
class Column:
    name: str
    item_class: str
    type: str  # string | integer | date | boolean
    label_ko: str
    label_en: str
    programme: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # value labels (Korean)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "class": self.item_class,
            "type": self.type,
            "label_ko": self.label_ko,
            "label_en": self.label_en,
        }
        if self.programme:
            out["programme"] = self.programme
        if self.values:
            out["values"] = self.values
        return out


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    file: str
    provider: str
    provider_en: str
    source_system: str | None
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    unit_ko: str
    unit_en: str
    columns: tuple[Column, ...]


SEX_VALUES = {"1": "남", "2": "여"}
PROGRAMME_VALUES = {p.code: p.name_ko for p in PROGRAMMES}
SSIS = ("한국사회보장정보원", "Korea Social Security Information Service")
KEIS = ("한국고용정보원", "Korea Employment Information Service")

PERSONS = DatasetSpec(
    name="ssis_persons",
    file="ssis_persons.parquet",
    provider=SSIS[0],
    provider_en=SSIS[1],
    source_system="haengbok",
    title_ko="자격수급자 인적사항",
    title_en="Persons and their eligibilities",
    description_ko="사회보장정보시스템(행복이음)에 등록된 사람의 인적사항, 가구, 지역, 장애, "
    "자격 보유 여부. 합성 데이터입니다.",
    description_en="Demographics, household, region, disability and eligibility flags of the "
    "persons registered in the Social Security Information System. Synthetic data.",
    unit_ko="사람 1명",
    unit_en="one person",
    columns=(
        Column("person_id", DIRECT, "string", "개인 관리번호", "Person management number"),
        Column("household_id", DIRECT, "string", "가구 관리번호", "Household management number"),
        Column("name", DIRECT, "string", "성명", "Name"),
        Column(
            "rrn", DIRECT, "string", "주민등록번호(형태)", "Resident registration number (shape)"
        ),
        Column("phone", DIRECT, "string", "휴대전화번호", "Mobile phone number"),
        Column("address", DIRECT, "string", "주소", "Address"),
        Column("birth_date", QUASI, "date", "생년월일", "Date of birth"),
        Column("sex", QUASI, "integer", "성별", "Sex", values=SEX_VALUES),
        Column("age", QUASI, "integer", "나이(만)", "Age (completed years)"),
        Column("sido_code", QUASI, "string", "시도 코드", "Province code"),
        Column("sido_name", QUASI, "string", "시도", "Province"),
        Column("sigungu_code", QUASI, "string", "시군구 코드", "District code"),
        Column("sigungu_name", QUASI, "string", "시군구", "District"),
        Column(
            "household_type",
            QUASI,
            "string",
            "가구유형",
            "Household type",
            values={ko: en for _code, ko, en in HOUSEHOLD_TYPES},
        ),
        Column("household_size", QUASI, "integer", "가구원수", "Household size"),
        Column(
            "relationship",
            QUASI,
            "string",
            "가구주와의 관계",
            "Relationship to the head",
            values={ko: en for _code, ko, en in RELATIONSHIPS},
        ),
        Column(
            "disability",
            SENSITIVE,
            "string",
            "장애 정도",
            "Disability",
            values={"심한 장애": "severe", "심하지 않은 장애": "not severe"},
        ),
        *(
            Column(
                f"has_{p.code}",
                SENSITIVE,
                "boolean",
                f"{p.name_ko} 자격 보유",
                f"Has {p.name_en.lower()}",
                programme=p.code,
            )
            for p in PROGRAMMES
        ),
    ),
)

ELIGIBILITY = DatasetSpec(
    name="ssis_eligibility",
    file="ssis_eligibility.parquet",
    provider=SSIS[0],
    provider_en=SSIS[1],
    source_system="haengbok",
    title_ko="자격별 현황정보",
    title_en="Eligibility status by programme",
    description_ko="사람 × 자격마다 한 행: 취득일, 보장가구원수, 지급금액, 소득·재산(소득재산조사를 "
    "하는 자격만). 가구 단위 급여의 지급금액은 가구 대표 행에만 있습니다. 합성 데이터입니다.",
    description_en="One row per person × eligibility: acquisition date, covered household "
    "members, payment, income and assets (means-tested eligibilities only). A household "
    "benefit's payment appears on the household representative's row only. Synthetic data.",
    unit_ko="사람 1명의 자격 1개",
    unit_en="one eligibility of one person",
    columns=(
        Column("person_id", DIRECT, "string", "개인 관리번호", "Person management number"),
        Column("household_id", DIRECT, "string", "가구 관리번호", "Household management number"),
        Column("programme", OTHER, "string", "자격", "Eligibility", values=PROGRAMME_VALUES),
        Column("acquisition_date", QUASI, "date", "자격 취득일", "Date acquired"),
        Column("covered_members", OTHER, "integer", "보장가구원수", "Covered household members"),
        Column("payment_amount_krw", SENSITIVE, "integer", "지급금액(원)", "Payment (KRW)"),
        Column("benefit_detail", SENSITIVE, "string", "급여 구분", "Benefit detail"),
        Column("is_representative", OTHER, "boolean", "가구 대표 여부", "Household representative"),
        Column(
            "income_krw", SENSITIVE, "integer", "소득평가액(원/월)", "Evaluated income (KRW/month)"
        ),
        Column("assets_krw", SENSITIVE, "integer", "재산(원)", "Assets (KRW)"),
        Column(
            "recognized_income_krw",
            SENSITIVE,
            "integer",
            "소득인정액(원/월)",
            "Recognised income (KRW/month)",
        ),
    ),
)

EMPLOYMENT = DatasetSpec(
    name="keis_employment",
    file="keis_employment.parquet",
    provider=KEIS[0],
    provider_en=KEIS[1],
    source_system=None,
    title_ko="고용보험 피보험자 이력",
    title_en="Employment-insurance register",
    description_ko="결합 대상이 되는 다른 기관(한국고용정보원)의 데이터: 피보험자 인적사항과 "
    "사업장 업종·규모, 취득일, 보수월액, 구직급여. 식별정보 형식이 사회보장정보원과 다릅니다. "
    "합성 데이터입니다.",
    description_en="A partner institution's data for combination: the insured person's "
    "identifiers, workplace industry and size, insured since, monthly wage and job-seeking "
    "benefit, with identifier formats unlike SSIS's. Synthetic data.",
    unit_ko="피보험자 1명",
    unit_en="one insured person",
    columns=(
        Column("insured_id", DIRECT, "string", "피보험자 관리번호", "Insured-person number"),
        Column("name", DIRECT, "string", "성명", "Name"),
        Column(
            "birth_date", QUASI, "string", "생년월일(기관 형식)", "Date of birth (partner format)"
        ),
        Column("sex", QUASI, "string", "성별", "Sex", values={"남": "male", "여": "female"}),
        Column("phone", DIRECT, "string", "연락처", "Phone"),
        Column("industry", QUASI, "string", "업종(대분류)", "Industry (section)"),
        Column("firm_size", QUASI, "string", "사업장 규모", "Firm size"),
        Column("insured_since", QUASI, "date", "피보험자격 취득일", "Insured since"),
        Column("monthly_wage_krw", SENSITIVE, "integer", "보수월액(원)", "Monthly wage (KRW)"),
        Column(
            "employment_status",
            OTHER,
            "string",
            "고용 상태",
            "Employment status",
            values={"재직": "employed", "상실": "left"},
        ),
        Column(
            "job_seeking_benefit",
            SENSITIVE,
            "boolean",
            "구직급여 수급",
            "Receives job-seeking benefit",
        ),
        Column(
            "job_seeking_benefit_krw",
            SENSITIVE,
            "integer",
            "구직급여 월액(원)",
            "Job-seeking benefit (KRW/month)",
        ),
    ),
)

DATASETS = (PERSONS, ELIGIBILITY, EMPLOYMENT)

GROUND_TRUTH_FILE = "ground_truth/partner_overlap.parquet"
GROUND_TRUTH_COLUMNS = ("person_id", "insured_id", "typo_field")

POLARS_TYPES = {"string": "String", "integer": "Int", "date": "Date", "boolean": "Boolean"}
