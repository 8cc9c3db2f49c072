"""The project workspace's files (작업공간 파일): a project's data materialised in the formats
the closed analysis room's tools read, with its codebook, and the dummy data a researcher may
take outside. See ``docs/workspace-files.md``.

- :class:`Codebook` (from the synthetic manifest or from plain dicts), :func:`conform`
- :func:`materialise` → :class:`WorkspaceManifest`
- :func:`make_dummy`, :func:`write_dummy`
"""

from gamyeong.engine.workspace.codebook import (
    Codebook,
    CodebookColumn,
    DatasetCodebook,
    ValueLabel,
    conform,
)
from gamyeong.engine.workspace.dummy import make_dummy, write_dummy
from gamyeong.engine.workspace.manifest import WorkspaceFile, WorkspaceManifest
from gamyeong.engine.workspace.materialisation import FORMATS, materialise

__all__ = [
    "FORMATS",
    "Codebook",
    "CodebookColumn",
    "DatasetCodebook",
    "ValueLabel",
    "WorkspaceFile",
    "WorkspaceManifest",
    "conform",
    "make_dummy",
    "materialise",
    "write_dummy",
]
