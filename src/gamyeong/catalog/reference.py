"""Reference data shipped with the package: the ten SSIS source systems (seed)."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any


def read_csv(package: str, name: str) -> list[dict[str, str]]:
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_source_systems(model: Any) -> int:
    rows = read_csv("gamyeong.catalog", "source_systems.csv")
    for row in rows:
        model.objects.update_or_create(
            code=row["code"],
            defaults={
                "order": int(row["order"]),
                "name_ko": row["name_ko"],
                "name_en": row["name_en"],
                "description_ko": row["description_ko"],
                "description_en": row["description_en"],
            },
        )
    return len(rows)
