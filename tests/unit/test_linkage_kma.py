"""The key-management agency (결합키관리기관): salts, match rates, collisions, mock combination,
extraction and linking on small hand-made key files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.artifacts import KEYS, LINKING, MATCHED, SALT, manifest_path
from gamyeong.engine.linkage.kma import (
    extract,
    issue_salt,
    link,
    match_report,
    mock_combination,
)
from gamyeong.engine.linkage.kma_inputs import receive_key_files
from tests.linkage_helpers import (
    COMBINATION,
    Parties,
    deliver_keys,
    key_of,
    parties,
    serials,
    spec,
    write_keys,
)

# Hand-checked: ssis holds a, b, c, d twice, e, and one record it could not key; keis holds
# a, b, c, x and e twice. Linked: a, b, c. Collisions: d in ssis (not in keis), e in keis (so
# e is blocked in both).
SSIS = ["a", "b", "c", "d", "d", "e", None]
KEIS = ["a", "b", "c", "x", "e", "e"]


@pytest.fixture
def world(tmp_path: Path) -> Parties:
    return parties(tmp_path)


def people_by_serial(path: Path, people: list[str | None]) -> dict[str, str | None]:
    return dict(zip(pl.read_parquet(path)["serial"].to_list(), people, strict=True))


def test_match_rates_and_collisions(world: Parties) -> None:
    report = match_report(world.kma, deliver_keys(world, {"ssis": SSIS, "keis": KEIS}))
    assert report.linked == 3 and report.collision_rule == "excluded"
    ssis, keis = report.provider("ssis"), report.provider("keis")
    assert (ssis.records, ssis.keyed, ssis.distinct_keys) == (7, 6, 5)
    assert (ssis.collision_keys, ssis.collision_records, ssis.blocked_by_collision) == (1, 2, 1)
    assert (ssis.matched, ssis.unmatched, ssis.match_rate) == (3, 4, round(3 / 7, 6))
    assert (keis.records, keis.keyed, keis.distinct_keys) == (6, 6, 5)
    assert (keis.collision_keys, keis.collision_records, keis.blocked_by_collision) == (1, 2, 2)
    assert (keis.matched, keis.match_rate) == (3, 0.5)
    assert ssis.party == "provider:ssis"


def test_records_held_include_rows_the_provider_could_not_key(world: Parties) -> None:
    frame = pl.DataFrame({"serial": serials(2), "key": [key_of(p, world.salt) for p in "ab"]})
    paths = [
        world.kma.admit(
            write_keys(
                world.providers[name],
                frame if name == "ssis" else frame.head(1),
                world.kma,
                specs=[spec(world.salt_id)],
                excluded_rows=8 if name == "ssis" else 0,
            ),
            KEYS,
        )[0]
        for name in ("ssis", "keis")
    ]
    ssis = match_report(world.kma, paths).provider("ssis")
    assert (ssis.records, ssis.excluded_rows, ssis.keyed, ssis.matched) == (10, 8, 2, 1)
    assert ssis.match_rate == 0.1


def test_linking_pairs_the_serials_of_the_same_person(world: Parties) -> None:
    paths = deliver_keys(world, {"ssis": SSIS, "keis": KEIS})
    linked = link(world.kma, paths, out=world.kma.outbox / "link.parquet", agency="결합기관")
    frame = pl.read_parquet(linked.path)
    assert frame.columns == ["linking_id", "serial_ssis", "serial_keis"]
    ssis, keis = people_by_serial(paths[0], SSIS), people_by_serial(paths[1], KEIS)
    pairs = {(ssis[a], keis[b]) for a, b in frame.select("serial_ssis", "serial_keis").rows()}
    assert pairs == {("a", "a"), ("b", "b"), ("c", "c")}
    assert frame["linking_id"].str.contains("^[0-9a-f]{32}$").all()
    assert frame["linking_id"].n_unique() == 3
    manifest = linked.manifest
    assert manifest.kind == LINKING and manifest.receiver == "combination_agency:결합기관"
    assert manifest.extra["providers"] == ["ssis", "keis"]
    assert manifest.extra["key_items"] == ["name", "birth_date", "phone"]
    assert manifest.extra["match_report"]["linked"] == 3


def test_three_providers_link_only_keys_held_by_all(tmp_path: Path) -> None:
    world = parties(tmp_path, ("ssis", "keis", "nhis"))
    people = {"ssis": ["a", "b", "c"], "keis": ["a", "b", "d"], "nhis": ["b", "a", "e"]}
    paths = deliver_keys(world, people)
    linked = link(world.kma, paths, out=world.kma.outbox / "l.parquet", agency="x")
    frame = pl.read_parquet(linked.path)
    assert frame.columns == ["linking_id", "serial_ssis", "serial_keis", "serial_nhis"]
    maps = [people_by_serial(p, people[n]) for p, n in zip(paths, people, strict=True)]
    rows = {tuple(m[s] for m, s in zip(maps, row[1:], strict=True)) for row in frame.rows()}
    assert rows == {("a", "a", "a"), ("b", "b", "b")}


def test_a_shared_key_prefix_never_links_different_keys(world: Parties) -> None:
    """Two different keys with the same first 16 hex digits, within and across providers."""
    same = "0123456789abcdef"
    ssis = [same + "a" * 48, same + "b" * 48, "f" * 16 + "c" * 48]
    keis = [same + "a" * 48, "f" * 16 + "d" * 48]
    paths = []
    for name, keys in (("ssis", ssis), ("keis", keis)):
        frame = pl.DataFrame({"serial": serials(len(keys)), "key": keys})
        path = write_keys(world.providers[name], frame, world.kma, specs=[spec(world.salt_id)])
        paths.append(world.kma.admit(path, KEYS)[0])
    # a mock combination of the whole key space numbers keys by their first 16 hex digits
    for report in (match_report(world.kma, paths), mock_combination(world.kma, paths, 1.0)):
        assert report.linked == 1
        assert report.provider("ssis").collision_keys == 0
        assert report.provider("ssis").distinct_keys == 3


def test_mock_combination_is_reproducible_and_samples_the_same_keys(world: Parties) -> None:
    everyone = [f"p{i}" for i in range(4000)]
    paths = deliver_keys(world, {"ssis": everyone[:3000], "keis": everyone[1000:]})
    full = match_report(world.kma, paths)
    first = mock_combination(world.kma, paths, 0.25)
    second = mock_combination(world.kma, paths, 0.25)
    assert first.providers == second.providers and first.mock_fraction == 0.25
    ssis = first.provider("ssis")
    assert 600 < ssis.records < 900  # about a quarter of 3,000
    # the same keys are sampled in both providers: the sample's rate is the full rate (2/3)
    assert abs(ssis.match_rate - full.provider("ssis").match_rate) < 0.06
    whole = mock_combination(world.kma, paths, 1.0)
    assert [replace(p, records=0) for p in whole.providers] == [
        replace(p, records=0) for p in full.providers
    ]


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5])
def test_mock_fraction_must_be_a_share(world: Parties, fraction: float) -> None:
    paths = deliver_keys(world, {"ssis": ["a"], "keis": ["a"]})
    with pytest.raises(EngineError, match="mock-combination fraction"):
        mock_combination(world.kma, paths, fraction)


def test_extraction_gives_each_provider_its_matched_serials(world: Parties) -> None:
    paths = deliver_keys(world, {"ssis": SSIS, "keis": KEIS})
    extracted = extract(world.kma, paths, combination_id=COMBINATION)
    for (name, people), key_file in zip({"ssis": SSIS, "keis": KEIS}.items(), paths, strict=True):
        provider = world.providers[name]
        path, manifest = provider.admit(extracted[provider.party], MATCHED)
        assert manifest.receiver == provider.party and manifest.extra["provider"] == name
        who = people_by_serial(key_file, people)
        assert sorted(who[s] or "" for s in pl.read_parquet(path)["serial"]) == ["a", "b", "c"]


def test_issued_salt_is_kept_in_the_vault_and_sent_to_each_provider(world: Parties) -> None:
    parties_ = [p.party for p in world.providers.values()]
    issued = issue_salt(world.kma, "C-2", ["ssis", "provider:keis"])
    assert sorted(issued.paths) == sorted(parties_)
    for party, path in issued.paths.items():
        provider = next(p for p in world.providers.values() if p.party == party)
        received, manifest = provider.admit(path, SALT, combination_id="C-2")
        assert received.read_bytes() == world.kma.vault.secret(issued.salt_id, 32)
        assert manifest.extra == {"salt_id": issued.salt_id} and manifest.kind == SALT
    assert len(world.kma.vault.secret(issued.salt_id, 32)) == 32


def test_a_salt_goes_only_to_providers(world: Parties) -> None:
    with pytest.raises(EngineError, match="at least one provider"):
        issue_salt(world.kma, "C-3", ["combination_agency:x"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("version", "2"), ("algorithm", "sha256"), ("salt_id", "salt-other"), ("items", ["ci"])],
)
def test_key_specs_must_agree(world: Parties, field: str, value: object) -> None:
    frame = pl.DataFrame({"serial": serials(1), "key": [key_of("a", world.salt)]})
    paths = []
    for name in ("ssis", "keis"):
        changed = {field: value} if name == "keis" else {}
        path = write_keys(
            world.providers[name], frame, world.kma, specs=[spec(world.salt_id, **changed)]
        )
        paths.append(world.kma.admit(path, KEYS)[0])
    with pytest.raises(EngineError, match=f"differ \\({field}: ssis="):
        match_report(world.kma, paths)


def test_a_salt_the_kma_did_not_issue_is_refused(world: Parties) -> None:
    frame = pl.DataFrame({"serial": serials(1), "key": [key_of("a", world.salt)]})
    paths = [
        world.kma.admit(
            write_keys(world.providers[n], frame, world.kma, specs=[spec("salt-forged")]), KEYS
        )[0]
        for n in ("ssis", "keis")
    ]
    with pytest.raises(EngineError, match="was not issued by this key-management agency"):
        match_report(world.kma, paths)


def test_a_key_set_is_chosen_by_name(world: Parties) -> None:
    paths = []
    ci = ["ci-1", "ci-2"]
    for name, people in (("ssis", ["a", "b"]), ("keis", ["a", "c"])):
        frame = pl.DataFrame(
            {
                "serial": serials(2),
                "key_basic": [key_of(p, world.salt) for p in people],
                "key_ci": [key_of(p, world.salt) for p in ci],
            }
        )
        specs = [spec(world.salt_id, "basic"), spec(world.salt_id, "ci", items=["ci"])]
        paths.append(
            world.kma.admit(write_keys(world.providers[name], frame, world.kma, specs=specs), KEYS)[
                0
            ]
        )
    with pytest.raises(EngineError, match="choose a key set"):
        match_report(world.kma, paths)
    assert match_report(world.kma, paths, key_set="basic").linked == 1  # a
    assert match_report(world.kma, paths, key_set="ci").linked == 2
    with pytest.raises(EngineError, match="no key set 'other'"):
        match_report(world.kma, paths, key_set="other")


def test_key_files_of_different_combinations_are_refused(world: Parties) -> None:
    frame = pl.DataFrame({"serial": serials(1), "key": [key_of("a", world.salt)]})
    paths = [
        world.kma.admit(
            write_keys(
                world.providers[n],
                frame,
                world.kma,
                specs=[spec(world.salt_id)],
                combination_id=cid,
            ),
            KEYS,
        )[0]
        for n, cid in (("ssis", COMBINATION), ("keis", "C-other"))
    ]
    with pytest.raises(EngineError, match="different combinations"):
        receive_key_files(world.kma, paths)
    with pytest.raises(EngineError, match="belongs to combination"):
        receive_key_files(world.kma, paths, combination_id=COMBINATION)


def test_a_malformed_key_names_the_row_but_not_the_value(world: Parties) -> None:
    good = pl.DataFrame({"serial": serials(1), "key": [key_of("a", world.salt)]})
    bad = pl.DataFrame(
        {"serial": serials(3), "key": [key_of("a", world.salt), None, "홍길동-19800101"]}
    )
    paths = [
        world.kma.admit(
            write_keys(world.providers[n], f, world.kma, specs=[spec(world.salt_id)]), KEYS
        )[0]
        for n, f in (("ssis", bad), ("keis", good))
    ]
    with pytest.raises(EngineError, match="row 3") as caught:
        match_report(world.kma, paths)
    assert "홍길동" not in str(caught.value)


def test_a_serial_must_be_random_hex(world: Parties) -> None:
    frame = pl.DataFrame({"serial": ["800101-1234567"], "key": [key_of("a", world.salt)]})
    paths = [
        world.kma.admit(
            write_keys(world.providers[n], frame, world.kma, specs=[spec(world.salt_id)]), KEYS
        )[0]
        for n in ("ssis", "keis")
    ]
    with pytest.raises(EngineError, match="row 1"):
        match_report(world.kma, paths)


def test_one_key_file_per_provider_and_at_least_two(world: Parties) -> None:
    paths = deliver_keys(world, {"ssis": ["a"]})
    with pytest.raises(EngineError, match="at least two providers"):
        match_report(world.kma, paths)
    copy = world.kma.inbox / "copy.parquet"
    copy.write_bytes(paths[0].read_bytes())
    manifest_path(copy).write_text(
        manifest_path(paths[0])
        .read_text()
        .replace('"file": "keys-ssis.parquet"', '"file": "copy.parquet"')
    )
    with pytest.raises(EngineError, match="more than one key file from the same provider"):
        match_report(world.kma, [paths[0], copy])
