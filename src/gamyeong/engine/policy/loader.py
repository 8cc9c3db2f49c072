"""Reading and checking a policy file. Every error names the line and lists what is allowed
(techniques, parameters) or available (the data's columns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError
from gamyeong.engine.policy.model import (
    DEFAULT_K,
    ENVIRONMENTS,
    ItemRule,
    Policy,
    RecordStep,
    Step,
    Suppression,
)
from gamyeong.engine.policy.yaml_lines import Located, parse, plain
from gamyeong.engine.techniques import COLUMN_TECHNIQUES, RECORD_TECHNIQUES, kind_of

TOP_KEYS = (
    "dataset",
    "purpose",
    "environment",
    "k",
    "quasi_identifiers",
    "sensitive",
    "items",
    "records",
    "local_suppression",
    "description",
)


def _where(source: str, line: int) -> str:
    return f"{source} {line}행 / line {line}"


def _fail(source: str, line: int, korean: str, english: str) -> EngineError:
    return EngineError(f"{source} {line}행: {korean}", f"{source} line {line}: {english}")


def _mapping(node: Located, source: str, what: str) -> dict[str, Located]:
    if not isinstance(node.value, dict):
        raise _fail(
            source, node.line, f"{what}은(는) 키: 값 형태여야 합니다", f"{what} must be a mapping"
        )
    return node.value


def _strings(node: Located | None, source: str, what: str) -> tuple[str, ...]:
    if node is None:
        return ()
    value = plain(node)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(
            source,
            node.line,
            f"{what}은(는) 문자열 목록이어야 합니다",
            f"{what} must be a list of strings",
        )
    return tuple(value)


def load_policy(
    path: Path | None = None,
    *,
    text: str | None = None,
    source: str | None = None,
    default_k: Mapping[str, int] = DEFAULT_K,
    search_dirs: Sequence[Path] = (),
) -> Policy:
    """Parse and check a policy's structure (techniques, parameters, environment).

    Files a policy names (hierarchies) are looked up relative to the policy file, then in
    ``search_dirs`` (the portal passes its hierarchy directory)."""
    if text is None:
        if path is None:
            raise ValueError("a path or a text is needed")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EngineError(
                f"정책 파일을 읽을 수 없습니다: {path} ({exc})",
                f"cannot read policy {path} ({exc})",
            ) from None
    source = source or (path.name if path else "policy")
    dirs = [path.parent if path else Path.cwd(), *search_dirs]
    root = parse(text, source)
    top = _mapping(root, source, "정책 / the policy")
    unknown = sorted(set(top) - set(TOP_KEYS))
    if unknown:
        key = unknown[0]
        raise _fail(
            source,
            top[key].line,
            f"알 수 없는 키 '{key}' (가능한 키: {', '.join(TOP_KEYS)})",
            f"unknown key {key!r} (allowed: {', '.join(TOP_KEYS)})",
        )
    environment = _environment(top.get("environment"), source, root.line)
    k = _k(top.get("k"), source, default_k[environment])
    if "items" not in top:
        raise _fail(
            source,
            root.line,
            "'items'(항목별 처리 방법)가 없습니다",
            "'items' (per-item rules) is missing",
        )
    items = {
        column: _item(column, node, source, dirs)
        for column, node in _mapping(top["items"], source, "items").items()
    }
    return Policy(
        source=source,
        text=text,
        environment=environment,
        k=k,
        dataset=plain(top["dataset"]) if "dataset" in top else None,
        purpose=str(plain(top["purpose"])) if "purpose" in top else "",
        quasi_identifiers=_strings(top.get("quasi_identifiers"), source, "quasi_identifiers"),
        sensitive=_strings(top.get("sensitive"), source, "sensitive"),
        items=items,
        records=_records(top.get("records"), source),
        local_suppression=_suppression(top.get("local_suppression"), source, k),
    )


def _environment(node: Located | None, source: str, line: int) -> str:
    if node is None or node.value not in ENVIRONMENTS:
        allowed = ", ".join(ENVIRONMENTS)
        got = "" if node is None else f" (받은 값 / got {node.value!r})"
        raise _fail(
            source,
            node.line if node else line,
            f"environment는 {allowed} 중 하나여야 합니다{got}",
            f"environment must be one of {allowed}{got}",
        )
    return str(node.value)


def _k(node: Located | None, source: str, default: int) -> int:
    if node is None:
        return default
    if not isinstance(node.value, int) or isinstance(node.value, bool) or node.value < 1:
        raise _fail(
            source, node.line, "k는 1 이상의 정수여야 합니다", "k must be an integer of at least 1"
        )
    return int(node.value)


def _item(column: str, node: Located, source: str, dirs: Sequence[Path]) -> ItemRule:
    raw = node.value
    entries = raw if isinstance(raw, list) else [node]
    if isinstance(raw, list) and not raw:
        raise _fail(
            source, node.line, f"'{column}'의 처리 방법이 비어 있습니다", f"no rule for {column!r}"
        )
    steps = tuple(_step(column, entry, source, dirs) for entry in entries)
    if len(steps) > 1 and any(s.technique.name in ("keep", "delete") for s in steps):
        raise _fail(
            source,
            node.line,
            f"'{column}': keep/delete는 다른 기법과 함께 쓸 수 없습니다",
            f"{column!r}: keep/delete cannot be chained with other techniques",
        )
    return ItemRule(column, steps, node.line)


def _step(column: str, node: Located, source: str, dirs: Sequence[Path]) -> Step:
    if isinstance(node.value, str):
        name, params_node = node.value, {}
    else:
        params_node = dict(_mapping(node, source, f"'{column}'"))
        technique_node = params_node.pop("technique", None)
        if technique_node is None:
            raise _fail(
                source,
                node.line,
                f"'{column}'에 technique가 없습니다",
                f"{column!r} has no technique",
            )
        name = technique_node.value
    technique = COLUMN_TECHNIQUES.get(name) if isinstance(name, str) else None
    if technique is None:
        raise _fail(
            source,
            node.line,
            f"'{column}': 알 수 없는 기법 {name!r} (가능한 기법: {', '.join(COLUMN_TECHNIQUES)})",
            f"{column!r}: unknown technique {name!r} (allowed: {', '.join(COLUMN_TECHNIQUES)})",
        )
    line = min([node.line, *(p.line for p in params_node.values())])
    params = technique.check_params(
        {key: plain(value) for key, value in params_node.items()}, _where(source, line)
    )
    if technique.name == "hierarchy":
        params["file"] = str(_find_file(params["file"], dirs, source, line))
    return Step(technique, params, node.line)


def _find_file(name: str, dirs: Sequence[Path], source: str, line: int) -> Path:
    candidates = [Path(name)] if Path(name).is_absolute() else [d / name for d in dirs]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    searched = ", ".join(str(c) for c in candidates)
    raise _fail(
        source,
        line,
        f"파일을 찾을 수 없습니다: {name} (찾아본 곳: {searched})",
        f"file not found: {name} (looked in: {searched})",
    )


def _records(node: Located | None, source: str) -> tuple[RecordStep, ...]:
    if node is None:
        return ()
    if not isinstance(node.value, list):
        raise _fail(source, node.line, "records는 목록이어야 합니다", "records must be a list")
    steps = []
    for entry in node.value:
        params = dict(_mapping(entry, source, "records"))
        name_node = params.pop("technique", None)
        name = name_node.value if name_node else None
        technique = RECORD_TECHNIQUES.get(name) if isinstance(name, str) else None
        if technique is None:
            raise _fail(
                source,
                entry.line,
                f"알 수 없는 레코드 기법 {name!r} (가능한 기법: {', '.join(RECORD_TECHNIQUES)})",
                f"unknown record technique {name!r} (allowed: {', '.join(RECORD_TECHNIQUES)})",
            )
        checked = technique.check_params(
            {key: plain(value) for key, value in params.items()}, _where(source, entry.line)
        )
        steps.append(RecordStep(technique, checked, entry.line))
    return tuple(steps)


def _suppression(node: Located | None, source: str, k: int) -> Suppression | None:
    if node is None:
        return None
    fields = _mapping(node, source, "local_suppression")
    unknown = sorted(set(fields) - {"k", "columns"})
    if unknown:
        raise _fail(
            source,
            fields[unknown[0]].line,
            f"local_suppression에 없는 설정: {', '.join(unknown)} (가능한 설정: k, columns)",
            f"unknown local_suppression setting(s) {', '.join(unknown)} (allowed: k, columns)",
        )
    columns = _strings(fields.get("columns"), source, "local_suppression.columns")
    return Suppression(_k(fields.get("k"), source, k), columns, node.line)


def check_against(policy: Policy, schema: Mapping[str, pl.DataType]) -> None:
    """Check the policy against the data: every column decided, no column unknown, each
    technique suited to its column's type, quasi-identifiers present in the output."""
    available = list(schema)
    for column, rule in policy.items.items():
        if column not in schema:
            raise _fail(
                policy.source,
                rule.line,
                f"데이터에 '{column}' 항목이 없습니다 (있는 항목: {', '.join(available)})",
                f"the data has no column {column!r} (available: {', '.join(available)})",
            )
        _check_kinds(policy.source, rule, kind_of(schema[column]))
    undecided = [c for c in available if c not in policy.items]
    if undecided:
        raise EngineError(
            f"{policy.source}: 처리 방법이 정해지지 않은 항목이 있습니다: {', '.join(undecided)} "
            "(그대로 두려면 keep, 없애려면 delete로 적으세요)",
            f"{policy.source}: no rule for column(s) {', '.join(undecided)} "
            "(write keep to pass a column through, delete to drop it)",
        )
    _check_output_names(policy, available)


def _check_kinds(source: str, rule: ItemRule, kind: str) -> None:
    for step in rule.steps:
        if not step.technique.accepts_kind(kind):
            accepted = ", ".join(sorted(step.technique.accepts))
            raise _fail(
                source,
                step.line,
                f"'{rule.column}'({kind})에는 {step.technique.name} 기법을 쓸 수 없습니다 ({accepted} 항목용)",
                f"{step.technique.name} does not apply to {rule.column!r} ({kind}); it takes {accepted}",
            )
        kind = step.technique.output_kind(kind)


def _check_output_names(policy: Policy, available: list[str]) -> None:
    output = set(policy.output_columns)
    named = [("quasi_identifiers", c) for c in policy.quasi_identifiers]
    named += [("sensitive", c) for c in policy.sensitive]
    if policy.local_suppression:
        named += [("local_suppression.columns", c) for c in policy.local_suppression.columns]
    for step in policy.records:
        column = step.params.get("column")
        if column and column not in available:
            raise _fail(
                policy.source,
                step.line,
                f"데이터에 '{column}' 항목이 없습니다 (있는 항목: {', '.join(available)})",
                f"the data has no column {column!r} (available: {', '.join(available)})",
            )
    for where, column in named:
        if column not in output:
            raise EngineError(
                f"{policy.source}: {where}의 '{column}'은(는) 처리 결과에 없는 항목입니다 "
                f"(결과 항목: {', '.join(sorted(output))})",
                f"{policy.source}: {where} names {column!r}, which is not in the output "
                f"(output columns: {', '.join(sorted(output))})",
            )
