"""Every page needs a login verified with a second factor, except the ones marked public."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def is_verified(user: Any) -> bool:
    """Logged in with a password *and* a second factor (django-otp adds ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(user is not None and user.is_authenticated and check is not None and check())


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as public: it is served without a login (home, catalog, procedures …)."""
    return login_not_required(view)


class VerifiedLoginRequiredMiddleware:
    """Send anonymous users to the login page, and users with only a password to the code step.

    Django's ``login_not_required`` marker (set by :func:`public`) exempts a view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        user = request.user
        if is_verified(user):
            return None
        if user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:verify')}?{query}")
        return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))


class KoreanFirstLocaleMiddleware(LocaleMiddleware):
    """Korean unless the user chose another language with the switcher (its cookie).

    Django's own middleware also follows the browser's Accept-Language; a Korean public service
    opens in Korean for everyone and offers English on request.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
