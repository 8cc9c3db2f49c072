"""Template context shared by every page: the main menu, the signed-in user's state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: Promise
    namespace: str = ""  # when set, every page of this URL namespace belongs to the entry

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MAIN_MENU: tuple[MenuItem, ...] = (
    MenuItem("catalog:index", _("Data catalog"), "catalog"),
    MenuItem("web:procedures", _("How to use the data")),
    MenuItem("applications:home", _("Applications"), "applications"),
    MenuItem("workspace:rooms", _("Analysis rooms"), "workspace"),
    MenuItem("governance:cases", _("Provision and combination cases")),
)


def user_is_verified(user: object) -> bool:
    """True for a user signed in with a password and a one-time code (django-otp)."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def _current_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return f"{match.namespace}:{match.url_name}"


def _current(item: MenuItem, section: str) -> str:
    """The ``aria-current`` value of a menu entry: "page" on its page, "true" below it."""
    if section == item.url_name:
        return "page"
    if item.namespace and section.split(":", 1)[0] == item.namespace:
        return "true"
    return ""


def _login_url(request: HttpRequest, section: str) -> str:
    """The login link, coming back to the page the user is on (not to an account page)."""
    url = reverse("accounts:login")
    if section.startswith(("accounts:", "admin:")) or request.method != "GET":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    section = _current_section(request)
    menu = [
        {"url": item.url, "label": item.label, "current": _current(item, section)}
        for item in MAIN_MENU
    ]
    return {
        "portal_user_verified": user_is_verified(user),
        "portal_menu": menu,
        "portal_next": request.get_full_path(),
        "portal_login_url": _login_url(request, section),
    }
