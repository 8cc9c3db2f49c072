"""Atomic file writes: write a temporary file beside the target, flush it, then rename it into
place, so a reader never sees half a file and an interrupted write leaves the old file (or none)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_bytes(path: Path, data: bytes | Iterable[bytes], *, mode: int = 0o600) -> int:
    """Write ``data`` (bytes or chunks) to ``path`` atomically; return the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in [data] if isinstance(data, bytes | bytearray) else data:
                out.write(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return written
