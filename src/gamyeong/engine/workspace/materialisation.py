"""Materialising a project's data (작업공간 데이터 배치) in the formats the analysis room's
tools read: Parquet, CSV (UTF-8 with BOM; CP949 on request), SPSS, Stata, SAS transport and R,
with the codebook beside them. See ``docs/workspace-files.md``.

Layout of ``out_dir``::

    data/<name>.parquet  .csv  [.cp949.csv]  .sav  .dta  .xpt  load_<name>.sas  .rds  load_<name>.R
    codebook.json  codebook.ko.md  codebook.en.md  manifest.json
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.io.writers import write_table
from gamyeong.engine.workspace.codebook import Codebook, DatasetCodebook, conform
from gamyeong.engine.workspace.manifest import WorkspaceManifest
from gamyeong.engine.workspace.markdown import codebook_markdown
from gamyeong.engine.workspace.names import SAS, SAS_XPORT, map_names, table_name
from gamyeong.engine.workspace.rdata import r_script, write_rds
from gamyeong.engine.workspace.sas import sas_script
from gamyeong.engine.workspace.staging import Stage, staged
from gamyeong.engine.workspace.statfiles import (
    STAT_FORMATS,
    check_limits,
    prepare,
    write_stat_file,
)

FORMATS = ("parquet", "csv", "sav", "dta", "xpt", "rds")
DATASET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")


def materialise(
    inputs: Mapping[str, Path],
    out_dir: Path,
    codebook: Codebook,
    *,
    cp949: bool = False,
    formats: Collection[str] = FORMATS,
) -> WorkspaceManifest:
    """Write every dataset (name → Parquet file) into ``out_dir/data`` in each of ``formats``
    (Parquet and CSV always), plus the codebook files; all or nothing (see
    :mod:`gamyeong.engine.workspace.staging`). With ``cp949`` also ``<name>.cp949.csv``: a
    character CP949 cannot hold is an error naming the column and row, and nothing is written."""
    wanted = check_inputs(inputs, formats)
    with staged(Path(out_dir)) as stage:
        documented = tuple(
            _dataset(stage, name, Path(source), codebook.dataset(name), wanted, cp949=cp949)
            for name, source in inputs.items()
        )
        write_codebook(stage, Codebook(documented))
        return stage.commit()


def write_codebook(stage: Stage, codebook: Codebook) -> None:
    """``codebook.json``, ``codebook.ko.md`` and ``codebook.en.md``."""
    text = json.dumps(codebook.as_dict(), ensure_ascii=False, indent=2) + "\n"
    stage.write_text("codebook.json", text, "codebook-json")
    for lang in ("ko", "en"):
        stage.write_text(f"codebook.{lang}.md", codebook_markdown(codebook, lang), "codebook-md")


def check_inputs(inputs: Mapping[str, Path], formats: Collection[str]) -> set[str]:
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise EngineError(
            f"알 수 없는 파일 형식: {', '.join(unknown)} (사용할 수 있는 것: {', '.join(FORMATS)})",
            f"unknown file formats: {', '.join(unknown)} (allowed: {', '.join(FORMATS)})",
        )
    if not inputs:
        raise EngineError("배치할 데이터셋이 없습니다", "there is no dataset to materialise")
    for name in inputs:
        if not DATASET_NAME.fullmatch(name):
            raise EngineError(
                f"데이터셋 이름 {name!r}은(는) 파일 이름으로 쓸 수 없습니다 "
                "(영문자·숫자·_·-, 64자 이하)",
                f"the dataset name {name!r} cannot be a file name "
                "(letters, digits, _ and -, at most 64)",
            )
    return {*formats, "parquet", "csv"}


def open_parquet(source: Path, name: str) -> tuple[pl.LazyFrame, pl.Schema]:
    try:
        scan = pl.scan_parquet(source, glob=False)
        return scan, scan.collect_schema()
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise EngineError(
            f"{name} 데이터셋의 Parquet 파일을 읽을 수 없습니다: {source} ({exc})",
            f"cannot read the Parquet file of dataset {name}: {source} ({exc})",
        ) from None


def _dataset(
    stage: Stage, name: str, source: Path, entry: DatasetCodebook, wanted: set[str], *, cp949: bool
) -> DatasetCodebook:
    scan, schema = open_parquet(source, name)
    dataset = conform(entry, schema)
    columns = len(schema)
    for suffix, fmt, options in (
        ("parquet", "parquet", {"fmt": "parquet"}),
        ("csv", "csv", {"fmt": "csv", "csv_encoding": "utf-8-sig"}),
        *([("cp949.csv", "csv-cp949", {"fmt": "csv", "csv_encoding": "cp949"})] if cp949 else []),
    ):
        relative = f"data/{name}.{suffix}"
        try:
            written = write_table(scan, stage.path(relative), **options)
        except EngineError as exc:
            raise EngineError(f"{relative}: {exc.korean}", f"{relative}: {exc.english}") from exc
        stage.add(relative, fmt, dataset=name, rows=written.rows, columns=columns)
    if not wanted & {"sav", "dta", "xpt", "rds"}:
        return dataset
    frame = scan.collect()
    if "rds" in wanted:
        write_rds(frame, stage.path(f"data/{name}.rds"), name)
        stage.add(f"data/{name}.rds", "rds", dataset=name, rows=frame.height, columns=columns)
        stage.write_text(
            f"data/load_{name}.R", r_script(dataset, f"{name}.rds"), "r-script", dataset=name
        )
    return _statistics_files(stage, dataset, frame, wanted)


def _statistics_files(
    stage: Stage, dataset: DatasetCodebook, frame: pl.DataFrame, wanted: set[str]
) -> DatasetCodebook:
    name = dataset.name
    chosen = [STAT_FORMATS[key] for key in ("sav", "dta", "xpt") if key in wanted]
    if not chosen:
        return dataset
    prepared = prepare(frame)
    check_limits(prepared, name, chosen)
    renamed: dict[str, dict[str, str]] = {column: {} for column in frame.columns}
    for fmt in chosen:
        relative = f"data/{name}.{fmt.key}"
        names = write_stat_file(fmt, prepared, stage.path(relative), dataset)
        stage.add(relative, fmt.key, dataset=name, rows=frame.height, columns=frame.width)
        for column, new in names.items():
            if new != column:
                renamed[column][fmt.key] = new
    tables: dict[str, str] = {}
    if "xpt" in wanted:
        script = sas_script(dataset, prepared.schema, f"{name}.xpt")
        stage.write_text(f"data/load_{name}.sas", script, "sas-script", dataset=name)
        for column, new in map_names(frame.columns, SAS).items():
            if new != column:
                renamed[column]["sas"] = new
        tables = {"xpt": table_name(name, SAS_XPORT), "sas": table_name(name, SAS)}
    columns = tuple(replace(c, format_names=renamed[c.name]) for c in dataset.columns)
    return replace(dataset, columns=columns, table_names=tables)
