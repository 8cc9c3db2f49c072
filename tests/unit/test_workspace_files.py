"""The project workspace's files: every format round-trips with its labels, CSV encodings, the
codebook follows the pseudonymized schema, materialisation is all or nothing, and the dummy data
holds no real value, row or rare category."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pyreadr  # type: ignore[import-untyped]
import pyreadstat
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy import load_policy
from gamyeong.engine.pseudonymize import pseudonymize
from gamyeong.engine.vault import Vault
from gamyeong.engine.workspace import (
    Codebook,
    DatasetCodebook,
    ValueLabel,
    conform,
    make_dummy,
    materialise,
    write_dummy,
)
from gamyeong.engine.workspace import materialisation as materialise_module
from gamyeong.engine.workspace.names import SAS_XPORT, SPSS, STATA, map_names
from gamyeong.engine.workspace.statfiles import prepare, shorten, write_stat_file

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ("ssis_persons", "ssis_eligibility", "keis_employment")
READERS: dict[str, Callable[..., Any]] = {
    "sav": pyreadstat.read_sav,
    "dta": pyreadstat.read_dta,
    "xpt": pyreadstat.read_xport,
}
LABEL_LIMITS = {"sav": (256, 256), "dta": (80, 320), "xpt": (40, 40)}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def codebook(synth_dir: Path) -> Codebook:
    return Codebook.from_synth(synth_dir / "manifest.json")


@pytest.fixture(scope="module")
def inputs(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two SSIS tables pseudonymized with the shipped policies (banded ages, quarters,
    hashed and tokenised ids), and the partner table as generated (text dates, names)."""
    folder = tmp_path_factory.mktemp("pseudonymized")
    vault = Vault(tmp_path_factory.mktemp("vault"))
    out: dict[str, Path] = {}
    for name in DATASETS[:2]:
        policy = load_policy(ROOT / "examples" / "policies" / f"{name}.yaml")
        out[name] = folder / f"{name}.parquet"
        pseudonymize(synth_dir / f"{name}.parquet", policy, out[name], vault=vault, review=False)
    out["keis_employment"] = synth_dir / "keis_employment.parquet"
    return out


@pytest.fixture(scope="module")
def workspace(
    inputs: dict[str, Path], codebook: Codebook, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("workspace")
    materialise(inputs, out, codebook, cp949=True)
    return out


def _documented(workspace: Path) -> Codebook:
    data = json.loads((workspace / "codebook.json").read_text(encoding="utf-8"))
    return Codebook.from_dicts(data["datasets"])


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- codebook ----------------------------------------------------------------------------------


def test_codebook_from_the_synthetic_manifest_keeps_labels_and_value_labels(
    codebook: Codebook,
) -> None:
    persons = codebook.dataset("ssis_persons")
    assert persons.title_ko == "자격수급자 인적사항"
    assert persons.column("sex").value_labels == {"1": ValueLabel("남"), "2": ValueLabel("여")}
    one_person = persons.column("household_type").value_labels["1인가구"]
    assert one_person.ko == "1인가구" and one_person.en  # a Korean value keeps its English label
    assert persons.column("rrn").item_class == "direct_identifier"


def test_codebook_from_dicts_checks_the_item_class_in_both_languages() -> None:
    book = Codebook.from_dicts(
        [
            {
                "name": "t",
                "columns": [
                    {
                        "name": "sex",
                        "label_ko": "성별",
                        "label_en": "Sex",
                        "item_class": "quasi_identifier",
                        "type": "integer",
                        "value_labels": {"1": {"ko": "남", "en": "male"}, "2": "여"},
                    }
                ],
            }
        ]
    )
    assert book.dataset("t").column("sex").value_labels["1"] == ValueLabel("남", "male")
    with pytest.raises(EngineError) as caught:
        Codebook.from_dicts([{"name": "t", "columns": [{"name": "x", "item_class": "secret"}]}])
    assert "t.x" in caught.value.korean and "t.x" in caught.value.english
    assert "항목 분류" in caught.value.korean and "item class" in caught.value.english


def test_the_codebook_follows_the_pseudonymized_schema(
    inputs: dict[str, Path], codebook: Codebook
) -> None:
    schema = pl.read_parquet_schema(inputs["ssis_persons"])
    persons = conform(codebook.dataset("ssis_persons"), pl.Schema(schema))
    assert [c.name for c in persons.columns] == list(schema)
    age = persons.column("age")
    assert (age.type, age.catalog_type) == ("string", "integer")  # banded to "40-44"
    assert "rrn" not in [c.name for c in persons.columns]  # deleted by the policy
    eligibility = conform(
        codebook.dataset("ssis_eligibility"),
        pl.Schema(pl.read_parquet_schema(inputs["ssis_eligibility"])),
    )
    assert eligibility.column("acquisition_date").type == "string"  # "2024Q1"
    extended: dict[str, pl.DataType] = {**schema, "secret_note": pl.String()}
    with pytest.raises(EngineError) as caught:
        conform(codebook.dataset("ssis_persons"), pl.Schema(extended))
    assert "secret_note" in caught.value.korean and "secret_note" in caught.value.english


# --- names -------------------------------------------------------------------------------------


def test_names_follow_each_formats_rules() -> None:
    names = ["payment_amount_krw", "payment_amount_usd", "2nd", "long", "성별", "_x", "a-b"]
    xpt = map_names(names, SAS_XPORT)
    assert all(len(n) <= 8 and n.isascii() and n == n.upper() for n in xpt.values())
    assert len({n.upper() for n in xpt.values()}) == len(names)
    assert xpt["payment_amount_krw"] == "PAYMENT" and xpt["payment_amount_usd"] == "PAYMENT2"
    assert xpt["성별"] == "V5" and xpt["2nd"] == "V2ND"
    stata = map_names(names, STATA)
    assert stata["long"] == "long_" and stata["성별"] == "성별" and stata["a-b"] == "a_b"
    spss = map_names(names, SPSS)
    assert spss["_x"] == "v_x" and spss["성별"] == "성별"


# --- materialised files ------------------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_hash(
    workspace: Path, inputs: dict[str, Path]
) -> None:
    manifest = json.loads((workspace / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = _hashes(workspace)
    assert set(on_disk) == set(listed) | {"manifest.json"}  # no staging or temporary leftovers
    for path, entry in listed.items():
        assert on_disk[path] == entry["sha256"]
    for name in DATASETS:
        rows = pl.scan_parquet(inputs[name]).select(pl.len()).collect().item()
        for suffix in ("parquet", "csv", "cp949.csv", "sav", "dta", "xpt", "rds"):
            entry = listed[f"data/{name}.{suffix}"]
            assert entry["rows"] == rows and entry["dataset"] == name
        assert f"data/load_{name}.R" in listed and f"data/load_{name}.sas" in listed
    assert {"codebook.json", "codebook.ko.md", "codebook.en.md"} <= set(listed)


def test_csv_is_utf8_with_a_bom_and_cp949_decodes(workspace: Path, inputs: dict[str, Path]) -> None:
    utf8 = (workspace / "data" / "ssis_persons.csv").read_bytes()
    assert utf8.startswith(b"\xef\xbb\xbf")
    cp949 = (workspace / "data" / "ssis_persons.cp949.csv").read_bytes()
    assert cp949.decode("cp949") == utf8[3:].decode("utf-8")
    read = pl.read_csv(utf8[3:], schema_overrides={"sido_code": pl.String})
    original = pl.read_parquet(inputs["ssis_persons"])
    assert read.height == original.height
    assert read["sido_name"].equals(original["sido_name"])


def test_an_unencodable_character_names_column_and_row_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source = tmp_path / "t.parquet"
    pl.DataFrame({"code": ["a", "b", "c"], "note": ["가", "나", "웃음 😀"]}).write_parquet(source)
    book = Codebook.from_dicts(
        [
            {
                "name": "t",
                "columns": [
                    {"name": "code", "item_class": "other", "type": "string"},
                    {"name": "note", "item_class": "other", "type": "string"},
                ],
            }
        ]
    )
    out = tmp_path / "ws"
    with pytest.raises(EngineError) as caught:
        materialise({"t": source}, out, book, cp949=True)
    error = caught.value
    assert "'note'" in error.korean and "3번째" in error.korean and "CP949" in error.korean
    assert "column 'note', data row 3" in error.english and "t.cp949.csv" in error.english
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", ["sav", "dta", "xpt"])
def test_statistics_files_round_trip_with_labels(
    fmt: str, workspace: Path, inputs: dict[str, Path]
) -> None:
    book = _documented(workspace)
    for name in DATASETS:
        dataset = book.dataset(name)
        read, meta = READERS[fmt](workspace / "data" / f"{name}.{fmt}", output_format="polars")
        expected = prepare(pl.read_parquet(inputs[name]))
        names = {c.name: c.format_names.get(fmt, c.name) for c in dataset.columns}
        assert read.height == expected.height
        assert read.columns == [names[c] for c in expected.columns]
        chars, size = LABEL_LIMITS[fmt]
        for column in dataset.columns:
            label = meta.column_names_to_labels[names[column.name]]
            assert label == shorten(column.label_ko, chars, size)
            got, want = read[names[column.name]], expected[column.name]
            if want.dtype.is_numeric():
                assert got.cast(pl.Float64).equals(want.cast(pl.Float64)), column.name
            elif want.dtype == pl.String and fmt != "dta":  # blank-padded: trailing blanks go
                assert got.equals(want.str.strip_chars_end(" ")), column.name
            else:
                assert got.cast(want.dtype).equals(want), column.name
    if fmt != "xpt":  # the transport file holds no value labels (load_<name>.sas does)
        persons = meta_of(fmt, workspace / "data" / f"ssis_persons.{fmt}")
        assert persons.variable_value_labels["sex"] == {1: "남", 2: "여"}
        assert persons.variable_value_labels["has_livelihood"] == {0: "아니오", 1: "예"}


def meta_of(fmt: str, path: Path) -> Any:
    return READERS[fmt](path, metadataonly=True)[1]


def test_spss_keeps_text_value_labels_in_korean(workspace: Path) -> None:
    meta = meta_of("sav", workspace / "data" / "ssis_eligibility.sav")
    assert meta.variable_value_labels["programme"]["basic_pension"] == "기초연금"
    assert meta.file_encoding == "UTF-8"


def test_the_transport_file_has_short_names_and_the_sas_script_restores_them(
    workspace: Path,
) -> None:
    book = _documented(workspace)
    meta = meta_of("xpt", workspace / "data" / "ssis_eligibility.xpt")
    assert all(len(n) <= 8 for n in meta.column_names)
    payment = book.dataset("ssis_eligibility").column("payment_amount_krw")
    assert payment.format_names["xpt"] in meta.column_names
    script = (workspace / "data" / "load_ssis_eligibility.sas").read_text(encoding="utf-8")
    assert f"{payment.format_names['xpt']}=payment_amount_krw" in script
    assert "'basic_pension'='기초연금'" in script
    assert "payment_amount_krw = '지급금액(원)'" in script
    assert book.dataset("ssis_eligibility").table_names["xpt"] == meta.table_name
    markdown = (workspace / "codebook.ko.md").read_text(encoding="utf-8")
    assert "| `payment_amount_krw` | 지급금액(원) | 민감정보 | 정수 |" in markdown
    assert "나이(만) | 식별가능정보 | 문자 (원래 유형: 정수)" in markdown


def test_rds_round_trips_and_the_r_script_applies_labels(
    workspace: Path, inputs: dict[str, Path]
) -> None:
    read = pyreadr.read_r(workspace / "data" / "ssis_persons.rds", output_format="polars")
    frame = next(iter(read.values()))
    original = pl.read_parquet(inputs["ssis_persons"])
    assert frame.height == original.height
    assert frame["age"].equals(original["age"])
    assert frame["has_livelihood"].equals(original["has_livelihood"])
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed here")
    program = (
        'source("load_ssis_persons.R", encoding = "UTF-8"); '
        'cat(levels(ssis_persons$sex), attr(ssis_persons$sex, "label"), nrow(ssis_persons), '
        'sep = "|")'
    )
    done = subprocess.run(
        ["Rscript", "-e", program],
        cwd=workspace / "data",
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.decode("utf-8") == f"남|여|성별|{original.height}"


# --- all or nothing ----------------------------------------------------------------------------


def test_a_failure_midway_leaves_the_previous_materialisation_intact(
    inputs: dict[str, Path],
    codebook: Codebook,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "ws"
    materialise({"ssis_eligibility": inputs["ssis_eligibility"]}, out, codebook)
    before = _hashes(out)
    real_writer = write_stat_file

    def failing(fmt: Any, frame: pl.DataFrame, path: Path, dataset: DatasetCodebook) -> Any:
        if fmt.key == "dta":
            path.write_bytes(b"half a file")
            raise OSError("disk full")
        return real_writer(fmt, frame, path, dataset)

    monkeypatch.setattr(materialise_module, "write_stat_file", failing)
    with pytest.raises(EngineError, match="disk full") as caught:
        materialise(inputs, out, codebook)
    assert "이전 파일은 그대로" in caught.value.korean and str(out) in caught.value.english
    assert _hashes(out) == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".gamyeong")]


def test_a_dataset_left_out_next_time_loses_its_files(
    inputs: dict[str, Path], codebook: Codebook, tmp_path: Path
) -> None:
    out = tmp_path / "ws"
    materialise(inputs, out, codebook, formats=("parquet", "csv"))
    manifest = materialise(
        {"keis_employment": inputs["keis_employment"]}, out, codebook, formats=("parquet", "csv")
    )
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        "keis_employment.csv",
        "keis_employment.parquet",
    ]
    assert (
        manifest.file("data/keis_employment.csv").rows
        == pl.read_parquet(inputs["keis_employment"]).height
    )


def test_bad_dataset_names_and_formats_are_refused(
    inputs: dict[str, Path], codebook: Codebook, tmp_path: Path
) -> None:
    with pytest.raises(EngineError, match="파일 이름"):
        materialise({"../evil": inputs["keis_employment"]}, tmp_path, codebook)
    with pytest.raises(EngineError, match="unknown file formats: xls"):
        materialise(inputs, tmp_path, codebook, formats=("xls",))


# --- dummy data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dummies(inputs: dict[str, Path], codebook: Codebook) -> dict[str, pl.DataFrame]:
    return {
        name: make_dummy(inputs[name], codebook.dataset(name), rows=1000, seed=7)
        for name in DATASETS
    }


def test_dummy_data_has_the_same_schema_and_is_deterministic(
    dummies: dict[str, pl.DataFrame], inputs: dict[str, Path], codebook: Codebook
) -> None:
    for name in DATASETS:
        assert dummies[name].schema == pl.read_parquet_schema(inputs[name])
        assert dummies[name].height == 1000
    again = make_dummy(inputs["ssis_persons"], codebook.dataset("ssis_persons"), seed=7)
    assert again.equals(dummies["ssis_persons"])
    other = make_dummy(inputs["ssis_persons"], codebook.dataset("ssis_persons"), seed=8)
    assert not other.equals(dummies["ssis_persons"])


def test_dummy_identifiers_are_fresh_tokens_of_the_same_shape(
    dummies: dict[str, pl.DataFrame], inputs: dict[str, Path], codebook: Codebook
) -> None:
    for name in DATASETS:
        real = pl.read_parquet(inputs[name])
        for column in codebook.dataset(name).names(["direct_identifier"]):
            if column not in real.columns:
                continue
            shared = dummies[name].join(real.select(column).unique(), on=column, how="semi")
            assert shared.is_empty(), f"{name}.{column}"
    persons = dummies["ssis_persons"]
    assert persons["person_id"].str.contains(r"^[0-9a-f]{32}$").all()  # HMAC hex, like the real
    assert persons["household_id"].str.contains(r"^H[0-9a-f]{16}$").all()
    assert dummies["keis_employment"]["insured_id"].str.contains(r"^E\d{10}$").all()


def test_dummy_categories_are_only_values_at_least_five_records_hold(
    dummies: dict[str, pl.DataFrame], inputs: dict[str, Path], codebook: Codebook
) -> None:
    for name in DATASETS:
        real = pl.read_parquet(inputs[name])
        book = conform(codebook.dataset(name), real.schema)
        for column in book.columns:
            if column.item_class == "direct_identifier" or real[column.name].dtype not in (
                pl.String,
                pl.Boolean,
            ):
                continue
            counts = real[column.name].value_counts(name="n")
            drawn = dummies[name].select(column.name).drop_nulls().unique()
            joined = drawn.join(counts, on=column.name, how="left")  # n null: a fresh token
            rare = joined.filter(pl.col("n").is_not_null() & (pl.col("n") < 5))
            assert rare.is_empty(), f"{name}.{column.name}"


def test_a_rare_value_is_never_copied(
    inputs: dict[str, Path], codebook: Codebook, tmp_path: Path
) -> None:
    real = pl.read_parquet(inputs["ssis_eligibility"]).with_columns(
        benefit_detail=pl.when(pl.int_range(pl.len()) < 4)
        .then(pl.lit("희귀한 급여"))
        .otherwise(pl.col("benefit_detail"))
    )
    source = tmp_path / "rare.parquet"
    real.write_parquet(source)
    dummy = make_dummy(source, codebook.dataset("ssis_eligibility"), rows=5000, seed=1)
    assert "희귀한 급여" not in dummy["benefit_detail"].to_list()
    assert dummy["benefit_detail"].drop_nulls().n_unique() > 1


def test_no_dummy_row_equals_a_real_row_on_quasi_identifiers_and_sensitive_items(
    dummies: dict[str, pl.DataFrame], inputs: dict[str, Path], codebook: Codebook
) -> None:
    for name in DATASETS:
        real = pl.read_parquet(inputs[name])
        key = [
            c
            for c in codebook.dataset(name).names(["quasi_identifier", "sensitive"])
            if c in real.columns
        ]
        matches = dummies[name].join(real.select(key), on=key, how="semi", nulls_equal=True)
        assert matches.is_empty(), name


def test_rows_that_would_match_a_real_row_are_redrawn(tmp_path: Path) -> None:
    """Real rows cover half of a small joint domain, so about half the first draws match."""
    source = tmp_path / "small.parquet"
    pl.DataFrame(
        {
            "sex": [1, 2] * 50,
            "region": ["A"] * 50 + ["B"] * 50,
            "flag": [True] * 100,
            "amount": list(range(100)),
        }
    ).with_columns(flag=pl.col("region") == "A").write_parquet(source)
    book = Codebook.from_dicts(
        [
            {
                "name": "small",
                "columns": [
                    {"name": "sex", "item_class": "quasi_identifier", "values": {"1": "남"}},
                    {"name": "region", "item_class": "quasi_identifier"},
                    {"name": "flag", "item_class": "sensitive"},
                    {"name": "amount", "item_class": "other"},
                ],
            }
        ]
    ).dataset("small")
    dummy = make_dummy(source, book, rows=500, seed=3)
    real = pl.read_parquet(source)
    key = ["sex", "region", "flag"]
    assert dummy.height == 500
    assert dummy.join(real.select(key), on=key, how="semi").is_empty()
    assert dummy["amount"].min() >= 0 and dummy["amount"].max() <= 99  # type: ignore[operator]


def test_dummy_numbers_and_dates_stay_within_the_rounded_range(
    dummies: dict[str, pl.DataFrame], synth_dir: Path, codebook: Codebook
) -> None:
    real = pl.read_parquet(synth_dir / "keis_employment.parquet")
    dummy = dummies["keis_employment"]
    wage = dummy["monthly_wage_krw"].drop_nulls()
    assert wage.min() >= 0  # type: ignore[operator]
    assert wage.max() <= 1.1 * real["monthly_wage_krw"].max()  # type: ignore[operator]
    since = dummy.select(low=pl.col("insured_since").min(), high=pl.col("insured_since").max())
    real_range = real.select(low=pl.col("insured_since").min(), high=pl.col("insured_since").max())
    low, high = real_range.row(0)
    assert since["low"].item() >= low.replace(day=1)
    assert since["high"].item().year <= high.year + 1


def test_write_dummy_marks_the_files_as_dummy(
    inputs: dict[str, Path], codebook: Codebook, tmp_path: Path
) -> None:
    manifest = write_dummy(inputs, tmp_path, codebook, rows=300, seed=5)
    folder = tmp_path / "dummy"
    assert manifest.dummy and json.loads((folder / "manifest.json").read_text())["dummy"]
    book = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    assert book["dummy"] and all(d["dummy"] for d in book["datasets"])
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "더미 데이터" in readme and "NOT REAL DATA" in readme
    parquet = folder / "ssis_persons_dummy.parquet"
    assert pl.read_parquet_metadata(parquet)["gamyeong.dummy"] == "true"
    assert pl.read_parquet(parquet).height == 300
    assert (folder / "ssis_persons_dummy.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "data").exists()  # the real files are never written here
