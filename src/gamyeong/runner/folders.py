"""The host side of a job's directories: checks before it starts, the outputs directory's
preparation and tidying, and its size while the job runs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from gamyeong.runner.errors import RunnerError
from gamyeong.runner.sandbox import JobSpec, privileged, python_dirs

ENTRY_BYTES = 4096  # every file or directory in outputs/ counts at least this much


def check_paths(spec: JobSpec) -> None:
    """Refuse a spec whose script or data is missing or whose directories overlap (the job
    could then write its data, or reach the Python installation); as root, make the data
    readable for the job (:func:`grant_read`)."""
    if not spec.script.is_file():
        raise RunnerError(
            f"스크립트 파일이 없습니다: {spec.script}", f"the script does not exist: {spec.script}"
        )
    if not spec.data_dir.is_dir():
        raise RunnerError(
            f"데이터 폴더가 없습니다: {spec.data_dir}",
            f"the data directory does not exist: {spec.data_dir}",
        )
    data = spec.data_dir.resolve()
    outputs = spec.outputs_dir.resolve()
    log = spec.log_path.resolve()
    for path in (data, outputs):  # never "/", "/srv" or the like
        if len(path.parts) < 3:
            raise RunnerError(
                f"작업 폴더로 쓸 수 없는 경로입니다: {path}",
                f"this path cannot be a job's data or outputs directory: {path}",
            )
    for other in [data, *python_dirs()]:
        if outputs == other or outputs in other.parents or other in outputs.parents:
            raise RunnerError(
                f"결과 폴더({outputs})가 {other}와(과) 겹칩니다. 결과 폴더는 따로 두어야 합니다",
                f"the outputs directory ({outputs}) overlaps {other}; it must stand apart",
            )
    if data in log.parents or outputs in log.parents:
        raise RunnerError(
            f"로그({log})는 데이터 폴더나 결과 폴더 밖에 두어야 합니다",
            f"the log ({log}) must be outside the data and outputs directories",
        )
    if privileged():
        grant_read(data, spec.uid, spec.gid)


def grant_read(data: Path, uid: int, gid: int) -> None:
    """Make every file of the data directory readable, and every directory searchable, by
    the job (``uid``/``gid``, no supplementary groups). Entries it cannot read yet (e.g. mode
    0600, as the workspace writes personal data) are given to group ``gid`` with the group's
    read (and search) bit; the owner stays, "others" get nothing."""
    for path, info in [(data, data.stat()), *_walk(data)]:
        if stat.S_ISLNK(info.st_mode):
            continue
        need = 0o5 if stat.S_ISDIR(info.st_mode) else 0o4
        if info.st_uid == uid:
            bits = info.st_mode >> 6
        elif info.st_gid == gid:
            bits = info.st_mode >> 3
        else:
            bits = info.st_mode
        if bits & need == need:
            continue
        try:
            if info.st_gid != gid:
                os.lchown(path, -1, gid)
            path.chmod(stat.S_IMODE(info.st_mode) | need << 3)
        except OSError as exc:
            raise RunnerError(
                f"분석 작업(uid {uid}, gid {gid})이 데이터를 읽을 수 있게 할 수 없습니다: "
                f"{path} ({exc.strerror})",
                f"cannot make {path} readable for the analysis job (uid {uid}, gid {gid}): "
                f"{exc.strerror}",
            ) from None


def prepare_outputs(spec: JobSpec) -> None:
    """Create the outputs directory and, as root, give it to the job's uid/gid."""
    outputs = spec.outputs_dir
    try:
        outputs.mkdir(parents=True, exist_ok=True, mode=0o700)
        tidy_outputs(outputs.resolve(), (spec.uid, spec.gid) if privileged() else None)
    except OSError as exc:
        raise RunnerError(
            f"결과 폴더를 준비할 수 없습니다: {outputs} ({exc.strerror})",
            f"cannot prepare the outputs directory {outputs} ({exc.strerror})",
        ) from None


def tidy_outputs(root: Path, owner: tuple[int, int] | None) -> list[str]:
    """Delete everything in the outputs directory that is not a regular file or directory
    (symbolic links could point a reviewer at host files; FIFOs would block a reader), drop
    special permission bits (0700 directories, 0600 files) and give the tree to ``owner``.
    Returns the deleted paths, relative to ``root``."""
    removed: list[str] = []
    for path, info in [(root, root.lstat()), *_walk(root)]:
        try:
            if stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode):
                if owner is not None:
                    os.lchown(path, *owner)
                path.chmod(0o700 if stat.S_ISDIR(info.st_mode) else 0o600)
            else:
                path.unlink()
                removed.append(str(path.relative_to(root)))
        except OSError:  # e.g. nested beyond PATH_MAX; see docs/sandbox.md
            continue
    return removed


def outputs_size(root: Path) -> int:
    """What :attr:`Limits.output_bytes` is compared with: sizes plus ENTRY_BYTES per entry."""
    return sum(info.st_size + ENTRY_BYTES for _, info in _walk(root))


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every entry below ``root`` with its ``lstat``, parents before children, never following
    a symbolic link, without recursion (a job may nest directories very deeply)."""
    stack = [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    yield Path(entry.path), info
                    if stat.S_ISDIR(info.st_mode):
                        stack.append(Path(entry.path))
        except OSError:
            continue
