"""Fixtures shared by the page and admin tests (loaded with ``pytest_plugins``).

Users are made by the real service (``create_user``) and sign in through the real two-step
flow: password, then the current TOTP code of their device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import NewUser, create_user, ensure_organisation
from gamyeong.accounts.totp import current_code
from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem

PROVIDER = "한국사회보장정보원"
UNIVERSITY = "가명대학교"


@pytest.fixture
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def provider(db: None) -> Organisation:
    organisation, _created = ensure_organisation(
        PROVIDER, kind="provider", name_en="Korea Social Security Information Service"
    )
    return organisation


@pytest.fixture
def university(db: None) -> Organisation:
    organisation, _created = ensure_organisation(UNIVERSITY, kind="user_org")
    return organisation


@dataclass(frozen=True)
class Catalog:
    dataset: Dataset
    hidden: Dataset
    livelihood: Programme
    child_allowance: Programme


def _items(dataset: Dataset, livelihood: Programme) -> None:
    rows = [
        ("name", "성명", "Name", Item.ItemClass.DIRECT_IDENTIFIER, "string", None),
        ("age", "나이", "Age", Item.ItemClass.QUASI_IDENTIFIER, "integer", None),
        (
            "income",
            "소득인정액",
            "Recognized income",
            Item.ItemClass.SENSITIVE,
            "integer",
            livelihood,
        ),
        ("benefit", "지급금액", "Payment amount", Item.ItemClass.OTHER, "integer", livelihood),
    ]
    for position, (name, ko, en, item_class, data_type, programme) in enumerate(rows, 1):
        Item.objects.create(
            dataset=dataset,
            position=position,
            name=name,
            label_ko=ko,
            label_en=en,
            item_class=item_class,
            data_type=data_type,
            programme=programme,
        )


@pytest.fixture
def catalog(provider: Organisation) -> Catalog:
    livelihood = Programme.objects.create(
        code="livelihood",
        order=1,
        name_ko="생계급여",
        name_en="Livelihood benefit",
        means_tested=True,
        ministry_division="기초생활보장과",
        rule_ko="기준 중위소득 32% 이하",
        rule_en="At or below 32% of the standard median income",
    )
    child_allowance = Programme.objects.create(
        code="child-allowance",
        order=2,
        name_ko="아동수당",
        name_en="Child allowance",
        means_tested=False,
        ministry_division="아동정책과",
    )
    dataset = Dataset.objects.create(
        name="recipients",
        title_ko="자격 수급자 현황",
        title_en="Eligibility recipients",
        provider=provider,
        source_system=SourceSystem.objects.get(code="haengbok"),
        rows=1234,
        file="recipients.csv",
    )
    dataset.programmes.set([livelihood])
    _items(dataset, livelihood)
    hidden = Dataset.objects.create(
        name="unpublished",
        title_ko="비공개 데이터셋",
        title_en="Unpublished dataset",
        provider=provider,
        published=False,
    )
    return Catalog(dataset, hidden, livelihood, child_allowance)


MakeUser = Callable[..., NewUser]


@pytest.fixture
def make_user(fast_passwords: None, provider: Organisation, university: Organisation) -> MakeUser:
    """``make_user(username, roles, organisation="provider"|"university", with_totp=True)``."""

    def make(
        username: str, roles: list[str], organisation: str = "provider", with_totp: bool = True
    ) -> NewUser:
        org = provider if organisation == "provider" else university
        return create_user(
            username,
            full_name=f"{username} 님",
            organisation=org,
            roles=roles,
            with_totp=with_totp,
        )

    return make


def sign_in(client: Client, new_user: NewUser) -> None:
    """The real two-step login: password, then the authenticator's current code."""
    response = client.post(
        reverse("accounts:login"),
        {"username": new_user.user.username, "password": new_user.password},
    )
    assert response.status_code == 302, "password step failed"
    assert new_user.totp_device is not None
    response = client.post(reverse("accounts:verify"), {"code": current_code(new_user.totp_device)})
    assert response.status_code == 302, "one-time code step failed"


@pytest.fixture
def officer(make_user: MakeUser) -> NewUser:
    return make_user("officer", ["security_officer"])


@pytest.fixture
def officer_client(client: Client, officer: NewUser) -> Client:
    sign_in(client, officer)
    return client


@pytest.fixture
def researcher(make_user: MakeUser) -> NewUser:
    return make_user("researcher", ["researcher"], organisation="university")


@pytest.fixture
def researcher_client(client: Client, researcher: NewUser) -> Client:
    sign_in(client, researcher)
    return client


@pytest.fixture
def signer() -> Callable[[Client, NewUser], None]:
    """``signer(client, new_user)`` signs a user in through the real two-step flow."""
    return sign_in
