"""The combination agency's steps: combine (4-4, with the risk review of 4-5) and additional
processing (4-6), in the agency's store and the combination's project store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.combination import stores
from gamyeong.combination.models import Combination, Transfer
from gamyeong.combination.work import Outcome, Sent, parse_policy, received
from gamyeong.engine.errors import EngineError
from gamyeong.engine.io import write_table
from gamyeong.engine.linkage.agency import combine as engine_combine
from gamyeong.engine.linkage.artifacts import COMBINED, Manifest, receive, write_manifest
from gamyeong.engine.policy import check_against

COMBINED_FILE = "combined.parquet"
PROCESSED_FILE = "combined.processed.parquet"


def _sent_to_project(combination: Combination, path: Path) -> Sent:
    """The combined data, written by the agency into the project store, checked as received."""
    project = stores.project_store(combination)
    manifest = receive(path, receiver=project.party, kind=COMBINED, combination_id=combination.slug)
    return Sent(COMBINED, combination.agency, combination.applicant, path, manifest)


def combine(
    combination: Combination, qi: Sequence[str], sensitive: Sequence[str], k: int
) -> Outcome:
    agency = stores.agency_store(combination)
    linking = received(combination, Transfer.Kind.LINKING, combination.agency)
    payloads = received(combination, Transfer.Kind.PAYLOAD, combination.agency)
    if len(linking) != 1 or not payloads:
        raise EngineError(
            "결합키연계정보와 가명정보가 모두 도착하지 않았습니다",
            "the linking information and the payloads have not all arrived",
        )
    project = stores.project_store(combination)
    out = project.inbox / COMBINED_FILE
    result = engine_combine(
        agency,
        [stores.absolute(t.path) for t in payloads],
        stores.absolute(linking[0].path),
        out=out,
        project=project.party,
        qi=qi,
        sensitive=sensitive,
        k=k,
    )
    detail = {
        "sha256": result.sha256,
        "rows": result.rows,
        "columns": result.columns,
        "linked": result.linked,
        "payload_rows": result.payload_rows,
        "renamed": result.renamed,
        "deleted": [d.to_dict() for d in result.deleted],
        "risk": result.risk,
        "qi": list(qi),
        "k": k,
    }
    return Outcome(detail, [_sent_to_project(combination, out)])


def process(combination: Combination, text: str) -> Outcome:
    """추가처리: the policy applied to the combined data in the project store (the same machinery
    as pseudonymization; keyed techniques refused: the agency holds no vault)."""
    from gamyeong.engine.pseudonymize import build_frame
    from gamyeong.engine.risk import assess

    project = stores.project_store(combination)
    source = project.inbox / COMBINED_FILE
    combined = project.receive(source, COMBINED, combination.slug)
    policy = parse_policy(text, f"{combination.slug}.processing.yaml")
    if policy.uses_vault:
        raise EngineError(
            "결합전문기관에는 추가정보 보관소가 없어 키가 필요한 기법을 쓸 수 없습니다",
            "the combination agency has no vault; keyed techniques are not available",
        )
    frame = pl.scan_parquet(source)
    check_against(policy, dict(frame.collect_schema()))
    output, suppressed, removed = build_frame(frame, policy, None)
    written = write_table(output, project.inbox / PROCESSED_FILE)
    risk: dict[str, Any] = {}
    if written.rows and policy.quasi_identifiers:
        risk = assess(
            pl.scan_parquet(written.path),
            list(policy.quasi_identifiers),
            sensitive=list(policy.sensitive),
            k=policy.k,
        ).to_dict()
    policy_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    _processed_manifest(combination, written.path, combined, policy_sha256, risk)
    detail = {
        "sha256": written.sha256,
        "rows": written.rows,
        "columns": policy.output_columns,
        "policy_sha256": policy_sha256,
        "suppressed": suppressed,
        "records_removed": removed,
        "risk": risk,
    }
    return Outcome(detail, [_sent_to_project(combination, written.path)])


def _processed_manifest(
    combination: Combination,
    path: Path,
    combined: Manifest,
    policy_sha256: str,
    risk: dict[str, Any],
) -> Manifest:
    return write_manifest(
        path,
        kind=COMBINED,
        sender=stores.agency_store(combination).party,
        receiver=stores.project_store(combination).party,
        purpose="결합 데이터 추가처리 / additional processing of the combined data",
        combination_id=combination.slug,
        extra={"risk": risk, "policy_sha256": policy_sha256, "combined_sha256": combined.sha256},
    )
