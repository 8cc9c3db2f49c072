"""The disclosure checks' error: bad input (a file, a column, a setting), in Korean and English."""

from __future__ import annotations

from gamyeong.engine.errors import EngineError


class DisclosureError(EngineError):
    """Bad input to an output check; nothing has been written."""
