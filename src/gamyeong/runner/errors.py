"""The runner's one error type: what went wrong setting up a job, in Korean and in English."""

from __future__ import annotations

from gamyeong.errors import BilingualError


class RunnerError(BilingualError):
    """A job could not be set up (a missing tool, directory or permission). Nothing has run.

    Shaped like ``gamyeong.engine.errors.EngineError``: ``korean`` and ``english`` hold the two
    messages, ``str(error)`` shows both.
    """
