"""API clients of the KMA: a token per client, kept only as its SHA-256.

A token is 32 random bytes (URL-safe base64) behind the prefix ``gmk_``; it is shown once, when
the client is added. A request's token is hashed and looked up; the token itself is never stored
or written to the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from gamyeong.engine.errors import EngineError
from gamyeong.governance import audit
from gamyeong.kma.models import ApiClient
from gamyeong.kma.router import KMA_DB

TOKEN_PREFIX = "gmk_"  # noqa: S105 (a prefix that marks KMA tokens, not a secret)
ROLES = tuple(ApiClient.Role.values)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def find_client(token: str) -> ApiClient | None:
    """The active client holding ``token``, or ``None``."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return ApiClient.objects.filter(token_hash=hash_token(token), active=True).first()


def add_client(name: str, role: str, organisation: str) -> tuple[ApiClient, str]:
    """Register a client and return it with its token (shown once, never kept)."""
    name, organisation = name.strip(), organisation.strip()
    if role not in ROLES:
        raise EngineError(
            f"역할은 {', '.join(ROLES)} 중 하나여야 합니다: {role!r}",
            f"the role must be one of {', '.join(ROLES)}: {role!r}",
        )
    if not name or len(name) > 100:
        raise EngineError("이름은 1~100자여야 합니다", "the name must be 1 to 100 characters")
    if not organisation or ":" in organisation or len(organisation) > 200:
        raise EngineError(
            f"기관 이름이 올바르지 않습니다: {organisation!r} (비어 있거나 ':' 포함)",
            f"invalid organisation name {organisation!r} (empty or contains ':')",
        )
    token = new_token()
    with transaction.atomic(using=KMA_DB):
        if ApiClient.objects.filter(name=name).exists():
            raise EngineError(
                f"같은 이름의 이용기관이 이미 있습니다: {name}", f"a client named {name} exists"
            )
        client = ApiClient.objects.create(
            name=name, role=role, organisation=organisation, token_hash=hash_token(token)
        )
        audit.record(
            "kma.client_added",
            actor="system:kma-cli",
            object_type="kma.apiclient",
            object_id=str(client.pk),
            summary=f"{name} ({role}:{organisation})",
            detail={"name": name, "role": role, "organisation": organisation},
            using=KMA_DB,
        )
    return client, token


def disable_client(name: str) -> ApiClient:
    """Stop a client's token from working (the row stays, for the audit trail)."""
    with transaction.atomic(using=KMA_DB):
        client = ApiClient.objects.select_for_update().filter(name=name).first()
        if client is None:
            raise EngineError(f"이용기관이 없습니다: {name}", f"no such client: {name}")
        client.active = False
        client.save(update_fields=["active"])
        audit.record(
            "kma.client_disabled",
            actor="system:kma-cli",
            object_type="kma.apiclient",
            object_id=str(client.pk),
            summary=name,
            using=KMA_DB,
        )
    return client
