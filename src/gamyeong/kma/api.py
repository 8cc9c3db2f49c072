"""The KMA's HTTP API (django-ninja), served by ``gamyeong kma serve`` at ``/kma/api/``.

Every operation needs a Bearer token of an active API client (401 without); each checks the
client's role and organisation against the combination (403). Every request — answered, refused
or failed — leaves one event in the KMA's own audit trail (its database). Errors are JSON:
``{"code", "ko", "en"}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gamyeong.api.renderers import Utf8JSONRenderer
from gamyeong.kma.auth import TokenAuth
from gamyeong.kma.endpoints import combinations, downloads, keys, runs
from gamyeong.kma.errors import ApiError, not_found, unauthorized
from gamyeong.kma.trail import record_refusal, record_request

logger = logging.getLogger(__name__)


def _audited_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation pages are public, and recorded like every other request."""

    @functools.wraps(view)
    def docs(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        record_request(request, "kma.docs_viewed", status=response.status_code)
        return response

    return docs


api = NinjaAPI(
    title="gamyeong 결합키관리기관 API / key-management agency API",
    version="1",
    description=(
        "결합키관리기관(KMA)은 정보보유기관의 (일련번호, 결합키)만 받습니다. 속성 데이터는 "
        "받지 않습니다.\n\nThe key-management agency receives only (serial, key) pairs from the "
        "providers, never attribute data. Authenticate with `Authorization: Bearer <token>` "
        "(`gamyeong kma client add`)."
    ),
    urls_namespace="kma-api",
    auth=TokenAuth(),
    docs_decorator=_audited_docs,
    renderer=Utf8JSONRenderer(),
)
for module in (combinations, keys, runs, downloads):
    api.add_router("", module.router)


def _respond(request: HttpRequest, error: ApiError) -> HttpResponse:
    record_refusal(request, error.status, error.code, error.english)
    return api.create_response(request, error.body(), status=error.status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(request, unauthorized())


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _respond(
        request,
        ApiError(
            422,
            "invalid",
            "요청 형식이 올바르지 않습니다 (errors 참조)",
            "the request is malformed (see errors)",
            errors=exc.errors,
        ),
    )


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, not_found("찾을 수 없습니다", "not found"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _respond(request, ApiError(exc.status_code, "error", str(exc), str(exc)))


@api.exception_handler(Exception)
def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("KMA API request failed: %s %s", request.method, request.path)
    return _respond(
        request,
        ApiError(
            500,
            "internal_error",
            "결합키관리기관 서버 오류입니다. 관리자에게 알려 주세요",
            "internal error of the key-management agency; please tell its administrators",
        ),
    )
