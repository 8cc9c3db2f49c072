"""Analysis jobs (분석 작업): a researcher's Python or R script, run by the worker in the
bubblewrap sandbox (:mod:`gamyeong.runner`) against the workspace's data (read-only), writing
only into the workspace's ``outputs/``, within the limits of the settings. The one place that
submits, runs, cancels and re-runs jobs; every step audited.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gamyeong.engine import atomic
from gamyeong.errors import BilingualError
from gamyeong.governance import audit
from gamyeong.runner import jobs as runner
from gamyeong.runner.errors import RunnerError
from gamyeong.runner.limits import Limits, MiB
from gamyeong.runner.sandbox import JobSpec
from gamyeong.workspace import files
from gamyeong.workspace.bookings import workspaces_of
from gamyeong.workspace.models import AnalysisJob, Workspace

logger = logging.getLogger(__name__)
MAX_SCRIPT = 200_000
SUFFIX = {AnalysisJob.Language.PYTHON: ".py", AnalysisJob.Language.R: ".R"}
Status = AnalysisJob.Status


class JobError(BilingualError):
    pass


def limits() -> Limits:
    return Limits(
        cpu_seconds=int(settings.GAMYEONG_JOB_CPU_SECONDS),
        wall_seconds=int(settings.GAMYEONG_JOB_WALL_SECONDS),
        memory_bytes=int(settings.GAMYEONG_JOB_MEMORY_MB) * MiB,
        processes=int(settings.GAMYEONG_JOB_PROCESSES),
        output_bytes=int(settings.GAMYEONG_JOB_OUTPUT_MB) * MiB,
    )


def may_run(user: Any, workspace: Workspace) -> bool:
    return bool(user.has_perm("workspace.run_analysis")) and (
        workspaces_of(user).filter(pk=workspace.pk).exists()
    )


def job_dir(job: AnalysisJob) -> Path:
    return files.jobs_dir(job.workspace) / str(job.pk)


def log_path(job: AnalysisJob) -> Path:
    return job_dir(job) / "log.txt"


def submit(
    user: Any, workspace: Workspace, *, language: str, name: str, script: str
) -> AnalysisJob:
    if not may_run(user, workspace):
        raise PermissionDenied("not a researcher of this project")
    if language not in AnalysisJob.Language.values:
        raise JobError(f"알 수 없는 언어입니다: {language}", f"unknown language: {language}")
    if not script.strip():
        raise JobError("스크립트가 비어 있습니다", "the script is empty")
    if len(script) > MAX_SCRIPT:
        raise JobError(
            f"스크립트가 너무 깁니다 (최대 {MAX_SCRIPT}자)",
            f"the script is too long (at most {MAX_SCRIPT} characters)",
        )
    if workspace.materialised_at is None:
        raise JobError(
            "작업공간의 데이터가 아직 준비되지 않았습니다", "the workspace's data is not ready yet"
        )
    with transaction.atomic():
        job = AnalysisJob.objects.create(
            workspace=workspace,
            researcher=user,
            language=language,
            name=(name or "script").strip()[:100],
            script=script.replace("\r\n", "\n"),
        )
        audit.record(
            "workspace.job_submitted",
            actor=user,
            target=workspace,
            summary=f"{workspace.code} #{job.pk} {job.name} ({language})",
            detail={"job": job.pk, "language": language},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from gamyeong.workspace.tasks import run_analysis_job

    run_analysis_job.enqueue(job_id)


def rerun(user: Any, job: AnalysisJob) -> AnalysisJob:
    if job.pending:
        raise JobError("아직 끝나지 않은 작업입니다", "the job has not finished")
    again = submit(user, job.workspace, language=job.language, name=job.name, script=job.script)
    AnalysisJob.objects.filter(pk=again.pk).update(rerun_of=job)
    return again


def cancel(user: Any, job: AnalysisJob) -> AnalysisJob:
    """Ask a job to stop: a queued one never starts; a running one's sandbox is killed."""
    if not may_run(user, job.workspace):
        raise PermissionDenied("not a researcher of this project")
    with transaction.atomic():
        current = AnalysisJob.objects.select_for_update().get(pk=job.pk)
        if not current.pending:
            raise JobError("이미 끝난 작업입니다", "the job has already finished")
        current.cancel_requested = True
        if current.status == Status.QUEUED:
            current.status, current.finished_at = Status.CANCELLED, timezone.now()
        current.save(update_fields=["cancel_requested", "status", "finished_at"])
        audit.record(
            "workspace.job_cancel_requested",
            actor=user,
            target=job.workspace,
            summary=f"{job.workspace.code} #{job.pk}",
            detail={"job": job.pk},
        )
    if current.status == Status.RUNNING and current.pgid:
        runner.cancel(current.pgid)
    return current


def execute(job_id: int) -> AnalysisJob:
    """Run a queued job (the worker's part) and record how it ended."""
    with transaction.atomic():
        job = AnalysisJob.objects.select_for_update().select_related("workspace").get(pk=job_id)
        if job.status != Status.QUEUED:
            return job
        job.status, job.started_at = Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    workspace = job.workspace
    folder = job_dir(job)
    script = folder / f"script{SUFFIX[AnalysisJob.Language(job.language)]}"
    atomic.write_bytes(script, job.script.encode("utf-8"), mode=0o644)
    spec = JobSpec(
        script=script,
        language=job.language,  # type: ignore[arg-type]
        data_dir=files.files_dir(workspace),
        outputs_dir=files.outputs_dir(workspace),
        log_path=log_path(job),
        limits=limits(),
    )
    before = {entry["name"] for entry in files.outputs(workspace)}
    try:
        running = runner.start(spec)
    except RunnerError as exc:
        return _finish(job, Status.FAILED, error=(exc.korean, exc.english))
    AnalysisJob.objects.filter(pk=job.pk).update(pgid=running.pgid)
    audit.record(
        "workspace.job_started",
        actor=job.researcher,
        target=workspace,
        summary=f"{workspace.code} #{job.pk} {job.name}",
        detail={
            "job": job.pk,
            "files_readable": sorted(
                f["path"] for f in workspace.files.get("data", {}).get("files", [])
            ),
        },
    )
    if AnalysisJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
        runner.cancel(running)
    result = runner.wait(running)
    made = sorted({entry["name"] for entry in files.outputs(workspace)} - before)
    status = Status.CANCELLED if result.status == "cancelled" else Status(result.status)
    return _finish(
        job,
        status,
        exit_code=result.exit_code,
        cpu=result.cpu_seconds,
        wall=result.wall_seconds,
        outputs=made,
        error=(result.message_ko, result.message_en) if status != Status.SUCCEEDED else None,
    )


def _finish(
    job: AnalysisJob,
    status: str,
    *,
    exit_code: int | None = None,
    cpu: float | None = None,
    wall: float | None = None,
    outputs: list[str] | None = None,
    error: tuple[str, str] | None = None,
) -> AnalysisJob:
    job.status, job.finished_at = status, timezone.now()
    job.exit_code, job.cpu_seconds, job.wall_seconds = exit_code, cpu, wall
    job.outputs = outputs or []
    job.error_ko, job.error_en = error or ("", "")
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "exit_code",
            "cpu_seconds",
            "wall_seconds",
            "outputs",
            "error_ko",
            "error_en",
        ]
    )
    audit.record(
        "workspace.job_finished",
        actor=job.researcher,
        target=job.workspace,
        summary=f"{job.workspace.code} #{job.pk}: {status}",
        detail={"job": job.pk, "status": status, "outputs": job.outputs},
    )
    return job


def recover_interrupted_jobs() -> int:
    """Mark jobs left running by a stopped worker as interrupted (they can be re-run)."""
    stale = list(AnalysisJob.objects.filter(status=Status.RUNNING))
    for job in stale:
        if job.pgid and runner.is_running(job.pgid):
            runner.cancel(job.pgid)
        _finish(
            job,
            Status.INTERRUPTED,
            error=(
                "작업자가 멈춰 작업이 중단되었습니다. 다시 실행하세요.",
                "the job was interrupted when the worker stopped; run it again",
            ),
        )
    return len(stale)


def log_tail(job: AnalysisJob, limit: int = 64_000) -> str:
    path = log_path(job)
    if not path.is_file():
        return ""
    data = path.read_bytes()
    return data[-limit:].decode("utf-8", errors="replace")
