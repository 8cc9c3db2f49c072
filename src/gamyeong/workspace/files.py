"""A project workspace's files on disk (작업공간 파일), under ``GAMYEONG_WORKSPACES_DIR/<code>/``:

* ``files/`` — the project's data in every format of the room's tools and its codebook
  (made by :func:`gamyeong.engine.workspace.materialisation`), read-only for analysis jobs;
* ``files/dummy/`` — the synthetic look-alike the researcher may take outside;
* ``outputs/`` — what the jobs write, waiting for export review;
* ``jobs/<id>/`` — each job's script and log.

No view serves ``files/`` or ``outputs/``: the portal lists them (names, sizes, SHA-256) and
serves only the dummy data.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from gamyeong.catalog.models import Item
from gamyeong.engine.errors import EngineError
from gamyeong.engine.workspace import Codebook, materialise, write_dummy
from gamyeong.governance import audit
from gamyeong.workspace.models import Workspace

logger = logging.getLogger(__name__)
DUMMY_ROWS = 1000


def root(workspace: Workspace) -> Path:
    return Path(settings.GAMYEONG_WORKSPACES_DIR) / workspace.code


def files_dir(workspace: Workspace) -> Path:
    return root(workspace) / "files"


def data_dir(workspace: Workspace) -> Path:
    return files_dir(workspace) / "data"


def dummy_dir(workspace: Workspace) -> Path:
    return files_dir(workspace) / "dummy"


def outputs_dir(workspace: Workspace) -> Path:
    return root(workspace) / "outputs"


def jobs_dir(workspace: Workspace) -> Path:
    return root(workspace) / "jobs"


def inputs(workspace: Workspace) -> dict[str, Path]:
    """The project's data: each run's output (named after its dataset) or the combined data."""
    from gamyeong.processing.services import output_path

    found: dict[str, Path] = {}
    application: Any = workspace.application
    for run in application.runs.select_related("policy__dataset"):
        found[run.policy.dataset.name] = output_path(run)
    if application.combination is not None:
        from gamyeong.combination.agency_work import COMBINED_FILE
        from gamyeong.combination.stores import project_store

        found["combined"] = project_store(application.combination).inbox / COMBINED_FILE
    return found


def _column(item: Item | None, name: str) -> dict[str, Any]:
    if item is None:  # a column the pseudonymization or combination made (combined_id …)
        identifier = name.endswith("_id")
        return {
            "name": name,
            "label_ko": name,
            "label_en": name,
            "item_class": "direct_identifier" if identifier else "other",
            "type": "string",
        }
    return {
        "name": name,
        "label_ko": item.label_ko,
        "label_en": item.label_en,
        "item_class": item.item_class,
        "type": item.data_type,
    }


def codebook(workspace: Workspace, sources: dict[str, Path]) -> Codebook:
    """The codebook of the workspace's datasets from the catalog's items (labels, classes)."""
    import pyarrow.parquet as pq

    application: Any = workspace.application
    items = {
        row.item.name: row.item
        for row in application.items.filter(approved=True).select_related("item")
    }
    datasets = []
    for name, path in sources.items():
        columns = [_column(items.get(column), column) for column in pq.read_schema(path).names]
        datasets.append({"name": name, "columns": columns})
    return Codebook.from_dicts(datasets)


def make_files(workspace: Workspace) -> Workspace:
    """Materialise the workspace's data and dummy data; record the manifest (or the error)."""
    sources = inputs(workspace)
    try:
        missing = [str(p) for p in sources.values() if not p.is_file()]
        if not sources or missing:
            raise EngineError(
                f"작업공간에 넣을 데이터가 없습니다: {', '.join(missing) or '-'}",
                f"the workspace's data is missing: {', '.join(missing) or '-'}",
            )
        book = codebook(workspace, sources)
        manifest = materialise(sources, files_dir(workspace), book)
        dummy = write_dummy(sources, files_dir(workspace), book, rows=DUMMY_ROWS, seed=workspace.pk)
    except EngineError as exc:
        workspace.materialise_error = f"{exc.korean} ({exc.english})"
        workspace.save(update_fields=["materialise_error"])
        logger.warning("workspace %s: %s", workspace.code, exc.english)
        return workspace
    outputs_dir(workspace).mkdir(parents=True, exist_ok=True)
    workspace.files = {"data": manifest.as_dict(), "dummy": dummy.as_dict()}
    workspace.materialised_at = timezone.now()
    workspace.materialise_error = ""
    workspace.save(update_fields=["files", "materialised_at", "materialise_error"])
    audit.record(
        "workspace.files_made",
        actor="system:workspace",
        target=workspace,
        summary=f"{workspace.code}: {', '.join(sources)}",
        detail={
            "datasets": sorted(sources),
            "files": len(workspace.files["data"].get("files", [])),
        },
    )
    return workspace


def outputs(workspace: Workspace) -> list[dict[str, Any]]:
    """The files in ``outputs/`` (name, size), waiting for export review."""
    base = outputs_dir(workspace)
    if not base.is_dir():
        return []
    return [
        {"name": str(p.relative_to(base)), "size": p.stat().st_size}
        for p in sorted(base.rglob("*"))
        if p.is_file()
    ]
