"""What a materialisation wrote: each file with its format, SHA-256, size, rows and columns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gamyeong.engine.errors import EngineError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class WorkspaceFile:
    path: str  # relative to the workspace folder, with "/" separators
    format: str  # parquet | csv | csv-cp949 | sav | dta | xpt | rds | r-script | sas-script | …
    sha256: str
    size: int
    dataset: str | None = None
    rows: int | None = None
    columns: int | None = None


@dataclass(frozen=True)
class WorkspaceManifest:
    root: Path
    files: tuple[WorkspaceFile, ...]
    dummy: bool = False

    def file(self, path: str) -> WorkspaceFile:
        for entry in self.files:
            if entry.path == path:
                return entry
        raise EngineError(
            f"작업공간 목록에 {path} 파일이 없습니다", f"the workspace manifest has no file {path}"
        )

    def for_dataset(self, name: str) -> list[WorkspaceFile]:
        return [entry for entry in self.files if entry.dataset == name]

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": "gamyeong workspace",
            "dummy": self.dummy,
            "files": [asdict(entry) for entry in self.files],
        }
