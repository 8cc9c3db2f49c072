"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    verified = bool(user is not None and user.is_authenticated and user.is_verified())  # type: ignore[union-attr]
    return {"portal_user_verified": verified}
