"""Helpers for logging in through the real two-step flow (password, then TOTP code)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from gamyeong.accounts import totp
from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import NewUser, create_user, ensure_organisation


def make_user(
    username: str = "alice",
    roles: tuple[str, ...] = ("researcher",),
    kind: str = Organisation.Kind.USER_ORG,
    org: str = "테스트연구원",
) -> NewUser:
    organisation, _ = ensure_organisation(org, kind=kind)
    return create_user(username, full_name="테스트 사용자", organisation=organisation, roles=roles)


def login(client: Client, new: NewUser, code: str | None = None) -> Any:
    """Log ``new`` in; returns the response to the code step."""
    response = client.post(
        reverse("accounts:login"), {"username": new.user.username, "password": new.password}
    )
    assert response.status_code == 302, response.content[:500]
    assert new.totp_device is not None
    return client.post(
        reverse("accounts:verify"), {"code": code or totp.current_code(new.totp_device)}
    )
