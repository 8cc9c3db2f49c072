"""Extraction (추출): the provider sends only the matched rows, and only when the matched
serials were addressed to it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import MATCHED, PAYLOAD, write_manifest
from gamyeong.engine.linkage.extraction import restrict_payload
from gamyeong.engine.linkage.stores import write_parquet

PROVIDER = "provider:한국사회보장정보원"
AGENCY = "combination_agency:결합센터"
KMA = "key_agency:한국인터넷진흥원"


def payload(tmp_path: Path) -> Path:
    path = tmp_path / "payload.parquet"
    write_parquet(pl.DataFrame({"serial": ["a", "b", "c", "d"], "age": [1, 2, 3, 4]}), path)
    write_manifest(
        path, kind=PAYLOAD, sender=PROVIDER, receiver=AGENCY, purpose="p", combination_id="C1"
    )
    return path


def matched(tmp_path: Path, receiver: str = PROVIDER, combination: str = "C1") -> Path:
    path = tmp_path / "matched.parquet"
    write_parquet(pl.DataFrame({"serial": ["b", "d"]}), path)
    write_manifest(
        path, kind=MATCHED, sender=KMA, receiver=receiver, purpose="p", combination_id=combination
    )
    return path


def test_only_matched_rows_are_sent(tmp_path: Path) -> None:
    out = tmp_path / "out" / "restricted.parquet"
    manifest = restrict_payload(matched(tmp_path), payload(tmp_path), out)
    assert pl.read_parquet(out)["serial"].to_list() == ["b", "d"]
    assert manifest.receiver == AGENCY and manifest.kind == PAYLOAD
    assert manifest.extra["restricted_to_matched"] is True
    assert manifest.extra["rows_before_extraction"] == 4 and manifest.rows == 2


def test_serials_for_another_provider_or_combination_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out" / "restricted.parquet"
    with pytest.raises(EngineError, match="addressed to"):
        restrict_payload(
            matched(tmp_path, receiver="provider:한국고용정보원"), payload(tmp_path), out
        )
    with pytest.raises(EngineError, match="combination"):
        restrict_payload(matched(tmp_path, combination="C2"), payload(tmp_path), out)
    assert not out.exists()
