"""The engine's one error type: a message in Korean and in English, naming what and where."""

from __future__ import annotations

from gamyeong.errors import BilingualError


class EngineError(BilingualError):
    """Bad input to the engine (a file, a policy, an option). Nothing has been written."""
