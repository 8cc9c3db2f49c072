"""``gamyeong risk``: the identification-risk review (식별 위험성 검토) of one data file."""

from __future__ import annotations

import json
import math
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gamyeong.cli.errors import fail

if TYPE_CHECKING:
    import polars as pl

    from gamyeong.engine.risk import RiskReport

#: Exit codes: 0 every class has ≥ k records, 1 some class is smaller, 2 bad input.
EXIT_PASS, EXIT_BELOW_K = 0, 1


def risk(
    data: Path = typer.Argument(
        ..., help="검토할 데이터 파일 (data file: Parquet, CSV, …)", show_default=False
    ),
    qi: str = typer.Option(
        ..., "--qi", help="준식별자 열, 쉼표로 구분 (quasi-identifier columns, comma-separated)"
    ),
    sensitive: str = typer.Option(
        "", "--sensitive", help="민감속성 열, 쉼표로 구분 (sensitive attributes, comma-separated)"
    ),
    k: int = typer.Option(5, "--k", help="k-익명성 기준 (k-anonymity threshold)"),
    population: Path | None = typer.Option(
        None,
        "--population",
        help="모집단 파일: 같은 준식별자 열 (population file, same QI columns)",
    ),
    population_count: str | None = typer.Option(
        None,
        "--population-count",
        help="모집단의 인원(가중치) 열 (population count/weight column; default: one per row)",
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력 (print the JSON report)"),
    record_risk_out: Path | None = typer.Option(
        None,
        "--record-risk",
        help="레코드별 위험을 Parquet로 저장 (write per-record risk to this Parquet file)",
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="CSV 문자 인코딩, 예: cp949 (text encoding of CSV input)"
    ),
) -> None:
    """동질집합, k-익명성, l-다양성, t-근접성, 재식별 위험, 특이정보를 검토합니다.

    Review identification risk: equivalence classes over the quasi-identifiers, k-anonymity,
    l-diversity and t-closeness of sensitive attributes, prosecutor/marketer/journalist risk and
    outliers. Exit code 0 when every class has at least k records, 1 when some class is
    smaller, 2 for bad input. See docs/risk.md.
    """
    names, attributes = split_names(qi), split_names(sensitive)
    report, written = run_review(
        data, names, attributes, k, population, population_count, record_risk_out, encoding
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(Console(highlight=False), data, report, written)
    raise typer.Exit(EXIT_PASS if report.passes else EXIT_BELOW_K)


def split_names(text: str) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def run_review(
    data: Path,
    qi: list[str],
    sensitive: list[str],
    k: int,
    population: Path | None,
    population_count: str | None,
    record_risk_out: Path | None,
    encoding: str | None,
) -> tuple[RiskReport, tuple[Path, int] | None]:
    """Open the files, assess, and write per-record risk; bad input ends with exit code 2."""
    import polars as pl

    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.io import open_table, write_table
    from gamyeong.engine.risk import assess, record_risk

    try:
        with ExitStack() as stack:
            table = stack.enter_context(open_table(data, encoding=encoding))
            people: pl.LazyFrame | None = None
            if population is not None:
                people = stack.enter_context(open_table(population, encoding=encoding)).frame
            report = assess(
                table.frame,
                qi,
                sensitive=sensitive,
                k=k,
                population=people,
                population_count=population_count,
            )
            written = None
            if record_risk_out is not None:
                out = write_table(record_risk(table.frame, qi), record_risk_out)
                written = (out.path, out.rows)
    except EngineError as exc:
        fail(exc.korean, exc.english)
    except (pl.exceptions.PolarsError, OSError) as exc:
        fail(f"파일을 읽거나 쓸 수 없습니다: {exc}", f"cannot read or write a file: {exc}")
    return report, written


def check(ok: bool, warn: bool = False) -> str:
    if ok:
        return "[green]통과 pass[/]"
    return "[yellow]주의 warn[/]" if warn else "[bold red]미달 fail[/]"


def print_summary(
    console: Console, data: Path, report: RiskReport, written: tuple[Path, int] | None
) -> None:
    """Readable Korean/English summary: figures, pass/fail against k, outliers."""
    share = report.records_below_k / report.records
    table = Table(title=f"식별 위험성 검토 / identification-risk review: {escape(data.name)}")
    for header in ("지표 / metric", "값 / value", f"k={report.k}"):
        table.add_column(header)
    table.add_row("준식별자 / quasi-identifiers", escape(", ".join(report.qi)), "")
    table.add_row("레코드 / records", f"{report.records:,}", "")
    table.add_row("동질집합 / equivalence classes", f"{report.classes:,}", "")
    table.add_row("최소 k / k_min", f"{report.k_min:,}", check(report.passes))
    table.add_row(
        "k 미만 레코드 / records below k", f"{report.records_below_k:,} ({share:.2%})", ""
    )
    table.add_row("유일 레코드 / uniques", f"{report.uniques:,}", "")
    for s in report.sensitive:
        name = escape(s.name)
        table.add_row(
            f"l-다양성 / distinct l: {name}",
            str(s.l_distinct_min),
            check(s.l_distinct_min >= 2, warn=True),
        )
        table.add_row(
            f"엔트로피 l / entropy l: {name}",
            f"{s.l_entropy_min} (e^H = {math.exp(s.entropy_min):.4f})",
            "",
        )
        table.add_row(f"t-근접성 / t-closeness: {name}", f"{s.t_closeness_max:.4f}", "")
    table.add_row("검사자 위험 / prosecutor risk max", f"{report.prosecutor_risk_max:.4f}", "")
    table.add_row("검사자 위험 / prosecutor risk avg", f"{report.prosecutor_risk_avg:.4f}", "")
    table.add_row("마케터 위험 / marketer risk", f"{report.marketer_risk:.4f}", "")
    if report.journalist_risk_max is not None:
        table.add_row("언론인 위험 / journalist risk max", f"{report.journalist_risk_max:.4f}", "")
    console.print(table)
    print_outliers(console, report)
    if written is not None:
        console.print(
            f"레코드별 위험 / per-record risk: {escape(str(written[0]))} ({written[1]:,} rows)"
        )
    if report.passes:
        console.print(
            f"[green]결과: 모든 동질집합이 k={report.k} 이상입니다 (result: pass, exit 0)[/]"
        )
    else:
        console.print(
            f"[bold red]결과: k={report.k} 미만인 동질집합이 있습니다 "
            f"(result: classes below k, exit 1)[/]"
        )


def print_outliers(console: Console, report: RiskReport) -> None:
    """Rare quasi-identifier values and extreme amounts (counts and fences only)."""
    rare = Table(title=f"희소값 / rare values (< k={report.k})")
    for header in ("열 / column", "희소값 수 / values", "레코드 / records", "예 / examples"):
        rare.add_column(header)
    for r in report.rare_values:
        examples = ", ".join(f"{v}×{n}" for v, n in r.values[:5]) + (" …" if r.distinct > 5 else "")
        rare.add_row(escape(r.column), f"{r.distinct:,}", f"{r.records:,}", escape(examples))
    console.print(rare)
    if not report.extreme_amounts:
        return
    extreme = Table(title="극단값 / extreme amounts (Q1−3·IQR, Q3+3·IQR)")
    for header in ("열 / column", "하한 / lower", "상한 / upper", "미만 / below", "초과 / above"):
        extreme.add_column(header)
    for e in report.extreme_amounts:
        low = "—" if e.lower_fence is None else f"{e.lower_fence:,.1f}"
        high = "—" if e.upper_fence is None else f"{e.upper_fence:,.1f}"
        extreme.add_row(escape(e.column), low, high, f"{e.below:,}", f"{e.above:,}")
    console.print(extreme)
