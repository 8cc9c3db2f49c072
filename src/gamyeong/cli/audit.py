from __future__ import annotations

import typer
from rich.console import Console

from gamyeong.cli.django_setup import check_database, setup_django

app = typer.Typer(
    help="감사 기록(해시 체인)을 점검합니다. Check the tamper-evident audit trail.",
    no_args_is_help=True,
)


@app.command("verify")
def verify(
    database: str = typer.Option(
        "default",
        "--database",
        help="감사 기록의 데이터베이스: default(포털) 또는 kma(결합키관리기관) "
        "(the trail's database: default, the portal's; kma, the key-management agency's)",
    ),
) -> None:
    """해시 체인을 처음부터 검증하고, 수정·삽입·삭제된 첫 기록을 알려 줍니다.

    Verify the audit trail's hash chain and report the first edited, inserted or deleted event.
    Exits with status 1 when the chain is broken. --database kma verifies the key-management
    agency's own trail.
    """
    setup_django()
    check_database(database)
    from gamyeong.governance.audit import verify_chain

    console = Console(highlight=False)
    report = verify_chain(using=database)
    if report.ok:
        console.print(
            f"[green]정상[/]: 감사 기록 {report.events_checked}건의 해시 체인이 온전합니다.\n"
            f"[green]ok[/]: the hash chain of {report.events_checked} audit events is intact."
        )
        return
    problem = report.problem
    assert problem is not None
    console.print(
        f"[bold red]훼손 발견[/] ({problem.kind}, #{problem.seq}): {problem.message_ko}\n"
        f"[bold red]tampering found[/] ({problem.kind}, #{problem.seq}): {problem.message_en}\n"
        f"검사한 기록 / events checked before it: {report.events_checked}"
    )
    raise typer.Exit(1)
