"""Organisations and users.

An organisation (기관) is one of the parties of the procedure: a data provider (가명정보 제공기관),
the key-management agency (결합키관리기관), the combination agency (결합전문기관), the ministry
(보건복지부) or a user organisation (가명정보 이용기관). A user's roles are Django groups, one per
role of :mod:`gamyeong.accounts.roles`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Data provider")
        KEY_AGENCY = "key_agency", _("Key-management agency")
        COMBINATION_AGENCY = "combination_agency", _("Combination agency")
        MINISTRY = "ministry", _("Ministry")
        USER_ORG = "user_org", _("User organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    registration_number = models.CharField(
        _("business registration number"), max_length=20, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))


class ApiToken(models.Model):
    """A personal token for the portal's JSON API (``Authorization: Bearer gy_…``). Only its
    SHA-256 is kept; the token itself is shown once, when it is made."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("first characters"), max_length=12)
    token_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user}: {self.name} ({self.prefix}…)"
