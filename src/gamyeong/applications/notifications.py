"""Notifications (알림): on every change of owner, the users who now own the next step — and the
applicant, whose application it is — get a message in their portal inbox and by e-mail
(Django's e-mail backend; the console by default). E-mails go after the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet

from gamyeong.applications.access import STAFF_PERMISSIONS, divisions, provider_ids
from gamyeong.applications.models import Application, Notification
from gamyeong.applications.workflows import Party, State

logger = logging.getLogger(__name__)


def _with_permission(users: QuerySet[Any], dotted: str) -> list[Any]:
    return [user for user in users if user.has_perm(dotted)]


def owners(application: Application) -> list[Any]:
    """The users who may take the next step of ``application`` now."""
    User = get_user_model()
    party = application.owner
    if party is None or party == Party.SYSTEM:
        return []
    if party == Party.APPLICANT:
        return [application.author]
    organisations: set[int] = set()
    if party == Party.MINISTRY and application.ministry_id:
        organisations = {application.ministry_id}
    elif party in (Party.PROVIDER, Party.ADEQUACY):
        organisations = provider_ids(application)
    elif party in (Party.AGENCY, Party.EXPORT_COMMITTEE) and application.agency_id:
        organisations = {application.agency_id}
    own = {application.author_id, *application.co_researchers.values_list("user_id", flat=True)}
    users = User.objects.filter(organisation_id__in=organisations, is_active=True).exclude(
        pk__in=own
    )
    holders = _with_permission(users, STAFF_PERMISSIONS[party])
    if party == Party.MINISTRY:  # the responsible divisions first (소관부서), else every approver
        wanted = divisions(application)
        responsible = [
            u for u in holders if u.department and any(d.endswith(u.department) for d in wanted)
        ]
        return responsible or holders
    return holders


def notify(application: Application, recipients: Iterable[Any], *, actor: Any, source: str) -> int:
    """Tell ``recipients`` (the actor excepted) that ``application`` moved from ``source``."""
    to = {user.pk: user for user in recipients if user is not None and user.pk != actor_pk(actor)}
    if not to:
        return 0
    state_ko, state_en = _label(application.state, "ko"), _label(application.state, "en")
    due = application.due_at.strftime("%Y-%m-%d") if application.due_at else ""
    subject_ko = f"[가명] {application.reference} {state_ko}"
    subject_en = f"[gamyeong] {application.reference} {state_en}"
    body_ko = (
        f"이용신청 {application.reference} ‘{application.title}’이(가) "
        f"‘{_label(source, 'ko')}’에서 ‘{state_ko}’(으)로 바뀌었습니다."
        + (f" 다음 단계 기한: {due}." if due else "")
    )
    body_en = (
        f"Application {application.reference} '{application.title}' moved from "
        f"'{_label(source, 'en')}' to '{state_en}'." + (f" Next step due by {due}." if due else "")
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            application=application,
            subject_ko=subject_ko,
            subject_en=subject_en,
            body_ko=body_ko,
            body_en=body_en,
        )
        for user in to.values()
    )
    emails = [user.email for user in to.values() if user.email]
    if emails:
        transaction.on_commit(lambda: _mail(subject_ko, f"{body_ko}\n\n{body_en}", emails))
    return len(to)


def actor_pk(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


def _mail(subject: str, body: str, emails: list[str]) -> None:
    try:
        send_mail(subject, body, None, emails, fail_silently=False)
    except Exception:  # the inbox has it; a mail server that is down must not undo a decision
        logger.exception("notification e-mail to %s failed", emails)


def _label(state: str, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(State(state).label)
