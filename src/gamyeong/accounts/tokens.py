"""Personal API tokens: made by a user signed in with password and one-time code, shown once,
kept only as a SHA-256, revocable. A token acts as its user, with exactly the user's permissions."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone

from gamyeong.accounts.models import ApiToken
from gamyeong.governance import audit

PREFIX = "gy_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: Any, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it with the token text (never stored)."""
    name = (name or "").strip()[:100] or "API"
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], token_hash=_hash(token)
    )
    audit.record("api.token_created", actor=user, target=record, summary=f"{name} {record.prefix}…")
    return record, token


def revoke_token(user: Any, pk: int) -> ApiToken | None:
    record = ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).first()
    if record is not None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit.record("api.token_revoked", actor=user, target=record, summary=record.prefix)
    return record


def user_for(token: str) -> Any | None:
    """The active user holding ``token``, or ``None``."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = (
        ApiToken.objects.filter(token_hash=_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user
