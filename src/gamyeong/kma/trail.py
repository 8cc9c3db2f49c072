"""The KMA's own audit trail (in its database): every API request leaves one event.

A handler decorated with :func:`audited` returns an :class:`Outcome`; its database writes
(``save``) and the request's event are committed in one transaction on the KMA's database, so
nothing changes unaudited. If that commit fails, ``undo`` removes the files the handler wrote. A
refused or failed request is recorded by the API's exception handlers (:func:`record_refusal`),
in a transaction of its own, after the handler's work was rolled back.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Status

from gamyeong.governance import audit
from gamyeong.governance.models import AuditEvent
from gamyeong.kma.errors import ApiError, conflict
from gamyeong.kma.models import ApiClient
from gamyeong.kma.router import KMA_DB

ANONYMOUS = "anonymous"


@dataclass
class Outcome:
    """What a handler did: the response body, what to record, and the rows to save with it."""

    body: Any
    summary: str
    object_id: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200
    save: Callable[[], object] | None = None  # database writes, committed with the event
    undo: Callable[[], object] | None = None  # if that commit fails: remove the files written
    after: Callable[[], object] | None = None  # once committed: remove files no longer used


def actor_of(request: HttpRequest) -> tuple[str, dict[str, str]]:
    """The audit actor (``api:<client>``) and the client's role and organisation."""
    client = getattr(request, "auth", None)
    if not isinstance(client, ApiClient):
        return ANONYMOUS, {}
    return f"api:{client.name}", {"role": client.role, "organisation": client.organisation}


def record_request(
    request: HttpRequest,
    action: str,
    *,
    status: int,
    summary: str = "",
    object_id: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    actor, who = actor_of(request)
    return audit.record(
        action,
        actor=actor,
        request=request,
        object_type="kma.combination" if object_id else "",
        object_id=object_id,
        summary=summary,
        detail={
            "method": request.method,
            "path": request.path,
            "status": status,
            **who,
            **dict(detail or {}),
        },
        using=KMA_DB,
    )


def record_refusal(request: HttpRequest, status: int, code: str, english: str) -> None:
    """A refused (4xx) or failed (5xx) request, with the operation it attempted."""
    attempted = getattr(request, "kma_action", "")
    with transaction.atomic(using=KMA_DB):
        record_request(
            request,
            "kma.request_failed" if status >= 500 else "kma.request_refused",
            status=status,
            summary=f"{status} {code}: {english}"[:500],
            object_id=str(getattr(request, "kma_object_id", "")),
            detail={"attempted": attempted, "code": code},
        )


def audited(action: str) -> Callable[[Callable[..., Outcome]], Callable[..., Any]]:
    """Record each successful call as ``action``, atomically with the handler's ``save``."""

    def decorate(handler: Callable[..., Outcome]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            request.kma_action = action  # type: ignore[attr-defined]
            request.kma_object_id = kwargs.get("combination_id", "")  # type: ignore[attr-defined]
            outcome = handler(request, *args, **kwargs)
            try:
                with transaction.atomic(using=KMA_DB):
                    if outcome.save is not None:
                        outcome.save()
                    record_request(
                        request,
                        action,
                        status=outcome.status,
                        summary=outcome.summary,
                        object_id=outcome.object_id,
                        detail=outcome.detail,
                    )
            except BaseException as exc:
                if outcome.undo is not None:
                    outcome.undo()
                if isinstance(exc, IntegrityError):
                    raise _clash() from exc
                raise
            if outcome.after is not None:
                outcome.after()
            if outcome.status == 200:
                return outcome.body
            return Status(outcome.status, outcome.body)

        # django-ninja reads the parameters from the signature and resolves string annotations
        # in the wrapper's module; hand it the handler's, already resolved.
        view.__signature__ = inspect.signature(handler, eval_str=True)  # type: ignore[attr-defined]
        return view

    return decorate


def _clash() -> ApiError:
    return conflict(
        "동시에 들어온 다른 요청과 겹쳤습니다. 상태를 확인한 뒤 다시 시도하세요",
        "the request clashed with another one made at the same time; check and try again",
    )
