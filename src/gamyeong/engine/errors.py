"""The engine's one error type: a message in Korean and in English, naming what and where."""

from __future__ import annotations


class EngineError(ValueError):
    """Bad input to the engine (a file, a policy, an option). Nothing has been written."""

    def __init__(self, korean: str, english: str) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean = korean
        self.english = english
