"""``gamyeong combine``: the combination agency (결합전문기관) joins the providers' payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from gamyeong.cli.errors import fail
from gamyeong.cli.kma import DEFAULT_AGENCY, open_store
from gamyeong.cli.risk import split_names

if TYPE_CHECKING:
    from gamyeong.engine.linkage.agency import CombinedResult
    from gamyeong.engine.linkage.stores import PartyStore


def combine(
    payloads: list[Path] = typer.Argument(
        ..., help="정보보유기관의 가명정보 파일들 (providers' payload files)", show_default=False
    ),
    linking_info: Path = typer.Option(
        ..., "--linking-info", help="결합키관리기관의 결합키연계정보 (linking information)"
    ),
    out: Path = typer.Option(..., "--out", help="결합 데이터 파일, 과제 저장소 (combined data)"),
    policy: Path | None = typer.Option(
        None, "--policy", help="추가처리 정책 YAML (policy for additional processing, 4-6)"
    ),
    qi: str = typer.Option(
        "", "--qi", help="준식별자 열, 쉼표로 구분 (quasi-identifiers for the risk review)"
    ),
    sensitive: str = typer.Option("", "--sensitive", help="민감속성 열 (sensitive attributes)"),
    k: int | None = typer.Option(
        None, "--k", help="k-익명성 기준, 기본값 분석실 기준 (default: closed-room k)"
    ),
    project: str | None = typer.Option(
        None, "--project", help="결합 데이터를 받는 과제, 기본값 project:<결합 ID> (receiver)"
    ),
    store: Path | None = typer.Option(
        None,
        "--store",
        help="결합전문기관 저장소, 기본값 <GAMYEONG_DATA_DIR>/parties/combination_agency",
    ),
    org: str = typer.Option(DEFAULT_AGENCY, "--org", help="결합전문기관 이름 (organisation)"),
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력 (print JSON)"),
) -> None:
    """결합키연계정보로 가명정보를 결합하고, 일련번호와 연계정보를 지웁니다.

    Take delivery of the linking information and the payloads (a payload with a key or
    identifier column is refused before it is copied), join each payload on its provider's
    serial, give each combined record a new random id, write the combined data atomically, then
    delete the payloads and the linking information from the agency's store. Reviews the
    identification risk for --qi and applies --policy as additional processing. Exit 2 on bad
    input.
    """
    from gamyeong.conf import settings
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.linkage.agency import combine as run
    from gamyeong.engine.linkage.artifacts import AGENCY
    from gamyeong.engine.policy import load_policy

    thresholds = {
        "closed_room": settings.GAMYEONG_K_CLOSED_ROOM,
        "third_party": settings.GAMYEONG_K_THIRD_PARTY,
    }
    try:
        loaded = load_policy(policy, default_k=thresholds) if policy else None
        agency = open_store(AGENCY, org, store)
        link_path, received = _take_delivery(agency, linking_info, payloads)
        result = run(
            agency,
            received,
            link_path,
            out=out,
            project=project,
            policy=loaded,
            qi=split_names(qi),
            sensitive=split_names(sensitive),
            k=k or thresholds["closed_room"],
        )
    except EngineError as exc:
        fail(exc.korean, exc.english)
    except OSError as exc:
        fail(f"파일을 읽거나 쓸 수 없습니다: {exc}", f"cannot read or write a file: {exc}")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    print_summary(Console(highlight=False), result)


def _take_delivery(
    agency: PartyStore, linking_info: Path, payloads: list[Path]
) -> tuple[Path, list[Path]]:
    """Admit the linking information, then each payload screened on its manifest first."""
    from gamyeong.engine.linkage.agency_checks import check_linking, screen_payload
    from gamyeong.engine.linkage.artifacts import LINKING, PAYLOAD

    link_path, manifest = agency.admit(linking_info, LINKING, screen=check_linking)
    items = [str(item) for item in manifest.extra.get("key_items", [])]
    received = [
        agency.admit(
            path,
            PAYLOAD,
            combination_id=manifest.combination_id,
            screen=lambda m: screen_payload(m, items),
        )[0]
        for path in payloads
    ]
    return link_path, received


def print_summary(console: Console, result: CombinedResult) -> None:
    console.print(
        f"결합 완료 / combined: {escape(result.output)} — {result.rows:,} rows "
        f"(연계 / linked {result.linked:,}; 기관 / providers {', '.join(result.providers)})"
    )
    console.print(f"열 / columns: {escape(', '.join(result.columns))}")
    for provider, names in result.renamed.items():
        if names:
            shown = ", ".join(f"{a} → {b}" for a, b in names.items())
            console.print(f"이름 바꿈 / renamed ({escape(provider)}): {escape(shown)}")
    for deleted in result.deleted:
        console.print(
            f"삭제 / deleted: {escape(deleted.file)} ({deleted.kind}, {deleted.rows:,} rows, "
            f"SHA-256 {deleted.sha256[:12]}…)"
        )
    _print_risk(console, "결합 데이터 / combined", result.risk)
    if result.processed is not None:
        processed = result.processed
        console.print(
            f"추가처리 / additional processing: {escape(processed.output)} "
            f"({processed.rows:,} rows)"
        )
        _print_risk(console, "추가처리 후 / processed", processed.risk)
    console.print(f"SHA-256 {result.sha256}  ({result.seconds:.1f} s)")


def _print_risk(console: Console, label: str, risk: dict[str, object]) -> None:
    if not risk:
        return
    k_min, k = risk["k_min"], risk["k"]
    assert isinstance(k_min, int) and isinstance(k, int)
    verdict = "[green]충족 / met[/]" if k_min >= k else "[red]미충족 / NOT met[/]"
    qi = risk["qi"]
    assert isinstance(qi, list)
    console.print(
        f"식별 위험 / risk, {label} ({escape(', '.join(map(str, qi)))}): "
        f"k_min {k_min} (k ≥ {k}) {verdict}; "
        f"k 미만 레코드 / records below k {risk['records_below_k']}"
    )
