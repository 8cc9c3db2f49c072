"""Creating organisations and users: the one place that does it, each change audited."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from gamyeong.accounts.models import Organisation, User
from gamyeong.accounts.roles import get_role
from gamyeong.governance import audit


class RoleNotAllowedError(ValueError):
    pass


def generate_password(length: int = 16) -> str:
    """A random password with letters, digits and a symbol, readable when printed."""
    alphabet = string.ascii_letters + string.digits
    while True:
        core = "".join(secrets.choice(alphabet) for _ in range(length - 1))
        if any(c.isdigit() for c in core) and any(c.isupper() for c in core):
            return core + secrets.choice("!#%+=?@")


@transaction.atomic
def ensure_organisation(
    name: str, *, kind: str, name_en: str = "", actor: Any = "system"
) -> tuple[Organisation, bool]:
    organisation, created = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "name_en": name_en}
    )
    if created:
        audit.record(
            "accounts.organisation_created",
            actor=actor,
            target=organisation,
            summary=name,
            detail={"kind": kind},
        )
    return organisation, created


@dataclass(frozen=True)
class NewUser:
    user: User
    password: str
    totp_device: TOTPDevice | None


@transaction.atomic
def create_user(
    username: str,
    *,
    full_name: str,
    organisation: Organisation,
    roles: Iterable[str],
    password: str | None = None,
    with_totp: bool = True,
    actor: Any = "system",
) -> NewUser:
    """Create a user with roles (checked against the organisation's kind) and, optionally,
    a confirmed TOTP device whose secret the caller hands to the user once."""
    role_list = [get_role(code) for code in roles]
    for role in role_list:
        if organisation.kind not in role.organisation_kinds:
            raise RoleNotAllowedError(
                f"{organisation.name}({organisation.kind})에는 '{role.code}' 역할을 줄 수 "
                f"없습니다 (role {role.code!r} is not allowed for a {organisation.kind})"
            )
    password = password or generate_password()
    user = User.objects.create_user(
        username,
        password=password,
        full_name=full_name,
        organisation=organisation,
        is_staff=any(role.staff for role in role_list),
    )
    user.groups.set(Group.objects.filter(name__in=[role.code for role in role_list]))
    device = None
    if with_totp:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    audit.record(
        "accounts.user_created",
        actor=actor,
        target=user,
        summary=username,
        detail={"organisation": organisation.name, "roles": sorted(r.code for r in role_list)},
    )
    return NewUser(user, password, device)


@transaction.atomic
def reset_credentials(user: User, *, actor: Any = "system") -> NewUser:
    """Give a user a new password and a new TOTP secret (both shown once to the caller)."""
    password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    audit.record("accounts.password_reset", actor=actor, target=user, summary=user.username)
    return NewUser(user, password, device)
