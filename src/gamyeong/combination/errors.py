"""The error of a combination request that cannot be done (its message in Korean and English)."""

from __future__ import annotations


class CombinationError(ValueError):
    def __init__(self, korean: str, english: str) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean, self.english = korean, english
