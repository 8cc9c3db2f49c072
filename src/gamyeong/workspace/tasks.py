"""Background jobs (django-tasks with the database backend; `gamyeong worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def make_workspace_files(workspace_id: int) -> str:
    from gamyeong.workspace.files import make_files
    from gamyeong.workspace.models import Workspace

    workspace = make_files(Workspace.objects.get(pk=workspace_id))
    return "ok" if workspace.materialised_at else "failed"


@task()
def run_analysis_job(job_id: int) -> str:
    from gamyeong.workspace.jobs import execute

    return execute(job_id).status
