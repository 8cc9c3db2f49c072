"""``gamyeong check-output``: the automatic disclosure checks of outputs (반출 자동 점검)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gamyeong.cli.errors import fail

if TYPE_CHECKING:
    from gamyeong.disclosure import CheckReport, Finding, Profile, Remedies

#: Exit codes: 0 every output passes, 1 some output fails or needs review, 2 bad input.
EXIT_PASS, EXIT_FLAGGED = 0, 1
STATUS_TEXT = {
    "pass": "[green]통과 pass[/]",
    "review": "[yellow]검토 review[/]",
    "fail": "[bold red]미달 fail[/]",
}


def check_output(
    target: Path | None = typer.Argument(
        None,
        help="점검할 results.json 또는 출력 폴더 (results.json or a folder of outputs)",
        show_default=False,
    ),
    data: Path | None = typer.Option(
        None, "--data", help="표를 만들 원자료 (microdata: CSV, Parquet, xlsx, .sav, .dta)"
    ),
    rows: str = typer.Option("", "--rows", help="행 변수, 쉼표로 구분 (row variables)"),
    cols: str = typer.Option("", "--cols", help="열 변수, 쉼표로 구분 (column variables)"),
    values: str | None = typer.Option(None, "--values", help="값 변수 (values column)"),
    agg: str | None = typer.Option(
        None, "--agg", help="집계: sum, mean, median, min, max, std, var (aggregation)"
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="사람 식별 열: 사람 수를 셉니다 (person-id column: counts persons)"
    ),
    margins: bool = typer.Option(False, "--margins", help="합계 행·열 포함 (add totals)"),
    percent: str | None = typer.Option(
        None, "--percent", help="백분율로 공개: row, column, all (publish as percentages)"
    ),
    structural_zero: list[str] = typer.Option(
        [],
        "--structural-zero",
        help="구조적 0인 칸, 예: sex=M,programme=임신 (a structural-zero cell; repeatable)",
    ),
    profile: str = typer.Option(
        "gamyeong", "--profile", help="규칙 설정: gamyeong, korean, acro (rule profile)"
    ),
    settings: list[str] = typer.Option(
        [], "--set", help="규칙 값 변경, 예: safe_threshold=5 (override a rule; repeatable)"
    ),
    earlier: list[Path] = typer.Option(
        [], "--earlier", help="이전에 반출된 출력(results.json/폴더): 차분 점검 (earlier releases)"
    ),
    suggest: bool = typer.Option(False, "--suggest", help="조치 제안 (suggest remedies)"),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력 (print the JSON report)"),
    all_cells: bool = typer.Option(
        False, "--all-cells", help="통과한 칸도 표시 (list passing cells too)"
    ),
    limit: int = typer.Option(50, "--limit", help="출력마다 표시할 칸 수 (cells shown per output)"),
    encoding: str | None = typer.Option(
        None, "--encoding", help="CSV 문자 인코딩, 예: cp949 (text encoding of CSV input)"
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Excel 시트 이름 (Excel sheet)"),
) -> None:
    """표·그래프·모형 출력의 통계적 노출 위험을 칸마다 점검합니다.

    Check outputs for statistical disclosure, per output and per cell, with the reason: a table
    from microdata (--data --rows --cols [--values --agg]), or an ACRO/gamyeong results.json or a
    folder of outputs. Exit code 0 when every output passes, 1 when some output fails or needs
    review, 2 for bad input. See docs/disclosure-checks.md.
    """
    from gamyeong.engine.errors import EngineError

    try:
        chosen = _profile(profile, settings)
        if data is not None:
            if target is not None:
                fail(
                    "점검 대상과 --data는 함께 쓸 수 없습니다",
                    "give either a results.json/folder or --data, not both",
                )
            table = TableRequest(rows, cols, values, agg, unit, margins, percent, structural_zero)
            reports = [_table_report(data, table, chosen, encoding, sheet)]
        elif target is not None:
            reports = _outputs(target, chosen)
        else:
            fail(
                "점검할 results.json·폴더나 --data를 지정하십시오",
                "give a results.json or folder to check, or --data with --rows",
            )
        reports, findings = _differencing(reports, earlier, chosen)
        remedies = _remedies(reports) if suggest else []
    except EngineError as exc:
        fail(exc.korean, exc.english)
    except OSError as exc:
        fail(f"파일을 읽을 수 없습니다: {exc}", f"cannot read a file: {exc}")
    status = _overall(reports)
    if as_json:
        typer.echo(_json_text(chosen, reports, findings, remedies, status))
    else:
        _print(
            Console(highlight=False), chosen, reports, findings, remedies, status, all_cells, limit
        )
    raise typer.Exit(EXIT_PASS if status == "pass" else EXIT_FLAGGED)


class TableRequest:
    """The table options of ``--data``."""

    def __init__(
        self, rows: str, cols: str, values: str | None, agg: str | None, unit: str | None,
        margins: bool, percent: str | None, structural_zero: list[str],
    ) -> None:  # fmt: skip
        self.rows, self.cols = split_names(rows), split_names(cols)
        self.values, self.agg, self.unit = values, agg, unit
        self.margins, self.percent = margins, percent
        self.structural = [parse_cell(text, "--structural-zero") for text in structural_zero]


def split_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_cell(text: str, option: str) -> dict[str, str]:
    """``"sex=M,age_band=0"`` → ``{"sex": "M", "age_band": "0"}``; bad text exits with code 2."""
    out: dict[str, str] = {}
    for part in split_names(text):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            fail(
                f"{option} 형식은 열=값[,열=값…]입니다: {text}",
                f"{option} takes column=value[,column=value…]: {text}",
            )
        out[name.strip()] = value.strip()
    if not out:
        fail(f"{option}에 값이 없습니다", f"{option} is empty")
    return out


def _profile(name: str, settings: list[str]) -> Profile:
    from gamyeong.disclosure.profiles import get_profile, parse_rule_settings

    pairs: dict[str, str] = {}
    for text in settings:
        key, sep, value = text.partition("=")
        if not sep:
            fail(f"--set 형식은 이름=값입니다: {text}", f"--set takes name=value: {text}")
        pairs[key.strip()] = value.strip()
    return get_profile(name, **parse_rule_settings(pairs))


def _table_report(
    data: Path, request: TableRequest, profile: Profile, encoding: str | None, sheet: str | None
) -> CheckReport:
    from gamyeong.disclosure import DisclosureError, check_table
    from gamyeong.engine.io import open_table

    if not request.rows:
        fail("--data에는 --rows가 필요합니다", "--data needs --rows (the row variables)")
    with open_table(data, encoding=encoding, sheet=sheet) as table:
        if table.rows == 0:
            fail(f"데이터에 행이 없습니다: {data}", f"the data has no rows: {data}")
        try:
            report = check_table(
                table.frame, profile, rows=request.rows, cols=request.cols or None,
                values=request.values, agg=request.agg, unit=request.unit,
                margins=request.margins, structural_zeros=request.structural,
                percent=request.percent, name=data.stem,
            )  # fmt: skip
        except DisclosureError as exc:  # name the file; the message says what is wrong in it
            fail(f"{data.name}: {exc.korean}", f"{data.name}: {exc.english}")
    report.source = str(data)
    return report


def _outputs(target: Path, profile: Profile) -> list[CheckReport]:
    from gamyeong.disclosure import check_outputs

    return check_outputs(target, profile)


def _differencing(
    reports: list[CheckReport], earlier: list[Path], profile: Profile
) -> tuple[list[CheckReport], list[Finding]]:
    from gamyeong.disclosure import check_outputs, differencing, with_findings

    if not earlier:
        return reports, []
    released = [report for path in earlier for report in check_outputs(path, profile)]
    updated, found = [], []
    for report in reports:
        findings = differencing(report, released)
        found.extend(findings)
        updated.append(with_findings(report, findings))
    return updated, found


def _remedies(reports: list[CheckReport]) -> list[Remedies]:
    from gamyeong.disclosure import suggest

    return [suggest(r) for r in reports if r.layout is not None and r.failed_cells().height]


def _overall(reports: list[CheckReport]) -> str:
    statuses = {r.status for r in reports}
    return "fail" if "fail" in statuses else "review" if "review" in statuses else "pass"


CELLS = "\u0000cells\u0000"  # where the cells' JSON text goes in the document's text


def _json_text(
    profile: Profile, reports: list[CheckReport], findings: list[Finding],
    remedies: list[Remedies], status: str,
) -> str:  # fmt: skip
    """The JSON report as compact text: the document, with the cells of every output (encoded
    by Polars, :meth:`CheckReport.cells_json`) in its ``cells`` array."""
    document = _document(profile, reports, findings, remedies, status)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    parts = [report.cells_json()[1:-1] for report in reports]
    cells = "[" + ",".join(part for part in parts if part) + "]"
    return text.replace(json.dumps(CELLS), cells, 1)


def _document(
    profile: Profile, reports: list[CheckReport], findings: list[Finding],
    remedies: list[Remedies], status: str,
) -> dict[str, Any]:  # fmt: skip
    """The JSON report: summary and cells (a placeholder, see :func:`_json_text`) across
    outputs, then per output, findings, remedies."""
    summary: dict[str, int] = {}
    outputs = []
    for report in reports:
        one = report.to_json(cells=False)
        for check, n in one["summary"].items():
            summary[check] = summary.get(check, 0) + n
        outputs.append(one)
    document: dict[str, Any] = {
        "profile": profile.as_dict(),
        "status": status,
        "summary": summary,
        "cells": CELLS,
        "outputs": outputs,
        "differencing": [f.to_json() for f in findings],
    }
    if remedies:
        document["remedies"] = [r.to_json() for r in remedies]
    return document


def _keys_text(keys: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in keys.items())


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _overview(profile: Profile, reports: list[CheckReport]) -> Table:
    table = Table(title=f"반출 점검 / output check — 규칙 profile: {escape(profile.name)}")
    for header in (
        "출력 / output",
        "종류 / kind",
        "칸 / cells",
        "결과 / status",
        "실패 칸 / cells failing",
    ):
        table.add_column(header)
    for report in reports:
        failing = ", ".join(f"{c} {n}" for c, n in report.summary().items() if n)
        table.add_row(
            escape(report.name), report.kind, f"{report.cells.height:,}",
            STATUS_TEXT[report.status], escape(failing or "—"),
        )  # fmt: skip
    return table


def _cells_table(report: CheckReport, all_cells: bool, limit: int) -> tuple[Table | None, int]:
    """One line per failed check of a cell (the cell named on its first line)."""
    from gamyeong.disclosure.reasons import cell_records

    frame = report.cells if all_cells else report.failed_cells()
    if frame.is_empty():
        return None, 0
    table = Table(title=f"{escape(report.name)}: 칸별 결과 / per cell")
    for header in (
        "칸 / cell",
        "통계 / statistic",
        "빈도 / count",
        "점검 / check",
        "사유 / reason",
    ):
        table.add_column(header)
    for cell in cell_records(report, frame.head(limit)):
        reasons = cell.get("reasons") or {"ok": ""}
        first = [
            escape(_keys_text(cell["keys"])),
            escape(str(cell["block"])),
            _value_text(cell["count"]),
        ]
        for check, why in reasons.items():
            table.add_row(*first, "[green]ok[/]" if check == "ok" else escape(check), escape(why))
            first = ["", "", ""]
    return table, max(frame.height - limit, 0)


def _print_findings(console: Console, findings: list[Finding]) -> None:
    table = Table(title="차분 점검 / differencing against earlier releases")
    for header in ("출력 / output", "이전 / earlier", "칸 / cell", "내용 / finding"):
        table.add_column(header)
    for f in findings:
        table.add_row(
            escape(f.output), escape(f.earlier), escape(_keys_text(f.keys)), escape(f.detail)
        )
    console.print(table)


def _print_remedies(console: Console, remedies: list[Remedies]) -> None:
    for r in remedies:
        roles = r.suppress.get_column("role").value_counts() if r.suppress.height else None
        counts = dict(roles.iter_rows()) if roles is not None else {}
        console.print(
            f"[bold]{escape(r.output)}[/] 조치 제안 / remedies: 1차 억제 primary "
            f"{counts.get('primary', 0)}, 2차 억제 secondary {counts.get('secondary', 0)}; "
            f"5 단위 반올림 / rounding to base 5: {r.rounded.height} cells"
        )
        for recode in r.recodes:
            console.print(
                f"  범주 합치기 / recode {escape(recode.column)}: "
                f"{escape(' + '.join(recode.levels))} ({escape(recode.reason)})"
            )
        for note in r.notes:
            console.print(f"  {escape(note)}")


def _print(
    console: Console, profile: Profile, reports: list[CheckReport], findings: list[Finding],
    remedies: list[Remedies], status: str, all_cells: bool, limit: int,
) -> None:  # fmt: skip
    """Readable Korean/English report: outputs, failing cells with reasons, findings, remedies."""
    console.print(_overview(profile, reports))
    for report in reports:
        table, more = _cells_table(report, all_cells, limit)
        if table is not None:
            console.print(table)
        if more:
            console.print(f"… 칸 {more:,}개 더 / {more:,} more cells (--limit, --json)")
        for note in report.notes:
            console.print(f"[yellow]참고 note[/] {escape(report.name)}: {escape(note)}")
    if findings:
        _print_findings(console, findings)
    if remedies:
        _print_remedies(console, remedies)
    code = EXIT_PASS if status == "pass" else EXIT_FLAGGED
    console.print(f"결과 / result: {STATUS_TEXT[status]} (exit {code})")
