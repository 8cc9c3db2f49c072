"""Pseudonymization at the provider (가명처리) and its adequacy review (적정성 검토).

A policy (가명처리 방법 및 수준) is versioned: editing one saves a new version, so every run
points at the exact text it applied. A run is a background job that applies a policy to a
dataset and measures the identification risk and utility of the result. An adequacy review
records the decision on one run; the reviewer is never the person who ran it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    CLOSED_ROOM = "closed_room", _("Closed analysis room")
    THIRD_PARTY = "third_party", _("Third-party release")


class Policy(models.Model):
    dataset = models.ForeignKey(
        "catalog.Dataset",
        verbose_name=_("dataset"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    k = models.PositiveSmallIntegerField(_("k (minimum class size)"))
    yaml = models.TextField(_("policy (YAML)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="processing_policy_version")
        ]
        permissions = [
            ("run_pseudonymization", "Can run a pseudonymization"),
            ("review_adequacy", "Can decide an adequacy review"),
        ]
        verbose_name = _("pseudonymization policy")
        verbose_name_plural = _("pseudonymization policies")

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.version}"


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="runs"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=50, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    output_file = models.CharField(
        _("output (relative to the data directory)"), max_length=300, blank=True
    )
    output_sha256 = models.CharField(_("output SHA-256"), max_length=64, blank=True)
    rows_in = models.PositiveBigIntegerField(_("rows in"), null=True, blank=True)
    rows_out = models.PositiveBigIntegerField(_("rows out"), null=True, blank=True)
    result = models.JSONField(_("run summary"), default=dict, blank=True)
    risk = models.JSONField(_("identification risk"), default=dict, blank=True)
    utility = models.JSONField(_("utility"), default=dict, blank=True)
    k_met = models.BooleanField(_("k reached"), null=True, blank=True)
    error_ko = models.TextField(_("error (Korean)"), blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("pseudonymization run")
        verbose_name_plural = _("pseudonymization runs")

    def __str__(self) -> str:
        return f"run #{self.pk} ({self.policy})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class AdequacyReview(models.Model):
    class Decision(models.TextChoices):
        ADEQUATE = "adequate", _("Adequate")
        INADEQUATE = "inadequate", _("Inadequate")

    class Action(models.TextChoices):
        RESET_PURPOSE = "reset_purpose", _("Reset the purpose")
        ADDITIONAL_PROCESSING = "additional_processing", _("Further pseudonymization")
        CHANGE_ENVIRONMENT = "change_environment", _("Change the environment of use")

    run = models.OneToOneField(
        Run, verbose_name=_("run"), on_delete=models.PROTECT, related_name="review"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    required_action = models.CharField(
        _("required action"), max_length=30, choices=Action.choices, blank=True
    )
    checklist = models.JSONField(_("checklist"), default=dict)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("adequacy review")
        verbose_name_plural = _("adequacy reviews")

    def __str__(self) -> str:
        return f"{self.run}: {self.decision}"
