"""Documents uploaded to an application: checked, named safely and stored outside the web root.

Only PDF, HWP/HWPX, DOCX and XLSX are taken, and only when the content is what the extension
says (a ``.pdf`` must start with ``%PDF-``; HWP is an OLE2 compound file with an HWP header;
HWPX, DOCX and XLSX are ZIP packages with their own main part). The original name is kept only
as a sanitised display name; the file is stored under a random name.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gamyeong.engine import atomic
from gamyeong.errors import BilingualError

ALLOWED = ("pdf", "hwp", "hwpx", "docx", "xlsx")
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
HWP_SIGNATURE = b"HWP Document File"
ZIP_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "hwpx": "Contents/content.hpf",
}
UNSAFE = re.compile(r"[^\w가-힣ㄱ-ㅎㅏ-ㅣ .()\[\]+,-]")


class UploadError(BilingualError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # sanitised display name
    file_type: str  # one of ALLOWED
    size: int
    sha256: str
    content: bytes


def safe_name(original: str) -> str:
    """A display name without directories, control characters or shell/HTML specials."""
    name = unicodedata.normalize("NFC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"_+", "_", name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[:100] or "document"
    return f"{stem}.{ext[:10]}" if ext else stem


def _zip_names(content: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None


def content_matches(file_type: str, content: bytes) -> bool:
    if file_type == "pdf":
        return content.startswith(b"%PDF-")
    if file_type == "hwp":
        head = content[:65536]
        return content.startswith(OLE2) and (
            HWP_SIGNATURE in head or "FileHeader".encode("utf-16-le") in head
        )
    names = _zip_names(content) if content.startswith(b"PK\x03\x04") else None
    return names is not None and ZIP_PARTS[file_type] in names


def check(original_name: str, chunks: Iterable[bytes], *, max_bytes: int) -> CheckedUpload:
    """Read an upload (in chunks, refusing it as soon as it passes ``max_bytes``) and check it."""
    name = safe_name(original_name)
    file_type = name.rpartition(".")[2].lower() if "." in name else ""
    if file_type not in ALLOWED:
        raise UploadError(
            f"허용되지 않는 파일 형식입니다: {name} (허용: {', '.join(ALLOWED)})",
            f"file type not allowed: {name} (allowed: {', '.join(ALLOWED)})",
        )
    digest, parts, size = hashlib.sha256(), [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(
                f"파일이 너무 큽니다: {name} (최대 {max_bytes // (1024 * 1024)} MB)",
                f"file too large: {name} (at most {max_bytes // (1024 * 1024)} MB)",
            )
        digest.update(chunk)
        parts.append(chunk)
    content = b"".join(parts)
    if size == 0:
        raise UploadError(f"빈 파일입니다: {name}", f"the file is empty: {name}")
    if not content_matches(file_type, content):
        raise UploadError(
            f"파일 내용이 확장자({file_type})와 맞지 않습니다: {name}",
            f"the file's content is not a {file_type.upper()} file: {name}",
        )
    return CheckedUpload(name, file_type, size, digest.hexdigest(), content)


def store(upload: CheckedUpload, directory: Path) -> Path:
    """Write the upload under a random name in ``directory`` (atomically) and return the path."""
    target = directory / f"{uuid.uuid4().hex}.{upload.file_type}"
    atomic.write_bytes(target, upload.content)
    return target


def read_stream(stream: IO[bytes], chunk_size: int = 1 << 16) -> Iterable[bytes]:
    while chunk := stream.read(chunk_size):
        yield chunk
