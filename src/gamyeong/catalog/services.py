"""Loading the catalog from a synthetic-data manifest (the codebook written by ``gamyeong synth``).

The manifest is checked before anything is written: a missing key, an unknown item class or an
unknown source system is reported with where it is, and nothing is loaded. Loading is one
transaction and one audit event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import ensure_organisation
from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem
from gamyeong.errors import BilingualError
from gamyeong.governance import audit

ITEM_CLASSES = {choice.value for choice in Item.ItemClass}
DATASET_KEYS = ("name", "file", "provider", "rows", "columns")
COLUMN_KEYS = ("name", "class", "type", "label_ko", "label_en")


class ManifestError(BilingualError):
    pass


@dataclass(frozen=True)
class LoadResult:
    datasets: int
    items: int
    programmes: int


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"매니페스트 파일이 없습니다: {path}", f"no manifest at {path}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(
            f"매니페스트를 읽을 수 없습니다: {path} ({exc})",
            f"cannot parse manifest {path} ({exc})",
        ) from None
    _validate(data, path)
    return dict(data)


def _validate(data: Any, path: Path) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        raise ManifestError(
            f"{path}: 'datasets' 목록이 없습니다", f"{path}: missing the 'datasets' list"
        )
    known_systems = set(SourceSystem.objects.values_list("code", flat=True))
    for i, dataset in enumerate(data["datasets"]):
        where = f"{path}: datasets[{i}]"
        missing = [key for key in DATASET_KEYS if key not in dataset]
        if missing:
            raise ManifestError(f"{where}에 {missing} 키가 없습니다", f"{where} lacks {missing}")
        system = dataset.get("source_system")
        if system and system not in known_systems:
            raise ManifestError(
                f"{where}: 알 수 없는 원천 시스템 '{system}' (가능한 값: {sorted(known_systems)})",
                f"{where}: unknown source system {system!r} (known: {sorted(known_systems)})",
            )
        for j, column in enumerate(dataset["columns"]):
            at = f"{where}.columns[{j}]"
            missing = [key for key in COLUMN_KEYS if key not in column]
            if missing:
                raise ManifestError(f"{at}에 {missing} 키가 없습니다", f"{at} lacks {missing}")
            if column["class"] not in ITEM_CLASSES:
                raise ManifestError(
                    f"{at}: 알 수 없는 항목 분류 '{column['class']}' (가능한 값: {sorted(ITEM_CLASSES)})",
                    f"{at}: unknown item class {column['class']!r} (allowed: {sorted(ITEM_CLASSES)})",
                )


def _load_programmes(entries: list[dict[str, Any]]) -> dict[str, Programme]:
    programmes = {}
    for order, entry in enumerate(entries, start=1):
        programme, _created = Programme.objects.update_or_create(
            code=entry["code"],
            defaults={
                "order": order,
                "name_ko": entry["name_ko"],
                "name_en": entry["name_en"],
                "means_tested": bool(entry["means_tested"]),
                "ministry_division": entry.get("ministry_division", ""),
                "rule_ko": entry.get("rule_ko", ""),
                "rule_en": entry.get("rule_en", ""),
            },
        )
        programmes[programme.code] = programme
    return programmes


def _load_dataset(
    entry: dict[str, Any], programmes: dict[str, Programme], relative_dir: str, actor: Any
) -> int:
    provider, _ = ensure_organisation(
        entry["provider"],
        kind=Organisation.Kind.PROVIDER,
        name_en=entry.get("provider_en", ""),
        actor=actor,
    )
    system = entry.get("source_system")
    dataset, _ = Dataset.objects.update_or_create(
        name=entry["name"],
        defaults={
            "title_ko": entry.get("title_ko", entry["name"]),
            "title_en": entry.get("title_en", entry["name"]),
            "description_ko": entry.get("description_ko", ""),
            "description_en": entry.get("description_en", ""),
            "unit_ko": entry.get("unit_ko", ""),
            "unit_en": entry.get("unit_en", ""),
            "provider": provider,
            "source_system": SourceSystem.objects.get(code=system) if system else None,
            "rows": int(entry["rows"]),
            "file": f"{relative_dir}/{entry['file']}" if relative_dir else entry["file"],
            "sha256": entry.get("sha256", ""),
        },
    )
    kept = [
        Item.objects.update_or_create(
            dataset=dataset,
            name=column["name"],
            defaults={
                "position": position,
                "label_ko": column["label_ko"],
                "label_en": column["label_en"],
                "item_class": column["class"],
                "data_type": column["type"],
                "programme": programmes.get(column.get("programme") or ""),
                "description_ko": column.get("description_ko", ""),
                "description_en": column.get("description_en", ""),
            },
        )[0].pk
        for position, column in enumerate(entry["columns"], start=1)
    ]
    # Items updated in place keep their ids: applications that asked for them stay valid on a
    # reload. An item gone from the manifest is removed unless an application refers to it.
    for stale in dataset.items.exclude(pk__in=kept):
        try:
            with transaction.atomic():
                stale.delete()
        except ProtectedError:
            continue
    codes = {c.get("programme") for c in entry["columns"] if c.get("programme")}
    if any(c["name"] == "programme" for c in entry["columns"]):
        codes |= set(programmes)  # a table with a row per programme covers them all
    dataset.programmes.set([programmes[code] for code in codes if code in programmes])
    return len(entry["columns"])


@transaction.atomic
def load_manifest(path: Path, *, data_dir: Path | None = None, actor: Any = "system") -> LoadResult:
    """Load (or reload) the programmes, datasets and items described by ``path``."""
    manifest = read_manifest(path)
    relative_dir = ""
    if data_dir is not None:
        try:
            relative_dir = str(path.parent.resolve().relative_to(data_dir.resolve()))
        except ValueError:
            relative_dir = str(path.parent.resolve())
        relative_dir = "" if relative_dir == "." else relative_dir
    programmes = _load_programmes(manifest.get("programmes", []))
    items = sum(
        _load_dataset(entry, programmes, relative_dir, actor) for entry in manifest["datasets"]
    )
    result = LoadResult(len(manifest["datasets"]), items, len(programmes))
    audit.record(
        "catalog.loaded",
        actor=actor,
        object_type="catalog.manifest",
        object_id=str(path.name),
        summary=f"{result.datasets} datasets, {result.items} items",
        detail={
            "manifest": str(path),
            "seed": manifest.get("seed"),
            "persons": manifest.get("persons"),
        },
    )
    return result
