"""The NinjaAPI object, its token authentication and its JSON errors."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from gamyeong.accounts.tokens import user_for
from gamyeong.api import applications
from gamyeong.api.renderers import Utf8JSONRenderer
from gamyeong.applications.services import ConflictError, WorkflowError

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gy_…``; the token is never logged."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for(token.strip())
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="gamyeong API",
    version="1",
    description=(
        "가명정보 이용신청 API: 화면과 같은 작업을 같은 권한 검사로 합니다. 개인 토큰"
        "(`Authorization: Bearer gy_…`)은 화면의 'API 토큰'에서 만듭니다.\n\n"
        "The application API: the same operations as the pages, with the same permission checks. "
        "Make a personal token on the 'API tokens' page and send it as `Authorization: Bearer`."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=Utf8JSONRenderer(),
)
api.add_router("", applications.router)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    korean: str,
    english: str,
    problems: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    body = {
        "code": code,
        "ko": korean,
        "en": english,
        "problems": [{"ko": k, "en": e} for k, e in problems or []],
    }
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request, 401, "unauthorized", "유효한 토큰이 필요합니다", "a valid API token is required"
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", "권한이 없습니다", "this is not yours to do")


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "찾을 수 없습니다", "not found")


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error(request, 409, "conflict", exc.korean, exc.english)


@api.exception_handler(WorkflowError)
def _refused(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
    return error(request, 422, "refused", exc.korean, exc.english, exc.problems)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    response = error(
        request, 422, "invalid", "요청 형식이 올바르지 않습니다", "the request is malformed"
    )
    return response


def urls() -> tuple[list[URLResolver | URLPattern], str, str]:
    """The API's URL patterns, exempt from the portal's login redirect (tokens instead)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        callback = getattr(pattern, "callback", None)
        if callback is not None:
            callback.login_required = False
    return patterns, app_name, namespace
