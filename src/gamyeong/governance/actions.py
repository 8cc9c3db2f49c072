"""The named actions of the audit trail, each with a description (the registry that
``record`` checks, so that a misspelt action fails loudly instead of writing a stray event)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "auth.login": _("Logged in with password and one-time code"),
    "auth.login_failed": _("Password login failed"),
    "auth.otp_failed": _("One-time code was wrong"),
    "auth.locked_out": _("Account locked after repeated failures"),
    "auth.logout": _("Logged out"),
    "auth.totp_enrolled": _("Authenticator app registered"),
    "accounts.organisation_created": _("Organisation created"),
    "accounts.user_created": _("User created"),
    "accounts.user_changed": _("User changed"),
    "accounts.roles_changed": _("User's roles changed"),
    "accounts.password_reset": _("Password reset by an administrator"),
    "catalog.loaded": _("Catalog loaded from a synthetic-data manifest"),
    "catalog.changed": _("Catalog entry changed"),
    "catalog.deleted": _("Catalog entry deleted"),
    "synth.generated": _("Synthetic data generated"),
    "audit.verified": _("Audit trail verified"),
    "processing.policy_created": _("Pseudonymization policy saved"),
    "processing.run_requested": _("Pseudonymization run requested"),
    "processing.run_started": _("Pseudonymization run started"),
    "processing.run_finished": _("Pseudonymization run finished"),
    "processing.run_failed": _("Pseudonymization run failed"),
    "processing.adequacy_decided": _("Adequacy review decided"),
    "processing.report_viewed": _("Adequacy review report viewed or downloaded"),
}


class UnknownActionError(KeyError):
    pass


def check_action(action: str) -> None:
    if action not in ACTIONS:
        raise UnknownActionError(
            f"등록되지 않은 감사 동작입니다: {action!r} (unregistered audit action)"
        )
