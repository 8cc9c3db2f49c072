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
    # The combination stages in the portal (gamyeong.combination).
    "combination.created": _("Combination registered"),
    "combination.step_requested": _("Combination step requested"),
    "combination.step_failed": _("Combination step failed"),
    "combination.salt_issued": _("Combination salt issued and sent to the providers"),
    "combination.keys_sent": _("Combination keys made and sent to the key-management agency"),
    "combination.match_checked": _("Match rate checked"),
    "combination.mock_combined": _("Mock combination done"),
    "combination.linked": _("Linking information made and sent to the combination agency"),
    "combination.payload_sent": _("Payload sent to the combination agency"),
    "combination.combined": _("Payloads combined"),
    "combination.inputs_deleted": _("Payloads and linking information deleted after combination"),
    "combination.processed": _("Combined data processed further"),
    "combination.transferred": _("Combination file handed over to another party"),
    "combination.page_viewed": _("Combination page viewed"),
    # Applications (gamyeong.applications).
    "applications.created": _("Application created"),
    "applications.changed": _("Application changed by the applicant"),
    "applications.pledge_accepted": _("Pledge and terms accepted"),
    "applications.items_selected": _("Items selected from the catalog"),
    "applications.co_researcher_added": _("Co-researcher added"),
    "applications.co_researcher_removed": _("Co-researcher removed"),
    "applications.document_uploaded": _("Document uploaded"),
    "applications.document_downloaded": _("Document downloaded"),
    "applications.commented": _("Comment written"),
    "applications.provider_decided": _("A provider's share of a joint decision"),
    "applications.moved": _("Application moved to a new state"),
    "applications.combination_registered": _("Combination registered from an application"),
    "applications.viewed": _("Application viewed"),
    "workspace.booked": _("Seat booked in an analysis room"),
    "workspace.files_made": _("Workspace data files made (all formats, codebook, dummy data)"),
    "workspace.dummy_downloaded": _("Dummy data downloaded"),
    "workspace.job_submitted": _("Analysis job submitted"),
    "workspace.job_started": _("Analysis job started in the sandbox"),
    "workspace.job_finished": _("Analysis job finished"),
    "workspace.job_cancel_requested": _("Analysis job cancellation asked"),
    "workspace.log_viewed": _("Analysis job log viewed"),
    "workspace.viewed": _("Workspace page viewed"),
    "workspace.booking_cancelled": _("Seat booking cancelled"),
    "workspace.checked_in": _("Researcher checked in to an analysis room"),
    "workspace.checked_out": _("Researcher checked out of an analysis room"),
    "exports.created": _("Export request created"),
    "exports.changed": _("Export request changed by the researcher"),
    "exports.moved": _("Export request moved to a new state"),
    "exports.reviewed": _("Export request reviewed (one reviewer's votes)"),
    "exports.commented": _("Comment on an export request"),
    "exports.package_built": _("Release package built"),
    "exports.downloaded": _("Release package downloaded"),
    "api.token_created": _("API token created"),
    "api.token_revoked": _("API token revoked"),
    # The key-management agency's own trail (its database, ``using="kma"``).
    "kma.client_added": _("KMA API client added"),
    "kma.client_disabled": _("KMA API client disabled"),
    "kma.combination_created": _("Combination registered and salt issued by the KMA"),
    "kma.salt_downloaded": _("Salt downloaded by a provider"),
    "kma.keys_received": _("Combination keys received from a provider"),
    "kma.match_report": _("Match report (match rate) read"),
    "kma.mock_combination": _("Mock combination run"),
    "kma.extracted": _("Matched serials extracted for the providers"),
    "kma.matched_serials_downloaded": _("Matched serials downloaded by a provider"),
    "kma.linked": _("Linking information made"),
    "kma.linking_info_downloaded": _("Linking information downloaded by the combination agency"),
    "kma.combination_viewed": _("KMA combination viewed"),
    "kma.docs_viewed": _("KMA API documentation viewed"),
    "kma.request_refused": _("KMA API request refused"),
    "kma.request_failed": _("KMA API request failed"),
}


class UnknownActionError(KeyError):
    pass


def check_action(action: str) -> None:
    if action not in ACTIONS:
        raise UnknownActionError(
            f"등록되지 않은 감사 동작입니다: {action!r} (unregistered audit action)"
        )
