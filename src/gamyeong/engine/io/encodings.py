"""Text encodings of CSV files: names we accept, streaming decode and transcode, error positions.

Korean public data comes as UTF-8 (with or without a byte-order mark) or as CP949/EUC-KR.
CP949 (Microsoft's "Unified Hangul Code", 확장 완성형) is a strict superset of EUC-KR
(KS X 1001 완성형): every EUC-KR file decodes identically as CP949, and CP949 also has the 8,822
syllables EUC-KR lacks (똠, 햏, 뷁 …). So ``euc-kr`` is read with the CP949 codec and reported as
``cp949``.

Everything here streams in fixed-size chunks through ``codecs`` incremental decoders, so memory
stays constant however large the file is.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gamyeong.engine.errors import EngineError

CHUNK = 16 << 20  # 16 MiB: large enough for NumPy to be efficient, small enough to stay modest
BOM = codecs.BOM_UTF8

# What users may type (case-insensitive, '_' and '-' alike) → the codec we read with.
_READ_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf8-sig": "utf-8",
    "cp949": "cp949",
    "ms949": "cp949",
    "uhc": "cp949",
    "euc-kr": "cp949",
    "euckr": "cp949",
}
READ_ENCODINGS = ("utf-8", "utf-8-sig", "cp949", "euc-kr")
WRITE_ENCODINGS = ("utf-8", "utf-8-sig", "cp949")


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def read_codec(name: str | None) -> str | None:
    """The codec (``utf-8`` or ``cp949``) for a user-given encoding name; ``None`` means detect."""
    if name is None:
        return None
    codec = _READ_ALIASES.get(_key(name))
    if codec is None:
        allowed = ", ".join(READ_ENCODINGS)
        raise EngineError(
            f"알 수 없는 인코딩입니다: {name!r} (사용할 수 있는 값: {allowed})",
            f"unknown encoding {name!r} (allowed: {allowed})",
        )
    return codec


def write_codec(name: str) -> str:
    """Validate an output encoding: ``utf-8``, ``utf-8-sig`` (with BOM, for Excel) or ``cp949``."""
    key = {"utf8": "utf-8", "utf8-sig": "utf-8-sig", "ms949": "cp949"}.get(_key(name), _key(name))
    if key not in WRITE_ENCODINGS:
        allowed = ", ".join(WRITE_ENCODINGS)
        raise EngineError(
            f"출력 CSV 인코딩은 {allowed} 중 하나여야 합니다 (받은 값: {name!r})",
            f"the output CSV encoding must be one of {allowed} (got {name!r})",
        )
    return key


def chunks(handle: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """The file's bytes in blocks of ``size``."""
    while block := handle.read(size):
        yield block


class Undecodable(Exception):
    """The file is not valid ``codec`` text at byte ``offset`` (internal; becomes EngineError)."""

    def __init__(self, codec: str, offset: int, sample: bytes) -> None:
        super().__init__(codec, offset)
        self.codec = codec
        self.offset = offset
        self.sample = sample


class StreamDecoder:
    """Decodes a file chunk by chunk, remembering absolute offsets for error messages."""

    def __init__(self, codec: str) -> None:
        self.codec = codec
        self._decoder = codecs.getincrementaldecoder(codec)("strict")
        self._offset = 0

    def decode(self, chunk: bytes, *, final: bool = False) -> str:
        end = self._offset + len(chunk)
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            # exc.object is the decoder's pending bytes followed by ``chunk``.
            offset = end - len(exc.object) + exc.start
            sample = bytes(exc.object[exc.start : exc.start + 4])
            raise Undecodable(self.codec, offset, sample) from None
        self._offset = end
        return text


@dataclass(frozen=True)
class Position:
    """Where a byte offset is, as a text editor shows it (both 1-based; column counts bytes)."""

    line: int
    column: int


def locate(path: Path, offset: int) -> Position:
    """Line and byte column of ``offset`` in ``path``, by streaming (used on error paths only)."""
    line, line_start, done = 1, 0, 0
    with path.open("rb") as handle:
        for block in chunks(handle):
            block = block[: offset - done]
            newlines = block.count(b"\n")
            if newlines:
                line += newlines
                line_start = done + block.rindex(b"\n") + 1
            done += len(block)
            if done >= offset:
                break
    return Position(line, offset - line_start + 1)


def hex_bytes(sample: bytes) -> str:
    return " ".join(f"0x{byte:02X}" for byte in sample)


def undecodable_error(path: Path, failures: list[Undecodable], *, explicit: bool) -> EngineError:
    """One message for one or more failed decodings, naming line, column and the bad bytes."""
    parts_ko, parts_en = [], []
    for failure in failures:
        where = locate(path, failure.offset)
        name = "UTF-8" if failure.codec == "utf-8" else "CP949"
        sample = hex_bytes(failure.sample)
        parts_ko.append(
            f"{name}(으)로는 {where.line}번째 줄 {where.column}번째 바이트"
            f"(파일 위치 {failure.offset}, {sample})를 읽을 수 없습니다"
        )
        parts_en.append(
            f"as {name} it cannot be read at line {where.line}, byte {where.column}"
            f" (file offset {failure.offset}, {sample})"
        )
    if explicit:
        hint_ko = "다른 인코딩을 --encoding으로 지정하세요 (utf-8, cp949)"
        hint_en = "give the right one with --encoding (utf-8, cp949)"
    else:
        hint_ko = "파일의 인코딩을 --encoding으로 지정하세요 (utf-8, cp949, euc-kr)"
        hint_en = (
            "the encoding could not be detected; give it with --encoding (utf-8, cp949, euc-kr)"
        )
    return EngineError(
        f"{path.name}: {'; '.join(parts_ko)}. {hint_ko}",
        f"{path.name}: {'; '.join(parts_en)}; {hint_en}",
    )
