"""The audit trail (감사 기록): append-only events linked by a SHA-256 hash chain.

Each event stores the hash of its own content and the hash of the event before it. Editing,
inserting or deleting an event breaks the chain at that point, and ``gamyeong audit verify``
reports where. Events are written only through :func:`gamyeong.governance.audit.record`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("감사 기록은 수정할 수 없습니다 (audit events cannot be updated)")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("감사 기록은 삭제할 수 없습니다 (audit events cannot be deleted)")


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time (UTC)"))
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    actor_roles = models.CharField(_("actor's roles"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=128, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    detail_json = models.TextField(_("detail (canonical JSON)"), default="{}")
    ip_address = models.CharField(_("IP address"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64, unique=True)
    event_hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["action"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("감사 기록은 수정할 수 없습니다 (audit events cannot be updated)")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("감사 기록은 삭제할 수 없습니다 (audit events cannot be deleted)")


class AuditChainHead(models.Model):
    """The newest event's sequence number and hash: one row, locked while an event is appended.

    It lets verification notice events deleted from, or added after, the end of the chain.
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    event_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_hash[:12]}"


class CaseRegisterEntry(models.Model):
    """A public register entry of a provision (가명정보 제공사례) or combination (결합사례) case."""

    class Kind(models.TextChoices):
        PROVISION = "provision", _("Provision")
        COMBINATION = "combination", _("Combination")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    institution = models.CharField(_("institution"), max_length=200)
    title = models.CharField(_("study title"), max_length=300)

    class Meta:
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="governance_case_unique_number")
        ]
        verbose_name = _("case register entry")
        verbose_name_plural = _("case register")

    def __str__(self) -> str:
        return f"{self.year} {self.institution}: {self.title}"
