"""Application operations of the API: list, create, read, change, items, co-researchers,
documents, comments, actions; the catalog's items to choose from; the inbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gamyeong.accounts.models import Organisation
from gamyeong.applications import access, services
from gamyeong.applications.models import Application, Notification, PurposeCategory
from gamyeong.catalog.models import Dataset

router = Router()


class Summary(Schema):
    reference: str
    title: str
    workflow: str
    state: str
    owner: str | None
    due_at: datetime | None
    author: str
    organisation: str


class ItemOut(Schema):
    id: int
    dataset: str
    name: str
    label: str
    item_class: str
    justification: str = ""
    approved: bool | None = None


class DocumentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    organisation: str
    uploaded_at: datetime


class TransitionOut(Schema):
    version: int
    action: str
    source: str
    target: str
    party: str
    actor: str | None
    reason: str
    missing: list[str]
    at: datetime


class ActionOut(Schema):
    code: str
    target: str
    reason_required: bool
    missing_required: bool
    problems: list[dict[str, str]]


class Detail(Summary):
    purpose_category: str
    purpose: str
    analysis_plan: str
    preconsult_notes: str
    period_start: date | None
    period_end: date | None
    pledge_accepted_at: datetime | None
    version: int
    my_parties: list[str]
    items: list[ItemOut]
    co_researchers: list[str]
    documents: list[DocumentOut]
    transitions: list[TransitionOut]
    actions: list[ActionOut]
    combination: str | None
    workspace: str | None


class NewApplication(Schema):
    workflow: str
    title: str


class Change(Schema):
    title: str | None = None
    purpose_category: str | None = None
    purpose: str | None = None
    analysis_plan: str | None = None
    preconsult_notes: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    agency: str | None = None  # organisation name
    accept_pledge: bool = False


class Items(Schema):
    items: list[int]
    justifications: dict[int, str] = {}


class Username(Schema):
    username: str


class Text(Schema):
    text: str


class Decision(Schema):
    version: int
    reason: str = ""
    missing: list[str] = []
    approved_items: list[int] | None = None
    runs: list[int] | None = None


class Outcome(Schema):
    reference: str
    state: str
    version: int
    moved: bool
    duplicate: bool
    waiting_for: list[str]


class CatalogItem(Schema):
    id: int
    name: str
    label: str
    item_class: str


class CatalogDataset(Schema):
    name: str
    title: str
    provider: str
    items: list[CatalogItem]


class NotificationOut(Schema):
    id: int
    application: str
    subject: str
    body: str
    created_at: datetime
    read: bool


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _visible(request: HttpRequest, reference: str) -> Application:
    user = _user(request)
    found = access.visible_to(user).filter(reference=reference).first()
    if found is None or not access.can_view(user, found):
        raise Http404
    return found


def _summary(app: Application) -> dict[str, Any]:
    return {
        "reference": app.reference,
        "title": app.title,
        "workflow": app.workflow,
        "state": app.state,
        "owner": app.owner,
        "due_at": app.due_at,
        "author": str(app.author),
        "organisation": str(app.organisation),
    }


def _detail(request: HttpRequest, app: Application) -> dict[str, Any]:
    from gamyeong.applications import guards

    user = _user(request)
    workspace = getattr(app, "workspace", None)
    return _summary(app) | {
        "purpose_category": app.purpose_category,
        "purpose": app.purpose,
        "analysis_plan": app.analysis_plan,
        "preconsult_notes": app.preconsult_notes,
        "period_start": app.period_start,
        "period_end": app.period_end,
        "pledge_accepted_at": app.pledge_accepted_at,
        "version": app.version,
        "my_parties": sorted(access.parties_of(user, app)),
        "items": [
            {
                "id": row.item_id,
                "dataset": row.item.dataset.name,
                "name": row.item.name,
                "label": row.item.label_ko,
                "item_class": row.item.item_class,
                "justification": row.justification,
                "approved": row.approved,
            }
            for row in app.items.select_related("item__dataset")
        ],
        "co_researchers": [co.user.username for co in app.co_researchers.select_related("user")],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "name": d.name,
                "size": d.size,
                "sha256": d.sha256,
                "organisation": str(d.organisation),
                "uploaded_at": d.uploaded_at,
            }
            for d in app.documents.select_related("organisation")
        ],
        "transitions": [
            {
                "version": t.version,
                "action": t.action,
                "source": t.source,
                "target": t.target,
                "party": t.party,
                "actor": t.actor.username if t.actor else None,
                "reason": t.reason,
                "missing": t.missing,
                "at": t.at,
            }
            for t in app.transitions.select_related("actor")
        ],
        "actions": [
            {
                "code": a.code,
                "target": a.target,
                "reason_required": a.reason,
                "missing_required": a.missing,
                "problems": [{"ko": k, "en": e} for k, e in guards.problems(a.guard, app, user)],
            }
            for a in access.manual_actions(user, app)
        ],
        "combination": app.combination.slug if app.combination else None,
        "workspace": workspace.code if workspace else None,
    }


@router.get("/applications", response=list[Summary], tags=["applications"])
def list_applications(request: HttpRequest) -> list[dict[str, Any]]:
    """The applications the token's user may see (own, and their organisation's part)."""
    return [_summary(app) for app in access.visible_to(_user(request))]


@router.post("/applications", response={201: Detail}, tags=["applications"])
def create_application(request: HttpRequest, body: NewApplication) -> Status[dict[str, Any]]:
    app = services.create(_user(request), workflow=body.workflow, title=body.title)
    return Status(201, _detail(request, app))


@router.get("/applications/{reference}", response=Detail, tags=["applications"])
def get_application(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _detail(request, _visible(request, reference))


@router.patch("/applications/{reference}", response=Detail, tags=["applications"])
def change_application(request: HttpRequest, reference: str, body: Change) -> dict[str, Any]:
    app = _visible(request, reference)
    user = _user(request)
    values = body.dict(exclude_none=True, exclude={"accept_pledge", "agency"})
    if values.get("purpose_category") not in (None, *PurposeCategory.values):
        raise services.WorkflowError("이용 목적 구분이 잘못되었습니다", "unknown purpose category")
    if body.agency is not None:
        agency = Organisation.objects.filter(
            name=body.agency, kind=Organisation.Kind.COMBINATION_AGENCY
        ).first()
        if agency is None:
            raise services.WorkflowError(
                f"결합전문기관이 아닙니다: {body.agency}",
                f"not a combination agency: {body.agency}",
            )
        values["agency"] = agency
    if values:
        services.update(user, app, **values)
    if body.accept_pledge:
        services.accept_pledge(user, app)
    return _detail(request, app)


@router.put("/applications/{reference}/items", response=Detail, tags=["applications"])
def set_items(request: HttpRequest, reference: str, body: Items) -> dict[str, Any]:
    app = _visible(request, reference)
    services.set_items(_user(request), app, body.items, body.justifications)
    return _detail(request, app)


@router.post("/applications/{reference}/co-researchers", response=Detail, tags=["applications"])
def add_co_researcher(request: HttpRequest, reference: str, body: Username) -> dict[str, Any]:
    app = _visible(request, reference)
    services.add_co_researcher(_user(request), app, body.username)
    return _detail(request, app)


@router.post(
    "/applications/{reference}/documents", response={201: DocumentOut}, tags=["applications"]
)
def upload_document(
    request: HttpRequest,
    reference: str,
    kind: Form[str],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    app = _visible(request, reference)
    document = services.upload(_user(request), app, kind=kind, name=file.name or "", stream=file)
    return Status(
        201,
        {
            "id": document.pk,
            "kind": document.kind,
            "name": document.name,
            "size": document.size,
            "sha256": document.sha256,
            "organisation": str(document.organisation),
            "uploaded_at": document.uploaded_at,
        },
    )


@router.get("/applications/{reference}/documents/{pk}", tags=["applications"])
def download_document(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    response: FileResponse = services.document_response(
        _user(request), _visible(request, reference), pk, via="API"
    )
    return response


@router.post("/applications/{reference}/comments", response={201: dict}, tags=["applications"])
def comment(request: HttpRequest, reference: str, body: Text) -> Status[dict[str, Any]]:
    app = _visible(request, reference)
    note = services.comment(_user(request), app, body.text)
    return Status(201, {"id": note.pk, "created_at": note.created_at.isoformat()})


@router.post("/applications/{reference}/actions/{code}", response=Outcome, tags=["applications"])
def act(request: HttpRequest, reference: str, code: str, body: Decision) -> dict[str, Any]:
    """Take an action (the same names as on the page: submit, approve, return, reject …).
    ``version`` is the application's version the decision was made on."""
    app = _visible(request, reference)
    outcome = services.take(
        _user(request),
        app,
        code,
        version=body.version,
        reason=body.reason,
        missing=body.missing,
        approved_items=body.approved_items,
        runs=body.runs,
    )
    moved = outcome.application
    return {
        "reference": moved.reference,
        "state": moved.state,
        "version": moved.version,
        "moved": outcome.moved,
        "duplicate": outcome.duplicate,
        "waiting_for": outcome.waiting_for,
    }


@router.get("/catalog", response=list[CatalogDataset], tags=["catalog"])
def catalog(request: HttpRequest) -> list[dict[str, Any]]:
    """The published datasets and their items (ids for item selection)."""
    return [
        {
            "name": d.name,
            "title": d.title_ko,
            "provider": str(d.provider),
            "items": [
                {"id": i.pk, "name": i.name, "label": i.label_ko, "item_class": i.item_class}
                for i in d.items.all()
            ],
        }
        for d in Dataset.objects.filter(published=True)
        .select_related("provider")
        .prefetch_related("items")
    ]


@router.get("/notifications", response=list[NotificationOut], tags=["notifications"])
def notifications(request: HttpRequest, unread: bool = False) -> list[dict[str, Any]]:
    mine = Notification.objects.filter(recipient_id=_user(request).pk).select_related("application")
    if unread:
        mine = mine.filter(read_at__isnull=True)
    return [
        {
            "id": n.pk,
            "application": n.application.reference,
            "subject": n.subject,
            "body": n.body,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in mine[:500]
    ]


@router.post("/notifications/read", response=dict, tags=["notifications"])
def mark_read(request: HttpRequest) -> dict[str, int]:
    count = Notification.objects.filter(
        recipient_id=_user(request).pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    return {"marked": count}
