"""The codebook (코드북) of a project's data: per dataset, its columns with labels, item class,
type and value labels.

Two sources build one: the synthetic generator's ``manifest.json`` (:meth:`Codebook.from_synth`)
and plain dicts, which is what the web side makes from its catalog items
(:meth:`Codebook.from_dicts`). A catalog describes the *original* items; pseudonymization may
have deleted a column or changed its type (age banded to ``"40-44"``, a date generalised to
``"2024Q1"``, an id hashed to hex). :func:`conform` therefore rebuilds a dataset's codebook from
the actual Parquet schema: the columns and their order come from the file, the type is read from
the file (the catalog's type is kept as ``catalog_type`` when it differs), and a column the
catalog does not describe is an error — an undocumented column could be an identifier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.synth.codebook import DIRECT, ITEM_CLASSES, OTHER, QUASI, SENSITIVE

__all__ = [
    "DIRECT",
    "ITEM_CLASSES",
    "OTHER",
    "QUASI",
    "SENSITIVE",
    "Codebook",
    "CodebookColumn",
    "DatasetCodebook",
    "ValueLabel",
    "column_type",
    "conform",
]

COLUMN_TYPES = ("string", "integer", "float", "date", "datetime", "time", "boolean")
BOOLEAN_LABELS = {"true": ("예", "yes"), "false": ("아니오", "no")}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class ValueLabel:
    """The meaning of one value: Korean, and English when known."""

    ko: str
    en: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"ko": self.ko} if self.en is None else {"ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class CodebookColumn:
    """One column. ``value_labels`` keys are the values as text (``"1"``, ``"basic_pension"``,
    ``"true"``); writers turn them into the column's actual type. ``format_names`` holds the
    column's name in a file format whose naming rules forced a different one (``xpt`` → ``SEX``)."""

    name: str
    label_ko: str
    label_en: str
    item_class: str
    type: str
    value_labels: Mapping[str, ValueLabel] = field(default_factory=dict)
    catalog_type: str | None = None
    format_names: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label_ko": self.label_ko,
            "label_en": self.label_en,
            "item_class": self.item_class,
            "type": self.type,
        }
        if self.catalog_type is not None:
            out["catalog_type"] = self.catalog_type
        if self.value_labels:
            out["value_labels"] = {k: v.as_dict() for k, v in self.value_labels.items()}
        if self.format_names:
            out["format_names"] = dict(self.format_names)
        return out


@dataclass(frozen=True)
class DatasetCodebook:
    name: str
    columns: tuple[CodebookColumn, ...]
    title_ko: str = ""
    title_en: str = ""
    dummy: bool = False  # 더미 데이터 (dummy data): a look-alike with no real record in it
    table_names: Mapping[str, str] = field(default_factory=dict)  # format → table/member name

    def column(self, name: str) -> CodebookColumn:
        for column in self.columns:
            if column.name == name:
                return column
        raise EngineError(
            f"코드북의 {self.name} 데이터셋에 {name!r} 열이 없습니다",
            f"the codebook of dataset {self.name} has no column {name!r}",
        )

    def names(self, item_classes: Iterable[str]) -> list[str]:
        wanted = set(item_classes)
        return [c.name for c in self.columns if c.item_class in wanted]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "title_ko": self.title_ko,
            "title_en": self.title_en,
            "dummy": self.dummy,
            "columns": [c.as_dict() for c in self.columns],
        }
        if self.table_names:
            out["table_names"] = dict(self.table_names)
        return out


@dataclass(frozen=True)
class Codebook:
    datasets: tuple[DatasetCodebook, ...]

    def dataset(self, name: str) -> DatasetCodebook:
        for dataset in self.datasets:
            if dataset.name == name:
                return dataset
        known = ", ".join(d.name for d in self.datasets) or "-"
        raise EngineError(
            f"코드북에 {name!r} 데이터셋이 없습니다 (있는 것: {known})",
            f"the codebook has no dataset {name!r} (it has: {known})",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dummy": any(d.dummy for d in self.datasets),
            "datasets": [d.as_dict() for d in self.datasets],
        }

    @classmethod
    def from_dicts(cls, datasets: Iterable[Mapping[str, Any]]) -> Codebook:
        """Build from plain dicts: ``{"name", "title_ko"?, "title_en"?, "columns": [{"name",
        "label_ko", "label_en", "item_class" (or "class"), "type", "value_labels" (or
        "values"): {value: "한국어" | {"ko": …, "en": …}}}]}``."""
        return cls(tuple(_dataset_from_dict(d, synth=False) for d in datasets))

    @classmethod
    def from_synth(cls, manifest: Path | Mapping[str, Any]) -> Codebook:
        """Build from the synthetic generator's ``manifest.json`` (a path or its parsed dict).

        Its value labels map a code to a Korean label (``{"1": "남"}``) or, where the value is
        itself Korean, the Korean value to an English label (``{"1인가구": "single person"}``);
        the second kind becomes ``ValueLabel(ko=value, en=label)``."""
        data = _load_json(manifest) if isinstance(manifest, Path) else manifest
        datasets = data.get("datasets")
        if not isinstance(datasets, list):
            raise EngineError(
                "합성 데이터 manifest에 datasets 목록이 없습니다",
                "the synthetic data manifest has no datasets list",
            )
        return cls(tuple(_dataset_from_dict(d, synth=True) for d in datasets))


def _load_json(path: Path) -> Mapping[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(
            f"코드북 파일을 읽을 수 없습니다: {path} ({exc})",
            f"cannot read the codebook file {path} ({exc})",
        ) from None
    if not isinstance(loaded, dict):
        raise EngineError(
            f"코드북 파일이 JSON 객체가 아닙니다: {path}",
            f"the codebook file is not a JSON object: {path}",
        )
    return loaded


def _dataset_from_dict(data: Mapping[str, Any], *, synth: bool) -> DatasetCodebook:
    name = str(data.get("name") or "")
    if not name:
        raise EngineError("코드북의 데이터셋에 이름이 없습니다", "a codebook dataset has no name")
    columns = tuple(_column_from_dict(name, c, synth=synth) for c in data.get("columns") or ())
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise EngineError(
                f"코드북의 {name} 데이터셋에 {column.name!r} 열이 두 번 있습니다",
                f"the codebook of dataset {name} lists column {column.name!r} twice",
            )
        seen.add(column.name)
    return DatasetCodebook(
        name=name,
        columns=columns,
        title_ko=str(data.get("title_ko") or ""),
        title_en=str(data.get("title_en") or ""),
        dummy=bool(data.get("dummy", False)),
        table_names={str(k): str(v) for k, v in (data.get("table_names") or {}).items()},
    )


def _column_from_dict(dataset: str, data: Mapping[str, Any], *, synth: bool) -> CodebookColumn:
    name = str(data.get("name") or "")
    item_class = str(data.get("item_class") or data.get("class") or "")
    where_ko, where_en = f"코드북 {dataset}.{name or '?'}", f"codebook {dataset}.{name or '?'}"
    if not name:
        raise EngineError(f"{where_ko}: 열 이름이 없습니다", f"{where_en}: the column has no name")
    if item_class not in ITEM_CLASSES:
        allowed = ", ".join(ITEM_CLASSES)
        raise EngineError(
            f"{where_ko}: 항목 분류 {item_class!r}는 알 수 없습니다 ({allowed} 중 하나)",
            f"{where_en}: unknown item class {item_class!r} (one of {allowed})",
        )
    raw_labels = data.get("value_labels") or data.get("values") or {}
    if not isinstance(raw_labels, Mapping):
        raise EngineError(
            f"{where_ko}: 값 라벨은 값 → 라벨의 사전이어야 합니다",
            f"{where_en}: value labels must be a mapping of value → label",
        )
    return CodebookColumn(
        name=name,
        label_ko=str(data.get("label_ko") or name),
        label_en=str(data.get("label_en") or data.get("label_ko") or name),
        item_class=item_class,
        type=str(data.get("type") or "string"),
        catalog_type=None if data.get("catalog_type") is None else str(data["catalog_type"]),
        format_names={str(k): str(v) for k, v in (data.get("format_names") or {}).items()},
        value_labels={
            str(value): _value_label(str(value), label, synth=synth, where=(where_ko, where_en))
            for value, label in raw_labels.items()
        },
    )


def _value_label(value: str, label: Any, *, synth: bool, where: tuple[str, str]) -> ValueLabel:
    if isinstance(label, Mapping) and label.get("ko"):
        english = label.get("en")
        return ValueLabel(str(label["ko"]), None if english is None else str(english))
    if isinstance(label, str) and label:
        if synth and _HANGUL.search(value) and not _HANGUL.search(label):
            return ValueLabel(value, label)
        return ValueLabel(label)
    raise EngineError(
        f"{where[0]}: 값 {value!r}의 라벨이 비어 있거나 형식이 틀립니다",
        f"{where[1]}: the label of value {value!r} is empty or malformed",
    )


def column_type(dtype: pl.DataType) -> str:
    """The codebook type of a Polars/Parquet column type."""
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return "float"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Time:
        return "time"
    if dtype in (pl.String, pl.Categorical, pl.Null) or isinstance(dtype, pl.Enum):
        return "string"
    raise TypeError(str(dtype))


def conform(dataset: DatasetCodebook, schema: pl.Schema) -> DatasetCodebook:
    """``dataset``'s codebook following the file's actual columns, order and types."""
    known = {c.name: c for c in dataset.columns}
    undocumented = [name for name in schema.names() if name not in known]
    if undocumented:
        listed = ", ".join(undocumented)
        raise EngineError(
            f"{dataset.name} 데이터의 열 {listed}이(가) 코드북에 없습니다. "
            "모든 열에 라벨과 항목 분류가 있어야 합니다",
            f"the columns {listed} of dataset {dataset.name} are not in the codebook; "
            "every column needs labels and an item class",
        )
    columns = []
    for name, dtype in schema.items():
        try:
            actual = column_type(dtype)
        except TypeError:
            raise EngineError(
                f"{dataset.name}.{name} 열의 유형 {dtype}은(는) 표 형식 파일로 쓸 수 없습니다",
                f"column {dataset.name}.{name} has type {dtype}, which no tabular format holds",
            ) from None
        entry = known[name]
        original = entry.catalog_type or entry.type
        labels = dict(entry.value_labels)
        if actual == "boolean" and not labels:
            labels = {key: ValueLabel(*pair) for key, pair in BOOLEAN_LABELS.items()}
        columns.append(
            replace(
                entry,
                type=actual,
                value_labels=labels,
                catalog_type=original if original != actual else None,
            )
        )
    return replace(dataset, columns=tuple(columns))
