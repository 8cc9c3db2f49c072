"""The one shape of gamyeong's errors: a message in Korean and in English, naming what and where.

Each part raises its own subclass (EngineError, WorkflowError, BookingError …) so callers can
tell them apart; ``str(error)`` shows both languages, and pages show the reader's language.
"""

from __future__ import annotations


class BilingualError(ValueError):
    def __init__(self, korean: str, english: str) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean = korean
        self.english = english
