"""Matching combination keys across providers, columnar (Polars).

Reading a key file, each key (64 hex characters of a keyed hash) is replaced by two independent
64-bit hashes, ``h0`` and ``h1``; two keys are the same when both hashes agree (128 bits: for
keys that are themselves uniform hashes, a false match has a probability of about 10⁻²⁹ per
pair). The key strings are not kept.

Each provider's ``(h, row)`` index — ``h`` the high bits of ``h0``, the row number packed into
the low bits so that one column of integers is sorted — is sorted once (providers in parallel);
then

- the fast path joins the providers on ``h`` with Polars' sorted merge join and keeps a pair only
  when ``h0`` and ``h1`` agree;
- every ``h`` that occurs twice within one provider — a real collision or two keys sharing ``h``
  — goes to a path that counts records per ``(h0, h1)``: it finds the collisions (keys held by
  more than one record within a provider), excludes them, and links the rest.

Mock combination (모의결합) samples the key space itself: the keys whose first 16 hex digits are
below ``fraction · 2⁶⁴``. Keys are uniform hashes, so this is a uniform sample, the same keys in
every provider, and reproducible.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from gamyeong.engine.errors import EngineError
from gamyeong.engine.linkage.kma_inputs import KeyFile, KeyInputs
from gamyeong.engine.linkage.report import MatchReport, provider_match

H, H0, H1, KEY, SERIAL, ROW, OK = "__h", "__h0", "__h1", "__key", "__serial", "__row", "__ok"
#: Checked on every row: a key has 64 characters, a serial 32. (A hex test of every value would
#: cost a fifth of the link step; the shape already refuses names, dates, phone and
#: registration numbers.)
SHAPE = ((pl.col(KEY).str.len_bytes() == 64) & (pl.col(SERIAL).str.len_bytes() == 32)).fill_null(
    False
)
PREFIX = pl.col(KEY).str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64, strict=False)


@dataclass(frozen=True)
class Match:
    """The report and the linked serials: one column ``serial_<provider>`` per provider."""

    report: MatchReport
    linked: pl.DataFrame

    def serials(self, provider: str) -> pl.Series:
        return self.linked.get_column(serial_column(provider))


@dataclass(frozen=True)
class _Exact:
    matched: pl.DataFrame
    collision_keys: list[int]
    collision_records: list[int]
    blocked: list[int]


def serial_column(provider: str) -> str:
    return f"serial_{provider}"


def random_hex(rows: int, nbytes: int = 16) -> pl.Series:
    """``rows`` random hex strings of ``nbytes`` bytes each from the OS's random source."""
    buffer = pa.py_buffer(os.urandom(rows * nbytes))
    array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(nbytes), rows, [None, buffer])
    return pl.Series(pl.from_arrow(array)).cast(pl.Binary).bin.encode("hex")


def match(inputs: KeyInputs, *, sample: float | None = None) -> Match:
    """Link the providers' keys: every key unique in each provider and present in all.

    The linking rows are in the order of the keys' hashes (no order the providers know); the
    combination agency puts the combined rows in random order."""
    if sample is not None and not 0 < sample <= 1:
        raise EngineError(
            f"모의결합 비율은 0보다 크고 1 이하여야 합니다 (받은 값: {sample})",
            f"the mock-combination fraction must be in (0, 1] (got {sample})",
        )
    raw = _load(inputs.files, sample)
    index = _indexes(raw)
    suspects = pl.concat([f.filter(pl.col(H) == pl.col(H).shift(1)).select(H) for f in index])
    listed = suspects.get_column(H).unique().implode()
    exact = _exact(
        [r[i.filter(pl.col(H).is_in(listed))[ROW]] for r, i in zip(raw, index, strict=True)],
        inputs,
    )
    if suspects.height:
        index = [i.filter(~pl.col(H).is_in(listed)) for i in index]
    linked = pl.concat([_fast(raw, index, inputs), exact.matched])
    report = MatchReport(
        combination_id=inputs.combination_id,
        key_set=inputs.key_set,
        linked=linked.height,
        providers=[
            provider_match(
                file.provider,
                file.party,
                records=frame.height if sample else file.manifest.rows + file.excluded_rows,
                excluded_rows=0 if sample else file.excluded_rows,
                keyed=frame.height,
                collision_keys=exact.collision_keys[n],
                collision_records=exact.collision_records[n],
                blocked=exact.blocked[n],
                matched=linked.height,
            )
            for n, (file, frame) in enumerate(zip(inputs.files, raw, strict=True))
        ],
        mock_fraction=sample,
    )
    return Match(report, linked)


def _load(files: list[KeyFile], sample: float | None) -> list[pl.DataFrame]:
    """Each provider's keyed rows as ``(serial, h0, h1)``, checked (providers in parallel;
    reading, hashing and checking in one streaming pass)."""
    try:
        scanned = pl.collect_all([_scan(file, sample) for file in files], engine="streaming")
    except pl.exceptions.PolarsError as exc:
        raise EngineError(
            f"결합키 파일을 읽을 수 없습니다: {exc}", f"cannot read the key files: {exc}"
        ) from exc
    for file, frame in zip(files, scanned, strict=True):
        if not frame.get_column(OK).all():
            raise _malformed(file)
    # one chunk each: gathers by row number are 20× faster
    return [frame.drop(OK).rechunk() for frame in scanned]


def _scan(file: KeyFile, sample: float | None) -> pl.LazyFrame:
    frame = (
        pl.scan_parquet(file.path)
        .select(pl.col("serial").alias(SERIAL), pl.col(file.column).alias(KEY))
        .filter(pl.col(KEY).is_not_null())
    )
    if sample is not None and sample < 1:
        frame = frame.filter(PREFIX.lt(int(sample * 2**64)))
    return frame.select(
        SERIAL,
        pl.col(KEY).hash(seed=0).alias(H0),
        pl.col(KEY).hash(seed=1).alias(H1),
        SHAPE.alias(OK),
    )


def _indexes(raw: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """Per provider, ``(h, row)`` sorted on ``h``: the row number is packed into the low bits of
    ``h0`` so that one column of integers is sorted (4× cheaper than sorting rows); ``h`` keeps
    the high bits, still enough for ``h`` to repeat only rarely."""
    bits = max(1, max(frame.height for frame in raw).bit_length())
    unit = pl.lit(1 << bits, dtype=pl.UInt64)
    packed = pl.col(H0) // unit * unit + pl.int_range(pl.len(), dtype=pl.UInt64)
    return pl.collect_all(
        [
            frame.lazy()
            .select(packed.alias(H))
            .sort(H)
            .select((pl.col(H) // unit).set_sorted(), (pl.col(H) % unit).cast(pl.UInt32).alias(ROW))
            for frame in raw
        ]
    )


def _malformed(file: KeyFile) -> EngineError:
    """Name the first bad row of the file, never its value (it might be an identifier)."""
    bad = (
        pl.scan_parquet(file.path)
        .select(pl.col("serial").alias(SERIAL), pl.col(file.column).alias(KEY))
        .with_row_index(ROW, offset=1)
        .filter(pl.col(KEY).is_not_null() & ~SHAPE)
        .head(1)
        .collect()
    )
    row = bad.item(0, ROW) if bad.height else "?"
    return EngineError(
        f"{file.path.name} {row}번째 행: 결합키는 16진수 64자, serial은 16진수 32자여야 "
        "합니다(식별정보가 들어 있을 수 있어 값은 보이지 않습니다)",
        f"{file.path.name} row {row}: a key must be 64 hex characters and a serial 32 "
        "(the value is not shown: it might be an identifier)",
    )


def _fast(raw: list[pl.DataFrame], index: list[pl.DataFrame], inputs: KeyInputs) -> pl.DataFrame:
    """Join the sorted indexes on ``h``; keep pairs whose ``h0`` and ``h1`` agree."""
    rows = [f"{ROW}{n}" for n in range(len(index))]
    joined = index[0].rename({ROW: rows[0]})
    for frame, name in zip(index[1:], rows[1:], strict=True):
        joined = joined.join(frame.rename({ROW: name}), on=H, how="inner")
    gathered = pl.collect_all(
        [
            frame.lazy().select(
                pl.col(H0).gather(joined.get_column(row)).alias(f"{H0}{n}"),
                pl.col(H1).gather(joined.get_column(row)).alias(f"{H1}{n}"),
                pl.col(SERIAL)
                .gather(joined.get_column(row))
                .alias(serial_column(inputs.files[n].provider)),
            )
            for n, (frame, row) in enumerate(zip(raw, rows, strict=True))
        ]
    )
    same = pl.all_horizontal(
        (pl.col(f"{H0}{n}") == pl.col(f"{H0}0")) & (pl.col(f"{H1}{n}") == pl.col(f"{H1}0"))
        for n in range(1, len(raw))
    )
    names = [serial_column(f.provider) for f in inputs.files]
    return pl.concat(gathered, how="horizontal").filter(same).select(names)


def _exact(frames: list[pl.DataFrame], inputs: KeyInputs) -> _Exact:
    """Collisions and links among the few keys whose ``h`` repeats within a provider."""
    names = [serial_column(f.provider) for f in inputs.files]
    counts = [
        frame.group_by(H0, H1).agg(pl.len().alias(f"n{i}"), pl.col(SERIAL).first().alias(names[i]))
        for i, frame in enumerate(frames)
    ]
    colliding = [c.filter(pl.col(f"n{i}") > 1) for i, c in enumerate(counts)]
    everywhere = counts[0]
    for other in counts[1:]:
        everywhere = everywhere.join(other, on=[H0, H1], how="inner")
    unique = pl.all_horizontal(pl.col(f"n{i}") == 1 for i in range(len(counts)))
    blocked = everywhere.filter(~unique)
    return _Exact(
        matched=everywhere.filter(unique).select(names),
        collision_keys=[c.height for c in colliding],
        collision_records=[int(c.get_column(f"n{i}").sum()) for i, c in enumerate(colliding)],
        blocked=[int(blocked.get_column(f"n{i}").sum()) for i in range(len(counts))],
    )
