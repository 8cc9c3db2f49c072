"""The combination pages as each party uses them: what each party sees (and does not), the steps
it may ask for (POST, 403 for anyone else), 404 for non-parties, and no row of data anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from gamyeong.accounts.models import Organisation
from gamyeong.combination.models import Combination, Status, Step
from gamyeong.combination.stores import kma_store, provider_store
from gamyeong.engine.linkage.provider import vault_table_name
from tests.integration.helpers import login, make_user
from tests.integration.test_combination_services import World, prepare, walk

pytestmark = pytest.mark.django_db
Code = Step.Code


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    SIGNED_IN.clear()
    return prepare(settings, tmp_path, synth_dir)


SIGNED_IN: dict[tuple[int, str], Client] = {}


def client_of(world: World, who: str) -> Client:
    """One signed-in client per user (a one-time code is accepted once)."""
    key = (id(world), who)
    if key not in SIGNED_IN:
        client = Client()
        assert login(client, world.users[who]).status_code == 302
        SIGNED_IN[key] = client
    return SIGNED_IN[key]


def page(world: World, who: str) -> str:
    response = client_of(world, who).get(detail_url(world))
    assert response.status_code == 200
    return str(response.content.decode("utf-8"))


def detail_url(world: World) -> str:
    return reverse("combination:detail", args=[world.combination.slug])


def step_url(world: World, code: str) -> str:
    return reverse("combination:step", args=[world.combination.slug, code])


def post_step(
    world: World, who: str, code: str, capture: Any, data: dict[str, Any] | None = None
) -> Any:
    with capture(execute=True):
        return client_of(world, who).post(step_url(world, code), data or {})


def current(world: World) -> Combination:
    return Combination.objects.get(pk=world.combination.pk)


def test_each_party_lists_and_opens_the_combination(world: World) -> None:
    for who in ("ssis", "keis", "kma", "agency", "researcher"):
        client = client_of(world, who)
        listing = client.get(reverse("combination:home"))
        assert world.combination.slug in listing.content.decode(), who
        assert client.get(detail_url(world)).status_code == 200, who


def test_non_parties_get_404_and_an_empty_list(world: World) -> None:
    for who in ("outsider", "other_kma"):
        client = client_of(world, who)
        assert client.get(detail_url(world)).status_code == 404
        assert (
            world.combination.slug not in client.get(reverse("combination:home")).content.decode()
        )
        status = reverse("combination:status", args=[world.combination.slug])
        assert client.get(status).status_code == 404


def test_a_user_without_the_permission_gets_403() -> None:
    approver = make_user("mohw", roles=("ministry_approver",), kind=Organisation.Kind.MINISTRY)
    client = Client()
    login(client, approver)
    assert client.get(reverse("combination:home")).status_code == 403


def test_steps_by_another_party_are_forbidden(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    for who in ("ssis", "agency", "researcher"):
        assert (
            post_step(world, who, Code.SALT, django_capture_on_commit_callbacks).status_code == 403
        )
    assert (
        post_step(world, "outsider", Code.SALT, django_capture_on_commit_callbacks).status_code
        == 404
    )
    assert (
        post_step(world, "kma", Code.COMBINE, django_capture_on_commit_callbacks).status_code == 403
    )
    assert client_of(world, "kma").get(step_url(world, Code.SALT)).status_code == 405
    assert not Step.objects.exists()


def test_the_parties_walk_the_stages_through_the_pages(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    plan = [
        ("kma", Code.SALT, {}),
        ("ssis", Code.KEYS, {}),
        ("keis", Code.KEYS, {}),
        ("kma", Code.MATCH, {}),
        ("kma", Code.MOCK, {"fraction": "0.2"}),
        ("kma", Code.LINK, {"extract": "on"}),
        ("ssis", Code.PAYLOAD, {}),
        ("keis", Code.PAYLOAD, {}),
        ("agency", Code.COMBINE, {"qi": "age, sido_code, industry", "sensitive": "", "k": "3"}),
        ("agency", Code.PROCESS, {"policy": current(world).processing_policy}),
    ]
    for who, code, data in plan:
        response = post_step(world, who, code, capture, data)
        assert response.status_code == 302, (who, code)
        assert Step.objects.filter(code=code).latest("pk").state == Step.State.SUCCEEDED, code
    combination = current(world)
    assert combination.status == Status.PROCESSED and combination.extracted
    assert combination.qi == ["age", "sido_code", "industry"]
    assert "4-6" in page(world, "agency")


def test_a_bad_mock_fraction_is_refused_with_a_message(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    walk(world, Code.MATCH)
    response = post_step(
        world, "kma", Code.MOCK, django_capture_on_commit_callbacks, {"fraction": "5"}
    )
    assert response.status_code == 302
    assert not Step.objects.filter(code=Code.MOCK).exists()


def test_what_each_party_sees(world: World) -> None:
    walk(world)
    pages = {who: page(world, who) for who in ("ssis", "keis", "kma", "agency", "researcher")}
    # the match report goes to every party
    for text in pages.values():
        assert "결합률" in text and "모의결합" in text
    # a provider sees its own key report and dataset, not the other's, nor the risk review
    assert "결합키 보고서" in pages["ssis"] and "ssis_persons" in pages["ssis"]
    assert "keis_employment" not in pages["ssis"] and "ssis_persons" not in pages["keis"]
    assert "k_min" not in pages["ssis"] and "결합 데이터" in pages["ssis"]
    # the KMA: no dataset, no payload, no combined data
    assert (
        "ssis_persons" not in pages["kma"] and "결합대상정보 (가명처리한 속성)" not in pages["kma"]
    )
    assert "k_min" not in pages["kma"]
    # the agency: payloads and linking information, never salts or key files
    assert "결합키연계정보" in pages["agency"] and "k_min" in pages["agency"]
    assert ".keys.parquet" not in pages["agency"] and ".salt" not in pages["agency"]
    # the applicant: the risk review and its combined data only
    assert "k_min" in pages["researcher"] and "combined.parquet" in pages["researcher"]
    assert ".payload" not in pages["researcher"] and ".keys.parquet" not in pages["researcher"]


def test_no_page_shows_a_row_of_data(world: World, synth_dir: Path) -> None:
    combination = walk(world)
    persons = pl.read_parquet(synth_dir / "ssis_persons.parquet").head(50)
    keys_file = next(kma_store(combination).inbox.rglob("*.keys.parquet"))
    keys = pl.read_parquet(keys_file).head(50)
    part = combination.parts.get(dataset__name="ssis_persons")
    vault = provider_store(part).vault  # serial ↔ identifiers stay with the provider
    assert vault.table_path(vault_table_name(combination.slug)).exists()
    secrets = [*persons["name"], *persons["rrn"], *keys["serial"], *keys["key"]]
    for who in ("ssis", "keis", "kma", "agency", "researcher"):
        text = page(world, who)
        leaked = [value for value in secrets if value and value in text]
        assert not leaked, (who, leaked[:3])


def test_the_status_fragment_reloads_the_page_when_nothing_is_pending(world: World) -> None:
    client = client_of(world, "kma")
    url = reverse("combination:status", args=[world.combination.slug])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    Step.objects.create(
        combination=world.combination,
        code=Code.SALT,
        organisation=world.combination.key_agency,
        actor=world.users["kma"].user,
    )
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response and b"hx-trigger" in response.content


def test_the_agency_registers_the_example_from_the_list(world: World) -> None:
    client = client_of(world, "agency")
    response = client.post(reverse("combination:example"))
    assert response.status_code == 302
    assert Combination.objects.count() == 2
    assert client_of(world, "kma").post(reverse("combination:example")).status_code == 403
