"""Demo users for every role; role groups carry the role table's permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from gamyeong.accounts.models import Organisation
from gamyeong.accounts.roles import ROLES, get_role
from gamyeong.accounts.services import RoleNotAllowedError, create_user, ensure_organisation
from gamyeong.demo import DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_its_permissions() -> None:
    for role in ROLES:
        group = Group.objects.get(name=role.code)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions), role.code


def test_every_role_has_a_demo_user() -> None:
    assert {code for user in DEMO_USERS for code in user.roles} == {r.code for r in ROLES}


def test_demo_users_are_created_once_with_credentials_shown_once() -> None:
    created, existing = ensure_demo_users()
    assert len(created) == len(DEMO_USERS) and existing == []
    assert all(new.password and new.totp_device for new in created)
    assert created[0].user.check_password(created[0].password)
    again, existing = ensure_demo_users()
    assert again == [] and len(existing) == len(DEMO_USERS)
    reset, _ = ensure_demo_users(reset=True)
    assert len(reset) == len(DEMO_USERS)
    assert reset[0].user.check_password(reset[0].password)


def test_role_must_fit_the_organisation() -> None:
    ministry, _ = ensure_organisation("보건복지부", kind=Organisation.Kind.MINISTRY)
    with pytest.raises(RoleNotAllowedError):
        create_user("x", full_name="x", organisation=ministry, roles=["key_agency_staff"])
    with pytest.raises(KeyError):
        get_role("superhero")
