"""The provider's side of combination: normalization, keys, serials, the three outputs, and
the key correctness test against the synthetic ground truth."""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import (
    AGENCY,
    KEYS,
    KMA,
    PAYLOAD,
    SALT,
    SERIAL,
    receive,
    write_manifest,
)
from gamyeong.engine.linkage.digest import digests
from gamyeong.engine.linkage.keys import (
    KeySpec,
    key_column,
    key_message,
    make_keys,
    parse_key_set,
)
from gamyeong.engine.linkage.normalize import normalized
from gamyeong.engine.linkage.provider import (
    CombinationFiles,
    Parties,
    make_combination_files,
    vault_table_name,
)
from gamyeong.engine.linkage.salt import Salt, read_salt, receive_salt, salt_id_of
from gamyeong.engine.policy import load_policy
from gamyeong.engine.vault import Vault

SALT_VALUE = bytes(range(32))
ITEMS = {"name": "name", "birth_date": "birth_date", "sex": "sex", "phone": "phone"}
PARTIES = Parties("테스트기관", "한국인터넷진흥원", "한국사회보장정보원")


def norm(kind: str, values: list[Any], dtype: Any = None) -> list[Any]:
    series = pl.Series("c", values, dtype=dtype)
    return series.to_frame().select(normalized(kind, "c", series.dtype)).to_series().to_list()


# --- normalization -------------------------------------------------------------------------


def test_name_variants() -> None:
    decomposed = unicodedata.normalize("NFD", "홍길동")
    values = [
        "홍길동",
        "홍 길동",
        "홍길동 ",
        " 홍\t길 동",
        decomposed,
        "홍\u3000길동",
        "홍\u200b길동",
    ]
    assert norm("name", values) == ["홍길동"] * len(values)
    assert norm("name", ["John  Smith", "", "   ", None, "-", "12"]) == [
        "JohnSmith",
        None,
        None,
        None,
        None,
        None,
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1),
    st.lists(st.sampled_from([" ", "\t", "\u3000", "\u00a0", "\u200b"]), max_size=4),
    st.randoms(),
)
def test_name_ignores_whitespace_and_normal_form(name: str, spaces: list[str], rnd: Any) -> None:
    chars = list(unicodedata.normalize("NFD", name))
    for space in spaces:
        chars.insert(rnd.randint(0, len(chars)), space)
    assert norm("name", ["".join(chars)]) == [name]


BIRTH_FORMATS = (
    "{y:04d}-{m:02d}-{d:02d}",
    "{y:04d}.{m:02d}.{d:02d}",
    "{y:04d}/{m:02d}/{d:02d}",
    "{y:04d}{m:02d}{d:02d}",
    "{y:04d}. {m}. {d}.",
    "{y:04d}-{m}-{d}",
    "{y:04d}년 {m}월 {d}일",
    " {y:04d}.{m:02d}.{d:02d} ",
    "{y:04d}-{m:02d}-{d:02d} 00:00:00",
    "{y:04d}-{m:02d}-{d:02d}T13:45:10",
)


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_birth_date_formats(day: date) -> None:
    texts = [f.format(y=day.year, m=day.month, d=day.day) for f in BIRTH_FORMATS]
    expected = f"{day:%Y%m%d}"
    assert norm("birth_date", texts) == [expected] * len(texts)
    assert norm("birth_date", [day]) == [expected]
    assert norm("birth_date", [datetime(day.year, day.month, day.day, 9, 30)]) == [expected]
    assert norm("birth_date", [int(expected)]) == [expected]


def test_birth_date_invalid() -> None:
    bad = [
        "80-01-02",
        "800102",
        "80.1.2",
        "1980-02-30",
        "1980-13-01",
        "1899-12-31",
        "19800",
        "abc",
        "",
        "  ",
        None,
        "2100-01-01",
        "1980-01-02-03",
    ]
    assert norm("birth_date", bad) == [None] * len(bad)
    assert norm("birth_date", [date(1850, 1, 1), None]) == [None, None]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 9999))
def test_phone_formats(middle: int, last: int) -> None:
    m, n = f"{middle:04d}", f"{last:04d}"
    texts = [
        f"010-{m}-{n}",
        f"010 {m} {n}",
        f"010{m}{n}",
        f"+82 10-{m}-{n}",
        f"82-10-{m}-{n}",
        f"+82 (0)10 {m} {n}",
        f"0082-10-{m}{n}",
        f"(010) {m}-{n}",
        f"010.{m}.{n}",
    ]
    assert norm("phone", texts) == [f"010{m}{n}"] * len(texts)
    assert norm("phone", [int(f"10{m}{n}")]) == [f"010{m}{n}"]  # a number column lost the 0


def test_phone_other_numbers_and_invalid() -> None:
    assert norm("phone", ["02-1234-5678", "031-123-4567", "+82 2 1234 5678"]) == [
        "0212345678",
        "0311234567",
        "0212345678",
    ]
    bad = ["010-123-456", "12345678901", "00-1234-5678", "없음", "-", "", None, "010-1234-56789"]
    assert norm("phone", bad) == [None] * len(bad)


def test_sex_codes() -> None:
    male = ["1", "3", "5", "7", "남", "남자", "남성", "M", "m", "male", "Male", " 남 "]
    female = ["2", "4", "6", "8", "여", "여자", "여성", "F", "f", "female", "FEMALE"]
    assert norm("sex", male) == ["1"] * len(male)
    assert norm("sex", female) == ["2"] * len(female)
    assert norm("sex", ["9", "0", "x", "", None, "남녀"]) == [None] * 6
    assert norm("sex", [1, 2, 3, 4, 9, None], pl.Int8) == ["1", "2", "1", "2", None, None]
    assert norm("sex", [1.0, 2.0, 1.5]) == ["1", "2", None]


def test_text_kind() -> None:
    assert norm("text", ["ab c", "AbC", " a\tb c ", "", None, "홍길동", "é"]) == [
        "ABC",
        "ABC",
        "ABC",
        None,
        None,
        "홍길동",
        "é",
    ]
    assert norm("ci", ["abc+/=="]) == ["ABC+/=="]


# --- digests ---------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=30),
    st.binary(min_size=32, max_size=32),
)
def test_hmac_matches_python(messages: list[str], salt: bytes) -> None:
    got = digests(pl.Series(messages), salt, "hmac-sha256").to_list()
    assert got == [hmac.new(salt, m.encode(), hashlib.sha256).hexdigest() for m in messages]
    plain = digests(pl.Series(messages), salt, "sha256").to_list()
    assert plain == [hashlib.sha256(m.encode() + salt).hexdigest() for m in messages]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.none() | st.text(max_size=12), st.none() | st.text(max_size=12)),
        min_size=1,
        max_size=20,
    )
)
def test_keys_are_hmacs_of_the_documented_message(rows: list[tuple[Any, Any]]) -> None:
    frame = pl.DataFrame(rows, schema=["name", "text"], orient="row")
    spec = KeySpec("main", ("text", "name"))
    result = make_keys(frame.lazy(), {"name": "name", "text": "text"}, [spec], SALT_VALUE, "s")
    messages = key_message(result.table, spec).to_list()
    expected = [
        None if m is None else hmac.new(SALT_VALUE, m.encode(), hashlib.sha256).hexdigest()
        for m in messages
    ]
    assert result.table.get_column("key").to_list() == expected


def test_digest_of_null_is_null() -> None:
    assert digests(pl.Series(["a", None]), SALT_VALUE, "hmac-sha256")[1] is None


# --- keys ------------------------------------------------------------------------------------


def people() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": ["홍길동", "홍 길동", "김철수", None, "이영희", "박민지", " "],
            "birth_date": [
                "1980-01-02",
                "1980.01.02",
                "1990-03-04",
                "1970-01-01",
                "70-01-01",
                "1985-05-05",
                "1975-07-07",
            ],
            "sex": ["남", "1", "남", "여", "여", "여", "2"],
            "phone": [
                "010-1234-5678",
                "01012345678",
                None,
                "010-2222-3333",
                "010-3333-4444",
                "010-4444-5555",
                "010-5555-6666",
            ],
            "income": [1, 2, 3, 4, 5, 6, 7],
        }
    )


def test_make_keys_key_and_report() -> None:
    spec = KeySpec("main", ("phone", "name", "birth_date"))  # any order: kept canonical
    assert spec.items == ("name", "birth_date", "phone")
    result = make_keys(people().lazy(), ITEMS, [spec], SALT_VALUE, "salt-x")
    keys = result.table.get_column("key").to_list()
    expected = hmac.new(SALT_VALUE, "홍길동|19800102|01012345678".encode(), hashlib.sha256)
    assert keys[0] == keys[1] == expected.hexdigest()
    assert keys[2:5] == [None, None, None] and keys[6] is None  # never keyed
    assert all(k is not None and len(k) == 64 for k in (keys[0], keys[5]))
    report = result.report.key_set("main")
    assert (report.keyed, report.excluded) == (3, 4)
    assert report.reasons == {
        "name": {"missing": 2},
        "birth_date": {"invalid": 1},
        "phone": {"missing": 1},
    }
    assert (report.duplicate_keys, report.duplicate_records) == (1, 2)
    assert report.excluded_examples == [3, 4, 5, 7]
    assert result.report.unkeyed_rows == 4


def test_serials_random_unique_and_not_keys() -> None:
    result = make_keys(people().lazy(), ITEMS, [KeySpec("main", ("name",))], SALT_VALUE, "s")
    serials = result.table.get_column(SERIAL)
    assert serials.n_unique() == serials.len()
    assert serials.str.contains(r"^[0-9a-f]{32}$").all()
    again = make_keys(people().lazy(), ITEMS, [KeySpec("main", ("name",))], SALT_VALUE, "s")
    assert not set(serials.to_list()) & set(again.table.get_column(SERIAL).to_list())
    assert again.table.get_column("key").equals(result.table.get_column("key"))


def test_different_salts_give_different_keys() -> None:
    spec = [KeySpec("main", ("name", "birth_date", "phone"))]
    one = make_keys(people().lazy(), ITEMS, spec, SALT_VALUE, "a").table.get_column("key")
    other = make_keys(people().lazy(), ITEMS, spec, os.urandom(32), "b").table.get_column("key")
    shared = set(one.drop_nulls().to_list()) & set(other.drop_nulls().to_list())
    assert not shared


def test_several_key_sets_and_sha256() -> None:
    specs = [parse_key_set("main=name+birth_date"), parse_key_set("strict=name+phone", "sha256")]
    result = make_keys(people().lazy(), ITEMS, specs, SALT_VALUE, "s")
    assert [key_column(s, specs) for s in specs] == ["key_main", "key_strict"]
    first = result.table.row(0, named=True)
    message = "홍길동|01012345678".encode()
    assert first["key_strict"] == hashlib.sha256(message + SALT_VALUE).hexdigest()
    assert result.keys().columns == [SERIAL, "key_main", "key_strict"]
    assert result.keys().height == 5  # rows 4 and 7 have no key in either set


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (lambda: KeySpec("main", ("name", "rrn")), "unknown item(s) rrn"),
        (lambda: KeySpec("main", ()), "has no items"),
        (lambda: KeySpec("bad name", ("name",)), "letters, digits"),
        (lambda: KeySpec("main", ("name", "name")), "names an item twice"),
        (lambda: KeySpec("main", ("name",), "md5"), "unknown key algorithm"),
        (lambda: parse_key_set("main"), "name=item+item"),
    ],
)
def test_bad_key_sets(spec: Any, message: str) -> None:
    with pytest.raises(EngineError) as caught:
        spec()
    assert message in caught.value.english


def test_unknown_item_and_column() -> None:
    frame = people().lazy()
    with pytest.raises(EngineError) as caught:
        make_keys(frame, {"nmae": "name"}, [KeySpec("main", ("name",))], SALT_VALUE, "s")
    assert "allowed: name, birth_date, sex, phone, ci, text" in caught.value.english
    with pytest.raises(EngineError) as caught:
        make_keys(frame, {"name": "성명"}, [KeySpec("main", ("name",))], SALT_VALUE, "s")
    assert "성명" in caught.value.english and "available: name, birth_date" in caught.value.english
    with pytest.raises(EngineError) as caught:
        make_keys(frame, {"name": "name"}, [KeySpec("main", ("name", "phone"))], SALT_VALUE, "s")
    assert "does not map" in caught.value.english


def test_wrong_salt_size(tmp_path: Path) -> None:
    path = tmp_path / "short.salt"
    path.write_bytes(b"x" * 16)
    with pytest.raises(EngineError) as caught:
        read_salt(path)
    assert "must be 32 bytes" in caught.value.english and "has 16 bytes" in caught.value.english
    assert "32바이트" in caught.value.korean
    with pytest.raises(EngineError):
        make_keys(people().lazy(), ITEMS, [KeySpec("m", ("name",))], b"x" * 33, "s")


def test_salt_id_and_salt_artifact(tmp_path: Path) -> None:
    path = tmp_path / "salt-abc.salt"
    path.write_bytes(SALT_VALUE)
    assert (
        read_salt(path).salt_id
        == salt_id_of(SALT_VALUE)
        == hashlib.sha256(SALT_VALUE).hexdigest()[:16]
    )
    write_manifest(
        path,
        kind=SALT,
        sender="key_agency:한국인터넷진흥원",
        receiver="provider:테스트기관",
        purpose="salt",
        combination_id="C1",
        extra={"salt_id": "salt-abc"},
    )
    received = receive_salt(path)
    assert (received.salt.salt_id, received.provider, received.key_agency) == (
        "salt-abc",
        "테스트기관",
        "한국인터넷진흥원",
    )
    assert received.combination_id == "C1"
    with pytest.raises(EngineError, match="addressed to"):
        receive_salt(path, provider="다른기관")
    with pytest.raises(EngineError, match="combination"):
        receive_salt(path, combination_id="C2")
    path.write_bytes(bytes(32))
    with pytest.raises(EngineError, match="SHA-256"):
        receive_salt(path)


# --- the three outputs -----------------------------------------------------------------------


def make_files(tmp_path: Path, **extra: Any) -> CombinationFiles:
    data = tmp_path / "people.parquet"
    if not data.exists():
        people().write_parquet(data)
    options: dict[str, Any] = {
        "salt": Salt(SALT_VALUE, "salt-t"),
        "vault": Vault(tmp_path / "vault"),
        "out_keys": tmp_path / "out" / "keys.parquet",
        "out_payload": tmp_path / "out" / "payload.parquet",
        "parties": PARTIES,
        "combination_id": "C-test",
        "specs": [KeySpec("main", ("name", "birth_date", "phone"))],
    }
    options.update(extra)
    return make_combination_files(data, ITEMS, **options)


def test_outputs_keys_payload_vault(tmp_path: Path) -> None:
    result = make_files(tmp_path)
    keys = pl.read_parquet(tmp_path / "out" / "keys.parquet")
    payload = pl.read_parquet(tmp_path / "out" / "payload.parquet")
    assert keys.columns == [SERIAL, "key"] and keys.height == 3
    assert payload.columns == [SERIAL, "income"]  # no identifier, no key
    assert set(payload[SERIAL]) == set(keys[SERIAL])
    vault = pl.read_parquet(Vault(tmp_path / "vault").table_path(result.vault_table))
    assert vault.columns == [SERIAL, "row_number", "name", "birth_date", "sex", "phone"]
    assert vault.height == 7  # every row, keyed or not
    first = vault.filter(pl.col(SERIAL) == keys[SERIAL][0]).row(0, named=True)
    assert first["name"] == "홍길동" and first["phone"] == "01012345678"
    manifest = receive(
        tmp_path / "out" / "keys.parquet",
        receiver=PARTIES.party(KMA),
        kind=KEYS,
        combination_id="C-test",
    )
    assert manifest.extra["excluded_rows"] == 4
    assert manifest.extra["provider"] == "테스트기관"
    assert manifest.extra["key_specs"] == [
        {
            "name": "main",
            "version": 1,
            "algorithm": "hmac-sha256",
            "salt_id": "salt-t",
            "items": ["name", "birth_date", "phone"],
            "excluded_rows": 4,
        }
    ]
    sent = receive(
        tmp_path / "out" / "payload.parquet", receiver=PARTIES.party(AGENCY), kind=PAYLOAD
    )
    assert sent.extra == {"provider": "테스트기관", "policy_sha256": None}
    with pytest.raises(EngineError):  # the KMA never takes the payload
        receive(tmp_path / "out" / "payload.parquet", receiver=PARTIES.party(KMA), kind=PAYLOAD)


def test_payload_through_policy(tmp_path: Path) -> None:
    policy = load_policy(
        text="dataset: people\nenvironment: closed_room\nitems:\n  income:\n"
        "    technique: round\n    base: 10\n  name: delete\n",
        source="p.yaml",
    )
    result = make_files(tmp_path, policy=policy)
    payload = pl.read_parquet(tmp_path / "out" / "payload.parquet")
    assert payload.columns == [SERIAL, "income"]
    assert set(payload["income"]) == {0, 10}
    assert result.policy_sha256 is not None


def test_policy_keeping_a_key_item_is_refused_and_nothing_written(tmp_path: Path) -> None:
    policy = load_policy(
        text="dataset: people\nenvironment: closed_room\nitems:\n  income: keep\n  sex: keep\n",
        source="p.yaml",
    )
    with pytest.raises(EngineError) as caught:
        make_files(tmp_path, policy=policy)
    assert "sex" in caught.value.english and "must not go into the payload" in caught.value.english
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not list((tmp_path / "vault" / "tables").iterdir())


def test_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Vault, name: str, table: pl.DataFrame) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Vault, "write_table", broken)
    with pytest.raises(OSError):
        make_files(tmp_path)
    assert list((tmp_path / "out").iterdir()) == []


def test_outputs_inside_the_vault_are_refused(tmp_path: Path) -> None:
    inside = tmp_path / "vault" / "keys.parquet"
    with pytest.raises(EngineError, match="kept apart"):
        make_files(tmp_path, out_keys=inside)
    assert not inside.exists()


def test_vault_table_is_not_overwritten(tmp_path: Path) -> None:
    make_files(tmp_path)
    before = (tmp_path / "out" / "keys.parquet").read_bytes()
    with pytest.raises(EngineError, match="already holds"):
        make_files(tmp_path)
    assert (tmp_path / "out" / "keys.parquet").read_bytes() == before


def test_vault_table_names() -> None:
    assert vault_table_name("C20260101-ab") == "combination-C20260101-ab-serials"
    odd = vault_table_name("결합 2026/1")
    assert odd.startswith("combination-") and odd.endswith("-serials")
    assert odd != vault_table_name("결합 2026/2")


# --- the key correctness test ----------------------------------------------------------------


def keys_for(
    synth_dir: Path, tmp: Path, provider: str, file: str, specs: list[KeySpec]
) -> pl.DataFrame:
    """Make a provider's files and return its matched-ready frame: key columns and the
    provider's own record id (from the vault's row number and the provider's file)."""
    data = synth_dir / file
    vault = Vault(tmp / f"vault-{provider}")
    result = make_combination_files(
        data,
        ITEMS,
        salt=Salt(SALT_VALUE, "salt-synth"),
        vault=vault,
        out_keys=tmp / "out" / f"{provider}-keys.parquet",
        out_payload=tmp / "out" / f"{provider}-payload.parquet",
        parties=Parties(provider, "kisa", "ssis"),
        combination_id=f"C-{specs[0].name}",
        specs=specs,
    )
    keys = pl.read_parquet(tmp / "out" / f"{provider}-keys.parquet")
    serials = pl.read_parquet(vault.table_path(result.vault_table)).select(SERIAL, "row_number")
    ids = (
        pl.read_parquet(data)
        .select(pl.nth(0).alias("record"))
        .with_row_index("row_number", offset=1)
    )
    own = serials.join(ids.with_columns(pl.col("row_number").cast(pl.Int64)), on="row_number")
    return keys.join(own, on=SERIAL).drop(SERIAL, "row_number")


def linked_pairs(synth_dir: Path, tmp: Path, spec: KeySpec) -> pl.DataFrame:
    ssis = keys_for(synth_dir, tmp, "ssis", "ssis_persons.parquet", [spec])
    keis = keys_for(synth_dir, tmp, "keis", "keis_employment.parquet", [spec])
    pairs = ssis.join(keis, on="key", suffix="_keis")
    return pairs.select(
        pl.col("record").alias("person_id"), pl.col("record_keis").alias("insured_id")
    )


def test_keys_link_exactly_the_true_pairs(synth_dir: Path, tmp_path: Path) -> None:
    pairs = linked_pairs(
        synth_dir, tmp_path, KeySpec("main", ("name", "birth_date", "sex", "phone"))
    )
    truth = pl.read_parquet(synth_dir / "ground_truth" / "partner_overlap.parquet")
    clean = truth.filter(pl.col("typo_field").is_null())
    typos = truth.filter(pl.col("typo_field").is_not_null())
    on = ["person_id", "insured_id"]
    assert clean.height > 1000 and typos.height > 10
    assert clean.join(pairs, on=on, how="anti").is_empty()  # every clean pair matches
    assert pairs.join(truth, on=on, how="anti").is_empty()  # no false match
    assert typos.join(pairs, on=on, how="semi").is_empty()  # a typo never matches
    assert pairs.height == clean.height


def test_without_the_phone_namesakes_match_falsely(synth_dir: Path, tmp_path: Path) -> None:
    pairs = linked_pairs(synth_dir, tmp_path, KeySpec("nophone", ("name", "birth_date", "sex")))
    truth = pl.read_parquet(synth_dir / "ground_truth" / "partner_overlap.parquet")
    false = pairs.join(truth, on=["person_id", "insured_id"], how="anti")
    assert false.height > 0  # namesakes born the same day: why the phone is in the key


def test_csv_with_inferred_number_columns(tmp_path: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_text(
        "name,birth_date,sex,phone,income\n홍길동,19800102,1,01012345678,10\n김철수,19900304,2,,20\n",
        encoding="utf-8",
    )
    vault = Vault(tmp_path / "vault")
    result = make_combination_files(
        data,
        ITEMS,
        salt=Salt(SALT_VALUE, "s"),
        vault=vault,
        out_keys=tmp_path / "out" / "k.parquet",
        out_payload=tmp_path / "out" / "p.parquet",
        parties=PARTIES,
        combination_id="C-csv",
    )
    assert result.report.key_sets[0].keyed == 1
    expected = hmac.new(SALT_VALUE, "홍길동|19800102|1|01012345678".encode(), hashlib.sha256)
    assert pl.read_parquet(tmp_path / "out" / "k.parquet")["key"].to_list() == [
        expected.hexdigest()
    ]
    identifiers = pl.read_parquet(vault.table_path(result.vault_table))
    assert identifiers.row(1, named=True)["birth_date"] == "19900304"


def test_a_column_of_nulls_keys_nothing() -> None:
    frame = people().with_columns(pl.lit(None, dtype=pl.String).alias("name")).lazy()
    result = make_keys(frame, ITEMS, [KeySpec("main", ("name", "phone"))], SALT_VALUE, "s")
    assert result.table.get_column("key").null_count() == 7
    assert result.report.key_sets[0].reasons["name"] == {"missing": 7}
    assert result.keys().is_empty()


def test_policy_may_delete_records_from_the_payload(tmp_path: Path) -> None:
    policy = load_policy(
        text="dataset: people\nenvironment: closed_room\nrecords:\n  - technique: delete_records\n"
        "    column: income\n    op: '>='\n    value: 5\nitems:\n  income: keep\n",
        source="p.yaml",
    )
    result = make_files(tmp_path, policy=policy)
    assert result.keys_rows == 3 and result.payload_rows == 2
    assert pl.read_parquet(tmp_path / "out" / "payload.parquet")["income"].to_list() == [1, 2]
