"""Combinations (결합) in the portal: seed stage 4 across the separated parties.

A :class:`Combination` is registered by the combination agency on behalf of the applicant (the
requesting user organisation) with its providers (each with its dataset, item mapping and payload
policy), the key-management agency and itself. Its ``status`` follows stage 4: created →
salt_issued → keys_received → matched → [mocked] → linked → payloads_received → combined →
processed. Every action of a party is a :class:`Step` (a background job with its actor, times and
result), every hand-over of a file between two parties a :class:`Transfer` (kind, SHA-256, rows;
never the data).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    CREATED = "created", _("Registered")
    SALT_ISSUED = "salt_issued", _("Salt issued")
    KEYS_RECEIVED = "keys_received", _("Keys received")
    MATCHED = "matched", _("Match rate checked")
    MOCKED = "mocked", _("Mock combination done")
    LINKED = "linked", _("Linking done")
    PAYLOADS_RECEIVED = "payloads_received", _("Payloads received")
    COMBINED = "combined", _("Combined")
    PROCESSED = "processed", _("Additional processing done")


ORDER = list(Status.values)


class Combination(models.Model):
    slug = models.SlugField(_("combination id"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    applicant = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    key_agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("key-management agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("combination agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    key_items = models.JSONField(_("key items"), default=list)
    algorithm = models.CharField(_("key algorithm"), max_length=20, default="hmac-sha256")
    qi = models.JSONField(_("quasi-identifiers of the combined data"), default=list, blank=True)
    sensitive = models.JSONField(_("sensitive attributes"), default=list, blank=True)
    k = models.PositiveSmallIntegerField(_("k (minimum class size)"), default=3)
    processing_policy = models.TextField(_("additional-processing policy (YAML)"), blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.CREATED
    )
    salt_id = models.CharField(_("salt id"), max_length=64, blank=True)
    match_report = models.JSONField(_("match report"), default=dict, blank=True)
    mock_report = models.JSONField(_("mock combination report"), default=dict, blank=True)
    link_report = models.JSONField(_("linking report"), default=dict, blank=True)
    extracted = models.BooleanField(_("extraction (matched serials sent)"), default=False)
    combined = models.JSONField(_("combination result"), default=dict, blank=True)
    processed = models.JSONField(_("additional-processing result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("issue_salt", "Can issue a combination's salt"),
            ("match_keys", "Can check match rates and link combination keys"),
            ("make_keys", "Can make and send a provider's combination files"),
            ("combine_data", "Can combine payloads and process the combined data"),
        ]
        verbose_name = _("combination")
        verbose_name_plural = _("combinations")

    def __str__(self) -> str:
        return f"{self.slug} {self.title}"

    def reached(self, status: str) -> bool:
        """Whether the combination is at ``status`` or past it."""
        return ORDER.index(self.status) >= ORDER.index(status)


class CombinationProvider(models.Model):
    """One provider of a combination: its dataset, item mapping and payload policy, and what it
    made and sent (hashes and counts; its key report is for its own eyes only)."""

    combination = models.ForeignKey(
        Combination, verbose_name=_("combination"), on_delete=models.CASCADE, related_name="parts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dataset = models.ForeignKey(
        "catalog.Dataset", verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    items = models.JSONField(_("item mapping (item kind → column)"), default=dict)
    payload_policy = models.TextField(_("payload policy (YAML)"), blank=True)
    key_report = models.JSONField(_("key report"), default=dict, blank=True)
    keys_sent_at = models.DateTimeField(_("keys sent at"), null=True, blank=True)
    payload_columns = models.JSONField(_("payload columns"), default=list, blank=True)
    payload_sent_at = models.DateTimeField(_("payload sent at"), null=True, blank=True)

    class Meta:
        ordering = ["combination", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["combination", "organisation"], name="combination_provider_once"
            )
        ]
        verbose_name = _("combination provider")
        verbose_name_plural = _("combination providers")

    def __str__(self) -> str:
        return f"{self.combination.slug}: {self.organisation}"


class Step(models.Model):
    """One action of one party (a background job): who asked, when it ran, what it gave."""

    class Code(models.TextChoices):
        SALT = "salt", _("Issue the salt")
        KEYS = "keys", _("Make and send combination keys")
        MATCH = "match", _("Check the match rate")
        MOCK = "mock", _("Mock combination")
        LINK = "link", _("Make the linking information")
        PAYLOAD = "payload", _("Send the payload")
        COMBINE = "combine", _("Combine")
        PROCESS = "process", _("Additional processing")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    combination = models.ForeignKey(
        Combination, verbose_name=_("combination"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.CharField(_("step"), max_length=20, choices=Code.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    detail = models.JSONField(_("result"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error_ko = models.TextField(_("error (Korean)"), blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("combination step")
        verbose_name_plural = _("combination steps")

    def __str__(self) -> str:
        return f"{self.combination.slug}: {self.code} ({self.state})"

    @property
    def pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class Transfer(models.Model):
    """A file handed from one party to another: recorded once, seen by both sides."""

    class Kind(models.TextChoices):
        SALT = "salt", _("Salt")
        KEYS = "combination_keys", _("Combination keys")
        MATCHED = "matched_serials", _("Matched serials (extraction)")
        LINKING = "linking_info", _("Linking information")
        PAYLOAD = "payload", _("Payload (pseudonymized attributes)")
        COMBINED = "combined", _("Combined data")

    combination = models.ForeignKey(
        Combination,
        verbose_name=_("combination"),
        on_delete=models.CASCADE,
        related_name="transfers",
    )
    step = models.ForeignKey(
        Step, verbose_name=_("step"), on_delete=models.CASCADE, related_name="transfers"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sender = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("receiver"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.CharField(_("file name"), max_length=300)
    path = models.CharField(_("path in the receiver's store"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    columns = models.PositiveSmallIntegerField(_("columns"), default=0)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received and verified at"))
    deleted_at = models.DateTimeField(_("deleted by the receiver at"), null=True, blank=True)

    class Meta:
        ordering = ["combination", "received_at", "pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.combination.slug}: {self.kind} {self.sender} → {self.receiver}"

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "sender": str(self.sender),
            "receiver": str(self.receiver),
            "sha256": self.sha256,
            "rows": self.rows,
        }
