"""Table input and output: formats, Korean encodings, bad files, atomic writes."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import polars as pl
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io import WrittenFile, open_table, write_table
from gamyeong.engine.io.csv_scan import RecordScanner, StructureError
from gamyeong.engine.synth import SynthConfig, generate

KOREAN = '이름,주소,코드\n홍길동,서울특별시 종로구,01\n똠방각하,"부산광역시 해운대구, 우동",0101\n'
EUC_KR_TEXT = (
    '이름,주소,코드\n홍길동,서울특별시 종로구,01\n김철수,"부산광역시 해운대구, 우동",0101\n'
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _read(path: Path, **options: Any) -> tuple[pl.DataFrame, str | None]:
    with open_table(path, **options) as table:
        return table.frame.collect(), table.encoding


def _error(path: Path, **options: Any) -> EngineError:
    with pytest.raises(EngineError) as caught, open_table(path, **options):
        pass
    return caught.value


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_csv_is_detected_and_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    frame, encoding = _read(_write(tmp_path / "a.csv", KOREAN))
    assert encoding == "utf-8"
    assert frame.columns == ["이름", "주소", "코드"]
    assert frame["이름"].to_list() == ["홍길동", "똠방각하"]
    assert frame["주소"][1] == "부산광역시 해운대구, 우동"
    assert frame.schema["코드"] == pl.String and frame["코드"].to_list() == ["01", "0101"]


def test_utf8_bom_is_detected_and_stripped(tmp_path: Path) -> None:
    frame, encoding = _read(_write(tmp_path / "a.csv", KOREAN, "utf-8-sig"))
    assert encoding == "utf-8-sig"
    assert frame.columns[0] == "이름"
    assert frame["이름"].to_list() == ["홍길동", "똠방각하"]


def test_cp949_is_detected_including_syllables_euc_kr_lacks(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", KOREAN, "cp949")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("euc_kr")  # 똠 is a CP949 extension: these bytes are not EUC-KR
    frame, encoding = _read(path)
    assert encoding == "cp949"
    assert frame["이름"].to_list() == ["홍길동", "똠방각하"]
    assert frame["주소"].to_list() == ["서울특별시 종로구", "부산광역시 해운대구, 우동"]


def test_euc_kr_is_detected_and_read_as_cp949(tmp_path: Path) -> None:
    frame, encoding = _read(_write(tmp_path / "a.csv", EUC_KR_TEXT, "euc_kr"))
    assert encoding == "cp949"
    assert frame["이름"].to_list() == ["홍길동", "김철수"]


@pytest.mark.parametrize(
    ("given_name", "codec", "text", "reported"),
    [
        ("cp949", "cp949", KOREAN, "cp949"),
        ("CP949", "cp949", KOREAN, "cp949"),
        ("euc-kr", "euc_kr", EUC_KR_TEXT, "cp949"),
        ("EUC_KR", "euc_kr", EUC_KR_TEXT, "cp949"),
        ("utf-8", "utf-8", KOREAN, "utf-8"),
        ("UTF-8-SIG", "utf-8-sig", KOREAN, "utf-8-sig"),
        ("utf-8", "utf-8-sig", KOREAN, "utf-8-sig"),
    ],
)
def test_explicit_encodings(
    tmp_path: Path, given_name: str, codec: str, text: str, reported: str
) -> None:
    frame, encoding = _read(_write(tmp_path / "a.csv", text, codec), encoding=given_name)
    assert encoding == reported
    assert frame["주소"][0] == "서울특별시 종로구"


def test_wrong_explicit_encoding_names_the_line(tmp_path: Path) -> None:
    text = "id,name\n1,abc\n2,def\n3,홍길동\n"
    error = _error(_write(tmp_path / "a.csv", text, "cp949"), encoding="utf-8")
    assert "4번째 줄" in error.korean and "line 4" in error.english
    assert "UTF-8" in error.english and "--encoding" in error.english


def test_explicit_cp949_on_bytes_cp949_cannot_decode_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n3,\x80\x80\n")
    error = _error(path, encoding="cp949")
    assert "line 3" in error.english and "0x80" in error.english


def test_undetectable_encoding_reports_both_attempts_and_suggests_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("a,b\n홍길동,1\n".encode("cp949") + b"x,\xff\xfe\n")
    error = _error(path)
    assert "UTF-8" in error.english and "CP949" in error.english
    assert "line 2" in error.english  # where UTF-8 failed (홍길동 in CP949)
    assert "line 3" in error.english  # where CP949 failed too
    assert "--encoding" in error.english and "--encoding" in error.korean


def test_unknown_encoding_name_lists_the_allowed_ones(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.csv", KOREAN), encoding="latin-9")
    assert "latin-9" in error.english
    for allowed in ("utf-8", "utf-8-sig", "cp949", "euc-kr"):
        assert allowed in error.english


# --- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [
        ("a,b,c\n1,2,3\n4,5\n6,7,8\n", 3, 2),
        ("a,b,c\n1,2,3\n4,5,6,7\n", 3, 4),
        # a quoted value spanning two lines and a quoted comma come first: the bad row is line 5
        ('a,b,c\n1,"두 줄\n값",3\n4,"x, y",6\n7,8\n', 5, 2),
        ('a,b,c\n1,"x\r\n\r\ny",3\r\n4,5,6,7\r\n', 5, 4),
    ],
)
def test_ragged_row_names_its_line(tmp_path: Path, text: str, line: int, found: int) -> None:
    error = _error(_write(tmp_path / "a.csv", text))
    assert f"line {line}:" in error.english and f"{line}번째 줄" in error.korean
    assert f"{found} fields" in error.english and "has 3" in error.english


def test_empty_line_between_rows_is_an_error_but_trailing_ones_are_ignored(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.csv", "a,b\n1,2\n\n3,4\n"))
    assert "line 3 is empty" in error.english
    frame, _ = _read(_write(tmp_path / "b.csv", "a,b\r\n1,2\r\n3,4\r\n\r\n\r\n"))
    assert frame.rows() == [(1, 2), (3, 4)]


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ('a,b\n1,2\n3,x"y\n4,5\n', "inside an unquoted value", 3),
        ('a,b\n1,"xy"z\n', "inside an unquoted value", 2),
        ('a,b\n1,2\n3,"open\n4,5\n', "never closed", 3),
    ],
)
def test_bad_quotes_name_their_line(tmp_path: Path, text: str, kind: str, line: int) -> None:
    error = _error(_write(tmp_path / "a.csv", text))
    assert kind in error.english and f"line {line}" in error.english


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"")
    assert "empty" in _error(tmp_path / "a.csv").english
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf")
    assert "empty" in _error(tmp_path / "b.csv").english


def test_cr_only_line_ends_are_refused(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.csv", "a,b\r1,2\r3,4\r"))
    assert "CR only" in error.english


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    with open_table(_write(tmp_path / "a.csv", "이름,코드\n")) as table:
        assert table.columns == ["이름", "코드"] and table.rows == 0
        assert table.frame.collect().height == 0


def test_duplicate_and_empty_column_names_are_named(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.csv", "이름,코드,코드\n1,2,3\n"))
    assert "'코드'" in error.english and "2, 3" in error.english
    error = _error(_write(tmp_path / "b.csv", "이름,,코드\n1,2,3\n"))
    assert "empty column name" in error.english and "2" in error.english


def test_tab_separated_files_are_sniffed(tmp_path: Path) -> None:
    text = "이름\t주소\n홍길동\t서울특별시, 종로구\n"
    for name in ("a.tsv", "a.txt", "a.csv"):
        with open_table(_write(tmp_path / name, text)) as table:
            assert table.delimiter == "\t"
            assert table.frame.collect()["주소"].to_list() == ["서울특별시, 종로구"]


def test_inference_is_lossless_even_past_the_sample(tmp_path: Path) -> None:
    rows = [f"{i},{i % 7},0{i % 9},{i / 4},{i}" for i in range(12_000)]
    rows[11_000] = "11000,3,05,2750.0,A-11000"  # only after the 10,000-row sample
    text = "id,small,code,ratio,mixed\n" + "\n".join(rows) + "\n"
    with open_table(_write(tmp_path / "a.csv", text)) as table:
        schema = table.frame.collect_schema()
        frame = table.frame.collect()
    assert schema["id"] == pl.Int64 and schema["small"] == pl.Int64
    assert schema["code"] == pl.String and schema["ratio"] == pl.Float64
    assert schema["mixed"] == pl.String and frame["mixed"][11_000] == "A-11000"
    with open_table(tmp_path / "a.csv", infer_schema=False) as table:
        assert set(table.frame.collect_schema().dtypes()) == {pl.String}


# --- other formats and file names --------------------------------------------------------------


def test_unknown_extension_lists_supported_formats(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.json", "{}"))
    for suffix in (".csv", ".tsv", ".parquet", ".xlsx", ".sav", ".dta"):
        assert suffix in error.english


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "없음.csv").english


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("a.parquet", "text"),
        ("a.xlsx", "text"),
        ("a.sav", "text"),
        ("a.dta", "text"),
    ],
)
def test_disguised_text_files_are_refused(tmp_path: Path, name: str, looks_like: str) -> None:
    error = _error(_write(tmp_path / name, KOREAN))
    assert name in error.english and looks_like in error.english


def test_parquet_renamed_to_csv_is_refused(tmp_path: Path) -> None:
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "a.csv")
    error = _error(tmp_path / "a.csv")
    assert "not a CSV" in error.english and "Parquet" in error.english


def test_utf16_unicode_text_export_gets_advice(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "a.txt", "이름\t코드\n홍길동\t01\n", "utf-16"))
    assert "UTF-16" in error.english and "CSV UTF-8" in error.english


def test_parquet(tmp_path: Path) -> None:
    original = pl.DataFrame({"이름": ["홍길동", "똠방각하"], "코드": ["01", "0101"], "n": [1, 2]})
    original.write_parquet(tmp_path / "a.parquet")
    with open_table(tmp_path / "a.parquet") as table:
        assert table.format == "parquet" and table.rows == 2
        assert table.frame.collect().equals(original)


def test_damaged_parquet(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_bytes(b"PAR1 not really")
    assert "damaged" in _error(tmp_path / "a.parquet").english


def test_xlsx_first_sheet_by_default_and_by_name(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "a.xlsx"
    with xlsxwriter.Workbook(path) as book:
        pl.DataFrame({"이름": ["홍길동"], "코드": ["01"]}).write_excel(book, worksheet="자격")
        pl.DataFrame({"지역": ["서울특별시"], "n": [3]}).write_excel(book, worksheet="지역")
    with open_table(path) as table:
        assert table.sheet == "자격" and table.rows == 1
        assert table.frame.collect().rows() == [("홍길동", "01")]
    with open_table(path, sheet="지역") as table:
        assert table.frame.collect().rows() == [("서울특별시", 3)]
    error = _error(path, sheet="없는시트")
    assert "'자격'" in error.english and "'지역'" in error.english


def test_xlsx_duplicate_header_is_named(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "a.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("자료")
        for column, value in enumerate(["이름", "코드", "코드"]):
            sheet.write(0, column, value)
            sheet.write(1, column, f"v{column}")
    error = _error(path)
    assert "'코드'" in error.english and "B, C" in error.english


def test_sheet_on_a_csv_is_refused(tmp_path: Path) -> None:
    assert "Excel" in _error(_write(tmp_path / "a.csv", KOREAN), sheet="x").english


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_spss_and_stata_keep_value_and_column_labels(tmp_path: Path, kind: str) -> None:
    data = pl.DataFrame({"sex": [1, 2, 1], "name": ["홍길동", "김철수", "이영희"]}).to_pandas()
    path = tmp_path / f"a.{kind}"
    writer = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
    writer(
        data,
        str(path),
        column_labels={"sex": "성별", "name": "이름"},
        variable_value_labels={"sex": {1: "남자", 2: "여자"}},
    )
    with open_table(path) as table:
        assert table.format == kind and table.rows == 3
        assert table.value_labels == {"sex": {"1": "남자", "2": "여자"}}
        assert table.column_labels == {"sex": "성별", "name": "이름"}
        frame = table.frame.collect()
    assert frame["name"].to_list() == ["홍길동", "김철수", "이영희"]
    assert frame["sex"].cast(pl.Int64).to_list() == [1, 2, 1]


def test_spss_with_a_wrong_encoding_says_so(tmp_path: Path) -> None:
    data = pl.DataFrame({"name": ["홍길동", "김철수"]}).to_pandas()
    pyreadstat.write_sav(data, str(tmp_path / "a.sav"))
    error = _error(tmp_path / "a.sav", encoding="cp949")
    assert "cp949 encoding" in error.english and "--encoding" in error.english


@pytest.mark.parametrize(
    "name", ['-rf 홍 길동\'s "자료" [1].csv', "--help.csv", "공백 있는 이름 *?.csv"]
)
def test_hostile_file_names(tmp_path: Path, name: str) -> None:
    (tmp_path / "[1].csv").write_text("x\n9\n")  # a glob would match this instead
    path = _write(tmp_path / name, KOREAN, "cp949")
    frame, _ = _read(path)
    assert frame["이름"].to_list() == ["홍길동", "똠방각하"]
    out = tmp_path / name.replace(".csv", ".parquet")
    written = write_table(frame, out)
    with open_table(written.path) as table:
        assert table.frame.collect().equals(frame)


def test_transcoded_copy_is_removed_on_exit(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = _write(tmp_path / "a.csv", KOREAN, "cp949")
    with open_table(path, tmp_dir=scratch) as table:
        assert any(scratch.rglob("*.csv"))
        assert table.frame.collect().height == 2
    assert not any(scratch.iterdir())
    with pytest.raises(RuntimeError), open_table(path, tmp_dir=scratch):
        raise RuntimeError("the caller fails")
    assert not any(scratch.iterdir())


# --- the scanner against Python's csv module ---------------------------------------------------

_values = st.text(alphabet=st.sampled_from(list('ab가똠 ,"\n\r1')), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(_values, min_size=3, max_size=3), min_size=1, max_size=25),
    chunk=st.integers(1, 40),
    bad=st.integers(0, 30),
    crlf=st.booleans(),
)
def test_scanner_agrees_with_the_csv_module(
    rows: list[list[str]], chunk: int, bad: int, crlf: bool
) -> None:
    """Random values with quotes, commas, CR/LF and Korean, any chunking; maybe one short row."""
    expected_line = None
    if bad < len(rows):
        expected_line = _record_start_lines(rows, crlf)[bad]
        rows = [*rows[:bad], rows[bad][:2], *rows[bad + 1 :]]
    data = _csv_text([["a", "b", "c"], *rows], crlf).encode("utf-8")
    scanner = RecordScanner(",")
    try:
        for start in range(0, len(data), chunk):
            scanner.feed(data[start : start + chunk])
        summary = scanner.finish()
    except StructureError as problem:
        assert (problem.kind, problem.line, problem.found) == ("ragged", expected_line, 2)
    else:
        assert expected_line is None
        assert (summary.columns, summary.rows) == (3, len(rows))


def _csv_text(rows: list[list[str]], crlf: bool) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return buffer.getvalue()


def _record_start_lines(rows: list[list[str]], crlf: bool) -> list[int]:
    """The 1-based line on which each data row starts (line 1 is the header)."""
    starts, line = [], 2
    for row in rows:
        starts.append(line)
        line += _csv_text([row], crlf).count("\n")
    return starts


# --- writing -----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_write_parquet_reports_rows_and_sha256(tmp_path: Path) -> None:
    frame = pl.DataFrame({"이름": ["홍길동", "똠방각하"], "코드": ["01", "0101"]})
    written = write_table(frame.lazy(), tmp_path / "out" / "a.parquet")
    assert isinstance(written, WrittenFile)
    assert written.rows == 2 and written.sha256 == _sha256(written.path)
    assert pl.read_parquet(written.path).equals(frame)
    assert sorted(p.name for p in written.path.parent.iterdir()) == ["a.parquet"]


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8-sig", b"\xef\xbb\xbf"), ("utf-8", b"")])
def test_write_csv_utf8_reads_back(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    frame = pl.DataFrame({"이름": ["홍길동", "똠방각하"], "주소": ["서울, 종로", "줄\n바꿈"]})
    written = write_table(frame, tmp_path / "a.csv", fmt="csv", csv_encoding=encoding)
    raw = written.path.read_bytes()
    assert raw.startswith(prefix + "이름".encode()) and written.sha256 == _sha256(written.path)
    assert written.rows == 2
    read, detected = _read(written.path)
    assert detected == encoding and read.equals(frame)


def test_write_csv_cp949_reads_back(tmp_path: Path) -> None:
    frame = pl.DataFrame({"이름": ["홍길동", "똠방각하"], "코드": ["01", "0101"]})
    written = write_table(frame, tmp_path / "a.csv", fmt="csv", csv_encoding="cp949")
    assert written.path.read_bytes().decode("cp949").splitlines()[2] == "똠방각하,0101"
    assert written.rows == 2 and written.sha256 == _sha256(written.path)
    read, detected = _read(written.path)
    assert detected == "cp949" and read.equals(frame)


def test_cp949_output_names_the_unmappable_value_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = _write(tmp_path / "a.csv", "old\n")
    frame = pl.DataFrame({"이름": ["홍길동", "김😀", "박"], "코드": ["01", "02", "03"]})
    with pytest.raises(EngineError) as caught:
        write_table(frame, out, fmt="csv", csv_encoding="cp949")
    assert "'이름'" in caught.value.english and "row 2" in caught.value.english
    assert "U+1F600" in caught.value.english
    assert out.read_text() == "old\n" and os.listdir(tmp_path) == ["a.csv"]


@pytest.mark.parametrize("sink", ["sink_parquet", "sink_csv"])
def test_failed_write_leaves_destination_untouched_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sink: str
) -> None:
    out = _write(tmp_path / "a.out", "previous content")
    before = _sha256(out)

    def broken(self: pl.LazyFrame, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.LazyFrame, sink, broken)
    with pytest.raises(EngineError) as caught:
        write_table(pl.DataFrame({"a": [1]}), out, fmt=sink.removeprefix("sink_"))
    assert "No space left" in caught.value.english
    assert _sha256(out) == before and os.listdir(tmp_path) == ["a.out"]


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    out = _write(tmp_path / "a.parquet", "old")
    written = write_table(pl.DataFrame({"a": [1, 2, 3]}), out)
    assert written.rows == 3 and pl.read_parquet(out)["a"].to_list() == [1, 2, 3]


def test_bad_write_options_are_refused(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    with pytest.raises(EngineError, match="parquet or csv"):
        write_table(frame, tmp_path / "a.x", fmt="json")
    with pytest.raises(EngineError, match="cp949"):
        write_table(frame, tmp_path / "a.csv", fmt="csv", csv_encoding="euc-kr")
    with pytest.raises(EngineError, match="directory"):
        write_table(frame, tmp_path)
    assert os.listdir(tmp_path) == []


def test_synthetic_data_round_trip_through_cp949_csv(tmp_path: Path) -> None:
    generate(SynthConfig(persons=300, seed=4), tmp_path / "synth")
    with open_table(tmp_path / "synth" / "ssis_persons.parquet") as table:
        persons = table.frame.collect()
        text_columns = [n for n, t in table.frame.collect_schema().items() if t == pl.String]
    written = write_table(persons, tmp_path / "persons.csv", fmt="csv", csv_encoding="cp949")
    assert written.rows == persons.height
    with open_table(written.path, infer_schema=False) as table:
        assert table.encoding == "cp949" and table.rows == persons.height
        back = table.frame.select(text_columns).collect()
    assert back.equals(persons.select(text_columns))
