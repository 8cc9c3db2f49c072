"""Variable names each statistics package accepts, and the map from a column's name to them.

| format | longest name | characters | case |
|---|---|---|---|
| SPSS ``.sav`` | 64 bytes (UTF-8) | letters (Korean too), digits, ``_``; a letter first | kept |
| Stata ``.dta`` (118) | 32 characters | letters (Korean too), digits, ``_``; not a digit first | kept |
| SAS transport v5 ``.xpt`` | 8 characters | ASCII letters, digits, ``_``; not a digit first | upper |
| SAS data set (the load script) | 32 characters | ASCII letters, digits, ``_`` | kept |

A name that breaks a rule is repaired: other characters become ``_``, a leading digit gets a
``v`` in front, a reserved word gets ``_`` behind, a long name is cut (and trailing ``_``
dropped; SPSS also gets a ``v`` before a leading ``_``), and a name already taken (compared without case) gets a number at the end
(``HAS_DISA`` → ``HAS_DIS2``). A name with no usable character left becomes ``v<position>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    fmt: str
    max_length: int
    in_bytes: bool  # the limit counts UTF-8 bytes rather than characters
    invalid: re.Pattern[str]  # characters not allowed in a name
    reserved: frozenset[str]  # upper-cased
    upper: bool = False
    letter_first: bool = False  # SPSS: a name starts with a letter (not _ or a digit)

    def measure(self, name: str) -> int:
        return len(name.encode("utf-8")) if self.in_bytes else len(name)

    def cut(self, name: str, limit: int) -> str:
        if not self.in_bytes:
            return name[:limit]
        return name.encode("utf-8")[:limit].decode("utf-8", "ignore")


_UNICODE_WORD = re.compile(r"[^\w]")  # \w: Unicode letters (Hangul), digits and _
_ASCII_WORD = re.compile(r"[^A-Za-z0-9_]")

SPSS = NameRule(
    "sav",
    64,
    True,
    _UNICODE_WORD,
    frozenset(["ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"]),
    letter_first=True,
)
STATA = NameRule(
    "dta",
    32,
    False,
    _UNICODE_WORD,
    frozenset(
        [
            "_ALL",
            "_B",
            "BYTE",
            "_COEF",
            "_CONS",
            "DOUBLE",
            "FLOAT",
            "IF",
            "IN",
            "INT",
            "LONG",
            "_N",
            "_PI",
            "_PRED",
            "_RC",
            "_SE",
            "_SKIP",
            "STR",
            "STRL",
            "USING",
            "WITH",
        ]
    )
    | frozenset(f"STR{n}" for n in range(1, 2046)),
)
SAS_XPORT = NameRule("xpt", 8, False, _ASCII_WORD, frozenset({"_N_", "_ERROR_"}), upper=True)
SAS = NameRule("sas", 32, False, _ASCII_WORD, frozenset({"_N_", "_ERROR_"}))

RULES = {rule.fmt: rule for rule in (SPSS, STATA, SAS_XPORT, SAS)}


def map_names(names: Sequence[str], rule: NameRule) -> dict[str, str]:
    """Each name → a valid, unique name under ``rule`` (the name itself when it already is)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for position, name in enumerate(names, start=1):
        base = _repair(name, rule, position)
        candidate, number = base, 1
        while candidate.upper() in taken:
            number += 1
            suffix = str(number)
            candidate = rule.cut(base, rule.max_length - len(suffix)) + suffix
        taken.add(candidate.upper())
        out[name] = candidate
    return out


def _repair(name: str, rule: NameRule, position: int) -> str:
    text = rule.invalid.sub("_", name.upper() if rule.upper else name)
    if not text.strip("_"):
        text = f"v{position}"
    if text[0].isdigit() or (rule.letter_first and not text[0].isalpha()):
        text = "v" + text
    if text.upper() in rule.reserved:
        text += "_"
    if rule.measure(text) > rule.max_length:
        text = rule.cut(text, rule.max_length).rstrip("_") or f"v{position}"
    return text.upper() if rule.upper else text


def table_name(name: str, rule: NameRule) -> str:
    """A data set (table, member) name under ``rule``: ``ssis_eligibility`` → ``SSIS_ELI``."""
    return _repair(name, rule, 1)
