from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gamyeong.cli.errors import fail


def _settings() -> tuple[Path, dict[str, int]]:
    """The vault and k thresholds from the settings module (no database needed)."""
    from gamyeong.conf import settings

    thresholds = {
        "closed_room": settings.GAMYEONG_K_CLOSED_ROOM,
        "third_party": settings.GAMYEONG_K_THIRD_PARTY,
    }
    return settings.PROVIDER_VAULT, thresholds


def pseudonymize(
    data: Path = typer.Argument(
        ..., help="입력 파일: CSV, xlsx, Parquet, .sav, .dta (input table)"
    ),
    policy: Path = typer.Option(..., "--policy", "-p", help="가명처리 정책 YAML (policy file)"),
    out: Path = typer.Option(..., "--out", "-o", help="출력 파일 (output file)"),
    vault: Path | None = typer.Option(
        None, help="추가정보 보관소, 기본값 GAMYEONG_PROVIDER_VAULT (provider's vault)"
    ),
    fmt: str = typer.Option("parquet", "--format", help="parquet | csv"),
    encoding: str | None = typer.Option(
        None, help="CSV 인코딩 (utf-8, cp949, euc-kr); 생략하면 자동 판별 (detected when omitted)"
    ),
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력 (print JSON)"),
) -> None:
    """가명처리 정책을 데이터에 적용해 가명정보를 만듭니다.

    Apply a pseudonymization policy to a table: delete or sample records, transform each item
    (masking, generalization, rounding, coding, noise, keyed hashing, tokenization, encryption),
    apply local suppression, and write Parquet (or CSV) atomically; then review the output's
    identification risk against the policy's k and its information loss. Secrets and token
    tables stay in the provider's vault, which must not sit beside the output.
    """
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.policy import load_policy
    from gamyeong.engine.pseudonymize import pseudonymize as run
    from gamyeong.engine.vault import Vault

    if fmt not in ("parquet", "csv"):
        fail(
            f"--format은 parquet 또는 csv입니다 (받은 값: {fmt})",
            f"--format must be parquet or csv (got {fmt})",
        )
    default_vault, thresholds = _settings()
    console = Console(highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        loaded = load_policy(policy, default_k=thresholds)
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("가명처리 / pseudonymizing", total=1.0)
            result = run(
                data,
                loaded,
                out,
                vault=Vault(vault or default_vault),
                fmt=fmt,
                encoding=encoding,
                progress=lambda stage, f: progress.update(task, completed=f, description=stage),
            )
    except EngineError as exc:
        fail(exc.korean, exc.english)
    if as_json:
        console.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"{data.name} → {out}  ({result.rows_in:,} → {result.rows_out:,} rows)")
    for header in ("항목 item", "처리 rule"):
        table.add_column(header)
    for item in result.items:
        table.add_row(item.column, "삭제 / deleted" if item.dropped else item.rule)
    console.print(table)
    if result.suppressed or result.records_removed_by_suppression:
        console.print(
            f"부분삭제 / local suppression: {result.suppressed}, "
            f"레코드 삭제 / records removed: {result.records_removed_by_suppression}"
        )
    _print_review(console, result)
    console.print(f"SHA-256 {result.output_sha256}  ({result.seconds:.1f} s)")


def _print_review(console: Console, result: object) -> None:
    from gamyeong.engine.pseudonymize import RunResult

    assert isinstance(result, RunResult)
    if result.risk:
        verdict = "[green]충족 / met[/]" if result.k_met else "[red]미충족 / NOT met[/]"
        risk = result.risk
        console.print(
            f"식별 위험 / risk ({', '.join(risk['qi'])}): k_min {risk['k_min']} "
            f"(기준 / k ≥ {result.k}, {result.environment}) {verdict}; "
            f"k 미만 레코드 / records below k {risk['records_below_k']:,}; "
            f"최대 재식별 위험 / prosecutor max {risk['prosecutor_risk_max']:.3f}"
        )
    if result.utility:
        utility = result.utility
        console.print(
            f"정보 손실 / information loss: 평균 / mean {utility['mean_loss']:.1%}, "
            f"레코드 감소 / records removed {utility['records_removed_share']:.2%}"
        )
