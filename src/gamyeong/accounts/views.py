"""Login in two steps: password (django-axes counts failures), then a TOTP code (django-otp)."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from gamyeong.accounts import totp
from gamyeong.accounts.forms import LoginForm, OneTimeCodeForm
from gamyeong.governance import audit
from gamyeong.web.middleware import is_verified, public


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            auth_login(request, form.get_user())
            step = (
                "accounts:verify" if totp.confirmed_device(request.user) else "accounts:totp_setup"
            )
            return HttpResponseRedirect(_with_next(step, request))
        audit.record(
            "auth.login_failed",
            actor=request.POST.get("username", "")[:150],
            request=request,
            summary="password rejected",
        )
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _fail_code(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Count a wrong code as a failed login; lock the account out like a wrong password."""
    audit.record("auth.otp_failed", actor=user, request=request)
    credentials = {"username": user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials):
        auth_logout(request)
        return locked_out(request, None, credentials)
    return None


@public
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    device = totp.confirmed_device(user)
    if device is None:
        return HttpResponseRedirect(_with_next("accounts:totp_setup", request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp.check_code(device, form.cleaned_data["code"])
        if check.ok:
            otp_login(request, device)
            audit.record("auth.login", actor=user, request=request)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", check.message)
        lockout = _fail_code(request, user)
        if lockout is not None:
            return lockout
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@public
@require_http_methods(["GET", "POST"])
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if totp.confirmed_device(user) is not None:
        return HttpResponseRedirect(_with_next("accounts:verify", request))
    device = totp.pending_device(user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp.check_code(device, form.cleaned_data["code"])
        if check.ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("auth.totp_enrolled", actor=user, request=request, target=device)
            audit.record("auth.login", actor=user, request=request)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", check.message)
        lockout = _fail_code(request, user)
        if lockout is not None:
            return lockout
    context = {
        "form": form,
        "next": _next_url(request),
        "secret": totp.base32_secret(device),
        "qr_svg": totp.qr_svg(device.config_url),
        "otpauth_uri": device.config_url,
    }
    return render(request, "accounts/totp_setup.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    audit.record("auth.logout", request=request)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): Korean first, says how long to wait."""
    username = str((credentials or {}).get("username", ""))[:150]
    audit.record("auth.locked_out", actor=username, request=request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=403)


@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one (shown once), revoke one."""
    from gamyeong.accounts.models import ApiToken
    from gamyeong.accounts.tokens import create_token, revoke_token

    new_token = ""
    if request.method == "POST":
        if request.POST.get("revoke", "").isdigit():
            revoke_token(request.user, int(request.POST["revoke"]))
            return redirect("accounts:tokens")
        _record, new_token = create_token(request.user, request.POST.get("name", ""))
    tokens = ApiToken.objects.filter(user_id=int(request.user.pk or 0))
    return render(request, "accounts/tokens.html", {"tokens": tokens, "new_token": new_token})
