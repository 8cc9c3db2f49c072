"""The runner's one error type: what went wrong setting up a job, in Korean and in English."""

from __future__ import annotations


class RunnerError(RuntimeError):
    """A job could not be set up (a missing tool, directory or permission). Nothing has run.

    Shaped like ``gamyeong.engine.errors.EngineError``: ``korean`` and ``english`` hold the two
    messages, ``str(error)`` shows both.
    """

    def __init__(self, korean: str, english: str) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean = korean
        self.english = english
