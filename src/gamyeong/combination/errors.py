"""The error of a combination request that cannot be done (its message in Korean and English)."""

from __future__ import annotations

from gamyeong.errors import BilingualError


class CombinationError(BilingualError):
    pass
