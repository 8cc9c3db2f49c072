"""The one place that changes an export request: draft, submit (the files copied and checked),
two blinded reviews, the committee for data sets, the release package and its download.

Rules: only a researcher of the project asks; a reviewer is staff of the project's provider or
combination agency with the review permission, never a researcher of the project; each reviewer
votes once per round and sees the other's votes only when both have voted; a file is released
only when both reviewers approved it (and, for a data set, the committee and the head did);
only the requesting researcher downloads the package, only after approval, every time audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gamyeong.engine import atomic
from gamyeong.errors import BilingualError
from gamyeong.exports import checks
from gamyeong.exports.models import Comment, CommitteeDecision, ExportFile, ExportRequest, Review
from gamyeong.exports.workflow import State, next_state
from gamyeong.governance import audit
from gamyeong.workspace import files as workspace_files
from gamyeong.workspace.bookings import workspaces_of
from gamyeong.workspace.models import Workspace

EVIDENCE_DIR = "_evidence"  # the helpers' reviewer-only evidence: never released


class ExportError(BilingualError):
    pass


class ConflictError(ExportError):
    pass


def store(request: ExportRequest) -> Path:
    return Path(settings.DATA_DIR) / "exports" / request.reference


def _researcher(user: Any, workspace: Workspace) -> None:
    if not workspaces_of(user).filter(pk=workspace.pk).exists():
        raise PermissionDenied("not a researcher of this project")


def _own(user: Any, request: ExportRequest) -> bool:
    application: Any = request.workspace.application
    return bool(
        application.author_id == user.pk
        or application.co_researchers.filter(user_id=user.pk).exists()
    )


def reviewer_organisations(request: ExportRequest) -> set[int]:
    application: Any = request.workspace.application
    found = set(application.items.values_list("item__dataset__provider_id", flat=True))
    if application.agency_id:
        found.add(application.agency_id)
    return found


def may_review(user: Any, request: ExportRequest) -> bool:
    return (
        bool(user.has_perm("exports.review_output"))
        and getattr(user, "organisation_id", None) in reviewer_organisations(request)
        and not _own(user, request)
    )


def may_decide_committee(user: Any, request: ExportRequest) -> bool:
    return (
        bool(user.has_perm("exports.decide_committee"))
        and getattr(user, "organisation_id", None) in reviewer_organisations(request)
        and not _own(user, request)
    )


def visible_to(user: Any) -> Any:
    mine = Q(workspace__in=workspaces_of(user))
    org = getattr(user, "organisation_id", None)
    if org is not None and (
        user.has_perm("exports.review_output") or user.has_perm("exports.decide_committee")
    ):
        staff = Q(workspace__application__items__item__dataset__provider_id=org) | Q(
            workspace__application__agency_id=org
        )
        mine |= staff & ~Q(state=State.DRAFT)
    return ExportRequest.objects.filter(mine).distinct().select_related("workspace", "researcher")


def _move(request: ExportRequest, move: str, actor: Any, **extra: Any) -> ExportRequest:
    target = next_state(request.state, move)
    if target is None:
        raise ExportError(
            f"지금 상태({request.get_state_display()})에서는 할 수 없습니다: {move}",
            f"'{move}' is not possible in the state '{request.state}'",
        )
    changed = ExportRequest.objects.filter(pk=request.pk, version=request.version).update(
        state=target, version=request.version + 1, **extra
    )
    if changed != 1:
        raise ConflictError("다른 사람이 먼저 처리했습니다", "someone else decided first")
    source = request.state
    request.refresh_from_db()
    audit.record(
        "exports.moved",
        actor=actor if getattr(actor, "pk", None) else "system:exports",
        target=request,
        summary=f"{request.reference}: {source} → {target} ({move})",
        detail={"from": source, "to": target, "move": move},
    )
    return request


def new_reference() -> str:
    year = timezone.localdate().year
    last = (
        ExportRequest.objects.filter(reference__startswith=f"E{year}-")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return f"E{year}-{(int(last.split('-')[1]) + 1) if last else 1:05d}"


def create(user: Any, workspace: Workspace, *, kind: str) -> ExportRequest:
    _researcher(user, workspace)
    if kind not in ExportRequest.Kind.values:
        raise ExportError(f"알 수 없는 반출 종류입니다: {kind}", f"unknown export kind: {kind}")
    request = ExportRequest.objects.create(
        reference=new_reference(), workspace=workspace, researcher=user, kind=kind
    )
    audit.record("exports.created", actor=user, target=request, summary=request.reference)
    return request


def _editable(user: Any, request: ExportRequest) -> None:
    if request.researcher_id != user.pk:
        raise PermissionDenied("only the requesting researcher changes the request")
    if request.state not in (State.DRAFT, State.CHANGES):
        raise ExportError(
            "심사 중이거나 끝난 신청은 고칠 수 없습니다",
            "a request under review or decided cannot be changed",
        )


def update(
    user: Any,
    request: ExportRequest,
    *,
    context: str,
    controls: str,
    names: Sequence[str],
) -> ExportRequest:
    """The researcher's context, the disclosure controls applied and the chosen outputs."""
    _editable(user, request)
    available = {entry["name"] for entry in workspace_files.outputs(request.workspace)}
    chosen = sorted(set(names))
    for name in chosen:
        if name not in available or name.split("/", 1)[0] == EVIDENCE_DIR:
            raise ExportError(
                f"반출할 수 없는 파일입니다: {name}", f"not an output that can be exported: {name}"
            )
    with transaction.atomic():
        request.context, request.controls = context.strip()[:10_000], controls.strip()[:10_000]
        request.save(update_fields=["context", "controls"])
        request.files.exclude(name__in=chosen).delete()
        for name in chosen:
            ExportFile.objects.get_or_create(request=request, name=name)
        audit.record(
            "exports.changed",
            actor=user,
            target=request,
            summary=f"{request.reference}: {len(chosen)} files",
            detail={"files": chosen},
        )
    return request


def precheck(request: ExportRequest) -> dict[str, Any]:
    """The automatic checks of the chosen outputs as they are now (before submission)."""
    base = workspace_files.outputs_dir(request.workspace)
    return checks.check_files(base, [f.name for f in request.files.all()], released(request))


def submit(user: Any, request: ExportRequest, *, version: int) -> ExportRequest:
    """Copy the chosen outputs into the request's store (what is reviewed is what is released),
    run the automatic checks on them and send them to the reviewers."""
    _editable(user, request)
    if request.version != version:
        raise ConflictError(
            "신청서가 바뀌었습니다. 새로 고치세요", "the request changed; reload it"
        )
    if not request.context.strip() or not request.controls.strip():
        raise ExportError(
            "결과물 설명과 적용한 공개 통제를 모두 쓰세요",
            "describe the outputs and the disclosure controls applied (both are required)",
        )
    chosen = list(request.files.all())
    if not chosen:
        raise ExportError("반출할 파일을 고르세요", "choose at least one output file")
    base = workspace_files.outputs_dir(request.workspace)
    checked = checks.check_files(base, [entry.name for entry in chosen], released(request))
    round_dir = store(request) / f"round-{request.round + 1}"
    with transaction.atomic():
        for entry in chosen:
            source = base / entry.name
            if not source.is_file():
                raise ExportError(
                    f"출력 파일이 없습니다: {entry.name}", f"the output is gone: {entry.name}"
                )
            data = source.read_bytes()
            target = round_dir / entry.name
            atomic.write_bytes(target, data)
            entry.stored = str(target.relative_to(settings.DATA_DIR))
            entry.size, entry.sha256 = len(data), hashlib.sha256(data).hexdigest()
            entry.checks = checked[entry.name]
            entry.save(update_fields=["stored", "size", "sha256", "checks"])
        _keep_evidence(base, round_dir)
        return _move(
            request,
            "submit",
            user,
            round=request.round + 1,
            submitted_at=timezone.now(),
        )


def released(request: ExportRequest) -> list[Path]:
    """The rounds of the project's earlier approved exports (for differencing)."""
    earlier = ExportRequest.objects.filter(
        workspace=request.workspace, state=State.APPROVED
    ).exclude(pk=request.pk)
    return [store(r) / f"round-{r.round}" for r in earlier]


def _keep_evidence(base: Path, round_dir: Path) -> None:
    """Keep the results.json and evidence the round was checked with, for the reviewers and for
    later differencing; they are never part of the release package."""
    results = base / checks.RESULTS
    if results.is_file():
        atomic.write_bytes(round_dir / checks.RESULTS, results.read_bytes())
    evidence = base / checks.EVIDENCE
    if evidence.is_dir():
        for path in evidence.rglob("*"):
            if path.is_file():
                target = round_dir / checks.EVIDENCE / path.relative_to(evidence)
                atomic.write_bytes(target, path.read_bytes())


def withdraw(user: Any, request: ExportRequest) -> ExportRequest:
    if request.researcher_id != user.pk:
        raise PermissionDenied("only the requesting researcher withdraws")
    return _move(request, "withdraw", user)


def review(
    user: Any, request: ExportRequest, *, version: int, votes: Mapping[int, str]
) -> ExportRequest:
    """One reviewer's votes (every file: approve / changes / reject). The second review
    decides: both approve every file → approved (a data set goes to the committee); both
    reject every file → rejected; anything else → changes requested."""
    if not may_review(user, request):
        raise PermissionDenied("not a reviewer of this request")
    if request.state != State.REVIEW:
        raise ExportError("심사 중인 신청이 아닙니다", "the request is not under review")
    ids = set(request.files.values_list("pk", flat=True))
    if set(votes) != ids or any(v not in Review.Vote.values for v in votes.values()):
        raise ExportError(
            "모든 파일에 대해 승인·수정 요청·반려 중 하나를 고르세요",
            "vote approve, changes or reject on every file",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                Review.objects.create(
                    request=request,
                    round=request.round,
                    reviewer=user,
                    votes={str(k): v for k, v in votes.items()},
                )
        except IntegrityError:
            raise ConflictError(
                "이번 심사에서 이미 의견을 냈습니다", "you have already voted in this round"
            ) from None
        audit.record(
            "exports.reviewed",
            actor=user,
            target=request,
            summary=f"{request.reference} r{request.round}",
            detail={"round": request.round},
        )
        done = list(request.reviews.filter(round=request.round))
        if len(done) < 2:
            return request
        all_votes = [v for r in done for v in r.votes.values()]
        if all(v == Review.Vote.APPROVE for v in all_votes):
            move = "to_committee" if request.kind == ExportRequest.Kind.DATASET else "approve"
        elif all(v == Review.Vote.REJECT for v in all_votes):
            move = "reject"
        else:
            move = "request_changes"
        current = ExportRequest.objects.get(pk=request.pk)
        extra = {"decided_at": timezone.now()} if move in ("approve", "reject") else {}
        moved = _move(current, move, "system:exports", **extra)
    if moved.state == State.APPROVED:
        build_package(moved)
    return moved


def reviews_visible(user: Any, request: ExportRequest) -> list[Review]:
    """Blinding: a reviewer sees only their own vote until both have voted; the researcher sees
    the votes once the round is decided."""
    round_reviews = list(request.reviews.filter(round=request.round).select_related("reviewer"))
    both = len(round_reviews) >= 2
    if may_review(user, request):
        return round_reviews if both else [r for r in round_reviews if r.reviewer_id == user.pk]
    if request.researcher_id == user.pk and (both or request.ended):
        return round_reviews
    return []


def comment(
    user: Any,
    request: ExportRequest,
    *,
    text: str,
    visibility: str,
    file_id: int | None = None,
) -> Comment:
    reviewer = may_review(user, request) or may_decide_committee(user, request)
    if not reviewer and request.researcher_id != user.pk:
        raise PermissionDenied("not a party of this request")
    if not reviewer:
        visibility = Comment.Visibility.RESEARCHER  # a researcher's comment is open
    if visibility not in Comment.Visibility.values:
        raise ExportError("공개 범위가 잘못되었습니다", "unknown visibility")
    text = text.strip()[:5000]
    if not text:
        raise ExportError("의견이 비어 있습니다", "the comment is empty")
    file = request.files.filter(pk=file_id).first() if file_id else None
    note = Comment.objects.create(
        request=request, file=file, author=user, visibility=visibility, text=text
    )
    audit.record("exports.commented", actor=user, target=request, summary=request.reference)
    return note


def comments_visible(user: Any, request: ExportRequest) -> Any:
    """Reviewers see every comment, the researcher those made visible to them. Blinding (as
    in Airlock's independent review): while a round waits for its second vote, a reviewer's
    comments of that round are seen by their author only — a comment tells how one voted."""
    everything = request.comments.select_related("author", "file")
    round_open = (
        request.state == State.REVIEW
        and request.submitted_at is not None
        and request.reviews.filter(round=request.round).count() < 2
    )
    if round_open:
        this_round = Q(created_at__gte=request.submitted_at) & ~Q(author_id=request.researcher_id)
        everything = everything.exclude(this_round & ~Q(author_id=user.pk))
    if may_review(user, request) or may_decide_committee(user, request):
        return everything
    return everything.filter(visibility=Comment.Visibility.RESEARCHER)


def committee(
    user: Any,
    request: ExportRequest,
    *,
    members: Sequence[Mapping[str, Any]],
    minutes: str,
    decision: str,
    reason: str,
) -> ExportRequest:
    """The committee's members, votes and minutes, and the agency head's decision."""
    if not may_decide_committee(user, request):
        raise PermissionDenied("exports.decide_committee")
    if request.state != State.COMMITTEE:
        raise ExportError("위원회 심의 단계가 아닙니다", "the request is not before the committee")
    low, high = settings.GAMYEONG_EXPORT_COMMITTEE_MIN, settings.GAMYEONG_EXPORT_COMMITTEE_MAX
    if not low <= len(members) <= high:
        raise ExportError(
            f"위원은 {low}~{high}명이어야 합니다", f"the committee has {low} to {high} members"
        )
    if any(
        not str(m.get("name", "")).strip() or m.get("vote") not in ("approve", "reject")
        for m in members
    ):
        raise ExportError(
            "위원마다 이름과 의견(찬성·반대)을 쓰세요", "give each member's name and vote"
        )
    external = sum(1 for m in members if m.get("external"))
    if external * 2 <= len(members):
        raise ExportError("외부 위원이 과반이어야 합니다", "external members must be the majority")
    if (
        decision not in CommitteeDecision.Decision.values
        or not minutes.strip()
        or not reason.strip()
    ):
        raise ExportError(
            "회의록, 기관장 결정과 그 사유를 쓰세요",
            "give the minutes, the head's decision and why",
        )
    move = {"approve": "approve", "reject": "reject", "changes": "request_changes"}[decision]
    with transaction.atomic():
        CommitteeDecision.objects.create(
            request=request,
            round=request.round,
            members=[dict(m) for m in members],
            minutes=minutes.strip(),
            decision=decision,
            reason=reason.strip(),
            recorded_by=user,
        )
        extra = {"decided_at": timezone.now()} if move != "request_changes" else {}
        moved = _move(request, move, user, **extra)
    if moved.state == State.APPROVED:
        build_package(moved)
    return moved


def package_path(request: ExportRequest) -> Path:
    return store(request) / f"{request.reference}-release.zip"


def build_package(request: ExportRequest) -> Path:
    """The release package: the approved files, a manifest (SHA-256 of each), the check results
    and the approval certificate (PDF, Korean)."""
    from gamyeong.exports.certificate import certificate_pdf

    entries = list(request.files.all())
    manifest = {
        "reference": request.reference,
        "project": request.workspace.application.reference,
        "approved_at": (request.decided_at or timezone.now()).isoformat(),
        "files": [{"name": e.name, "sha256": e.sha256, "size": e.size} for e in entries],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            archive.write(Path(settings.DATA_DIR) / entry.stored, f"files/{entry.name}")
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr(
            "checks.json",
            json.dumps({e.name: e.checks for e in entries}, ensure_ascii=False, indent=2),
        )
        archive.writestr("approval-certificate.pdf", certificate_pdf(request))
    data = buffer.getvalue()
    target = package_path(request)
    atomic.write_bytes(target, data)
    ExportRequest.objects.filter(pk=request.pk).update(
        package_sha256=hashlib.sha256(data).hexdigest()
    )
    audit.record(
        "exports.package_built",
        actor="system:exports",
        target=request,
        summary=f"{request.reference}: {len(entries)} files",
        detail={"sha256": hashlib.sha256(data).hexdigest()},
    )
    return target


def download(user: Any, request: ExportRequest) -> Path:
    if request.researcher_id != user.pk:
        raise PermissionDenied("only the requesting researcher downloads the package")
    if request.state != State.APPROVED or not package_path(request).is_file():
        raise ExportError(
            "승인된 반출만 내려받을 수 있습니다", "only an approved export can be downloaded"
        )
    audit.record(
        "exports.downloaded",
        actor=user,
        target=request,
        summary=request.reference,
        detail={"sha256": request.package_sha256},
    )
    return package_path(request)
