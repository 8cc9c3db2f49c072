"""The processing record of a project (가명정보 처리 기록): its purpose, the items provided, its
period and its use history — every booking, check-in, job, file made and read — taken from the
audit trail, so the record and the trail can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from gamyeong.governance.models import AuditEvent
from gamyeong.workspace.models import Workspace


@dataclass(frozen=True)
class ProcessingRecord:
    workspace: Workspace
    purpose_category: str
    purpose: str
    items: list[dict[str, str]]
    period: tuple[date, date]
    history: list[AuditEvent]


def processing_record(workspace: Workspace, *, limit: int = 500) -> ProcessingRecord:
    application: Any = workspace.application
    items = [
        {
            "dataset": row.item.dataset.name,
            "name": row.item.name,
            "label": row.item.label_ko,
            "class": row.item.get_item_class_display(),
        }
        for row in application.items.filter(approved=True).select_related("item__dataset")
    ]
    history = list(
        AuditEvent.objects.filter(
            Q(object_type="workspace.workspace", object_id=str(workspace.pk))
            | Q(object_type="applications.application", object_id=str(application.pk))
        ).order_by("-seq")[:limit]
    )
    return ProcessingRecord(
        workspace=workspace,
        purpose_category=application.get_purpose_category_display(),
        purpose=application.purpose,
        items=items,
        period=(workspace.period_start, workspace.period_end),
        history=history,
    )
