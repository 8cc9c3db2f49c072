"""Writing the generated files without ever leaving half-written output.

Everything is written into a fresh temporary directory beside the destination, hashed, and only
then moved into place file by file with ``os.replace`` (atomic on one file system). The manifest
goes last, so a manifest always describes complete files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.synth.errors import SynthError


def prepare_output(out: Path) -> None:
    """Create ``out`` (and parents) or explain why it cannot be used, before any work is done."""
    if out.exists() and not out.is_dir():
        raise SynthError(
            f"출력 경로가 디렉터리가 아닙니다: {out}", f"output path is not a directory: {out}"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SynthError(
            f"출력 디렉터리에 쓸 수 없습니다: {out} ({reason})",
            f"cannot write to the output directory {out} ({reason})",
        ) from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Staging:
    """A temporary directory whose files are published into the destination at the end."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = Path(tempfile.mkdtemp(prefix=".synth-", dir=out))
        self.files: list[str] = []

    def write_parquet(self, frame: pl.DataFrame, relative: str) -> str:
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="zstd", statistics=True)
        self.files.append(relative)
        return sha256_file(path)

    def publish(self, manifest: dict[str, Any], manifest_name: str = "manifest.json") -> None:
        for relative in self.files:
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            (self.dir / relative).replace(target)
        staged = self.dir / manifest_name
        staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
        staged.replace(self.out / manifest_name)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def staging(out: Path) -> Iterator[Staging]:
    stage = Staging(out)
    try:
        yield stage
    finally:
        stage.discard()
