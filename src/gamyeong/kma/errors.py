"""Errors of the KMA's API: an HTTP status, a code, and the message in Korean and English."""

from __future__ import annotations

from typing import Any

from gamyeong.engine.errors import EngineError


class ApiError(Exception):
    """A refused request. The body is ``{"code", "ko", "en"}`` (plus ``errors`` for details)."""

    def __init__(
        self, status: int, code: str, korean: str, english: str, errors: Any = None
    ) -> None:
        super().__init__(f"{status} {code}: {english}")
        self.status, self.code = status, code
        self.korean, self.english = korean, english
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "ko": self.korean, "en": self.english}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "인증이 필요합니다: 'Authorization: Bearer <토큰>' 헤더에 유효한 토큰을 보내세요",
        "authentication required: send a valid token in an 'Authorization: Bearer <token>' header",
    )


def forbidden(korean: str, english: str) -> ApiError:
    return ApiError(403, "forbidden", korean, english)


def not_found(korean: str, english: str) -> ApiError:
    return ApiError(404, "not_found", korean, english)


def conflict(korean: str, english: str) -> ApiError:
    return ApiError(409, "conflict", korean, english)


def bad_request(korean: str, english: str) -> ApiError:
    return ApiError(400, "bad_request", korean, english)


def refused_input(exc: EngineError) -> ApiError:
    """The engine refused the input (a payload column, a bad manifest, a foreign salt …)."""
    return ApiError(400, "refused", exc.korean, exc.english)
