"""gamyeong's data engine: framework-free (no Django), columnar (NumPy, Polars, DuckDB).

Public surface, kept small on purpose:

- :func:`gamyeong.engine.synth.generate` — realistic synthetic SSIS data and a partner
  institution's dataset, with a manifest (codebook) and a ground-truth overlap file.
"""

from gamyeong.engine.synth import SynthConfig, SynthError, generate

__all__ = ["SynthConfig", "SynthError", "generate"]
