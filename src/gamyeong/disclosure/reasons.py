"""Why a cell fails: one short Korean / English line per failed check."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import polars as pl

from gamyeong.disclosure.checks import CHECKS, fail_column

if TYPE_CHECKING:
    from gamyeong.disclosure.report import CheckReport


def _number(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def reason(report: CheckReport, check: str, cell: dict[str, Any]) -> str:
    """The reason a cell fails ``check``, in Korean and English."""
    rules = report.profile.rules
    count = cell.get("count")
    persons = report.profile.count_persons and cell.get("persons") is not None
    if check == "threshold" and count is not None:
        if persons:
            return f"인원 {count}명 < {rules.safe_threshold} / {count} persons < {rules.safe_threshold}"
        return f"{count}건 < {rules.safe_threshold} / {count} rows < {rules.safe_threshold}"
    if check == "nk" and cell.get("nk_share") is not None:
        share, n, k = cell["nk_share"], rules.safe_nk_n, rules.safe_nk_k
        return f"상위 {n}개가 {share:.1%} 차지 ≥ {k:.0%} / top {n} hold {share:.1%} ≥ {k:.0%}"
    if check == "p_percent" and cell.get("p_ratio") is not None:
        p = rules.safe_pratio_p
        return f"p 비율 {cell['p_ratio']:.3f} < {p} / p-ratio {cell['p_ratio']:.3f} < {p}"
    if check == "dof" and cell.get("value") is not None and report.kind == "regression":
        dof, limit = _number(cell["value"]), rules.safe_dof_threshold
        return f"잔차 자유도 {dof} < {limit} / residual dof {dof} < {limit}"
    if check == "differencing" and cell.get("differencing_note"):
        return str(cell["differencing_note"])
    if cell.get("note") and (check in ("margins", "graph_counts", "manual") or count is None):
        return str(cell["note"])
    described = CHECKS[check]
    return f"{described.korean} / {described.english}"


def _integral(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``column`` as integers when every value is a whole number (JSON shows 27, not 27.0)."""
    values = frame.get_column(column)
    if not values.dtype.is_float():
        return frame
    finite = values.drop_nulls().drop_nans()
    whole = finite.is_finite().all() and (finite == finite.round(0)).all()
    if whole and (finite.abs() < 2**53).all():
        return frame.with_columns(pl.col(column).fill_nan(None).cast(pl.Int64))
    return frame


def cell_records(report: CheckReport, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The cells of ``frame`` as the JSON report lists them."""
    checks = [(c, fail_column(c)) for c in report.checks]
    if "value" in frame.columns:
        frame = _integral(frame, "value")
    out: list[dict[str, Any]] = []
    for cell in frame.to_dicts():
        failed = [c for c, column in checks if cell.get(column)]
        keys = cell.get("keys") or {}
        record: dict[str, Any] = {
            "keys": keys
            if all(isinstance(v, str) for v in keys.values())
            else {k: _number(v) for k, v in keys.items()},
            "count": cell.get("count"),
            "failed": failed,
            "output": report.name,
            "block": cell.get("block"),
            "position": [cell.get("row_pos"), cell.get("col_pos")],
            "margin": bool(cell.get("margin")),
            "records": cell.get("records"),
            "persons": cell.get("persons"),
            "value": _number(cell.get("value")),
        }
        if cell.get("structural"):
            record["structural_zero"] = True
        if failed:
            record["reasons"] = {c: reason(report, c, cell) for c in failed}
        out.append(record)
    return out


def cells_json(report: CheckReport, frame: pl.DataFrame) -> str:
    """The same records as :func:`cell_records`, as JSON text, fast: Polars encodes the cells
    that pass (most of a large table), Python only those with reasons or a structural zero."""
    if frame.height == 0:
        return "[]"
    checks = [(c, fail_column(c)) for c in report.checks]
    frame = _integral(frame, "value") if "value" in frame.columns else frame
    value = pl.col("value")
    if frame.schema["value"].is_float():
        value = pl.when(value.is_finite()).then(value)
    failed = (
        pl.concat_list(
            [pl.when(pl.col(col)).then(pl.lit(c)) for c, col in checks]
        ).list.drop_nulls()
        if checks
        else pl.lit([], pl.List(pl.String))
    )
    special = pl.any_horizontal(
        *(pl.col(col).fill_null(False) for _, col in checks),
        pl.col("structural").fill_null(False) if "structural" in frame.columns else pl.lit(False),
    )
    encoded = frame.select(
        pl.struct(
            pl.col("keys"),
            pl.col("count"),
            failed.alias("failed"),
            pl.lit(report.name).alias("output"),
            pl.col("block"),
            pl.concat_list(pl.col("row_pos"), pl.col("col_pos")).alias("position"),
            pl.col("margin").fill_null(False),
            pl.col("records"),
            pl.col("persons"),
            value.alias("value"),
        )
        .struct.json_encode()
        .alias("json"),
        special.alias("special"),
    )
    texts = encoded.get_column("json").to_list()
    where = encoded.get_column("special").arg_true().to_list()
    if where:
        for i, record in zip(where, cell_records(report, frame[where]), strict=True):
            texts[i] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return "[" + ",".join(texts) + "]"
