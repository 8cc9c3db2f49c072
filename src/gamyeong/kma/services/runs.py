"""The KMA's matching runs on the key files it holds: match report (결합률 확인), mock combination
(모의결합), extraction (가명정보 추출) and linking information (결합키연계정보), through the engine
(:mod:`gamyeong.engine.linkage.kma`). Each run re-verifies every key file in the inbox."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage import kma as engine
from gamyeong.engine.linkage.artifacts import AGENCY, manifest_path
from gamyeong.engine.linkage.kma_inputs import KeyInputs
from gamyeong.engine.linkage.matching import Match
from gamyeong.engine.linkage.stores import PartyStore
from gamyeong.kma.errors import conflict, not_found, refused_input
from gamyeong.kma.models import Combination, LinkingRun, ReceivedKeyFile
from gamyeong.kma.store import absolute, combination_outbox, relative

Kind = LinkingRun.Kind


@dataclass(frozen=True)
class Run:
    """A finished run: its row (not saved yet) and the files it wrote."""

    run: LinkingRun
    written: list[Path]


def missing_providers(combination: Combination) -> list[str]:
    sent = set(combination.key_files.values_list("provider", flat=True))
    return [p for p in combination.providers if p not in sent]


def key_files(combination: Combination) -> list[ReceivedKeyFile]:
    """Every provider's key file, in the combination's order of providers (409 if one is
    missing)."""
    missing = missing_providers(combination)
    if missing:
        raise conflict(
            f"결합키를 아직 보내지 않은 정보보유기관이 있습니다: {', '.join(missing)}",
            f"some providers have not sent their keys yet: {', '.join(missing)}",
        )
    files = {f.provider: f for f in combination.key_files.all()}
    return [files[p] for p in combination.providers]


def run(
    store: PartyStore,
    combination: Combination,
    kind: str,
    *,
    key_set: str | None = None,
    fraction: float | None = None,
) -> Run:
    """Match the providers' keys once and write what ``kind`` calls for."""
    paths = [absolute(store, f.path) for f in key_files(combination)]
    try:
        inputs, result = engine.run(
            store,
            paths,
            key_set=key_set,
            combination_id=combination.id,
            sample=fraction if kind == Kind.MOCK else None,
        )
        written = _write(store, combination, kind, inputs, result)
    except EngineError as exc:
        raise refused_input(exc) from None
    row = LinkingRun(
        combination=combination,
        key_set=inputs.key_set,
        kind=kind,
        report=result.report.to_dict(),
        outputs={party: relative(store, path) for party, path in written.items()},
    )
    return Run(row, list(written.values()))


def latest(combination: Combination, kind: str) -> LinkingRun | None:
    return combination.linking_runs.filter(kind=kind).order_by("-created_at", "-pk").first()


def artifact(store: PartyStore, run: LinkingRun, party: str) -> tuple[Path, dict[str, Any]]:
    """The file ``run`` wrote for ``party`` and its manifest."""
    stored = run.outputs.get(party)
    path = absolute(store, stored) if isinstance(stored, str) else None
    try:
        if path is None:
            raise FileNotFoundError(party)
        manifest: dict[str, Any] = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise not_found(
            f"{party} 앞으로 만든 파일이 없습니다 (결합 {run.combination_id}, {run.kind})",
            f"no file was made for {party} (combination {run.combination_id}, {run.kind})",
        ) from None
    return path, manifest


def describe_outputs(store: PartyStore, run: LinkingRun) -> list[dict[str, Any]]:
    """Each file ``run`` wrote: its receiver, name, SHA-256 and rows (from its manifest)."""
    described = []
    for party in run.outputs:
        path, manifest = artifact(store, run, party)
        described.append(
            {
                "party": party,
                "file": path.name,
                "sha256": manifest["sha256"],
                "rows": manifest["rows"],
            }
        )
    return described


def _write(
    store: PartyStore, combination: Combination, kind: str, inputs: KeyInputs, result: Match
) -> dict[str, Path]:
    folder = combination_outbox(store, combination.id)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    if kind == Kind.EXTRACT:
        return engine.write_extraction(store, inputs, result, folder / f"extract-{stamp}")
    if kind == Kind.LINK:
        agency = f"{AGENCY}:{combination.agency}"
        out = folder / f"linking-{stamp}.parquet"
        linked = engine.write_linking(store, inputs, result, out=out, agency=agency)
        return {agency: linked.path}
    return {}
