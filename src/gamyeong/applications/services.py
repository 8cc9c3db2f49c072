"""The one place that changes an application: check who acts, check the state and the guard,
record the move, audit it, notify the new owners — in one transaction.

Concurrency: a decision names the ``version`` it was made on. The move inserts a
:class:`Transition` unique per (application, version) and updates the application only if its
version is still that one, so of two staff deciding at once exactly one wins; the other gets a
:class:`ConflictError`. The same person sending the same decision twice (a double click, a
retried request) gets the first outcome back: nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gamyeong.accounts.models import Organisation
from gamyeong.applications import access, guards, notifications, uploads
from gamyeong.applications.models import (
    Application,
    ApplicationItem,
    Comment,
    CoResearcher,
    Document,
    ProviderDecision,
    Transition,
)
from gamyeong.applications.workflows import WORKFLOWS, Action, Party, State
from gamyeong.catalog.models import Item
from gamyeong.governance import audit
from gamyeong.processing.models import AdequacyReview, Run

S = State
MAX_TEXT = 10_000
PROVIDER_KINDS = frozenset(
    {
        Document.Kind.RISK_REPORT,
        Document.Kind.METHOD_TABLE,
        Document.Kind.PROVISION_CONTRACT,
        Document.Kind.ADEQUACY_REPORT,
    }
)
ANY_PARTY_KINDS = frozenset({Document.Kind.DESTRUCTION_CERTIFICATE, Document.Kind.OTHER})


class WorkflowError(ValueError):
    """A request that cannot be done now; nothing was changed."""

    def __init__(self, korean: str, english: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"{korean} ({english})")
        self.korean, self.english, self.problems = korean, english, list(problems)


class ConflictError(WorkflowError):
    """Someone else moved the application first."""


@dataclass
class Outcome:
    application: Application
    moved: bool = True
    duplicate: bool = False
    waiting_for: list[str] = field(default_factory=list)  # providers still to decide


# -- the applicant's draft ------------------------------------------------------------------------

EDITABLE = frozenset(
    {S.DRAFT, S.SUPPLEMENT, S.DRAFT_PURPOSE, S.EXPLORE_CATALOG, S.PLAN, S.PRECONSULT, S.DOCS_READY}
)
FIELDS = (
    "title",
    "purpose_category",
    "purpose",
    "analysis_plan",
    "preconsult_notes",
    "period_start",
    "period_end",
    "agency",
)


def _require(user: Any, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


def _editable(user: Any, application: Application) -> None:
    if application.author_id != user.pk:
        raise PermissionDenied("only the applicant edits an application")
    if application.state not in EDITABLE:
        raise WorkflowError(
            "제출한 신청서는 보완 요청을 받았을 때만 고칠 수 있습니다",
            "a submitted application can be changed only when it is returned for supplementation",
        )


def _text(value: str, what: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    if len(value) > MAX_TEXT:
        raise WorkflowError(
            f"{what}이(가) 너무 깁니다 (최대 {MAX_TEXT}자)",
            f"{what} is too long (at most {MAX_TEXT} characters)",
        )
    return value


def new_reference() -> str:
    year = timezone.localdate().year
    last = (
        Application.objects.filter(reference__startswith=f"A{year}-")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.split("-")[1]) + 1 if last else 1
    return f"A{year}-{number:05d}"


def create(user: Any, *, workflow: str, title: str) -> Application:
    _require(user, "applications.apply")
    if workflow not in WORKFLOWS:
        raise WorkflowError(f"알 수 없는 절차입니다: {workflow}", f"unknown procedure: {workflow}")
    if user.organisation_id is None:
        raise WorkflowError("소속 기관이 없는 사용자입니다", "the user has no organisation")
    title = _text(title, "과제명")[:200]
    if not title:
        raise WorkflowError("과제명을 쓰세요", "give the project a title")
    flow = WORKFLOWS[workflow]
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).first()
    agency = Organisation.objects.filter(kind=Organisation.Kind.COMBINATION_AGENCY).first()
    for attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    reference=new_reference(),
                    workflow=workflow,
                    title=title,
                    author=user,
                    organisation_id=user.organisation_id,
                    ministry=ministry if workflow == Application.Kind.PROVISION else None,
                    agency=agency if workflow == Application.Kind.COMBINATION else None,
                    state=flow.initial,
                    state_entered_at=timezone.now(),
                )
                audit.record(
                    "applications.created",
                    actor=user,
                    target=application,
                    summary=f"{application.reference} {title}",
                    detail={"workflow": workflow},
                )
                return application
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def update(user: Any, application: Application, **values: Any) -> Application:
    """Change the applicant's fields (only those named in ``values``)."""
    _editable(user, application)
    changed = []
    for name, value in values.items():
        if name not in FIELDS:
            raise WorkflowError(
                f"고칠 수 없는 항목입니다: {name}", f"not an editable field: {name}"
            )
        if name == "agency":
            if value is not None and value.kind != Organisation.Kind.COMBINATION_AGENCY:
                raise WorkflowError("결합전문기관이 아닙니다", "not a combination agency")
        elif name in ("title", "purpose", "analysis_plan", "preconsult_notes"):
            value = _text(value, name)
        setattr(application, name, value)
        changed.append(name)
    application.save(update_fields=[*changed, "updated_at"])
    audit.record(
        "applications.changed",
        actor=user,
        target=application,
        summary=f"{application.reference}: {', '.join(changed)}",
        detail={"fields": changed},
    )
    return application


def accept_pledge(user: Any, application: Application) -> Application:
    """Record that the applicant accepted the pledge (서약서) and the terms, with the time."""
    _editable(user, application)
    now = timezone.now()
    application.pledge_accepted_at = application.pledge_accepted_at or now
    application.terms_accepted_at = application.terms_accepted_at or now
    application.save(update_fields=["pledge_accepted_at", "terms_accepted_at", "updated_at"])
    audit.record(
        "applications.pledge_accepted",
        actor=user,
        target=application,
        summary=application.reference,
        detail={"at": now.isoformat()},
    )
    return application


def set_items(
    user: Any, application: Application, item_ids: Iterable[int], justifications: dict[int, str]
) -> list[ApplicationItem]:
    """Replace the requested items (variable-level selection from the published catalog)."""
    _editable(user, application)
    ids = sorted({int(i) for i in item_ids})
    items = list(Item.objects.filter(pk__in=ids, dataset__published=True))
    if len(items) != len(ids):
        raise WorkflowError(
            "카탈로그에 없는 항목이 있습니다", "some items are not in the published catalog"
        )
    with transaction.atomic():
        application.items.exclude(item_id__in=ids).delete()
        kept = {row.item_id: row for row in application.items.all()}
        for item in items:
            note = _text(justifications.get(item.pk, ""), "사유")[:300]
            row = kept.get(item.pk)
            if row is None:
                ApplicationItem.objects.create(
                    application=application, item=item, justification=note
                )
            elif row.justification != note:
                row.justification = note
                row.save(update_fields=["justification"])
        application.items.update(approved=None)
        audit.record(
            "applications.items_selected",
            actor=user,
            target=application,
            summary=f"{application.reference}: {len(ids)} items",
            detail={"items": ids},
        )
    return list(application.items.select_related("item__dataset"))


def add_co_researcher(user: Any, application: Application, username: str) -> CoResearcher:
    _editable(user, application)
    other = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if other is None or not other.has_perm("applications.apply"):
        raise WorkflowError(
            f"공동연구자로 등록할 수 있는 연구자가 아닙니다: {username}",
            f"no researcher with this user name: {username}",
        )
    if other.pk == application.author_id:
        raise WorkflowError("신청자 본인입니다", "that is the applicant")
    co, _created = CoResearcher.objects.get_or_create(application=application, user=other)
    audit.record(
        "applications.co_researcher_added",
        actor=user,
        target=application,
        summary=f"{application.reference}: {other.username}",
    )
    return co


def remove_co_researcher(user: Any, application: Application, username: str) -> None:
    _editable(user, application)
    application.co_researchers.filter(user__username=username).delete()
    audit.record(
        "applications.co_researcher_removed",
        actor=user,
        target=application,
        summary=f"{application.reference}: {username}",
    )


def documents_dir(application: Application) -> Any:
    return settings.DATA_DIR / "applications" / application.reference


def upload(
    user: Any, application: Application, *, kind: str, name: str, stream: IO[bytes]
) -> Document:
    """Check and store a document. The applicant uploads their documents while the application
    is theirs to edit (export, safety and destruction papers later); providers upload theirs."""
    if kind not in Document.Kind.values:
        raise WorkflowError(f"알 수 없는 서류 종류입니다: {kind}", f"unknown document kind: {kind}")
    parties = access.parties_of(user, application)
    if kind in PROVIDER_KINDS:
        allowed = Party.PROVIDER in parties
    elif kind in ANY_PARTY_KINDS:
        allowed = bool(parties - {Party.KEY_AGENCY})
    elif kind in (Document.Kind.EXPORT_APPLICATION, Document.Kind.SAFETY_MEASURES):
        allowed = Party.APPLICANT in parties
    else:
        allowed = Party.APPLICANT in parties
        if allowed:
            _editable(user, application)
    if not allowed:
        raise PermissionDenied(f"{user} may not upload {kind} to {application.reference}")
    limit = int(settings.GAMYEONG_UPLOAD_MAX_MB) * 1024 * 1024
    try:
        checked = uploads.check(name, uploads.read_stream(stream), max_bytes=limit)
    except uploads.UploadError as exc:
        raise WorkflowError(exc.korean, exc.english) from None
    path = uploads.store(checked, documents_dir(application))
    try:
        with transaction.atomic():
            document = Document.objects.create(
                application=application,
                kind=kind,
                name=checked.name,
                file_type=checked.file_type,
                stored=str(path.relative_to(settings.DATA_DIR)),
                size=checked.size,
                sha256=checked.sha256,
                organisation_id=user.organisation_id,
                uploaded_by=user,
            )
            audit.record(
                "applications.document_uploaded",
                actor=user,
                target=application,
                summary=f"{application.reference}: {kind} {checked.name}",
                detail={"kind": kind, "sha256": checked.sha256, "size": checked.size},
            )
    except Exception:
        path.unlink(missing_ok=True)  # no file without its record
        raise
    return document


def document_response(user: Any, application: Application, pk: int, *, via: str) -> Any:
    """A document of ``application`` as an attachment for one of its parties (404 otherwise);
    the download is audited. ``via`` says where it was asked (page or API)."""
    from django.http import FileResponse, Http404

    if not access.can_view(user, application):
        raise Http404
    found = application.documents.filter(pk=pk).first()
    root = Path(settings.DATA_DIR).resolve()
    path = (root / found.stored).resolve() if found is not None else root
    if found is None or root not in path.parents or not path.is_file():
        raise Http404
    audit.record(
        "applications.document_downloaded",
        actor=user,
        target=application,
        summary=f"{application.reference}: {found.name} ({via})",
        detail={"document": found.pk, "sha256": found.sha256, "via": via},
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def comment(user: Any, application: Application, text: str) -> Comment:
    if not access.can_view(user, application):
        raise PermissionDenied("not a party of this application")
    text = _text(text, "의견")
    if not text:
        raise WorkflowError("의견이 비어 있습니다", "the comment is empty")
    note = Comment.objects.create(application=application, author=user, text=text)
    audit.record(
        "applications.commented", actor=user, target=application, summary=application.reference
    )
    return note


# -- moving an application ------------------------------------------------------------------------


def _due(application: Application, state: str, now: Any) -> Any:
    days = application.flow.due_days.get(state)
    return now + timedelta(days=days) if days else None


def _decide_items(user: Any, application: Application, approved: Iterable[int]) -> None:
    """The acting provider's decision on its own items: approved ones True, the rest False."""
    chosen = {int(i) for i in approved}
    own = application.items.filter(item__dataset__provider_id=user.organisation_id)
    own.update(approved=False)
    own.filter(item_id__in=chosen).update(approved=True)


def _runs(application: Application, run_ids: Iterable[int], user: Any) -> None:
    runs = list(
        Run.objects.filter(
            pk__in={int(i) for i in run_ids},
            policy__dataset__provider_id=user.organisation_id,
        )
    )
    application.runs.set(runs)


def take(
    user: Any,
    application: Application,
    code: str,
    *,
    version: int,
    reason: str = "",
    missing: Sequence[str] = (),
    approved_items: Iterable[int] | None = None,
    runs: Iterable[int] | None = None,
) -> Outcome:
    """Take the action ``code`` on ``application`` as ``user``, decided on ``version``."""
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.version != version:
            return _stale(user, current, code, version)
        action = current.flow.action(current.state, code)
        if action is None or not action.manual:
            raise WorkflowError(
                f"지금 상태({current.get_state_display()})에서는 할 수 없는 일입니다: {code}",
                f"'{code}' is not possible in the state '{current.state}'",
            )
        access.check_take(user, current, action)
        if action.party == Party.PROVIDER:
            earlier = current.provider_decisions.filter(
                version=current.version, organisation_id=user.organisation_id
            ).first()
            if earlier is not None:
                if earlier.action == code and earlier.actor_id == user.pk:
                    return Outcome(current, moved=False, duplicate=True)
                raise ConflictError(
                    "이 기관은 이 단계에서 이미 결정했습니다",
                    "this provider has already decided this step",
                )
        reason = _text(reason, "사유")
        missing = [m for m in (_text(m, "보완 항목")[:300] for m in missing) if m]
        if action.reason and not reason:
            raise WorkflowError("사유를 쓰세요", "a reason is required")
        if action.missing and not missing:
            raise WorkflowError(
                "보완할 항목을 하나 이상 쓰세요", "list at least one thing that is missing"
            )
        if approved_items is not None and code == "approve_items":
            _decide_items(user, current, approved_items)
        if runs is not None and code == "submit_run":
            _runs(current, runs, user)
        found = guards.problems(action.guard, current, user)
        if found:
            raise WorkflowError(
                "아직 이 단계를 마칠 수 없습니다", "this step cannot be completed yet", found
            )
        if action.collective:
            waiting = _provider_decision(user, current, action, reason)
            if waiting:
                return Outcome(current, moved=False, waiting_for=waiting)
        _move(current, action, actor=user, party=action.party, reason=reason, missing=missing)
    follow(current)
    current.refresh_from_db()
    return Outcome(current)


def _stale(user: Any, current: Application, code: str, version: int) -> Outcome:
    done = current.transitions.filter(version=version).first()
    if done is not None and done.actor_id == user.pk and done.action == code:
        return Outcome(current, moved=False, duplicate=True)
    mine = current.provider_decisions.filter(version=version, actor_id=user.pk, action=code)
    if mine.exists():
        return Outcome(current, moved=False, duplicate=True)
    raise ConflictError(
        "다른 사람이 먼저 처리했습니다. 새로 고친 뒤 다시 확인하세요",
        "someone else decided first; reload the page and check again",
    )


def _provider_decision(
    user: Any, application: Application, action: Action, reason: str
) -> list[str]:
    """Record this provider's share; return the providers still to decide (empty: all done)."""
    already = application.provider_decisions.filter(
        version=application.version, organisation_id=user.organisation_id
    ).first()
    if already is not None:
        raise ConflictError(
            "이 기관은 이 단계에서 이미 결정했습니다", "this provider has already decided this step"
        )
    try:
        with transaction.atomic():
            ProviderDecision.objects.create(
                application=application,
                version=application.version,
                action=action.code,
                organisation_id=user.organisation_id,
                actor=user,
                note=reason,
            )
    except IntegrityError:
        raise ConflictError(
            "이 기관은 이 단계에서 이미 결정했습니다", "this provider has already decided this step"
        ) from None
    audit.record(
        "applications.provider_decided",
        actor=user,
        target=application,
        summary=f"{application.reference}: {action.code}",
        detail={"action": action.code, "version": application.version},
    )
    decided = set(
        application.provider_decisions.filter(
            version=application.version, action=action.code
        ).values_list("organisation_id", flat=True)
    )
    remaining = access.provider_ids(application) - decided
    return [str(o) for o in Organisation.objects.filter(pk__in=remaining)]


def _move(
    application: Application,
    action: Action,
    *,
    actor: Any,
    party: str,
    reason: str = "",
    missing: Sequence[str] = (),
) -> None:
    now = timezone.now()
    source, previous_owner = application.state, application.owner
    try:
        with transaction.atomic():
            Transition.objects.create(
                application=application,
                version=application.version,
                action=action.code,
                source=source,
                target=action.target,
                party=party,
                actor=actor if getattr(actor, "pk", None) else None,
                reason=reason,
                missing=list(missing),
            )
    except IntegrityError:
        raise ConflictError("다른 사람이 먼저 처리했습니다", "someone else decided first") from None
    updates: dict[str, Any] = {
        "state": action.target,
        "version": F("version") + 1,
        "state_entered_at": now,
        "due_at": _due(application, action.target, now),
    }
    if (
        application.submitted_at is None
        and party == Party.APPLICANT
        and action.code
        in (
            "submit",
            "resubmit",
        )
    ):
        updates["submitted_at"] = now
    changed = Application.objects.filter(pk=application.pk, version=application.version).update(
        **updates
    )
    if changed != 1:
        raise ConflictError("다른 사람이 먼저 처리했습니다", "someone else decided first")
    application.refresh_from_db()
    _effects(application, action, actor)
    audit.record(
        "applications.moved",
        actor=actor if getattr(actor, "pk", None) else "system:applications",
        target=application,
        summary=f"{application.reference}: {source} → {action.target} ({action.code})",
        detail={
            "action": action.code,
            "from": source,
            "to": action.target,
            "party": party,
            "reason": reason,
            "missing": list(missing),
        },
    )
    recipients = notifications.owners(application) if application.owner != previous_owner else []
    notifications.notify(application, [*recipients, application.author], actor=actor, source=source)


def _effects(application: Application, action: Action, actor: Any) -> None:
    """What entering a state does besides the state itself (the workspace record is made once:
    provision_workspace is get-or-create)."""
    from gamyeong.applications import links

    if action.target in (S.IN_USE, S.COMBINED_CHECK):
        links.provision_workspace(application)
    if action.target == S.DESTROYED:
        links.close_workspace(application)


# -- the system's moves: following the linked work -------------------------------------------------

COMBINATION_EVENTS = {
    "keys_received": "keys_received",
    "payloads_received": "payloads_received",
    "combined": "combined",
    "processed": "processed",
}


def _combination_reached(application: Application, code: str) -> bool:
    combination = application.combination
    if combination is None:
        return False
    if code == "keys_received":
        return not combination.parts.filter(keys_sent_at__isnull=True).exists()
    return combination.reached(COMBINATION_EVENTS[code])


def follow(application: Application) -> int:
    """Take the system's actions the combination's progress allows (keys received, payloads
    received, combined, processed); return how many were taken."""
    taken = 0
    for _ in range(len(COMBINATION_EVENTS) + 1):
        application.refresh_from_db()
        action = next(
            (
                a
                for a in application.flow.actions_from(application.state)
                if a.party == Party.SYSTEM and _combination_reached(application, a.code)
            ),
            None,
        )
        if action is None:
            return taken
        with transaction.atomic():
            _move(application, action, actor=None, party=Party.SYSTEM)
        taken += 1
    return taken


def follow_combination(combination: Any) -> None:
    """Called by the combination services after each step they record."""
    application = Application.objects.filter(combination=combination).first()
    if application is not None:
        follow(application)


def adequacy_decided(review: AdequacyReview) -> None:
    """Called when an adequacy review is recorded: an application waiting for it moves — to
    provision when all its runs are adequate, back to pseudonymization when one is not."""
    for application in Application.objects.filter(state=S.ADEQUACY_REVIEW, runs=review.run):
        if Party.ADEQUACY not in access.parties_of(review.reviewer, application):
            continue  # not the provider's reviewer, or the applicant's own: the state waits
        if review.decision == AdequacyReview.Decision.INADEQUATE:
            code, reason = "inadequate", review.reason
        elif not guards.adequate_run(application, review.reviewer):
            code, reason = "adequate", ""
        else:
            continue  # other runs still wait for their review
        action = application.flow.action(application.state, code)
        assert action is not None
        with transaction.atomic():
            _move(application, action, actor=review.reviewer, party=Party.ADEQUACY, reason=reason)
