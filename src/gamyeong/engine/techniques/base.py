"""What a pseudonymization technique is: a name, its family in the guideline's taxonomy, typed
parameters, the kinds of column it applies to, and how it transforms a column.

Most techniques are Polars expressions (masking, generalization, rounding, coding, noise). Those
that need a lookup — keyed hashing, tokenization, two-way encryption — compute a new value for
each *distinct* input value (:attr:`Technique.lookup`) and are applied with ``replace_strict``,
a hash join that streams.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from gamyeong.engine.errors import EngineError

if TYPE_CHECKING:
    from gamyeong.engine.vault import Vault

# Column kinds, from Polars dtypes.
STRING, NUMERIC, DATE, BOOLEAN, ANY = "string", "numeric", "date", "boolean", "any"


def kind_of(dtype: pl.DataType) -> str:
    if dtype == pl.String or dtype == pl.Categorical:
        return STRING
    if dtype.is_numeric():
        return NUMERIC
    if dtype == pl.Date or dtype == pl.Datetime:
        return DATE
    if dtype == pl.Boolean:
        return BOOLEAN
    return ANY


PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "number": (int, float),
    "string": (str,),
    "bool": (bool,),
    "strings": (list,),
    "any": (int, float, str, bool, list),
}
PARAM_TYPE_NAMES = {
    "int": ("정수", "an integer"),
    "number": ("숫자", "a number"),
    "string": ("문자열", "a string"),
    "bool": ("참/거짓", "true or false"),
    "strings": ("문자열 목록", "a list of strings"),
    "any": ("값", "a value"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # int | number | string | bool | strings
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def check(self, raw: object, where: str) -> Any:
        value: Any = raw
        allowed = PARAM_TYPES[self.type]
        wrong_bool = isinstance(value, bool) and self.type not in ("bool", "any")
        if wrong_bool or not isinstance(value, allowed):
            ko, en = PARAM_TYPE_NAMES[self.type]
            raise EngineError(
                f"{where}: '{self.name}'에는 {ko}이(가) 와야 합니다 (받은 값: {value!r})",
                f"{where}: {self.name!r} must be {en} (got {value!r})",
            )
        value = cast(Any, raw)  # the type is checked; keep comparisons untyped
        if self.type == "strings" and not all(isinstance(v, str) for v in value):
            raise EngineError(
                f"{where}: '{self.name}'는 문자열 목록이어야 합니다",
                f"{where}: {self.name!r} must be a list of strings",
            )
        if self.choices and value not in self.choices:
            raise EngineError(
                f"{where}: '{self.name}' 값 {value!r}은(는) 허용되지 않습니다 (가능한 값: {', '.join(self.choices)})",
                f"{where}: {self.name}={value!r} is not allowed (allowed: {', '.join(self.choices)})",
            )
        if self.minimum is not None and value < self.minimum:
            raise EngineError(
                f"{where}: '{self.name}'는 {self.minimum} 이상이어야 합니다 (받은 값: {value})",
                f"{where}: {self.name} must be at least {self.minimum} (got {value})",
            )
        if self.maximum is not None and value > self.maximum:
            raise EngineError(
                f"{where}: '{self.name}'는 {self.maximum} 이하여야 합니다 (받은 값: {value})",
                f"{where}: {self.name} must be at most {self.maximum} (got {value})",
            )
        return value


@dataclass
class Context:
    """What a technique may use while it runs: the provider's vault and a column-specific seed."""

    column: str
    vault: Vault | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def need_vault(self) -> Vault:
        if self.vault is None:
            raise EngineError(
                f"'{self.column}' 항목의 기법에는 제공기관 보관소(--vault)가 필요합니다",
                f"the technique for {self.column!r} needs the provider's vault (--vault)",
            )
        return self.vault

    def seed(self, purpose: str) -> int:
        """A 64-bit seed derived from the vault's noise secret, the column and the purpose."""
        secret = self.need_vault().secret("noise")
        digest = hmac.new(secret, f"{purpose}:{self.column}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") >> 1


ExprFn = Callable[[pl.Expr, Mapping[str, Any], Context], pl.Expr]
LookupFn = Callable[[pl.Series, Mapping[str, Any], Context], pl.Series]


@dataclass(frozen=True)
class Technique:
    name: str
    family: str  # the guideline's family, e.g. "masking (마스킹)"
    label_ko: str
    label_en: str
    params: tuple[Param, ...] = ()
    accepts: frozenset[str] = frozenset({ANY})
    output: str | None = None  # kind after the technique; None = unchanged
    expr: ExprFn | None = None
    lookup: LookupFn | None = None
    drops_column: bool = False
    reversible: bool = False
    uses_vault: bool = False
    per_row_random: bool = False  # needs the pipeline's row index (noise, random rounding)

    def accepts_kind(self, kind: str) -> bool:
        return ANY in self.accepts or kind in self.accepts

    def output_kind(self, kind: str) -> str:
        return self.output or kind

    def check_params(self, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
        return check_params(self.name, self.params, raw, where)


def check_params(
    name: str, params: tuple[Param, ...], raw: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """Check a technique's parameters; unknown or missing ones name the allowed ones."""
    known = {p.name: p for p in params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        allowed = ", ".join(known) or "(none / 없음)"
        raise EngineError(
            f"{where}: '{name}' 기법에 없는 설정입니다: {', '.join(unknown)} (가능한 설정: {allowed})",
            f"{where}: unknown parameter(s) {', '.join(unknown)} for {name!r} (allowed: {allowed})",
        )
    values: dict[str, Any] = {}
    for param in params:
        if param.name in raw:
            values[param.name] = param.check(raw[param.name], where)
        elif param.required:
            raise EngineError(
                f"{where}: '{name}' 기법에는 '{param.name}' 설정이 필요합니다",
                f"{where}: {name!r} needs the parameter {param.name!r}",
            )
        else:
            values[param.name] = param.default
    return values


FrameFn = Callable[[pl.LazyFrame, Mapping[str, Any], Context], pl.LazyFrame]


@dataclass(frozen=True)
class RecordTechnique:
    """A technique on whole records (rows): deleting by a rule, sampling, local suppression."""

    name: str
    family: str
    label_ko: str
    label_en: str
    params: tuple[Param, ...]
    apply: FrameFn
    uses_vault: bool = False
    per_row_random: bool = False

    def check_params(self, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
        return check_params(self.name, self.params, raw, where)
