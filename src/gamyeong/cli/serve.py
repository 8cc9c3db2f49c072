from __future__ import annotations

import subprocess
import sys

import typer
from rich.console import Console

from gamyeong.cli.django_setup import check_database, check_migrations, setup_django
from gamyeong.cli.errors import fail


def serve(
    host: str = typer.Option("127.0.0.1", help="주소 (address to listen on)"),
    port: int = typer.Option(8000, help="포트 (port)", min=1, max=65535),
    threads: int = typer.Option(8, help="요청 처리 스레드 수 (worker threads)", min=1),
    background: bool = typer.Option(
        True, "--worker/--no-worker", help="백그라운드 작업자도 함께 실행 (also run the job worker)"
    ),
) -> None:
    """포털을 실행합니다: 데이터베이스를 확인한 뒤 http://HOST:PORT 에서 서비스합니다.

    Serve the gamyeong portal (waitress, static files by WhiteNoise) after checking that the
    database is reachable and migrated, with the background job worker beside it.
    """
    setup_django()
    check_database()
    check_migrations()
    from waitress import serve as waitress_serve

    from gamyeong.conf.wsgi import application

    Console().print(f"[bold]gamyeong[/] → http://{host}:{port}/  (Ctrl+C 로 종료 / Ctrl+C to stop)")
    job_worker = _start_worker() if background else None
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="gamyeong")
    except OSError as exc:
        fail(
            f"{host}:{port} 에서 서비스를 시작할 수 없습니다 ({exc})",
            f"cannot listen on {host}:{port} ({exc})",
        )
    finally:
        if job_worker is not None:
            job_worker.terminate()
            job_worker.wait(timeout=10)


def _start_worker() -> subprocess.Popen[bytes]:
    """The job worker as a child process (same settings, same database)."""
    return subprocess.Popen([sys.executable, "-m", "gamyeong", "worker"])
