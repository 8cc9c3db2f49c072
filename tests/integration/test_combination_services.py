"""A whole combination (SSIS persons × KEIS employment) through the services, party by party,
checked against the synthetic data's ground truth; each party's permissions and the audit trail.

The helpers here (``world``, ``walk``, ``run``) are shared with the page and browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import NewUser
from gamyeong.catalog.services import load_manifest
from gamyeong.combination import services
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.example import create_example
from gamyeong.combination.models import Combination, Status, Step, Transfer
from gamyeong.combination.stores import agency_store, kma_store, project_store
from gamyeong.governance.audit import verify_chain
from gamyeong.governance.models import AuditEvent
from tests.integration.helpers import make_user

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SSIS, KEIS = "한국사회보장정보원", "한국고용정보원"
KISA, CENTRE, INSTITUTE = "한국인터넷진흥원", "가명정보결합센터", "한국보건사회연구원"
Kind = Organisation.Kind
Code = Step.Code


@dataclass
class World:
    combination: Combination
    users: dict[str, NewUser]
    data_dir: Path
    truth: pl.DataFrame


PARTY_USERS = {
    "ssis": ("provider_data_manager", Kind.PROVIDER, SSIS),
    "keis": ("provider_data_manager", Kind.PROVIDER, KEIS),
    "kma": ("key_agency_staff", Kind.KEY_AGENCY, KISA),
    "agency": ("combination_agency_staff", Kind.COMBINATION_AGENCY, CENTRE),
    "researcher": ("researcher", Kind.USER_ORG, INSTITUTE),
    "outsider": ("researcher", Kind.USER_ORG, "다른연구소"),
    "other_kma": ("key_agency_staff", Kind.KEY_AGENCY, "다른결합키관리기관"),
}


def prepare(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    """A data directory with the session's synthetic files, the catalog, one user per party and
    the example combination registered by the agency; jobs run at once."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "synth").symlink_to(synth_dir)
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    settings.TASKS = IMMEDIATE
    users = {
        name: make_user(f"{name}-user", roles=(role,), kind=kind, org=org)
        for name, (role, kind, org) in PARTY_USERS.items()
    }
    combination = create_example(users["agency"].user, applicant=INSTITUTE, key_agency=KISA)
    truth = pl.read_parquet(synth_dir / "ground_truth" / "partner_overlap.parquet")
    return World(combination, users, settings.DATA_DIR, truth)


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    return prepare(settings, tmp_path, synth_dir)


def run(world: World, who: str, code: str, **params: Any) -> Step:
    """Ask for a step as ``who`` and run it (the worker's part), as the immediate backend would."""
    combination = Combination.objects.get(pk=world.combination.pk)
    step = services.request_step(combination, code, user=world.users[who].user, params=params)
    step = services.execute_step(step.pk)
    assert step.state == Step.State.SUCCEEDED, (step.error_en, step.error_ko)
    return step


def walk(world: World, until: str = Code.PROCESS, *, extract: bool = True) -> Combination:
    """Every step in order, each by its own party, up to and including ``until``."""
    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("kma", Code.SALT, {}),
        ("ssis", Code.KEYS, {}),
        ("keis", Code.KEYS, {}),
        ("kma", Code.MATCH, {}),
        ("kma", Code.MOCK, {"fraction": 0.2}),
        ("kma", Code.LINK, {"extract": extract}),
        ("ssis", Code.PAYLOAD, {}),
        ("keis", Code.PAYLOAD, {}),
        ("agency", Code.COMBINE, {}),
        ("agency", Code.PROCESS, {}),
    ]
    for who, code, params in plan:
        run(world, who, code, **params)
        if code == until and (code not in (Code.KEYS, Code.PAYLOAD) or who == "keis"):
            break
    return Combination.objects.get(pk=world.combination.pk)


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def test_the_whole_combination_matches_the_ground_truth(world: World) -> None:
    combination = walk(world)
    assert combination.status == Status.PROCESSED
    linkable = world.truth.filter(pl.col("typo_field").is_null()).height
    assert combination.match_report["linked"] == linkable
    assert combination.combined["rows"] == linkable
    keis = next(p for p in combination.match_report["providers"] if p["provider"] == KEIS)
    assert keis["matched"] == linkable and keis["match_rate"] == round(
        linkable / keis["records"], 6
    )
    assert combination.mock_report["mock_fraction"] == 0.2
    assert 0 < combination.mock_report["linked"] < linkable
    assert combination.combined["risk"]["k"] == 3 and "k_min" in combination.combined["risk"]
    assert combination.processed["rows"] <= linkable
    assert "disability" not in combination.processed["columns"]


def test_each_hand_over_is_recorded_and_the_agency_forgets_its_inputs(world: World) -> None:
    combination = walk(world)
    kinds = sorted(combination.transfers.values_list("kind", flat=True))
    assert kinds == sorted(
        ["salt"] * 2
        + ["combination_keys"] * 2
        + ["matched_serials"] * 2
        + ["linking_info"]
        + ["payload"] * 2
        + ["combined"] * 2
    )
    payloads = combination.transfers.filter(kind=Transfer.Kind.PAYLOAD)
    assert all(
        t.deleted_at is not None and t.rows == combination.combined["rows"] for t in payloads
    )
    assert not list(agency_store(combination).root.rglob("*.parquet"))  # payloads, linking: gone
    for path in kma_store(combination).root.rglob("*.parquet"):  # keys and linking, no payload
        columns = pl.scan_parquet(path).collect_schema().names()
        assert all(
            c in ("serial", "key", "linking_id", "salt_id", "combination_id", "issued_at")
            or c.startswith(("key_", "serial_"))
            for c in columns
        ), (path, columns)
    assert {p.name for p in project_store(combination).inbox.glob("*.parquet")} == {
        "combined.parquet",
        "combined.processed.parquet",
    }


def test_without_extraction_the_full_payloads_are_sent_and_still_combine(world: World) -> None:
    combination = walk(world, Code.COMBINE, extract=False)
    assert not combination.extracted
    payloads = combination.transfers.filter(kind=Transfer.Kind.PAYLOAD)
    assert all(t.rows > combination.combined["rows"] for t in payloads)
    linkable = world.truth.filter(pl.col("typo_field").is_null()).height
    assert combination.combined["rows"] == linkable


def test_every_step_is_audited_and_the_chain_holds(world: World) -> None:
    walk(world)
    recorded = set(actions())
    assert {
        "combination.created",
        "combination.step_requested",
        "combination.salt_issued",
        "combination.keys_sent",
        "combination.match_checked",
        "combination.mock_combined",
        "combination.linked",
        "combination.payload_sent",
        "combination.combined",
        "combination.inputs_deleted",
        "combination.processed",
        "combination.transferred",
    } <= recorded
    assert actions().count("combination.transferred") == 11
    assert verify_chain().problem is None


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("ssis", Code.SALT),
        ("agency", Code.SALT),
        ("researcher", Code.SALT),
        ("other_kma", Code.SALT),  # a key agency, but not this combination's
        ("kma", Code.COMBINE),
        ("outsider", Code.KEYS),
        ("kma", Code.KEYS),
        ("agency", Code.KEYS),
    ],
)
def test_only_the_party_of_a_step_may_ask_for_it(world: World, who: str, code: str) -> None:
    with pytest.raises(PermissionDenied):
        services.request_step(world.combination, code, user=world.users[who].user)
    assert not Step.objects.exists()


def test_steps_out_of_order_or_twice_are_refused(world: World) -> None:
    with pytest.raises(CombinationError, match="not possible"):
        services.request_step(world.combination, Code.MATCH, user=world.users["kma"].user)
    run(world, "kma", Code.SALT)
    run(world, "ssis", Code.KEYS)
    with pytest.raises(CombinationError, match="already"):
        services.request_step(world.combination, Code.KEYS, user=world.users["ssis"].user)
    with pytest.raises(CombinationError, match="not possible"):
        services.request_step(world.combination, Code.COMBINE, user=world.users["agency"].user)
    run(world, "keis", Code.KEYS)
    run(world, "kma", Code.MATCH)
    with pytest.raises(CombinationError, match="between 0 and 1"):
        services.request_step(
            world.combination, Code.MOCK, user=world.users["kma"].user, params={"fraction": 2}
        )


def test_a_failed_step_is_recorded_and_can_be_asked_again(world: World) -> None:
    walk(world, Code.PAYLOAD)
    combination = Combination.objects.get(pk=world.combination.pk)
    step = services.request_step(
        combination, Code.COMBINE, user=world.users["agency"].user, params={"qi": ["nope"]}
    )
    step = services.execute_step(step.pk)
    assert step.state == Step.State.FAILED and "nope" in step.error_en
    assert "combination.step_failed" in actions()
    assert list(agency_store(combination).root.rglob("*.parquet"))  # nothing deleted
    run(world, "agency", Code.COMBINE, qi=["age", "industry"], k=3)


def test_only_a_combination_agency_registers_combinations(world: World) -> None:
    for who in ("researcher", "kma", "ssis"):
        with pytest.raises(PermissionDenied):
            create_example(world.users[who].user, applicant=INSTITUTE, key_agency=KISA)


def test_a_payload_policy_that_lets_an_identifier_through_is_refused(world: World) -> None:
    from gamyeong.combination.example import policy

    text = policy("ssis_persons.payload.yaml").replace("rrn: delete", "rrn: keep")
    with pytest.raises(CombinationError, match="rrn"):
        _register_with_ssis_policy(world, text)
    with pytest.raises(CombinationError, match="person_id"):
        _register_with_ssis_policy(world, "")


def _register_with_ssis_policy(world: World, text: str) -> None:
    from gamyeong.catalog.models import Dataset
    from gamyeong.combination import example
    from gamyeong.combination.registration import ProviderEntry, create_combination

    ssis = Dataset.objects.get(name="ssis_persons")
    keis = Dataset.objects.get(name="keis_employment")
    new = example.NewCombination(
        title="t",
        purpose="p",
        applicant=world.combination.applicant,
        key_agency=world.combination.key_agency,
        providers=[
            ProviderEntry(ssis.provider, ssis, example.ITEMS, text),
            ProviderEntry(
                keis.provider, keis, example.ITEMS, example.policy("keis_employment.payload.yaml")
            ),
        ],
        key_items=example.KEY_ITEMS,
    )
    create_combination(new, user=world.users["agency"].user)


def test_the_example_command_registers_a_combination(world: World) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    by = world.users["agency"].user.username
    call_command(
        "combination_example",
        "--by",
        by,
        "--applicant",
        INSTITUTE,
        "--key-agency",
        KISA,
        stdout=out,
    )
    assert "combination registered" in out.getvalue()
    assert Combination.objects.count() == 2
    with pytest.raises(CommandError, match="no such user"):
        call_command("combination_example", "--by", "nobody")
