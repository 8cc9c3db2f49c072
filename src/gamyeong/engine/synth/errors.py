from __future__ import annotations


class SynthError(ValueError):
    """Bad input to the generator; the message is given in Korean and English."""

    def __init__(self, korean: str, english: str) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean = korean
        self.english = english
