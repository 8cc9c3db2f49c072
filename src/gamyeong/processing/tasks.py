"""Background jobs (django-tasks with the database backend; `gamyeong worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_pseudonymization(run_id: int) -> str:
    from gamyeong.processing.services import execute_run

    return execute_run(run_id).status
