"""Export requests (반출신청): outputs chosen from a workspace, reviewed by two independent
reviewers (and for a combined data set by the export review committee), released as a package.

The files are copied into the request's own store when it is submitted, so what is reviewed is
exactly what is released (their SHA-256 recorded); the workspace's outputs may change after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gamyeong.exports.workflow import OWNERS, TERMINAL, State


class ExportRequest(models.Model):
    class Kind(models.TextChoices):
        STATISTICS = "statistics", _("Statistics (tables, models, graphs)")
        DATASET = "dataset", _("A combined data set")

    reference = models.SlugField(_("export number"), max_length=32, unique=True)
    workspace = models.ForeignKey(
        "workspace.Workspace",
        verbose_name=_("workspace"),
        on_delete=models.PROTECT,
        related_name="export_requests",
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("researcher"),
        on_delete=models.PROTECT,
        related_name="export_requests",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    context = models.TextField(_("what the outputs are and why they are needed"), blank=True)
    controls = models.TextField(_("disclosure controls applied"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    round = models.PositiveSmallIntegerField(_("review round"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    package_sha256 = models.CharField(_("release package SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_output", "Can review export requests"),
            ("decide_committee", "Can record the export review committee and the head's decision"),
        ]
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")

    def __str__(self) -> str:
        return self.reference

    @property
    def owner(self) -> str | None:
        return OWNERS.get(self.state)

    @property
    def ended(self) -> bool:
        return self.state in TERMINAL


class ExportFile(models.Model):
    request = models.ForeignKey(
        ExportRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(_("file (in outputs/)"), max_length=300)
    stored = models.CharField(_("stored as"), max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    checks = models.JSONField(_("automatic checks"), default=dict, blank=True)

    class Meta:
        ordering = ["request", "name"]
        constraints = [models.UniqueConstraint(fields=["request", "name"], name="export_file_once")]
        verbose_name = _("export file")
        verbose_name_plural = _("export files")

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.name}"


class Review(models.Model):
    """One reviewer's votes on one round: per file approve / changes / reject."""

    class Vote(models.TextChoices):
        APPROVE = "approve", _("Approve")
        CHANGES = "changes", _("Request changes")
        REJECT = "reject", _("Reject")

    request = models.ForeignKey(
        ExportRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField(_("review round"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("export review", "reviewer"),
        on_delete=models.PROTECT,
        related_name="export_reviews",
    )
    votes = models.JSONField(_("votes per file"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["request", "round", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round", "reviewer"], name="one_review_per_reviewer_and_round"
            )
        ]
        verbose_name = _("export review")
        verbose_name_plural = _("export reviews")

    def __str__(self) -> str:
        return f"{self.request.reference} r{self.round}: {self.reviewer}"


class Comment(models.Model):
    class Visibility(models.TextChoices):
        REVIEWERS = "reviewers", _("Reviewers only")
        RESEARCHER = "researcher", _("Visible to the researcher")

    request = models.ForeignKey(
        ExportRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="comments"
    )
    file = models.ForeignKey(
        ExportFile,
        verbose_name=_("file"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visibility = models.CharField(_("visible to"), max_length=20, choices=Visibility.choices)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["request", "created_at", "pk"]
        verbose_name = _("export comment")
        verbose_name_plural = _("export comments")

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.author}"


class CommitteeDecision(models.Model):
    """The export review committee's meeting (반출심사위원회) and the agency head's decision."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve the export")
        REJECT = "reject", _("Reject the export")
        CHANGES = "changes", _("Process further and apply again")

    request = models.ForeignKey(
        ExportRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="committee_decisions",
    )
    round = models.PositiveSmallIntegerField(_("review round"))
    members = models.JSONField(_("members and votes"))  # [{name, affiliation, external, vote}]
    minutes = models.TextField(_("minutes"))
    decision = models.CharField(_("head's decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["request", "round"]
        constraints = [
            models.UniqueConstraint(fields=["request", "round"], name="one_committee_per_round")
        ]
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")

    def __str__(self) -> str:
        return f"{self.request.reference} r{self.round}: {self.decision}"
