"""YAML with line numbers: every mapping key and list item remembers the line it came from, so
policy errors can say "line 12". Only the safe YAML subset is read (no tags, no objects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from gamyeong.engine.errors import EngineError


@dataclass(frozen=True)
class Located:
    """A parsed value and the 1-based line where it starts."""

    value: Any
    line: int


def parse(text: str, source: str) -> Located:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}행" if mark else ""
        where = f" (line {mark.line + 1})" if mark else ""
        raise EngineError(
            f"{source} {line}: YAML 문법 오류입니다 ({getattr(exc, 'problem', exc)})",
            f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})",
        ) from None
    if node is None:
        raise EngineError(f"{source}: 정책 파일이 비어 있습니다", f"{source}: the policy is empty")
    return _convert(node, source)


def _convert(node: yaml.Node, source: str) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, str):
                raise EngineError(
                    f"{source} {key_node.start_mark.line + 1}행: 키는 문자열이어야 합니다",
                    f"{source} line {key_node.start_mark.line + 1}: keys must be strings",
                )
            if key in out:
                raise EngineError(
                    f"{source} {key_node.start_mark.line + 1}행: '{key}' 키가 두 번 나옵니다",
                    f"{source} line {key_node.start_mark.line + 1}: key {key!r} appears twice",
                )
            out[key] = _convert(value_node, source)
        return Located(out, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(item, source) for item in node.value], line)
    return Located(_scalar(node), line)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    return _resolve(node)


def _resolve(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def plain(located: Located) -> Any:
    """The value without line information (recursively)."""
    value = located.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
