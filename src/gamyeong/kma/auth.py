"""Who is calling: a Bearer token, checked against the KMA's API clients, and the roles each
operation allows."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from gamyeong.kma.clients import find_client
from gamyeong.kma.errors import forbidden, unauthorized
from gamyeong.kma.models import ApiClient, Combination

Role = ApiClient.Role


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is never logged."""

    def __call__(self, request: HttpRequest) -> ApiClient | None:
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        return find_client(token)


def client_of(request: HttpRequest) -> ApiClient:
    client = getattr(request, "auth", None)
    if not isinstance(client, ApiClient):
        raise unauthorized()
    return client


def require_role(request: HttpRequest, *roles: str) -> ApiClient:
    client = client_of(request)
    if client.role not in roles:
        allowed = ", ".join(roles)
        raise forbidden(
            f"이 요청은 {allowed} 역할만 할 수 있습니다 (이 토큰: {client.role})",
            f"only the role(s) {allowed} may make this request (this token: {client.role})",
        )
    return client


def require_provider_of(request: HttpRequest, combination: Combination) -> ApiClient:
    """A provider listed in the combination."""
    client = require_role(request, Role.PROVIDER)
    if client.organisation not in combination.providers:
        raise forbidden(
            f"{client.organisation}은(는) 결합 {combination.id}의 정보보유기관이 아닙니다",
            f"{client.organisation} is not a provider of combination {combination.id}",
        )
    return client


def require_agency_of(request: HttpRequest, combination: Combination) -> ApiClient:
    """The combination agency named in the combination."""
    client = require_role(request, Role.COMBINATION_AGENCY)
    if client.organisation != combination.agency:
        raise forbidden(
            f"{client.organisation}은(는) 결합 {combination.id}의 결합전문기관이 아닙니다",
            f"{client.organisation} is not the combination agency of {combination.id}",
        )
    return client


def require_party_of(request: HttpRequest, combination: Combination) -> ApiClient:
    """The KMA's staff, a provider of the combination or its combination agency."""
    client = client_of(request)
    if client.role == Role.KMA_STAFF:
        return client
    if client.role == Role.PROVIDER:
        return require_provider_of(request, combination)
    return require_agency_of(request, combination)
