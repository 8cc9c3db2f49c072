"""What the combination agency (결합전문기관) accepts, checked on the manifests.

The agency holds pseudonymized attributes and serials, never a combination key or an
identifier. A payload (kind ``payload``) must have ``serial`` and no column named like a key
(``key``, ``key_<set>``), like the KMA's linking columns (``linking_id``, ``serial_<provider>``),
like the agency's own ``combined_id``, or like an identifier: the identifying key items named in
the linking information's manifest (every key item except date of birth and sex, which may travel
as pseudonymized attributes) and common identifier names in Korean and English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import (
    KEY_COLUMN_PREFIX,
    KMA,
    PROVIDER,
    SERIAL,
    Manifest,
    role_of,
)
from gamyeong.engine.linkage.kma_inputs import provider_name
from gamyeong.engine.linkage.matching import serial_column

LINKING_ID, COMBINED_ID = "linking_id", "combined_id"
#: Key items that may also appear, pseudonymized, among the attributes (quasi-identifiers).
QUASI_ITEMS = frozenset({"birth_date", "birthdate", "dob", "birth_year", "sex", "gender"})
#: Column names of direct identifiers (식별정보), compared without case and spaces.
IDENTIFIER_NAMES = frozenset(
    {
        "name",
        "full_name",
        "rrn",
        "resident_number",
        "resident_registration_number",
        "phone",
        "mobile",
        "telephone",
        "address",
        "email",
        "ci",
        "성명",
        "이름",
        "주민등록번호",
        "전화번호",
        "휴대전화번호",
        "연락처",
        "주소",
        "이메일",
    }
)


def _plain(name: str) -> str:
    return "".join(name.split()).lower()


def forbidden_reason(column: str, key_items: Iterable[str]) -> tuple[str, str] | None:
    """Why a payload column must not reach the agency (Korean, English), or ``None``."""
    plain = _plain(column)
    if plain == KEY_COLUMN_PREFIX or plain.startswith(f"{KEY_COLUMN_PREFIX}_"):
        return "결합키 열", "a combination-key column"
    if plain in (LINKING_ID, COMBINED_ID) or plain.startswith("serial_"):
        return "연계·결합 식별 열", "a linking or combined-record id column"
    identifying = {_plain(item) for item in key_items} - QUASI_ITEMS
    if plain in identifying or plain in IDENTIFIER_NAMES:
        return "식별정보 열", "an identifier column"
    return None


def screen_payload(manifest: Manifest, key_items: Sequence[str]) -> None:
    """Refuse a payload not sent by a provider, without ``serial``, or with a key or
    identifier column (naming each such column)."""
    name = manifest.file
    if role_of(manifest.sender) != PROVIDER:
        raise EngineError(
            f"{name}: 가명정보는 정보보유기관만 보낼 수 있습니다 (보낸 곳: {manifest.sender})",
            f"{name}: only a provider sends a payload (sent by {manifest.sender})",
        )
    if SERIAL not in manifest.columns:
        raise EngineError(f"{name}: serial 열이 없습니다", f"{name}: no serial column")
    refused = [
        (column, reason)
        for column in manifest.columns
        if column != SERIAL and (reason := forbidden_reason(column, key_items)) is not None
    ]
    if refused:
        ko = ", ".join(f"{c}({r[0]})" for c, r in refused)
        en = ", ".join(f"{c} ({r[1]})" for c, r in refused)
        raise EngineError(
            f"{name}: 결합전문기관은 결합키나 식별정보 열을 받지 않습니다: {ko}",
            f"{name}: the combination agency accepts no key or identifier column: {en}",
        )


def check_linking(manifest: Manifest) -> list[str]:
    """The providers named by the KMA's linking information, whose columns must be exactly
    ``linking_id`` and ``serial_<provider>`` for each."""
    providers = manifest.extra.get("providers")
    if role_of(manifest.sender) != KMA or not isinstance(providers, list) or len(providers) < 2:
        raise EngineError(
            f"{manifest.file}: 결합키관리기관이 만든 결합키연계정보가 아닙니다",
            f"{manifest.file}: not linking information made by the key-management agency",
        )
    expected = [LINKING_ID, *(serial_column(str(p)) for p in providers)]
    if manifest.columns != expected:
        raise EngineError(
            f"{manifest.file}: 결합키연계정보의 열은 {', '.join(expected)}이어야 합니다 "
            f"(받은 열: {', '.join(manifest.columns)})",
            f"{manifest.file}: linking information must have the columns {', '.join(expected)} "
            f"(got {', '.join(manifest.columns)})",
        )
    return [str(p) for p in providers]


def match_payloads(manifests: Sequence[Manifest], providers: Sequence[str]) -> list[int]:
    """The position of each linked provider's payload among ``manifests``: one each."""
    names = [provider_name(m) for m in manifests]
    missing = [p for p in providers if names.count(p) == 0]
    extra = sorted({n for n in names if n not in providers or names.count(n) > 1})
    if missing or extra:
        raise EngineError(
            f"정보보유기관마다 가명정보 파일이 하나씩 필요합니다 (없음: {', '.join(missing) or '-'}; "
            f"남거나 중복: {', '.join(extra) or '-'})",
            f"one payload per linked provider is needed (missing: {', '.join(missing) or '-'}; "
            f"unexpected or repeated: {', '.join(extra) or '-'})",
        )
    return [names.index(p) for p in providers]


def clash_renames(columns: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Attribute names held by more than one provider are prefixed ``<provider>_`` in every
    provider holding them; a prefixed name that is taken is an error."""
    everyone = [c for cols in columns.values() for c in cols]
    renames = {
        p: {c: f"{p}_{c}" for c in cols if everyone.count(c) > 1} for p, cols in columns.items()
    }
    final = [renames[p].get(c, c) for p, cols in columns.items() for c in cols]
    taken = sorted({c for c in final if final.count(c) > 1} | ({COMBINED_ID} & set(final)))
    if taken:
        raise EngineError(
            f"결합 후 열 이름이 겹칩니다: {', '.join(taken)} (정보보유기관에서 이름을 바꿔 주세요)",
            f"column names clash after combining: {', '.join(taken)} (rename them at a provider)",
        )
    return renames
