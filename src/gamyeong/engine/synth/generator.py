"""The generator's one entry point, :func:`generate`, and its configuration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from gamyeong import __version__
from gamyeong.engine.synth import codebook
from gamyeong.engine.synth.economics import build_economics
from gamyeong.engine.synth.eligibility import build_grants, eligibility_frame
from gamyeong.engine.synth.errors import SynthError
from gamyeong.engine.synth.identifiers import (
    addresses,
    given_names_for,
    phones,
    rrn_like,
    surnames_for,
)
from gamyeong.engine.synth.partner import (
    PartnerPersons,
    choose_overlap,
    outsiders,
    partner_frame,
    with_typos,
)
from gamyeong.engine.synth.population import (
    HOUSEHOLD_TYPES,
    RELATIONSHIPS,
    Population,
    build_population,
)
from gamyeong.engine.synth.reference import regions
from gamyeong.engine.synth.rules import PROGRAMMES, ProgrammeRules
from gamyeong.engine.synth.writer import prepare_output, staging

Progress = Callable[[str, float], None]
MAX_PERSONS = 100_000_000


@dataclass(frozen=True)
class SynthConfig:
    persons: int
    seed: int = 2026
    overlap: float = 0.3  # share of SSIS persons also in the partner's register
    partner_only: float = 0.1  # share of the partner's rows that are not SSIS persons
    typo_rate: float = 0.01  # share of overlapping partner records with one typo
    as_of: date = date(2026, 6, 30)  # reference date of the snapshot (기준일)
    rules: ProgrammeRules = field(default_factory=ProgrammeRules)

    def validate(self) -> None:
        if not 1 <= self.persons <= MAX_PERSONS:
            raise SynthError(
                f"--persons는 1 이상 {MAX_PERSONS:,} 이하여야 합니다 (받은 값: {self.persons})",
                f"--persons must be between 1 and {MAX_PERSONS:,} (got {self.persons})",
            )
        if not 0 <= self.seed < 2**63:
            raise SynthError(
                f"--seed는 0 이상의 정수여야 합니다 (받은 값: {self.seed})",
                f"--seed must be a non-negative integer (got {self.seed})",
            )
        for name, value, upper in (
            ("--overlap", self.overlap, 1.0),
            ("--partner-only", self.partner_only, 0.95),
            ("--typo-rate", self.typo_rate, 1.0),
        ):
            if not 0 <= value <= upper:
                raise SynthError(
                    f"{name}는 0과 {upper} 사이여야 합니다 (받은 값: {value})",
                    f"{name} must be between 0 and {upper} (got {value})",
                )


def _ids(rng: np.random.Generator, prefix: str, count: int, digits: int) -> pl.Series:
    low = 10 ** (digits - 1)
    numbers = rng.choice(9 * low, size=count, replace=False) + low
    return pl.Series(numbers).cast(pl.String).str.replace(r"^", prefix)


def _persons_frame(
    rng: np.random.Generator, pop: Population, flags: dict[str, np.ndarray]
) -> pl.DataFrame:
    reg = regions()
    region = pop.hh_region[pop.household]
    birth_year = pop.birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
    person_id = _ids(rng, "P", pop.persons, 10)
    household_id = _ids(rng, "H", pop.households, 9).gather(pop.household)
    name = np.char.add(
        surnames_for(rng, pop).astype(str), given_names_for(rng, pop.sex, birth_year)
    )
    columns: dict[str, Any] = {
        "person_id": person_id,
        "household_id": household_id,
        "name": name,
        "rrn": rrn_like(rng, pop.birth_date, pop.sex),
        "phone": phones(rng, pop.age),
        "address": addresses(rng, pop.hh_region).gather(pop.household),
        "birth_date": pop.birth_date,
        "sex": pop.sex,
        "age": pop.age.astype(np.int16),
        "sido_code": reg.sido_code[region],
        "sido_name": reg.sido_name[region],
        "sigungu_code": reg.sigungu_code[region],
        "sigungu_name": reg.sigungu_name[region],
        "household_type": np.array([t[1] for t in HOUSEHOLD_TYPES])[pop.hh_type[pop.household]],
        "household_size": pop.hh_size[pop.household].astype(np.int16),
        "relationship": np.array([r[1] for r in RELATIONSHIPS])[pop.role],
        "disability": pl.Series(pop.disability).replace_strict(
            {0: None, 1: "심하지 않은 장애", 2: "심한 장애"}, return_dtype=pl.String
        ),
    }
    columns.update({f"has_{code}": mask for code, mask in flags.items()})
    return pl.DataFrame(columns)


def _partner(
    rng: np.random.Generator, config: SynthConfig, persons: pl.DataFrame, low_income: np.ndarray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    has_phone = persons["phone"].is_not_null().to_numpy()
    chosen = choose_overlap(rng, persons["age"].to_numpy(), low_income, has_phone, config.overlap)
    extra = round(chosen.size * config.partner_only / (1 - config.partner_only))
    as_of = np.datetime64(config.as_of, "D")
    others = outsiders(rng, extra, as_of)
    people = PartnerPersons(
        ssis_index=np.concatenate([chosen, others.ssis_index]),
        name=np.concatenate([persons["name"].to_numpy()[chosen], others.name]),
        birth_date=np.concatenate([persons["birth_date"].to_numpy()[chosen], others.birth_date]),
        sex=np.concatenate([persons["sex"].to_numpy()[chosen], others.sex]),
        phone=pl.concat([persons["phone"].gather(chosen), others.phone]),
    )
    people, typo = with_typos(rng, people, config.typo_rate)
    low = np.concatenate([low_income[chosen], np.zeros(extra, dtype=bool)])
    register = partner_frame(rng, people, typo, low, as_of)
    truth = (
        register.filter(pl.col("_ssis_index") >= 0)
        .select(
            persons["person_id"]
            .gather(register.filter(pl.col("_ssis_index") >= 0)["_ssis_index"])
            .alias("person_id"),
            pl.col("insured_id"),
            pl.col("_typo").alias("typo_field"),
        )
        .sort("person_id")
    )
    return register.drop("_ssis_index", "_typo"), truth


def _mask(size: int, indices: np.ndarray) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[indices] = True
    return mask


def _dataset_entry(spec: codebook.DatasetSpec, rows: int, sha256: str) -> dict[str, Any]:
    return {
        "name": spec.name,
        "file": spec.file,
        "provider": spec.provider,
        "provider_en": spec.provider_en,
        "source_system": spec.source_system,
        "title_ko": spec.title_ko,
        "title_en": spec.title_en,
        "description_ko": spec.description_ko,
        "description_en": spec.description_en,
        "unit_ko": spec.unit_ko,
        "unit_en": spec.unit_en,
        "rows": rows,
        "sha256": sha256,
        "columns": [c.as_dict() for c in spec.columns],
    }


def generate(config: SynthConfig, out: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Generate every dataset into ``out`` and return the manifest (also written as
    ``out/manifest.json``). Deterministic for a seed: the same config gives the same rows."""
    config.validate()
    prepare_output(out)
    report = progress or (lambda _stage, _fraction: None)
    rng = np.random.default_rng(config.seed)

    report("population", 0.05)
    pop = build_population(rng, config.persons, config.as_of)
    report("income and assets", 0.25)
    eco = build_economics(rng, pop, config.rules)
    report("eligibility", 0.35)
    grants = build_grants(rng, pop, eco, config.rules, config.as_of)
    flags = {g.code: _mask(pop.persons, g.persons) for g in grants}
    report("identifiers", 0.45)
    persons = _persons_frame(rng, pop, flags)
    eligibility = eligibility_frame(grants, persons["person_id"], persons["household_id"])
    report("partner institution", 0.6)
    low_income = flags["livelihood"] | flags["medical"] | flags["near_poor"]
    employment, truth = _partner(rng, config, persons, low_income)

    report("writing", 0.75)
    frames = {
        codebook.PERSONS.name: persons,
        codebook.ELIGIBILITY.name: eligibility,
        codebook.EMPLOYMENT.name: employment,
    }
    with staging(out) as stage:
        datasets = [
            _dataset_entry(
                spec, frames[spec.name].height, stage.write_parquet(frames[spec.name], spec.file)
            )
            for spec in codebook.DATASETS
        ]
        truth_sha = stage.write_parquet(truth, codebook.GROUND_TRUTH_FILE)
        manifest = _manifest(config, datasets, truth.height, truth_sha)
        stage.publish(manifest)
    report("done", 1.0)
    return manifest


def _manifest(
    config: SynthConfig, datasets: list[dict[str, Any]], truth_rows: int, truth_sha: str
) -> dict[str, Any]:
    return {
        "generator": "gamyeong synth",
        "version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": config.seed,
        "persons": config.persons,
        "reference_date": config.as_of.isoformat(),
        "overlap": config.overlap,
        "partner_only": config.partner_only,
        "typo_rate": config.typo_rate,
        "synthetic": True,
        "item_classes": list(codebook.ITEM_CLASSES),
        "programmes": [
            {
                "code": p.code,
                "name_ko": p.name_ko,
                "name_en": p.name_en,
                "means_tested": p.means_tested,
                "ministry_division": p.ministry_division,
                "rule_ko": p.rule_ko,
                "rule_en": p.rule_en,
            }
            for p in PROGRAMMES
        ],
        "datasets": datasets,
        "ground_truth": {
            "file": codebook.GROUND_TRUTH_FILE,
            "rows": truth_rows,
            "sha256": truth_sha,
            "columns": list(codebook.GROUND_TRUTH_COLUMNS),
            "description": "True overlap between ssis_persons and keis_employment "
            "(person_id ↔ insured_id) and the field with a typo, if any. For tests only.",
        },
    }
