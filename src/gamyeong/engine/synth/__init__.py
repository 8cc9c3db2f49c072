"""Realistic synthetic SSIS data (합성 데이터): persons in households, programme eligibility
by the 2026 rules, a partner institution's overlapping dataset, a codebook and a ground truth.

>>> from gamyeong.engine.synth import SynthConfig, generate
>>> manifest = generate(SynthConfig(persons=10_000, seed=7), Path("out"))  # doctest: +SKIP
"""

from gamyeong.engine.synth.errors import SynthError
from gamyeong.engine.synth.generator import SynthConfig, generate

__all__ = ["SynthConfig", "SynthError", "generate"]
