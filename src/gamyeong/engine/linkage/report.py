"""The match report (결합률 보고서) of the key-management agency, per provider.

Match rate (결합률) = matched records / records held by the provider (korea-process §3). A key held
by more than one record within one provider (a collision, 결합키 중복) cannot say which record is
the person, so it is excluded from linking in every provider and reported here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: What the agency does with a key shared by more than one record within a provider.
COLLISION_RULE = "excluded"


@dataclass(frozen=True)
class ProviderMatch:
    """One provider's figures.

    ``records``: records held (rows of the key file plus ``excluded_rows`` the provider could
    not key); ``keyed``: rows with a key; ``distinct_keys``: different keys among them;
    ``collision_keys`` / ``collision_records``: keys held by more than one record here, and the
    records holding them; ``blocked_by_collision``: records whose key is present in every
    provider but collides in at least one, so not linked; ``matched``: records linked (their key
    is unique here and present, unique, in every other provider); ``unmatched`` = records −
    matched; ``match_rate`` = matched / records.
    """

    provider: str
    party: str
    records: int
    excluded_rows: int
    keyed: int
    distinct_keys: int
    collision_keys: int
    collision_records: int
    blocked_by_collision: int
    matched: int
    unmatched: int
    match_rate: float


@dataclass(frozen=True)
class MatchReport:
    combination_id: str
    key_set: str
    linked: int  # persons linked (rows of the linking information)
    providers: list[ProviderMatch]
    collision_rule: str = COLLISION_RULE
    mock_fraction: float | None = None  # 모의결합: the share of the key space sampled
    seconds: float = 0.0  # the matching itself (reading, checking, linking)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def provider(self, name: str) -> ProviderMatch:
        return next(p for p in self.providers if p.provider == name)


def provider_match(
    provider: str,
    party: str,
    *,
    records: int,
    excluded_rows: int,
    keyed: int,
    collision_keys: int,
    collision_records: int,
    blocked: int,
    matched: int,
) -> ProviderMatch:
    return ProviderMatch(
        provider=provider,
        party=party,
        records=records,
        excluded_rows=excluded_rows,
        keyed=keyed,
        distinct_keys=keyed - collision_records + collision_keys,
        collision_keys=collision_keys,
        collision_records=collision_records,
        blocked_by_collision=blocked,
        matched=matched,
        unmatched=records - matched,
        match_rate=round(matched / records, 6) if records else 0.0,
    )
