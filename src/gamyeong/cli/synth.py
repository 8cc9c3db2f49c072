from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gamyeong.cli.errors import fail


def synth(
    persons: int = typer.Option(..., "--persons", "-n", help="사람 수 (number of persons)"),
    seed: int = typer.Option(
        2026, help="난수 시드: 같은 시드는 같은 데이터 (same seed, same data)"
    ),
    out: Path = typer.Option(..., "--out", "-o", help="출력 디렉터리 (output directory)"),
    overlap: float = typer.Option(
        0.3,
        help="다른 기관 데이터에도 있는 사람의 비율 (share of persons also in the partner data)",
    ),
    partner_only: float = typer.Option(
        0.1, help="다른 기관에만 있는 행의 비율 (share of partner rows not in SSIS data)"
    ),
    typo_rate: float = typer.Option(
        0.01, help="겹치는 행 중 오타가 있는 비율 (share of overlapping partner rows with a typo)"
    ),
) -> None:
    """현실적인 합성 사회보장 데이터를 만듭니다 (실제 개인정보는 없습니다).

    Generate realistic synthetic social-security data: persons in households across the 17
    provinces, programme eligibility by the 2026 rules, a partner institution's overlapping
    employment register, a codebook (manifest.json) and a ground-truth overlap file for tests.
    The same --seed always gives the same data. Files are Parquet, written atomically.
    """
    from gamyeong.engine.synth import SynthConfig, SynthError, generate

    config = SynthConfig(
        persons=persons, seed=seed, overlap=overlap, partner_only=partner_only, typo_rate=typo_rate
    )
    console = Console(highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("합성 데이터 생성 / generating", total=1.0)

            def report(stage: str, fraction: float) -> None:
                progress.update(task, completed=fraction, description=f"{stage}")

            manifest = generate(config, out, report)
    except SynthError as exc:
        fail(exc.korean, exc.english)
    table = Table(title=f"{out}  (seed {seed})")
    for header in ("dataset", "rows", "file"):
        table.add_column(header)
    for dataset in manifest["datasets"]:
        table.add_row(dataset["name"], f"{dataset['rows']:,}", dataset["file"])
    truth = manifest["ground_truth"]
    table.add_row("ground truth (tests only)", f"{truth['rows']:,}", truth["file"])
    console.print(table)
