"""Pseudonymization techniques (가명처리 기법), by the guideline's families:

deletion (삭제), masking (마스킹), generalization (범주화: bands, dates, regions, hierarchies),
rounding (라운딩), top/bottom-coding (상·하단코딩), noise (잡음 추가), one-way keyed hashing
(일방향 암호화), tokenization (토큰화), two-way encryption (양방향 암호화), sampling (표본추출)
and local suppression (부분삭제). ``COLUMN_TECHNIQUES`` and ``RECORD_TECHNIQUES`` are what a
policy may name.
"""

from gamyeong.engine.techniques.base import Context, Param, RecordTechnique, Technique, kind_of
from gamyeong.engine.techniques.coding import BOTTOM_CODE, TOP_CODE
from gamyeong.engine.techniques.deletion import DELETE, DELETE_RECORDS, KEEP
from gamyeong.engine.techniques.encryption import ENCRYPT
from gamyeong.engine.techniques.generalization import BAND, GENERALIZE_DATE, HIERARCHY, REGION
from gamyeong.engine.techniques.hashing import HMAC
from gamyeong.engine.techniques.masking import MASK
from gamyeong.engine.techniques.noise import NOISE
from gamyeong.engine.techniques.rounding import RANDOM_ROUND, ROUND
from gamyeong.engine.techniques.sampling import SAMPLE
from gamyeong.engine.techniques.tokenization import TOKENIZE

COLUMN_TECHNIQUES: dict[str, Technique] = {
    t.name: t
    for t in (
        KEEP,
        DELETE,
        MASK,
        BAND,
        GENERALIZE_DATE,
        REGION,
        HIERARCHY,
        ROUND,
        RANDOM_ROUND,
        TOP_CODE,
        BOTTOM_CODE,
        NOISE,
        HMAC,
        TOKENIZE,
        ENCRYPT,
    )
}
RECORD_TECHNIQUES: dict[str, RecordTechnique] = {t.name: t for t in (DELETE_RECORDS, SAMPLE)}

__all__ = [
    "COLUMN_TECHNIQUES",
    "RECORD_TECHNIQUES",
    "Context",
    "Param",
    "RecordTechnique",
    "Technique",
    "kind_of",
]
