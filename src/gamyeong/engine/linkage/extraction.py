"""Extraction at the provider (가명정보 추출): after the key-management agency returns the
matched serials, the provider sends the combination agency only the matched records.

The matched serials arrive as a ``matched_serials`` artifact addressed to this provider; they
are verified like any transfer. The restricted payload is a new ``payload`` artifact addressed to
the same combination agency as the full one, with ``extra.restricted_to_matched`` and the row
counts before and after.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import (
    MATCHED,
    PAYLOAD,
    SERIAL,
    Manifest,
    manifest_path,
    receive,
    write_manifest,
)
from gamyeong.engine.linkage.stores import write_parquet


def _own_payload(payload: Path) -> Manifest:
    """The provider's own payload manifest (it was written here, so it is read, not received)."""
    try:
        manifest = Manifest(**json.loads(manifest_path(payload).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise EngineError(
            f"결합대상정보의 매니페스트를 읽을 수 없습니다: {payload} ({exc})",
            f"cannot read the payload's manifest: {payload} ({exc})",
        ) from None
    if manifest.kind != PAYLOAD:
        raise EngineError(
            f"{payload.name}은(는) 결합대상정보가 아닙니다 ({manifest.kind})",
            f"{payload.name} is not a payload ({manifest.kind})",
        )
    return manifest


def restrict_payload(matched: Path, payload: Path, out: Path) -> Manifest:
    """Write to ``out`` the rows of ``payload`` whose serial the agency matched."""
    full = _own_payload(payload)
    serials = receive(
        matched, receiver=full.sender, kind=MATCHED, combination_id=full.combination_id
    )
    if out.resolve() == payload.resolve():
        raise EngineError(
            "추출 결과를 원래 결합대상정보에 덮어쓸 수 없습니다",
            "the extracted payload cannot overwrite the full one",
        )
    wanted = pl.scan_parquet(matched).select(SERIAL)
    rows = pl.scan_parquet(payload).join(wanted, on=SERIAL, how="semi", maintain_order="left")
    write_parquet(rows.collect(), out)
    return write_manifest(
        out,
        kind=PAYLOAD,
        sender=full.sender,
        receiver=full.receiver,
        purpose=full.purpose,
        combination_id=full.combination_id,
        extra={
            **full.extra,
            "restricted_to_matched": True,
            "rows_before_extraction": full.rows,
            "matched_serials": serials.rows,
        },
    )
