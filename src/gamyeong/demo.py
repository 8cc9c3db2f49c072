"""The demo set-up behind ``gamyeong demo`` and ``make run``: synthetic data, the catalog loaded
from it, the parties' organisations and one demo user per role (passwords and TOTP secrets are
printed once, when the users are created)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from gamyeong.accounts.models import Organisation, User
from gamyeong.accounts.services import NewUser, create_user, ensure_organisation, reset_credentials
from gamyeong.catalog.services import LoadResult, load_manifest
from gamyeong.engine.synth import SynthConfig, generate
from gamyeong.governance import audit

Kind = Organisation.Kind
SYSTEM_ACTOR = "system:demo"

ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("한국사회보장정보원", "Korea Social Security Information Service", Kind.PROVIDER),
    ("한국고용정보원", "Korea Employment Information Service", Kind.PROVIDER),
    ("보건복지부", "Ministry of Health and Welfare", Kind.MINISTRY),
    ("한국인터넷진흥원", "Korea Internet & Security Agency", Kind.KEY_AGENCY),
    (
        "한국사회보장정보원 가명정보결합센터",
        "SSIS Pseudonymized-Data Combination Centre",
        Kind.COMBINATION_AGENCY,
    ),
    ("한국보건사회연구원", "Korea Institute for Health and Social Affairs", Kind.USER_ORG),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    organisation: str
    roles: tuple[str, ...]
    department: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("researcher", "김연구", "한국보건사회연구원", ("researcher",), "빈곤불평등연구실"),
    DemoUser("researcher2", "남공동", "한국보건사회연구원", ("researcher",), "빈곤불평등연구실"),
    DemoUser("mohw", "이승인", "보건복지부", ("ministry_approver",), "기초생활보장과"),
    DemoUser(
        "ssis-data", "박가명", "한국사회보장정보원", ("provider_data_manager",), "데이터관리부"
    ),
    DemoUser(
        "ssis-review",
        "조적정",
        "한국사회보장정보원",
        ("adequacy_reviewer",),
        "가명정보 적정성 검토",
    ),
    DemoUser("keis-data", "최고용", "한국고용정보원", ("provider_data_manager",), "고용데이터팀"),
    DemoUser(
        "kisa-key", "정결합키", "한국인터넷진흥원", ("key_agency_staff",), "가명정보결합지원팀"
    ),
    DemoUser(
        "ssis-combine",
        "강결합",
        "한국사회보장정보원 가명정보결합센터",
        ("combination_agency_staff",),
    ),
    DemoUser("reviewer1", "윤심사", "한국사회보장정보원 가명정보결합센터", ("export_reviewer",)),
    DemoUser("reviewer2", "한심사", "한국사회보장정보원 가명정보결합센터", ("export_reviewer",)),
    DemoUser("security", "오보호", "한국사회보장정보원", ("security_officer",), "정보보호부"),
    DemoUser("room", "서분석", "한국사회보장정보원", ("room_operator",), "데이터관리부"),
)


def demo_data_dir() -> Path:
    return Path(settings.DATA_DIR) / "synth"


def ensure_synthetic_data(
    persons: int, seed: int, progress: Callable[[str, float], None] | None = None
) -> tuple[Path, bool]:
    """Generate the demo data unless the same persons and seed are already there."""
    out = demo_data_dir()
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        try:
            existing = json.loads(manifest_path.read_text(encoding="utf-8"))
            if existing.get("persons") == persons and existing.get("seed") == seed:
                return manifest_path, False
        except (OSError, ValueError):
            pass  # unreadable: generate again
    generate(SynthConfig(persons=persons, seed=seed), out, progress)
    audit.record(
        "synth.generated",
        actor=SYSTEM_ACTOR,
        object_type="synth.dataset",
        object_id=str(out),
        summary=f"{persons} persons, seed {seed}",
        detail={"persons": persons, "seed": seed},
    )
    return manifest_path, True


def load_demo_catalog(manifest_path: Path) -> LoadResult:
    return load_manifest(manifest_path, data_dir=Path(settings.DATA_DIR), actor=SYSTEM_ACTOR)


@transaction.atomic
def ensure_demo_users(reset: bool = False) -> tuple[list[NewUser], list[str]]:
    """Create the demo organisations and users. Returns the new credentials (to print once) and
    the usernames that already existed (their credentials are not shown unless ``reset``)."""
    for name, name_en, kind in ORGANISATIONS:
        ensure_organisation(name, kind=kind, name_en=name_en, actor=SYSTEM_ACTOR)
    created: list[NewUser] = []
    existing: list[str] = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            new = create_user(
                spec.username,
                full_name=spec.full_name,
                organisation=Organisation.objects.get(name=spec.organisation),
                roles=spec.roles,
                actor=SYSTEM_ACTOR,
            )
            new.user.department = spec.department
            new.user.email = f"{spec.username}@example.com"  # notifications go to the console
            new.user.save(update_fields=["department", "email"])
            created.append(new)
        elif reset:
            created.append(reset_credentials(user, actor=SYSTEM_ACTOR))
        else:
            existing.append(spec.username)
    return created, existing
