"""Background jobs (django-tasks with the database backend; `gamyeong worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_step(step_id: int) -> str:
    from gamyeong.combination.services import execute_step

    return execute_step(step_id).state
