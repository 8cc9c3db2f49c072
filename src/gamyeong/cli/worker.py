from __future__ import annotations

from gamyeong.cli.django_setup import check_database, check_migrations, setup_django


def worker() -> None:
    """백그라운드 작업(가명처리 등)을 실행하는 작업자를 띄웁니다.

    Run the background worker that executes queued jobs (pseudonymization runs and the like).
    Runs left unfinished by a previous worker are marked as interrupted first, so they can be run
    again. `gamyeong serve` starts one by default.
    """
    setup_django()
    check_database()
    check_migrations()
    from django.core.management import call_command

    from gamyeong.combination.services import recover_interrupted_steps
    from gamyeong.processing.services import recover_interrupted_runs
    from gamyeong.workspace.jobs import recover_interrupted_jobs

    recover_interrupted_runs()
    recover_interrupted_steps()
    recover_interrupted_jobs()
    call_command("db_worker", "--interval", "1")
