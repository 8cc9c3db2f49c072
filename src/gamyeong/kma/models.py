"""The key-management agency's records, in its own database (alias ``kma``).

None of these refers to the portal's tables: the KMA is a separate party with its own service.
The files themselves (salts, key files, matched serials, linking information) stay in the KMA's
party store (``GAMYEONG_KMA_STORE``); the rows record where and what they are.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Combination(models.Model):
    """One combination (결합 건) as the KMA sees it: its providers, the agency, the salt."""

    class Status(models.TextChoices):
        SALT_ISSUED = "salt_issued", _("Salt issued")
        KEYS_COMPLETE = "keys_complete", _("Keys received from every provider")
        LINKED = "linked", _("Linking information made")

    id = models.SlugField(_("combination id"), max_length=64, primary_key=True)
    purpose = models.CharField(_("purpose"), max_length=500)
    providers = models.JSONField(_("providers (organisations)"), default=list)
    agency = models.CharField(_("combination agency (organisation)"), max_length=200)
    salt_id = models.CharField(_("salt id"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SALT_ISSUED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("combination (KMA)")
        verbose_name_plural = _("combinations (KMA)")

    def __str__(self) -> str:
        return self.id


class ReceivedKeyFile(models.Model):
    """A provider's key file (serial, key columns only) admitted into the KMA's inbox."""

    combination = models.ForeignKey(Combination, on_delete=models.PROTECT, related_name="key_files")
    provider = models.CharField(_("provider (organisation)"), max_length=200)
    path = models.CharField(_("file in the KMA's store"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveBigIntegerField(_("rows"))
    key_specs = models.JSONField(_("key specs"), default=list)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["combination", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["combination", "provider"], name="kma_one_key_file_per_provider"
            )
        ]
        verbose_name = _("received key file")
        verbose_name_plural = _("received key files")

    def __str__(self) -> str:
        return f"{self.combination_id}: {self.provider}"


class LinkingRun(models.Model):
    """One run of the KMA's matching: a match report, a mock combination, an extraction or the
    linking information, with its report and the files it wrote."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Match report")
        MOCK = "mock", _("Mock combination")
        EXTRACT = "extract", _("Extraction (matched serials)")
        LINK = "link", _("Linking information")

    combination = models.ForeignKey(
        Combination, on_delete=models.PROTECT, related_name="linking_runs"
    )
    key_set = models.CharField(_("key set"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    report = models.JSONField(_("match report"), default=dict)
    outputs = models.JSONField(_("output files (party → path in the store)"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("linking run")
        verbose_name_plural = _("linking runs")

    def __str__(self) -> str:
        return f"{self.combination_id}: {self.kind} ({self.key_set})"


class ApiClient(models.Model):
    """Who may call the KMA's API: a provider, a combination agency or the KMA's own staff.

    Only the SHA-256 of the token is kept; the token is shown once, when the client is added."""

    class Role(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        COMBINATION_AGENCY = "combination_agency", _("Combination agency")
        KMA_STAFF = "kma_staff", _("Key-management agency staff")

    name = models.CharField(_("name"), max_length=100, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.CharField(_("organisation"), max_length=200)
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.role}:{self.organisation})"
