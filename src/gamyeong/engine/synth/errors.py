from __future__ import annotations

from gamyeong.engine.errors import EngineError


class SynthError(EngineError):
    """Bad input to the generator; the message is given in Korean and English."""
