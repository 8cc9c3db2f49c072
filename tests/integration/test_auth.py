"""Login with a password and a TOTP second factor; lockout after repeated failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gamyeong.accounts import totp
from gamyeong.governance.models import AuditEvent
from tests.integration.helpers import login, make_user

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_private_page_sends_anonymous_user_to_login(client: Client) -> None:
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_alone_is_not_enough(client: Client) -> None:
    new = make_user()
    client.post(reverse("accounts:login"), {"username": "alice", "password": new.password})
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_password_and_code_log_in_and_are_audited(client: Client) -> None:
    new = make_user()
    response = login(client, new)
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor="alice").exists()


def test_wrong_code_is_refused_and_audited(client: Client) -> None:
    new = make_user()
    assert new.totp_device is not None
    response = login(client, new, code=_wrong(totp.current_code(new.totp_device)))
    assert response.status_code == 200
    assert client.get(reverse("web:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor="alice").exists()


def test_repeated_wrong_passwords_lock_the_account(client: Client, settings: object) -> None:
    new = make_user()
    limit = 5
    for _ in range(limit):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong-password"})
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": new.password}
    )
    assert response.status_code == 403
    assert "잠겼" in response.content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= limit
    assert AuditEvent.objects.filter(action="auth.locked_out", actor="alice").exists()


def test_lockout_is_per_account(client: Client) -> None:
    make_user()
    bob = make_user("bob")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong-password"})
    assert login(client, bob).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_repeated_wrong_codes_lock_the_account(client: Client) -> None:
    new = make_user()
    assert new.totp_device is not None
    client.post(reverse("accounts:login"), {"username": "alice", "password": new.password})
    response = None
    for _ in range(5):
        TOTPDevice.objects.filter(pk=new.totp_device.pk).update(throttling_failure_count=0)
        code = _wrong(totp.current_code(new.totp_device))
        response = client.post(reverse("accounts:verify"), {"code": code})
    assert response is not None and response.status_code == 403
    # Locked: even the right password and code do not get in now.
    again = client.post(reverse("accounts:login"), {"username": "alice", "password": new.password})
    assert again.status_code == 403


def test_user_without_authenticator_enrols_one(client: Client) -> None:
    new = make_user()
    TOTPDevice.objects.filter(user=new.user).delete()
    client.post(reverse("accounts:login"), {"username": "alice", "password": new.password})
    setup = client.get(reverse("accounts:totp_setup"))
    assert setup.status_code == 200
    assert "otpauth://totp/" in setup.content.decode()
    device = TOTPDevice.objects.get(user=new.user, confirmed=False)
    response = client.post(reverse("accounts:totp_setup"), {"code": totp.current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.totp_enrolled", actor="alice").exists()


def test_logout_needs_post_and_ends_the_session(client: Client) -> None:
    login(client, make_user())
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_open_redirect_is_refused(client: Client) -> None:
    new = make_user()
    client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": "alice", "password": new.password, "next": "https://evil.example/"},
    )
    assert new.totp_device is not None
    response = client.post(
        reverse("accounts:verify"),
        {"code": totp.current_code(new.totp_device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
