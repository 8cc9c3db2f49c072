"""Recognising what a file really is from its first bytes, so that a file whose extension lies
(a CSV saved as ``.xlsx``, a Parquet file renamed ``.csv``) gets a clear message, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

from gamyeong.engine.errors import EngineError

HEAD = 1 << 20  # bytes read to sniff a file and to parse a CSV header

# (magic bytes at offset 0, format key, Korean name, English name)
_MAGIC = (
    (b"PAR1", "parquet", "Parquet 파일", "a Parquet file"),
    (b"PK\x03\x04", "zip", "Excel(.xlsx) 또는 ZIP 파일", "an Excel (.xlsx) or ZIP file"),
    (
        b"\xd0\xcf\x11\xe0",
        "ole",
        "옛 Excel(.xls) 또는 한글(.hwp) 파일",
        "an old Excel (.xls) or HWP file",
    ),
    (b"$FL2", "sav", "SPSS(.sav) 파일", "an SPSS (.sav) file"),
    (b"$FL3", "sav", "SPSS(.zsav) 파일", "an SPSS (.zsav) file"),
    (b"<stata_dta>", "dta", "Stata(.dta) 파일", "a Stata (.dta) file"),
    (b"%PDF", "pdf", "PDF 파일", "a PDF file"),
    (b"\xff\xfe", "utf16", "UTF-16 텍스트 파일", "a UTF-16 text file"),
    (b"\xfe\xff", "utf16", "UTF-16 텍스트 파일", "a UTF-16 text file"),
    (b"\x1f\x8b", "gzip", "gzip 압축 파일", "a gzip-compressed file"),
)


def read_head(path: Path, size: int = HEAD) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def kind_of(head: bytes) -> tuple[str, str, str]:
    """(format key, Korean description, English description) of what ``head`` looks like."""
    for magic, key, korean, english in _MAGIC:
        if head.startswith(magic):
            return key, korean, english
    if b"\x00" in head:
        return "binary", "이진(binary) 파일", "a binary file"
    return "text", "텍스트(CSV 등) 파일", "a text (CSV-like) file"


def expect(path: Path, head: bytes, wanted: str, label_ko: str, label_en: str) -> None:
    """Raise unless ``head`` looks like format ``wanted`` (a key of :data:`_MAGIC`)."""
    key, korean, english = kind_of(head)
    if key == wanted:
        return
    if not head:
        raise EngineError(f"빈 파일입니다: {path.name}", f"the file is empty: {path.name}")
    raise EngineError(
        f"{path.name}은(는) {label_ko}이 아닙니다. 내용은 {korean}로 보입니다; "
        "확장자가 실제 형식과 맞는지 확인하세요",
        f"{path.name} is not {label_en}; its content looks like {english}. "
        "Check that the extension matches the real format",
    )
