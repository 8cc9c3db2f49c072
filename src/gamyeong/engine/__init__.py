"""gamyeong's data engine: framework-free (no Django), columnar (NumPy, Polars, DuckDB).

Public surface, kept small on purpose:

- :func:`gamyeong.engine.synth.generate` — realistic synthetic SSIS data and a partner
  institution's dataset, with a manifest (codebook) and a ground-truth overlap file.

The generator is imported on first use: importing a small engine module (``errors``,
``atomic``) must not load it (a command such as ``gamyeong check-output`` starts faster).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gamyeong.engine.synth import SynthConfig, SynthError, generate

__all__ = ["SynthConfig", "SynthError", "generate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from gamyeong.engine import synth

        return getattr(synth, name)
    raise AttributeError(f"module 'gamyeong.engine' has no attribute {name!r}")
