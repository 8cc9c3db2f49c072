"""Request and response bodies of the KMA's API (OpenAPI at ``/kma/api/docs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

DEFAULT_AGENCY = "한국사회보장정보원"


class ErrorOut(Schema):
    code: str = Field(description="machine-readable: unauthorized, forbidden, refused …")
    ko: str = Field(description="한국어 설명")
    en: str = Field(description="English explanation")
    errors: Any = Field(None, description="details (validation errors)")


class CombinationIn(Schema):
    id: str | None = Field(
        None, description="결합 ID (slug); default C<yyyymmdd>-<8 hex>", max_length=64
    )
    purpose: str = Field(..., min_length=1, max_length=500, description="결합 목적")
    providers: list[str] = Field(
        ..., min_length=2, max_length=20, description="정보보유기관 (organisations)"
    )
    agency: str = Field(DEFAULT_AGENCY, description="결합전문기관 (organisation)")


class KeyFileOut(Schema):
    provider: str
    sha256: str
    rows: int
    key_sets: list[str]
    received_at: datetime


class CombinationOut(Schema):
    id: str
    purpose: str
    providers: list[str]
    agency: str
    key_agency: str
    salt_id: str
    status: str
    created_at: datetime
    key_files: list[KeyFileOut]
    missing_providers: list[str]


class SaltOut(Schema):
    combination_id: str
    salt_id: str
    file: str = Field(description="<salt_id>.salt")
    content_base64: str = Field(description="the 32-byte salt, base64")
    manifest: dict[str, Any] = Field(description="the salt artifact's manifest (JSON)")


class KeysReceivedOut(Schema):
    combination_id: str
    provider: str
    sha256: str
    rows: int
    key_sets: list[str]
    replaced: bool = Field(description="an earlier key file of this provider was replaced")
    status: str
    missing_providers: list[str]


class ProviderMatchOut(Schema):
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
    match_rate: float = Field(description="결합률 = matched / records")


class MatchReportOut(Schema):
    combination_id: str
    key_set: str
    linked: int
    providers: list[ProviderMatchOut]
    collision_rule: str
    mock_fraction: float | None
    seconds: float


class RunIn(Schema):
    key_set: str | None = Field(None, description="결합키 세트; omit when every file has one")


class MockIn(RunIn):
    fraction: float = Field(..., gt=0, le=1, description="표본 비율 (share of the key space)")


class FileOut(Schema):
    party: str
    file: str
    sha256: str
    rows: int


class RunOut(Schema):
    combination_id: str
    kind: str
    key_set: str
    report: MatchReportOut
    files: list[FileOut] = Field(description="the artifacts written (none for report and mock)")
    created_at: datetime


class ArtifactOut(Schema):
    combination_id: str
    kind: str
    manifest: dict[str, Any] = Field(description="the artifact's manifest, addressed to you")
    download: str = Field(description="URL of the file itself (Parquet)")
