"""Project workspaces: the data materialised on provision, analysis jobs in the sandbox through
the portal (outputs, cancellation, interruption), the processing record, and no route by which
a researcher downloads row-level data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.test import Client
from django.utils import timezone

from gamyeong.governance.models import AuditEvent
from gamyeong.runner.sandbox import available
from gamyeong.workspace import files, jobs
from gamyeong.workspace.models import AnalysisJob, AnalysisRoom, Booking, Workspace
from tests.integration.applications_helpers import World, build_world, provide
from tests.integration.helpers import login

pytestmark = pytest.mark.django_db
SANDBOX = available()
needs_sandbox = pytest.mark.skipif(
    not SANDBOX["sandbox"],
    reason="bubblewrap sandbox not available: " + "; ".join(SANDBOX["problems"]),
)

CROSSTAB = """
import polars as pl
from gamyeong import analysis as ga

people = pl.read_parquet("/workspace/data/data/ssis_persons.parquet")
session = ga.Session()
table = ga.crosstab(people, index="sido_code", columns="sex", unit="person_id")
session.save("sido_by_sex", table)
session.finalise()
print("rows", people.height)
"""


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    settings.GAMYEONG_WORKSPACES_DIR = tmp_path / "workspaces"
    settings.GAMYEONG_JOB_WALL_SECONDS = 60
    return build_world(settings, tmp_path, synth_dir)


@pytest.fixture
def workspace(world: World) -> Workspace:
    ws = Workspace.objects.get(application=provide(world))
    return files.make_files(ws)


def client(world: World, who: str) -> Client:
    c = Client()
    login(c, world.logins[who])
    return c


def run(world: World, ws: Workspace, script: str, language: str = "python") -> AnalysisJob:
    job = jobs.submit(world.researcher, ws, language=language, name="test", script=script)
    return jobs.execute(job.pk)


def test_provision_materialises_the_data_in_every_format(workspace: Workspace) -> None:
    assert workspace.materialised_at is not None, workspace.materialise_error
    names = {f["path"] for f in workspace.files["data"]["files"]}
    for suffix in ("parquet", "csv", "sav", "dta", "xpt", "rds"):
        assert f"data/ssis_persons.{suffix}" in names
    assert {"codebook.ko.md", "codebook.en.md", "codebook.json"} <= names
    frame, meta = pyreadstat.read_sav(str(files.data_dir(workspace) / "ssis_persons.sav"))
    assert len(frame) > 0 and meta.column_names_to_labels["sex"] == "성별"
    dummy = {f["path"] for f in workspace.files["dummy"]["files"]}
    assert "ssis_persons_dummy.parquet" in dummy
    assert AuditEvent.objects.filter(action="workspace.files_made").exists()


@needs_sandbox
def test_a_job_runs_in_the_sandbox_and_its_outputs_wait_for_review(
    world: World, workspace: Workspace
) -> None:
    job = run(world, workspace, CROSSTAB)
    assert job.status == "succeeded", (job.error_en, jobs.log_tail(job))
    assert "sido_by_sex.csv" in job.outputs and "results.json" in job.outputs
    assert (files.outputs_dir(workspace) / "sido_by_sex.csv").is_file()
    assert "rows" in jobs.log_tail(job)
    started = AuditEvent.objects.get(action="workspace.job_started")
    assert "data/ssis_persons.parquet" in started.detail_json  # the files the job could read


@needs_sandbox
def test_an_r_job_runs_too(world: World, workspace: Workspace) -> None:
    if not SANDBOX["rscript"]:
        pytest.skip("Rscript is not installed")
    script = (
        'd <- read.csv("/workspace/data/data/ssis_persons.csv", fileEncoding = "UTF-8-BOM")\n'
        'write.csv(table(d$sex), "/workspace/outputs/sex.csv")\n'
    )
    job = run(world, workspace, script, language="r")
    assert job.status == "succeeded", (job.error_en, jobs.log_tail(job))
    assert job.outputs == ["sex.csv"]


@needs_sandbox
def test_a_job_cannot_reach_the_network_or_write_into_the_data(
    world: World, workspace: Workspace
) -> None:
    script = """
import socket, pathlib
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=2)
    print("NETWORK-OPEN")
except OSError as exc:
    print("network refused", exc)
try:
    pathlib.Path("/workspace/data/data/x.txt").write_text("x")
    print("DATA-WRITABLE")
except OSError as exc:
    print("data read-only", exc)
"""
    job = run(world, workspace, script)
    log = jobs.log_tail(job)
    assert "NETWORK-OPEN" not in log and "DATA-WRITABLE" not in log
    assert not (files.data_dir(workspace) / "x.txt").exists()


@needs_sandbox
def test_limits_stop_a_job_and_cancel_and_interruption_are_recorded(
    world: World, workspace: Workspace, settings: Any
) -> None:
    settings.GAMYEONG_JOB_WALL_SECONDS = 2
    job = run(world, workspace, "import time\nwhile True:\n    time.sleep(0.1)\n")
    assert job.status == "timeout"
    assert job.error_en
    queued = jobs.submit(world.researcher, workspace, language="python", name="q", script="1")
    cancelled = jobs.cancel(world.researcher, queued)
    assert cancelled.status == "cancelled"
    assert jobs.execute(queued.pk).status == "cancelled"  # the worker does not start it
    # a job left running by a stopped worker is marked interrupted and can be run again
    stale = jobs.submit(world.researcher, workspace, language="python", name="s", script="1")
    AnalysisJob.objects.filter(pk=stale.pk).update(status="running")
    assert jobs.recover_interrupted_jobs() == 1
    stale.refresh_from_db()
    assert stale.status == "interrupted"
    again = jobs.rerun(world.researcher, stale)
    assert again.status == "queued" and again.script == "1"


def test_the_log_is_shown_only_in_the_room(world: World, workspace: Workspace) -> None:
    job = jobs.submit(world.researcher, workspace, language="python", name="p", script="print(1)")
    jobs.log_path(job).parent.mkdir(parents=True, exist_ok=True)
    jobs.log_path(job).write_text("ROW-LEVEL-LINE\n")
    c = client(world, "researcher")
    url = f"/rooms/workspaces/{workspace.code}/jobs/{job.pk}/"
    assert "ROW-LEVEL-LINE" not in c.get(url).content.decode()
    operator = world.ssis  # any staff; the check-in is what matters
    Booking.objects.create(
        workspace=workspace,
        researcher=world.researcher,
        seat=AnalysisRoom.objects.get(code="analysis-room").seat_set.get(number=1),
        date=timezone.localdate(),
        half="am",
        checked_in_at=timezone.now(),
        checked_in_by=operator,
    )
    assert "ROW-LEVEL-LINE" in c.get(url).content.decode()
    assert AuditEvent.objects.filter(action="workspace.log_viewed").exists()


def test_no_route_downloads_row_level_data(world: World, workspace: Workspace) -> None:
    """Every way a researcher might try to fetch the project's data from the portal fails; only
    the dummy data (synthetic) can be downloaded."""
    c = client(world, "researcher")
    code = workspace.code
    real = files.data_dir(workspace) / "ssis_persons.csv"
    secret = real.read_bytes()[:200]
    attempts = [
        f"/rooms/workspaces/{code}/dummy/../data/ssis_persons.csv",
        f"/rooms/workspaces/{code}/dummy/..%2Fdata%2Fssis_persons.csv",
        f"/rooms/workspaces/{code}/dummy/%2E%2E/data/ssis_persons.parquet",
        f"/rooms/workspaces/{code}/dummy/{real}",
        f"/rooms/workspaces/{code}/dummy/codebook.json/../../data/ssis_persons.sav",
        f"/rooms/workspaces/{code}/data/ssis_persons.csv",
        f"/rooms/workspaces/{code}/files/data/ssis_persons.csv",
        f"/rooms/workspaces/{code}/outputs/",
        f"/static/../{real.relative_to(real.anchor)}",
        "/static/%2e%2e/%2e%2e/var/data/workspaces/",
        f"/media/workspaces/{code}/files/data/ssis_persons.csv",
        f"/api/workspaces/{code}/files",
        f"/api/applications/{workspace.application.reference}/documents/../../../data",
        f"/admin/workspace/workspace/{workspace.pk}/change/",
    ]
    for url in attempts:
        response = c.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert response.status_code in (301, 302, 400, 403, 404), (url, response.status_code)
        assert secret not in body, url
    # the dummy data is the one download, and it is not the real data
    dummy = c.get(f"/rooms/workspaces/{code}/dummy/ssis_persons_dummy.csv")
    assert dummy.status_code == 200
    assert b"".join(dummy.streaming_content) != real.read_bytes()  # type: ignore[attr-defined]
    # another project's researcher gets nothing, not even the dummy data
    other = client(world, "outsider")
    assert other.get(f"/rooms/workspaces/{code}/").status_code == 404
    assert other.get(f"/rooms/workspaces/{code}/dummy/ssis_persons_dummy.csv").status_code == 404


def test_the_processing_record_lists_purpose_items_period_and_use(
    world: World, workspace: Workspace
) -> None:
    c = client(world, "researcher")
    page = c.get(f"/rooms/workspaces/{workspace.code}/record/").content.decode()
    assert workspace.application.purpose in page
    assert "ssis_persons.sex" in page and "workspace.files_made" in page
    assert (
        client(world, "keis").get(f"/rooms/workspaces/{workspace.code}/record/").status_code == 404
    )


def test_the_workspace_page_lists_but_never_links_the_data(
    world: World, workspace: Workspace
) -> None:
    page = client(world, "researcher").get(f"/rooms/workspaces/{workspace.code}/").content.decode()
    assert "data/ssis_persons.sav" in page
    assert 'href="/rooms/workspaces/' + workspace.code + '/dummy/ssis_persons_dummy.csv"' in page
    assert 'data/ssis_persons.sav"' not in page  # listed as text, not as a link
    assert timedelta(0) <= timezone.now() - workspace.materialised_at  # type: ignore[operator]


@needs_sandbox
def test_a_researcher_runs_a_job_through_the_pages(world: World, workspace: Workspace) -> None:
    c = client(world, "researcher")
    response = c.post(
        f"/rooms/workspaces/{workspace.code}/",
        {"language": "python", "name": "첫 분석", "script": "print('hello')"},
    )
    job = AnalysisJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.pk}/")
    jobs.execute(job.pk)  # the worker's part
    page = c.get(f"/rooms/workspaces/{workspace.code}/jobs/{job.pk}/").content.decode()
    assert 'data-status="succeeded"' in page
    rerun = c.post(f"/rooms/workspaces/{workspace.code}/jobs/{job.pk}/rerun/")
    assert rerun.status_code == 302 and AnalysisJob.objects.count() == 2
    cancel = c.post(f"/rooms/workspaces/{workspace.code}/jobs/{job.pk + 1}/cancel/")
    assert cancel.status_code == 302
    assert AnalysisJob.objects.get(pk=job.pk + 1).status == "cancelled"
    # another project's researcher can neither see nor run
    other = client(world, "outsider")
    assert (
        other.post(
            f"/rooms/workspaces/{workspace.code}/", {"language": "python", "script": "1"}
        ).status_code
        == 404
    )
    assert AnalysisJob.objects.count() == 2
