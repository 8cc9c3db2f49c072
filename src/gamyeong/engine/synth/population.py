"""Households and the persons in them (가구·가구원), generated column-wise with NumPy.

Household types follow the census categories (1인, 부부, 부부+미혼자녀, 한부모, 조손, 3세대 이상,
기타). Each household gets a head whose age depends on the type; the other members' ages follow
from the head's (spouses close to it, children a generation below, the head's parents above).
Regions are drawn by resident population.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from gamyeong.engine.synth.reference import regions

HOUSEHOLD_TYPES: tuple[tuple[str, str, str], ...] = (
    ("one_person", "1인가구", "One-person"),
    ("couple", "부부가구", "Couple only"),
    ("couple_children", "부부+미혼자녀가구", "Couple with unmarried children"),
    ("single_parent", "한부모가구", "Single parent with children"),
    ("grandparent", "조손가구", "Grandparents with grandchildren"),
    ("three_generation", "3세대 이상 가구", "Three or more generations"),
    ("other", "기타가구", "Other (siblings, non-relatives)"),
)
ONE, COUPLE, COUPLE_CHILDREN, SINGLE_PARENT, GRANDPARENT, THREE_GEN, OTHER = range(7)
TYPE_SHARE = np.array([0.360, 0.190, 0.240, 0.065, 0.005, 0.035, 0.105])

RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    ("head", "가구주", "Head"),
    ("spouse", "배우자", "Spouse"),
    ("child", "자녀", "Child"),
    ("grandchild", "손자녀", "Grandchild"),
    ("parent", "부모", "Parent"),
    ("other", "기타", "Other"),
)
HEAD, SPOUSE, CHILD, GRANDCHILD, PARENT, OTHER_MEMBER = range(6)

# Age bands (inclusive) and shares of one-person household heads (2023 census shape).
ONE_PERSON_BANDS = (
    (20, 29, 0.18),
    (30, 39, 0.16),
    (40, 49, 0.115),
    (50, 59, 0.155),
    (60, 69, 0.165),
    (70, 79, 0.13),
    (80, 98, 0.095),
)
COUPLE_BANDS = ((25, 34, 0.05), (35, 54, 0.09), (55, 64, 0.27), (65, 74, 0.33), (75, 95, 0.26))
OTHER_BANDS = ((20, 34, 0.5), (35, 64, 0.35), (65, 90, 0.15))
MAX_AGE = 100


@dataclass(frozen=True)
class Population:
    """Column arrays: household-level (length H) and person-level (length N)."""

    hh_type: np.ndarray
    hh_size: np.ndarray
    hh_region: np.ndarray  # index into reference.regions()
    household: np.ndarray  # person → household index
    role: np.ndarray
    role_rank: np.ndarray  # order among members with the same role (children: 0 = eldest)
    sex: np.ndarray  # 1 male, 2 female
    birth_date: np.ndarray  # datetime64[D]
    age: np.ndarray  # completed years at the reference date
    disability: np.ndarray  # 0 none, 1 registered (not severe), 2 severe (장애의 정도가 심한)

    @property
    def persons(self) -> int:
        return int(self.household.size)

    @property
    def households(self) -> int:
        return int(self.hh_type.size)


def _banded(
    rng: np.random.Generator, n: int, bands: tuple[tuple[int, int, float], ...]
) -> np.ndarray:
    shares = np.array([b[2] for b in bands])
    which = rng.choice(len(bands), size=n, p=shares / shares.sum())
    low = np.array([b[0] for b in bands])[which]
    high = np.array([b[1] for b in bands])[which]
    return rng.integers(low, high + 1)


def _member_counts(rng: np.random.Generator, hh_type: np.ndarray) -> dict[int, np.ndarray]:
    n = hh_type.size
    counts = {
        role: np.zeros(n, dtype=np.int64)
        for role in (SPOUSE, CHILD, GRANDCHILD, PARENT, OTHER_MEMBER)
    }
    counts[SPOUSE] = (
        np.isin(hh_type, [COUPLE, COUPLE_CHILDREN])
        | ((hh_type == GRANDPARENT) & (rng.random(n) < 0.55))
        | ((hh_type == THREE_GEN) & (rng.random(n) < 0.85))
    ).astype(np.int64)
    kids_couple = rng.choice([1, 2, 3, 4], size=n, p=[0.40, 0.48, 0.10, 0.02])
    kids_single = rng.choice([1, 2, 3], size=n, p=[0.65, 0.28, 0.07])
    kids_three = rng.choice([1, 2, 3], size=n, p=[0.40, 0.45, 0.15])
    counts[CHILD] = np.select(
        [hh_type == COUPLE_CHILDREN, hh_type == SINGLE_PARENT, hh_type == THREE_GEN],
        [kids_couple, kids_single, kids_three],
        0,
    )
    counts[GRANDCHILD] = np.where(
        hh_type == GRANDPARENT, rng.choice([1, 2, 3], size=n, p=[0.60, 0.32, 0.08]), 0
    )
    counts[PARENT] = np.where(hh_type == THREE_GEN, rng.choice([1, 2], size=n, p=[0.7, 0.3]), 0)
    counts[OTHER_MEMBER] = np.where(
        hh_type == OTHER, rng.choice([1, 2, 3], size=n, p=[0.70, 0.25, 0.05]), 0
    )
    return counts


def _head_age(rng: np.random.Generator, hh_type: np.ndarray) -> np.ndarray:
    n = hh_type.size
    normal = {
        COUPLE_CHILDREN: (49, 9, 26, 78),
        SINGLE_PARENT: (47, 10, 20, 85),
        GRANDPARENT: (68, 7, 50, 92),
        THREE_GEN: (50, 9, 30, 72),
    }
    age = np.zeros(n, dtype=np.int64)
    for kind, (mean, sd, low, high) in normal.items():
        mask = hh_type == kind
        age[mask] = np.clip(np.rint(rng.normal(mean, sd, mask.sum())), low, high)
    for kind, bands in ((ONE, ONE_PERSON_BANDS), (COUPLE, COUPLE_BANDS), (OTHER, OTHER_BANDS)):
        mask = hh_type == kind
        age[mask] = _banded(rng, int(mask.sum()), bands)
    return age


def _head_male(rng: np.random.Generator, hh_type: np.ndarray, head_age: np.ndarray) -> np.ndarray:
    p_male = np.select(
        [
            (hh_type == ONE) & (head_age < 50),
            (hh_type == ONE) & (head_age < 65),
            hh_type == ONE,
            np.isin(hh_type, [COUPLE, COUPLE_CHILDREN, THREE_GEN]),
            hh_type == SINGLE_PARENT,
            hh_type == GRANDPARENT,
        ],
        [0.56, 0.50, 0.28, 0.85, 0.25, 0.40],
        0.55,
    )
    return rng.random(hh_type.size) < p_male


def build_population(rng: np.random.Generator, persons: int, as_of: date) -> Population:
    """Draw households until they hold exactly ``persons`` people."""
    estimate = int(persons / 2.0) + 16
    hh_type = rng.choice(len(TYPE_SHARE), size=estimate, p=TYPE_SHARE)
    counts = _member_counts(rng, hh_type)
    size: np.ndarray = 1 + np.sum(np.stack(list(counts.values())), axis=0)
    keep = int(np.searchsorted(np.cumsum(size), persons)) + 1
    hh_type, size = hh_type[:keep], size[:keep]
    counts = {role: c[:keep] for role, c in counts.items()}

    household = np.repeat(np.arange(keep), size)[:persons]
    size = np.bincount(household, minlength=keep)
    if size[-1] == 1:
        hh_type[-1] = ONE  # the last household lost members to the cut
    start = np.cumsum(size) - size
    position = np.arange(persons) - start[household]
    role, rank = _roles(position, household, counts)

    head_age = _head_age(rng, hh_type)
    head_male = _head_male(rng, hh_type, head_age)
    age = _member_ages(rng, role, rank, household, head_age, head_male)
    sex = _member_sex(rng, role, rank, household, head_male, counts[PARENT])
    birth_date, age = _birth_dates(rng, age, as_of)
    region = rng.choice(len(regions().weight), size=keep, p=regions().weight)
    return Population(
        hh_type=hh_type.astype(np.int8),
        hh_size=size,
        hh_region=region,
        household=household,
        role=role.astype(np.int8),
        role_rank=rank,
        sex=sex.astype(np.int8),
        birth_date=birth_date,
        age=age,
        disability=_disability(rng, age),
    )


def _roles(
    position: np.ndarray, household: np.ndarray, counts: dict[int, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    bounds: list[np.ndarray] = [np.ones_like(counts[SPOUSE])]
    for kind in (SPOUSE, CHILD, GRANDCHILD, PARENT):
        bounds.append(bounds[-1] + counts[kind])
    person_bounds = [b[household] for b in bounds]
    role = np.select(
        [position == 0, *[position < b for b in person_bounds[1:]]],
        [HEAD, SPOUSE, CHILD, GRANDCHILD, PARENT],
        OTHER_MEMBER,
    )
    role_start = np.select(
        [role == HEAD, role == SPOUSE, role == CHILD, role == GRANDCHILD, role == PARENT],
        [np.zeros_like(position), *person_bounds[:4]],
        person_bounds[4],
    )
    return role, position - role_start


def _member_ages(
    rng: np.random.Generator,
    role: np.ndarray,
    rank: np.ndarray,
    household: np.ndarray,
    head_age: np.ndarray,
    head_male: np.ndarray,
) -> np.ndarray:
    n = role.size
    h_age = head_age[household]
    spouse_gap = np.where(head_male[household], -2.5, 2.5)
    first_birth_gap = rng.uniform(27, 37, head_age.size)[household]
    spacing = rng.uniform(1.5, 4.0, n)
    child = h_age - first_birth_gap - rank * spacing
    child = np.where(child < 0, rng.integers(0, 10, n), child)
    age = np.select(
        [role == HEAD, role == SPOUSE, role == CHILD, role == GRANDCHILD, role == PARENT],
        [
            h_age,
            np.clip(h_age + spouse_gap + rng.normal(0, 3, n), 19, MAX_AGE),
            child,
            rng.integers(0, 18, n),
            np.clip(h_age + rng.uniform(24, 36, n), 45, MAX_AGE),
        ],
        np.clip(h_age + rng.normal(0, 10, n), 18, 95),
    )
    return np.asarray(np.clip(np.rint(age), 0, MAX_AGE), dtype=np.int64)


def _member_sex(
    rng: np.random.Generator,
    role: np.ndarray,
    rank: np.ndarray,
    household: np.ndarray,
    head_male: np.ndarray,
    parents: np.ndarray,
) -> np.ndarray:
    n = role.size
    male = np.select(
        [
            role == HEAD,
            role == SPOUSE,
            (role == PARENT) & (parents[household] == 2),
            role == PARENT,
        ],
        [head_male[household], ~head_male[household], rank == 0, rng.random(n) < 0.28],
        rng.random(n) < 0.513,
    )
    return np.where(male, 1, 2)


def _birth_dates(
    rng: np.random.Generator, age: np.ndarray, as_of: date
) -> tuple[np.ndarray, np.ndarray]:
    """A birth date for each age, and the completed age recomputed from it at ``as_of``."""
    ref = np.datetime64(as_of, "D")
    days = np.floor(age * 365.2425 + rng.uniform(0, 365, age.size)).astype(np.int64)
    birth = ref - days.astype("timedelta64[D]")
    by = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    bm = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    bd = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (bm > as_of.month) | ((bm == as_of.month) & (bd > as_of.day))
    exact = as_of.year - by - before_birthday.astype(np.int64)
    return birth, exact


def _disability(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Registered disability by age (about 5% overall), 38% of it severe (심한 장애)."""
    p = np.select(
        [age < 20, age < 40, age < 60, age < 70, age < 80], [0.006, 0.02, 0.045, 0.085, 0.13], 0.19
    )
    registered = rng.random(age.size) < p
    severe = rng.random(age.size) < 0.38
    return np.where(registered, np.where(severe, 2, 1), 0).astype(np.int8)
