"""Key sets (결합키 세트): which items a combination key is made of, and how.

A :class:`KeySpec` names its items (kinds of :mod:`.normalize`), the algorithm (``hmac-sha256``
or ``sha256``) and the version of the normalization rules and message layout. Items are always
joined in the fixed order ``name, birth_date, sex, phone, ci, text``, so two providers who list
them differently still build the same message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage import normalize
from gamyeong.engine.linkage.artifacts import KEY_COLUMN_PREFIX
from gamyeong.engine.linkage.digest import ALGORITHMS

KEY_VERSION = 1  # normalization rules and message layout; bump when either changes
SET_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")


@dataclass(frozen=True)
class KeySpec:
    """A key set (결합키 세트): its name, item kinds, algorithm and version. The items are kept
    in the fixed order of :data:`normalize.ITEM_KINDS`, whatever order they are given in."""

    name: str
    items: tuple[str, ...]
    algorithm: str = "hmac-sha256"
    version: int = KEY_VERSION

    def __post_init__(self) -> None:
        _check_spec(self)
        ordered = tuple(k for k in normalize.ITEM_KINDS if k in self.items)
        object.__setattr__(self, "items", ordered)

    def describe(self, salt_id: str) -> dict[str, Any]:
        """The spec as written in the key file's manifest (``key_specs``)."""
        return {
            "name": self.name,
            "version": self.version,
            "algorithm": self.algorithm,
            "salt_id": salt_id,
            "items": list(self.items),
        }


def _check_spec(spec: KeySpec) -> None:
    allowed = ", ".join(normalize.ITEM_KINDS)
    problem: tuple[str, str] | None = None
    if not SET_NAME.match(spec.name):
        problem = (
            f"결합키 세트 이름 {spec.name!r}은(는) 영문, 숫자, _ 로 32자까지 쓸 수 있습니다",
            f"key set name {spec.name!r}: letters, digits and _ only, up to 32 characters",
        )
    elif not spec.items:
        problem = (
            f"결합키 세트 '{spec.name}'에 항목이 없습니다",
            f"key set {spec.name!r} has no items",
        )
    elif unknown := [k for k in spec.items if k not in normalize.ITEM_KINDS]:
        problem = (
            f"결합키 세트 '{spec.name}'의 알 수 없는 항목: {', '.join(unknown)} (쓸 수 있는 항목: {allowed})",
            f"key set {spec.name!r} has unknown item(s) {', '.join(unknown)} (allowed: {allowed})",
        )
    elif len(set(spec.items)) != len(spec.items):
        problem = (
            f"결합키 세트 '{spec.name}'에 같은 항목이 두 번 있습니다",
            f"key set {spec.name!r} names an item twice",
        )
    elif spec.algorithm not in ALGORITHMS:
        problem = (
            f"알 수 없는 결합키 알고리즘 {spec.algorithm!r} (쓸 수 있는 값: {', '.join(ALGORITHMS)})",
            f"unknown key algorithm {spec.algorithm!r} (allowed: {', '.join(ALGORITHMS)})",
        )
    if problem:
        raise EngineError(*problem)


def parse_key_set(text: str, algorithm: str = "hmac-sha256") -> KeySpec:
    """``main=name+birth_date+phone`` → a :class:`KeySpec`."""
    name, sep, items = text.partition("=")
    if not sep or not items.strip():
        raise EngineError(
            f"결합키 세트는 이름=항목+항목 형식입니다 (예: main=name+birth_date+phone): {text!r}",
            f"a key set is name=item+item (e.g. main=name+birth_date+phone): {text!r}",
        )
    kinds = tuple(part.strip() for part in items.split("+"))
    return KeySpec(name.strip(), kinds, algorithm)


def key_column(spec: KeySpec, specs: Sequence[KeySpec]) -> str:
    """``key`` when there is one key set, else ``key_<set>``."""
    return KEY_COLUMN_PREFIX if len(specs) == 1 else f"{KEY_COLUMN_PREFIX}_{spec.name}"


def check_specs(specs: Sequence[KeySpec], items: Mapping[str, str]) -> None:
    if not specs:
        raise EngineError("결합키 세트가 없습니다", "no key set given")
    names = [spec.name for spec in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EngineError(
            f"결합키 세트 이름이 겹칩니다: {', '.join(twice)}",
            f"key set names repeat: {', '.join(twice)}",
        )
    for spec in specs:
        unmapped = [kind for kind in spec.items if kind not in items]
        if unmapped:
            raise EngineError(
                f"결합키 세트 '{spec.name}'의 항목 {', '.join(unmapped)}에 해당하는 열이 --items에 "
                f"없습니다 (지정된 항목: {', '.join(items)})",
                f"key set {spec.name!r} uses item(s) {', '.join(unmapped)} that --items does not "
                f"map to a column (mapped: {', '.join(items)})",
            )


def default_spec(items: Mapping[str, str], algorithm: str = "hmac-sha256") -> KeySpec:
    """One key set named ``main`` over every mapped item."""
    return KeySpec("main", tuple(items), algorithm)
