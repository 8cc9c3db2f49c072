"""The combination agency (결합전문기관): join the providers' payloads through the KMA's linking
information, give every combined record a new id, and forget the serials.

:func:`combine` receives and verifies every artifact (payloads and linking information in the
agency's inbox), refuses key and identifier columns, joins each payload on its provider's serial,
replaces serials and linking ids by a new random ``combined_id`` (rows in random order), keeps
only the attributes (a name held by more than one provider becomes ``<provider>_<name>``), writes
the combined data atomically as a ``combined`` artifact, then deletes the payloads and the linking
information from the agency's store, reviews the identification risk of the combined data, and
applies additional processing (추가처리, stage 4-6) when a policy is given.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io import write_table
from gamyeong.engine.linkage.agency_checks import (
    COMBINED_ID,
    check_linking,
    clash_renames,
    match_payloads,
    screen_payload,
)
from gamyeong.engine.linkage.agency_join import Source, write_combined
from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    COMBINED,
    LINKING,
    PAYLOAD,
    PROJECT,
    SERIAL,
    Manifest,
    write_manifest,
)
from gamyeong.engine.linkage.stores import DeletedFile, PartyStore
from gamyeong.engine.policy import Policy, check_against


@dataclass(frozen=True)
class ProcessedResult:
    """Additional processing (추가처리) of the combined data with a policy."""

    output: str
    sha256: str
    rows: int
    columns: list[str]
    policy_sha256: str
    suppressed: dict[str, int]
    records_removed: int
    risk: dict[str, Any]


@dataclass(frozen=True)
class CombinedResult:
    combination_id: str
    output: str
    sha256: str
    rows: int
    columns: list[str]
    providers: list[str]
    linked: int  # rows of the linking information
    payload_rows: dict[str, int]
    renamed: dict[str, dict[str, str]]  # provider → {attribute: name in the combined data}
    deleted: list[DeletedFile]
    risk: dict[str, Any]
    processed: ProcessedResult | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Inputs:
    linking: Path
    link_manifest: Manifest
    providers: list[str]
    payloads: list[tuple[Path, Manifest]]  # in the order of ``providers``
    renamed: dict[str, dict[str, str]]
    schema: dict[str, pl.DataType]  # of the combined data


def combine(
    store: PartyStore,
    payloads: Sequence[Path],
    linking_info: Path,
    *,
    out: Path,
    project: str | None = None,
    policy: Policy | None = None,
    qi: Sequence[str] = (),
    sensitive: Sequence[str] = (),
    k: int = 3,
    processed_out: Path | None = None,
) -> CombinedResult:
    """Combine (결합) in the agency's store; see the module docstring. ``out`` is the combined
    data in the project's store (never the agency's inbox); ``project`` its receiver (default
    ``project:<combination id>``); ``qi``/``sensitive``/``k`` the risk review; ``policy`` the
    additional processing, written to ``processed_out`` (default ``<out>.processed.parquet``)."""
    started = time.perf_counter()
    inputs = _receive(store, payloads, linking_info)
    _check_output(store, out, inputs.schema, qi, sensitive, policy)
    sources = [
        Source(p, path, {c: inputs.renamed[p].get(c, c) for c in m.columns if c != SERIAL})
        for p, (path, m) in zip(inputs.providers, inputs.payloads, strict=True)
    ]
    rows = write_combined(inputs.linking, sources, out)
    deleted = [store.remove(path) for path, _ in inputs.payloads]
    deleted.append(store.remove(inputs.linking))
    risk = _risk(pl.scan_parquet(out), qi, sensitive, k) if rows else {}
    combination_id = inputs.link_manifest.combination_id
    receiver = project or combination_id
    receiver = receiver if ":" in receiver else f"{PROJECT}:{receiver}"
    extra = {"providers": inputs.providers, "risk": risk, "renamed": inputs.renamed}
    manifest = _manifest(store, out, receiver, combination_id, extra)
    processed = None
    if policy is not None:
        target = processed_out or out.with_name(f"{out.stem}.processed.parquet")
        processed = _process(store, (out, manifest), policy, target, receiver, qi)
    return CombinedResult(
        combination_id=combination_id,
        output=str(out),
        sha256=manifest.sha256,
        rows=manifest.rows,
        columns=manifest.columns,
        providers=inputs.providers,
        linked=inputs.link_manifest.rows,
        payload_rows={
            p: m.rows for p, (_, m) in zip(inputs.providers, inputs.payloads, strict=True)
        },
        renamed=inputs.renamed,
        deleted=deleted,
        risk=risk,
        processed=processed,
        seconds=round(time.perf_counter() - started, 3),
    )


def _receive(store: PartyStore, payloads: Sequence[Path], linking_info: Path) -> _Inputs:
    if store.role != AGENCY:
        raise EngineError(
            f"결합은 결합전문기관만 합니다 ({store.party})",
            f"only the combination agency combines ({store.party})",
        )
    link_manifest = store.receive(linking_info, LINKING)
    providers = check_linking(link_manifest)
    key_items = [str(item) for item in link_manifest.extra.get("key_items", [])]
    received = []
    for path in payloads:
        manifest = store.receive(path, PAYLOAD, link_manifest.combination_id)
        try:
            screen_payload(manifest, key_items)
        except EngineError as exc:  # the agency's store must never keep such a file
            store.remove(path)
            raise EngineError(
                f"{exc.korean} (파일을 결합전문기관 저장소에서 지웠습니다)",
                f"{exc.english} (the file was removed from the agency's store)",
            ) from None
        received.append((path, manifest))
    order = match_payloads([m for _, m in received], providers)
    ordered = [received[i] for i in order]
    attributes = {
        p: [c for c in m.columns if c != SERIAL]
        for p, (_, m) in zip(providers, ordered, strict=True)
    }
    renamed = clash_renames(attributes)
    schema: dict[str, pl.DataType] = {COMBINED_ID: pl.String()}
    for provider, (path, _) in zip(providers, ordered, strict=True):
        for column, dtype in pl.scan_parquet(path).collect_schema().items():
            if column != SERIAL:
                schema[renamed[provider].get(column, column)] = dtype
    return _Inputs(linking_info, link_manifest, providers, ordered, renamed, schema)


def _check_output(
    store: PartyStore,
    out: Path,
    schema: dict[str, pl.DataType],
    qi: Sequence[str],
    sensitive: Sequence[str],
    policy: Policy | None,
) -> None:
    columns = list(schema)
    if store.inbox in out.resolve().parents:
        raise EngineError(
            f"결합 데이터는 결합전문기관의 수신함이 아니라 과제 저장소에 씁니다: {out}",
            f"the combined data goes to the project's store, not the agency's inbox: {out}",
        )
    unknown = [c for c in (*qi, *sensitive) if c not in columns]
    if unknown:
        raise EngineError(
            f"결합 데이터에 없는 열입니다: {', '.join(unknown)} (있는 열: {', '.join(columns)})",
            f"not a column of the combined data: {', '.join(unknown)} "
            f"(columns: {', '.join(columns)})",
        )
    if policy is not None:
        if policy.uses_vault:
            raise EngineError(
                f"{policy.source}: 결합전문기관에는 추가정보 보관소가 없어 키가 필요한 기법을 쓸 수 없습니다",
                f"{policy.source}: the combination agency has no vault; keyed techniques are "
                "not available in additional processing",
            )
        check_against(policy, schema)


def _risk(
    frame: pl.LazyFrame, qi: Sequence[str], sensitive: Sequence[str], k: int
) -> dict[str, Any]:
    if not qi:
        return {}
    from gamyeong.engine.risk import assess

    return assess(frame, qi, sensitive=sensitive, k=k).to_dict()


def _manifest(
    store: PartyStore, path: Path, receiver: str, combination_id: str, extra: dict[str, Any]
) -> Manifest:
    return write_manifest(
        path,
        kind=COMBINED,
        sender=store.party,
        receiver=receiver,
        purpose="결합 데이터 / combined data",
        combination_id=combination_id,
        extra=extra,
    )


def _process(
    store: PartyStore,
    combined: tuple[Path, Manifest],
    policy: Policy,
    out: Path,
    receiver: str,
    qi: Sequence[str],
) -> ProcessedResult:
    """추가처리: apply ``policy`` to the combined data, review it, write it as an artifact."""
    from gamyeong.engine.pseudonymize import build_frame

    source, manifest = combined
    frame, suppressed, removed = build_frame(pl.scan_parquet(source), policy, None)
    written = write_table(frame, out)
    names = list(policy.quasi_identifiers) or [c for c in qi if c in policy.output_columns]
    risk = (
        _risk(pl.scan_parquet(written.path), names, policy.sensitive, policy.k)
        if written.rows
        else {}
    )
    policy_sha256 = hashlib.sha256(policy.text.encode("utf-8")).hexdigest()
    extra = {"risk": risk, "policy_sha256": policy_sha256, "combined_sha256": manifest.sha256}
    _manifest(store, written.path, receiver, manifest.combination_id, extra)
    return ProcessedResult(
        output=str(written.path),
        sha256=written.sha256,
        rows=written.rows,
        columns=policy.output_columns,
        policy_sha256=policy_sha256,
        suppressed=suppressed,
        records_removed=removed,
        risk=risk,
    )
