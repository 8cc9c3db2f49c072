"""Preparing a CSV/TSV file for Polars: sniff, check the header, detect the encoding, transcode,
and check every record's field count — in one streaming pass per candidate encoding.

The pass reads the file in 16 MiB chunks. Each chunk is decoded with an incremental decoder (and,
for CP949, re-encoded as UTF-8 into a private temporary file, because Polars reads only UTF-8),
and :class:`RecordScanner` checks the same bytes. Memory stays constant. (Decoding on a worker
thread was measured and gained nothing: both halves mostly hold the GIL.)

Encoding detection (``encoding=None``): a file with a UTF-8 byte-order mark is UTF-8. Otherwise
UTF-8 is tried first — a CP949 file with Korean text is practically never valid UTF-8, and the
attempt fails at its first Korean character, so it costs little — then CP949.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io.csv_scan import RecordScanner, StructureError, Summary
from gamyeong.engine.io.encodings import (
    BOM,
    StreamDecoder,
    Undecodable,
    chunks,
    read_codec,
    undecodable_error,
)
from gamyeong.engine.io.sniff import HEAD, kind_of, read_head

_QUOTED = re.compile(rb'"[^"]*"')


@dataclass(frozen=True)
class PreparedCsv:
    path: Path  # a UTF-8 file for Polars: the source itself or a transcoded copy
    encoding: str  # what the source was: "utf-8", "utf-8-sig" or "cp949"
    delimiter: str
    columns: list[str]  # as parsed from the header
    summary: Summary


def prepare_csv(path: Path, encoding: str | None, workdir: Path) -> PreparedCsv:
    """Check ``path`` and return a UTF-8 file Polars can scan, or raise :class:`EngineError`."""
    codec = read_codec(encoding)
    head = read_head(path)
    _check_text(path, head)
    bom = head.startswith(BOM)
    skip = len(BOM) if bom and codec != "cp949" else 0
    delimiter = sniff_delimiter(head[skip:])
    columns = header_names(head[skip:], delimiter, codec)
    check_names(path, columns)
    candidates = [codec] if codec else (["utf-8"] if bom else ["utf-8", "cp949"])
    failures: list[Undecodable] = []
    for candidate in candidates:
        try:
            target, summary = _stream(path, candidate, delimiter, skip, workdir)
        except Undecodable as failure:
            failures.append(failure)
            continue
        except StructureError as problem:
            raise structure_error(path, problem, delimiter) from None
        name = "utf-8-sig" if skip else candidate
        return PreparedCsv(target, name, delimiter, columns, summary)
    raise undecodable_error(path, failures, explicit=codec is not None)


def _check_text(path: Path, head: bytes) -> None:
    """Empty, binary or CR-only files are refused before any real work."""
    if not head.removeprefix(BOM):
        raise EngineError(f"빈 파일입니다: {path.name}", f"the file is empty: {path.name}")
    key, korean, english = kind_of(head)
    if key == "utf16":  # Excel's "유니코드 텍스트" export
        raise EngineError(
            f"{path.name}: UTF-16 텍스트는 지원하지 않습니다. Excel에서 'CSV UTF-8(쉼표로 분리)'로 "
            "저장하세요",
            f"{path.name}: UTF-16 text (Excel's 'Unicode Text') is not supported; save it as "
            "'CSV UTF-8 (Comma delimited)'",
        )
    if key != "text":
        raise EngineError(
            f"{path.name}은(는) CSV(텍스트) 파일이 아닙니다. 내용은 {korean}로 보입니다",
            f"{path.name} is not a CSV (text) file; its content looks like {english}",
        )
    if b"\n" in head:
        return
    if b"\r" in head.rstrip(b"\r"):
        raise EngineError(
            f"{path.name}: 줄바꿈이 CR뿐인 옛 Mac 형식입니다. LF나 CRLF로 바꾸세요",
            f"{path.name}: lines end with CR only (classic Mac); convert them to LF or CRLF",
        )
    if len(head) == HEAD:
        raise EngineError(
            f"{path.name}: 첫 줄이 1 MiB보다 깁니다. CSV 파일이 맞는지 확인하세요",
            f"{path.name}: the first line is longer than 1 MiB; is this really a CSV file?",
        )


def sniff_delimiter(head: bytes) -> str:
    """Tab or comma, whichever occurs more often outside quotes in the first line."""
    first = _QUOTED.sub(b"", head.split(b"\n", 1)[0])
    return "\t" if first.count(b"\t") > first.count(b",") else ","


def header_names(head: bytes, delimiter: str, codec: str | None) -> list[str]:
    """The header's column names, parsed with the ``csv`` module from the file's first bytes.

    Only for checking names: undecodable bytes are replaced here, the full pass reports them.
    """
    if codec is None:
        try:  # final=False: a character cut at the end of the head is not an error
            text = codecs.getincrementaldecoder("utf-8")("strict").decode(head, False)
        except UnicodeDecodeError:
            text = head.decode("cp949", "replace")
    else:
        text = head.decode(codec, "replace")
    text = text.removeprefix("\ufeff")
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])


def check_names(path: Path, names: list[str]) -> None:
    """Refuse empty or duplicate column names, naming them and their positions."""
    empty = [str(i) for i, name in enumerate(names, 1) if not name.strip()]
    if empty:
        raise EngineError(
            f"{path.name}: 헤더(1번째 줄)의 {', '.join(empty)}번째 열 이름이 비어 있습니다",
            f"{path.name}: empty column name in the header (line 1), column(s) {', '.join(empty)}",
        )
    counts = Counter(names)
    duplicated = [name for name, count in counts.items() if count > 1]
    if duplicated:
        where = "; ".join(
            f"{name!r}: " + ", ".join(str(i) for i, n in enumerate(names, 1) if n == name)
            for name in duplicated
        )
        raise EngineError(
            f"{path.name}: 헤더에 같은 열 이름이 여러 번 있습니다 ({where}번째 열)",
            f"{path.name}: duplicate column names in the header ({where} — column positions)",
        )


def _stream(
    path: Path, codec: str, delimiter: str, skip: int, workdir: Path
) -> tuple[Path, Summary]:
    """One pass: decode each chunk (and write it as UTF-8 for CP949), scan its records."""
    scanner = RecordScanner(delimiter, skip)
    decoder = StreamDecoder(codec)
    if codec == "utf-8":
        with path.open("rb") as source:
            for block in chunks(source):
                decoder.decode(block)
                scanner.feed(block)
            decoder.decode(b"", final=True)
        return path, scanner.finish()
    target = workdir / "transcoded-utf8.csv"
    with path.open("rb") as source, target.open("wb") as sink:
        for block in chunks(source):
            sink.write(decoder.decode(block).encode("utf-8"))
            scanner.feed(block)
        sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    return target, scanner.finish()


def structure_error(path: Path, problem: StructureError, delimiter: str) -> EngineError:
    """The bilingual message for a :class:`StructureError`."""
    line, name = problem.line, path.name
    sep_ko, sep_en = ("탭이나", "tab") if delimiter == "\t" else ("쉼표나", "comma")
    messages = {
        "ragged": (
            f"{name} {line}번째 줄: 값이 {problem.found}개입니다. 헤더(1번째 줄)는 "
            f"{problem.expected}개입니다. 따옴표로 묶지 않은 {sep_ko} 빠진 값이 없는지 확인하세요",
            f"{name}, line {line}: {problem.found} fields, but the header (line 1) has "
            f"{problem.expected}; look for an unquoted {sep_en} or a missing value",
        ),
        "empty_line": (
            f"{name} {line}번째 줄이 비어 있습니다 (자료 중간의 빈 줄)",
            f"{name}, line {line} is empty (an empty line between rows)",
        ),
        "empty_header": (
            f"{name} {line}번째 줄(헤더)이 비어 있습니다. 첫 줄은 열 이름이어야 합니다",
            f"{name}, line {line} (the header) is empty; the first line must name the columns",
        ),
        "stray_quote": (
            f'{name} {line}번째 줄: 따옴표(")가 값 중간에 있거나 닫는 따옴표 뒤에 글자가 '
            f'있습니다. 따옴표가 든 값은 전체를 따옴표로 묶고 안의 따옴표는 두 번("") 쓰세요',
            f'{name}, line {line}: a quote (") inside an unquoted value, or text right after a '
            f'closing quote; quote the whole value and double the quotes inside it ("")',
        ),
        "unclosed_quote": (
            f'{name} {line}번째 줄에서 연 따옴표(")가 파일 끝까지 닫히지 않았습니다',
            f'{name}: the quote (") opened on line {line} is never closed',
        ),
    }
    korean, english = messages[problem.kind]
    return EngineError(korean, english)
