"""Loading the catalog from a synthetic-data manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem
from gamyeong.catalog.services import ManifestError, load_manifest
from gamyeong.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_reference_source_systems_are_loaded_by_migration() -> None:
    systems = list(SourceSystem.objects.values_list("name_ko", flat=True))
    assert len(systems) == 10
    assert systems[0].startswith("사회보장정보시스템")
    assert "E보건소 시스템" in systems


def test_manifest_loads_datasets_items_and_programmes(synth_dir: Path) -> None:
    result = load_manifest(synth_dir / "manifest.json")
    assert (result.datasets, result.programmes) == (3, 10)
    persons = Dataset.objects.get(name="ssis_persons")
    assert persons.rows == 20_000
    assert persons.source_system is not None and persons.source_system.code == "haengbok"
    assert persons.provider.name == "한국사회보장정보원"
    name = persons.items.get(name="name")
    assert (name.item_class, name.label_ko) == ("direct_identifier", "성명")
    assert Item.objects.filter(dataset__name="keis_employment").count() == 12
    means_tested = set(Programme.objects.filter(means_tested=True).values_list("code", flat=True))
    assert "child_allowance" not in means_tested and "livelihood" in means_tested
    eligibility = Dataset.objects.get(name="ssis_eligibility")
    assert eligibility.programmes.count() == 10
    assert AuditEvent.objects.filter(action="catalog.loaded").count() == 1


def test_reloading_is_idempotent(synth_dir: Path) -> None:
    load_manifest(synth_dir / "manifest.json")
    load_manifest(synth_dir / "manifest.json")
    assert Dataset.objects.count() == 3
    assert Item.objects.filter(dataset__name="ssis_persons").count() == 27


def test_bad_manifest_says_where_and_loads_nothing(tmp_path: Path, synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["datasets"][1]["columns"][2]["class"] = "secret"
    bad = tmp_path / "manifest.json"
    bad.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_manifest(bad)
    assert "datasets[1].columns[2]" in error.value.english
    assert "secret" in error.value.korean
    assert Dataset.objects.count() == 0


def test_unreadable_manifest_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "manifest.json"
    broken.write_bytes(b'{"datasets": [')
    with pytest.raises(ManifestError, match="cannot parse"):
        load_manifest(broken)
    with pytest.raises(ManifestError, match="no manifest"):
        load_manifest(tmp_path / "missing.json")
