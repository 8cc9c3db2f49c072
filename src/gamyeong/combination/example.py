"""An example combination to walk in the portal: the SSIS persons (ssis_persons) × the KEIS
employment register (keis_employment) of the synthetic data, registered by a combination agency's
staff member for a research institute (`gamyeong manage combination_example`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gamyeong.accounts.models import Organisation
from gamyeong.catalog.models import Dataset
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.models import Combination
from gamyeong.combination.registration import NewCombination, ProviderEntry, create_combination

POLICIES = Path(__file__).resolve().parent / "policies"
DATASETS = ("ssis_persons", "keis_employment")
KEY_ITEMS = ("name", "birth_date", "sex", "phone")
ITEMS = {kind: kind for kind in KEY_ITEMS}  # both datasets name their columns after the kinds
QI = ("age", "sido_code", "household_type", "industry", "firm_size")
SENSITIVE = ("monthly_wage_krw",)


def policy(name: str) -> str:
    return (POLICIES / name).read_text(encoding="utf-8")


def _first(kind: str, name: str | None) -> Organisation:
    organisations = Organisation.objects.filter(kind=kind)
    found = organisations.filter(name=name).first() if name else organisations.first()
    if found is None:
        raise CombinationError(
            f"기관이 없습니다: {name or kind} (먼저 gamyeong demo를 실행하세요)",
            f"no such organisation: {name or kind} (run gamyeong demo first)",
        )
    return found


def _datasets() -> list[Dataset]:
    found = {
        d.name: d for d in Dataset.objects.filter(name__in=DATASETS).select_related("provider")
    }
    missing = [name for name in DATASETS if name not in found]
    if missing:
        raise CombinationError(
            f"카탈로그에 데이터셋이 없습니다: {', '.join(missing)} (gamyeong demo로 불러오세요)",
            f"the catalog has no dataset {', '.join(missing)} (load it with gamyeong demo)",
        )
    return [found[name] for name in DATASETS]


def create_example(
    user: Any, *, applicant: str | None = None, key_agency: str | None = None
) -> Combination:
    """Register the example combination as ``user`` (a combination agency's staff member)."""
    providers = [
        ProviderEntry(d.provider, d, ITEMS, policy(f"{d.name}.payload.yaml")) for d in _datasets()
    ]
    new = NewCombination(
        title="고용-복지 연계 연구 (예시 결합)",
        purpose="사회보장 급여 수급자의 고용보험 가입·구직급여 수급 현황 분석 (과학적 연구)",
        applicant=_first(Organisation.Kind.USER_ORG, applicant),
        key_agency=_first(Organisation.Kind.KEY_AGENCY, key_agency),
        providers=providers,
        key_items=KEY_ITEMS,
        qi=QI,
        sensitive=SENSITIVE,
        k=3,
        processing_policy=policy("combined.processing.yaml"),
    )
    return create_combination(new, user=user)
