"""All-or-nothing writes of a set of files: a staging folder, then renames into place.

Every file of a materialisation is first written into a hidden staging folder inside the
destination (``.gamyeong-staging-*``, same file system). Only when all of them are written,
flushed (``fsync``) and hashed are they renamed over their destinations one by one, the
``manifest.json`` last; files that the previous manifest listed and the new one does not are
then removed. A failure while writing — a bad value, a full disk, a bug in a writer — removes the
staging folder and leaves the previous materialisation exactly as it was. (Only a crash in the
middle of the renames themselves, which are metadata operations on one file system, could
leave a mix of old and new files; the next run replaces them all.)

A lock on the destination folder (``flock``) keeps two materialisations of the same folder from
interleaving; a staging folder left by a killed process is removed by the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gamyeong.engine.errors import EngineError
from gamyeong.engine.workspace.manifest import MANIFEST_NAME, WorkspaceFile, WorkspaceManifest

STAGING_PREFIX = ".gamyeong-staging-"
FILE_MODE = 0o600  # the data is personal data, even pseudonymized: owner only, as io.writers


class Stage:
    """The staging folder of one run; :meth:`add` records a finished file, :meth:`commit`
    moves them all into place."""

    def __init__(self, root: Path, directory: Path, *, dummy: bool) -> None:
        self.root = root
        self.directory = directory
        self.dummy = dummy
        self.files: list[WorkspaceFile] = []

    def path(self, relative: str) -> Path:
        target = self.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add(
        self,
        relative: str,
        fmt: str,
        *,
        dataset: str | None = None,
        rows: int | None = None,
        columns: int | None = None,
    ) -> WorkspaceFile:
        path = self.directory / relative
        path.chmod(FILE_MODE)
        digest, size = sync_and_hash(path)
        entry = WorkspaceFile(relative, fmt, digest, size, dataset, rows, columns)
        self.files.append(entry)
        return entry

    def write_text(
        self, relative: str, text: str, fmt: str, *, dataset: str | None = None
    ) -> WorkspaceFile:
        self.path(relative).write_text(text, encoding="utf-8", newline="\n")
        return self.add(relative, fmt, dataset=dataset)

    def commit(self) -> WorkspaceManifest:
        manifest = WorkspaceManifest(self.root, tuple(self.files), self.dummy)
        text = json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n"
        staged_manifest = self.path(MANIFEST_NAME)
        staged_manifest.write_text(text, encoding="utf-8")
        staged_manifest.chmod(FILE_MODE)
        sync_and_hash(staged_manifest)
        previous = _previous_files(self.root)
        touched: set[Path] = set()
        for entry in [*self.files, WorkspaceFile(MANIFEST_NAME, "manifest", "", 0)]:
            target = self.root / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            (self.directory / entry.path).replace(target)
            touched.add(target.parent)
        for directory in touched:
            sync_directory(directory)
        for stale in previous - {entry.path for entry in self.files}:
            (self.root / stale).unlink(missing_ok=True)
        return manifest


@contextlib.contextmanager
def staged(root: Path, *, dummy: bool = False) -> Iterator[Stage]:
    """A :class:`Stage` in ``root``; its folder is removed however the block ends, and an
    ``OSError`` inside becomes an :class:`EngineError` naming ``root``."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(
            f"작업공간 폴더를 만들 수 없습니다: {root} ({exc.strerror})",
            f"cannot create the workspace folder {root} ({exc.strerror})",
        ) from None
    with _locked(root):
        for leftover in root.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        directory = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        try:
            yield Stage(root, directory, dummy=dummy)
        except OSError as exc:  # a full disk, a permission: nothing of this run is kept
            raise EngineError(
                f"작업공간 {root}에 쓰지 못했습니다. 이전 파일은 그대로입니다 ({exc})",
                f"could not write the workspace {root}; the previous files are unchanged ({exc})",
            ) from exc
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    if sys.platform == "win32":  # no flock; one materialiser per folder is then the caller's job
        yield
        return
    import fcntl

    handle = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _previous_files(root: Path) -> set[str]:
    """Files the previous manifest in ``root`` listed (only plain paths inside ``root``)."""
    try:
        listed = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
        paths = {str(entry["path"]) for entry in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {
        p for p in paths if not Path(p).is_absolute() and ".." not in Path(p).parts and p.strip()
    }


def sync_and_hash(path: Path) -> tuple[str, int]:
    """fsync ``path``; return its SHA-256 and size (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def sync_directory(directory: Path) -> None:
    """Make renames into ``directory`` durable (POSIX); elsewhere this does nothing."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
