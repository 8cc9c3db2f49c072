"""The two application workflows (이용신청 절차) as data: states, who owns each state, the actions
that move an application on, and the deadline of each state.

* **provision** (단일기관 제공): single-source provision of SSIS data — the researcher applies,
  the ministry division approves (보건복지부 소관부서 승인), the provider selects the items,
  pseudonymizes them, the adequacy review (적정성 검토) decides, the provider provides the data
  to the project's workspace.
* **combination** (결합): the six stages of the seed as the rows of korea-process.md §4 — from the
  purpose (1.1) to destruction (6.2), with returns for supplementation (보완 요청), rejection,
  INADEQUATE → re-work and withdrawal.

A workflow is a transition table (``actions``) and an owner table (``owners``). The tests check
that both are complete; ``gamyeong manage workflow_diagrams`` writes the state diagrams in
``docs/applications.md`` from them. :mod:`gamyeong.applications.services` is the only code that
moves an application, and only along these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Party(models.TextChoices):
    """Who may act: the application's author, or staff of one organisation of the procedure."""

    APPLICANT = "applicant", pgettext_lazy("application party", "Applicant")
    MINISTRY = "ministry", _("Ministry division")
    PROVIDER = "provider", _("Data provider")
    ADEQUACY = "adequacy_reviewer", _("Adequacy reviewer")
    KEY_AGENCY = "key_agency", _("Key-management agency")
    AGENCY = "agency", _("Combination agency")
    EXPORT_COMMITTEE = "export_committee", _("Export review committee")
    SYSTEM = "system", _("The system (follows the combination steps)")


class State(models.TextChoices):
    # single-source provision
    DRAFT = "draft", _("Draft")
    MINISTRY_REVIEW = "ministry_review", _("Ministry division review")
    SUPPLEMENT = "supplement", _("Returned for supplementation")
    ITEM_REVIEW = "item_review", _("Item review by the provider")
    PSEUDONYMIZATION = "pseudonymization", _("Pseudonymization")
    ADEQUACY_REVIEW = "adequacy_review", _("Adequacy review")
    PROVISION = "provision", _("Provision to the workspace")
    # combination (korea-process.md §4; the number is the row)
    DRAFT_PURPOSE = "draft_purpose", _("1.1 Purpose")
    EXPLORE_CATALOG = "explore_catalog", _("1.2 Item selection from the catalog")
    PLAN = "plan", _("1.3 Research plan")
    PRECONSULT = "preconsult", _("1.4 Pre-consultation")
    DOCS_READY = "docs_ready", _("1.5 Documents")
    PROVIDER_PURPOSE_REVIEW = "provider_purpose_review", _("2.1 Provider's purpose review")
    ITEM_SELECTION = "item_selection", _("2.2 Item selection by the providers")
    RISK_REVIEW = "risk_review", _("2.3 Identification-risk review")
    METHOD_LEVEL_DEFINED = "method_level_defined", _("2.4 Methods and levels")
    PROVIDER_DOCS = "provider_docs", _("2.5 Providers' consent and contract")
    COMBINATION_SUBMITTED = "combination_submitted", _("3.1 Combination application")
    COMBINATION_REVIEW = "combination_review", _("3.2 Combination agency review")
    KEYGEN = "keygen", _("4.1 Combination keys")
    PSEUDONYMIZE_AND_ADEQUACY = "pseudonymize_and_adequacy", _("4.2 Pseudonymization and adequacy")
    SEND_TARGETS = "send_targets", _("4.3 Sending the files")
    COMBINE = "combine", _("4.4 Combination")
    COMBINED_CHECK = "combined_check", _("4.5 Combined data check")
    ADDITIONAL_PROCESSING = "additional_processing", _("4.6 Additional processing")
    EXPORT_SUBMITTED = "export_submitted", _("5.1 Export application")
    EXPORT_REVIEW = "export_review", _("5.2 Export review committee")
    EXPORT_DECISION = "export_decision", _("5.3 Agency head's export decision")
    # shared
    IN_USE = "in_use", _("In use")
    SAFE_MANAGEMENT = "safe_management", _("6.1 Safe management")
    DESTROYED = "destroyed", _("Destroyed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@dataclass(frozen=True)
class Action:
    """One edge of a workflow: ``code`` taken by ``party`` moves ``source`` to ``target``.

    ``collective``: every provider of the application must take it before it moves (each
    provider's decision is recorded). ``reason``: a reason is required (rejections, returns,
    INADEQUATE). ``missing``: the list of what is missing is required (return for
    supplementation). ``guard``: the name of a check in :mod:`.guards` that must pass.
    Every decision of the staff (approve, accept, recommend …) needs its reason too: the record
    says why. ``manual``: offered as a button to its party; otherwise taken by the service when the
    linked work (an adequacy review, a combination step) is recorded.
    """

    code: str
    source: str
    target: str
    party: str
    label: Promise
    reason: bool = False
    missing: bool = False
    collective: bool = False
    guard: str = ""
    manual: bool = True
    danger: bool = False


@dataclass(frozen=True)
class Workflow:
    code: str
    name: Promise
    initial: str
    states: tuple[str, ...]
    terminal: frozenset[str]
    owners: dict[str, str]
    due_days: dict[str, int]
    actions: tuple[Action, ...]

    def actions_from(self, state: str) -> list[Action]:
        return [action for action in self.actions if action.source == state]

    def action(self, state: str, code: str) -> Action | None:
        for action in self.actions:
            if action.source == state and action.code == code:
                return action
        return None

    def position(self, state: str) -> int:
        return self.states.index(state)


S, P = State, Party


def _withdraw(states: tuple[str, ...]) -> tuple[Action, ...]:
    return tuple(
        Action("withdraw", s, S.WITHDRAWN, P.APPLICANT, _("Withdraw"), reason=True, danger=True)
        for s in states
    )


def _return(source: str, target: str, party: str) -> Action:
    return Action(
        "return",
        source,
        target,
        party,
        _("Return for supplementation"),
        reason=True,
        missing=True,
    )


def _reject(source: str, party: str) -> Action:
    return Action("reject", source, S.REJECTED, party, _("Reject"), reason=True, danger=True)


PROVISION = Workflow(
    code="provision",
    name=_("Single-source provision"),
    initial=S.DRAFT,
    states=(
        S.DRAFT,
        S.MINISTRY_REVIEW,
        S.SUPPLEMENT,
        S.ITEM_REVIEW,
        S.PSEUDONYMIZATION,
        S.ADEQUACY_REVIEW,
        S.PROVISION,
        S.IN_USE,
        S.DESTROYED,
        S.REJECTED,
        S.WITHDRAWN,
    ),
    terminal=frozenset({S.DESTROYED, S.REJECTED, S.WITHDRAWN}),
    owners={
        S.DRAFT: P.APPLICANT,
        S.MINISTRY_REVIEW: P.MINISTRY,
        S.SUPPLEMENT: P.APPLICANT,
        S.ITEM_REVIEW: P.PROVIDER,
        S.PSEUDONYMIZATION: P.PROVIDER,
        S.ADEQUACY_REVIEW: P.ADEQUACY,
        S.PROVISION: P.PROVIDER,
        S.IN_USE: P.APPLICANT,
    },
    due_days={
        S.MINISTRY_REVIEW: 14,
        S.SUPPLEMENT: 30,
        S.ITEM_REVIEW: 14,
        S.PSEUDONYMIZATION: 30,
        S.ADEQUACY_REVIEW: 14,
        S.PROVISION: 7,
    },
    actions=(
        Action("submit", S.DRAFT, S.MINISTRY_REVIEW, P.APPLICANT, _("Submit"), guard="submission"),
        Action(
            "approve",
            S.MINISTRY_REVIEW,
            S.ITEM_REVIEW,
            P.MINISTRY,
            _("Approve the use"),
            reason=True,
        ),
        _return(S.MINISTRY_REVIEW, S.SUPPLEMENT, P.MINISTRY),
        _reject(S.MINISTRY_REVIEW, P.MINISTRY),
        Action(
            "resubmit",
            S.SUPPLEMENT,
            S.MINISTRY_REVIEW,
            P.APPLICANT,
            _("Submit again"),
            guard="submission",
        ),
        Action(
            "approve_items",
            S.ITEM_REVIEW,
            S.PSEUDONYMIZATION,
            P.PROVIDER,
            _("Approve the items"),
            guard="items_decided",
            reason=True,
        ),
        _return(S.ITEM_REVIEW, S.SUPPLEMENT, P.PROVIDER),
        _reject(S.ITEM_REVIEW, P.PROVIDER),
        Action(
            "submit_run",
            S.PSEUDONYMIZATION,
            S.ADEQUACY_REVIEW,
            P.PROVIDER,
            _("Send the pseudonymized data to adequacy review"),
            guard="run_fits",
        ),
        Action(
            "adequate",
            S.ADEQUACY_REVIEW,
            S.PROVISION,
            P.ADEQUACY,
            _("Adequate"),
            manual=False,
        ),
        Action(
            "inadequate",
            S.ADEQUACY_REVIEW,
            S.PSEUDONYMIZATION,
            P.ADEQUACY,
            _("Inadequate: pseudonymize again"),
            reason=True,
            manual=False,
        ),
        Action(
            "provide",
            S.PROVISION,
            S.IN_USE,
            P.PROVIDER,
            _("Provide to the project's workspace"),
            guard="adequate_run",
        ),
        Action(
            "destroy",
            S.IN_USE,
            S.DESTROYED,
            P.PROVIDER,
            _("Confirm destruction"),
            guard="destruction_certificate",
            danger=True,
        ),
        *_withdraw(
            (S.DRAFT, S.MINISTRY_REVIEW, S.SUPPLEMENT, S.ITEM_REVIEW, S.PSEUDONYMIZATION),
        ),
    ),
)


def _collective(code: str, source: str, target: str, label: Promise, guard: str = "") -> Action:
    return Action(
        code, source, target, P.PROVIDER, label, collective=True, guard=guard, reason=True
    )


COMBINATION = Workflow(
    code="combination",
    name=_("Combination (six stages)"),
    initial=S.DRAFT_PURPOSE,
    states=(
        S.DRAFT_PURPOSE,
        S.EXPLORE_CATALOG,
        S.PLAN,
        S.PRECONSULT,
        S.DOCS_READY,
        S.PROVIDER_PURPOSE_REVIEW,
        S.ITEM_SELECTION,
        S.RISK_REVIEW,
        S.METHOD_LEVEL_DEFINED,
        S.PROVIDER_DOCS,
        S.COMBINATION_SUBMITTED,
        S.COMBINATION_REVIEW,
        S.KEYGEN,
        S.PSEUDONYMIZE_AND_ADEQUACY,
        S.SEND_TARGETS,
        S.COMBINE,
        S.COMBINED_CHECK,
        S.ADDITIONAL_PROCESSING,
        S.EXPORT_SUBMITTED,
        S.EXPORT_REVIEW,
        S.EXPORT_DECISION,
        S.IN_USE,
        S.SAFE_MANAGEMENT,
        S.DESTROYED,
        S.REJECTED,
        S.WITHDRAWN,
    ),
    terminal=frozenset({S.DESTROYED, S.REJECTED, S.WITHDRAWN}),
    owners={
        S.DRAFT_PURPOSE: P.APPLICANT,
        S.EXPLORE_CATALOG: P.APPLICANT,
        S.PLAN: P.APPLICANT,
        S.PRECONSULT: P.APPLICANT,
        S.DOCS_READY: P.APPLICANT,
        S.PROVIDER_PURPOSE_REVIEW: P.PROVIDER,
        S.ITEM_SELECTION: P.PROVIDER,
        S.RISK_REVIEW: P.PROVIDER,
        S.METHOD_LEVEL_DEFINED: P.PROVIDER,
        S.PROVIDER_DOCS: P.PROVIDER,
        S.COMBINATION_SUBMITTED: P.APPLICANT,
        S.COMBINATION_REVIEW: P.AGENCY,
        S.KEYGEN: P.PROVIDER,
        S.PSEUDONYMIZE_AND_ADEQUACY: P.PROVIDER,
        S.SEND_TARGETS: P.PROVIDER,
        S.COMBINE: P.AGENCY,
        S.COMBINED_CHECK: P.APPLICANT,
        S.ADDITIONAL_PROCESSING: P.AGENCY,
        S.EXPORT_SUBMITTED: P.APPLICANT,
        S.EXPORT_REVIEW: P.EXPORT_COMMITTEE,
        S.EXPORT_DECISION: P.AGENCY,
        S.IN_USE: P.APPLICANT,
        S.SAFE_MANAGEMENT: P.AGENCY,
    },
    due_days={
        S.PROVIDER_PURPOSE_REVIEW: 14,
        S.ITEM_SELECTION: 14,
        S.RISK_REVIEW: 14,
        S.METHOD_LEVEL_DEFINED: 14,
        S.PROVIDER_DOCS: 14,
        S.COMBINATION_REVIEW: 14,
        S.KEYGEN: 14,
        S.PSEUDONYMIZE_AND_ADEQUACY: 30,
        S.SEND_TARGETS: 14,
        S.COMBINE: 14,
        S.EXPORT_REVIEW: 30,
        S.EXPORT_DECISION: 7,
        S.SAFE_MANAGEMENT: 30,
    },
    actions=(
        Action(
            "complete_purpose",
            S.DRAFT_PURPOSE,
            S.EXPLORE_CATALOG,
            P.APPLICANT,
            _("Purpose done: choose the items"),
            guard="purpose",
        ),
        Action(
            "complete_items",
            S.EXPLORE_CATALOG,
            S.PLAN,
            P.APPLICANT,
            _("Items done: write the plan"),
            guard="combination_items",
        ),
        Action(
            "complete_plan",
            S.PLAN,
            S.PRECONSULT,
            P.APPLICANT,
            _("Plan done: pre-consultation"),
            guard="research_plan",
        ),
        Action(
            "complete_preconsult",
            S.PRECONSULT,
            S.DOCS_READY,
            P.APPLICANT,
            _("Pre-consultation done: documents"),
            guard="preconsult_notes",
        ),
        Action(
            "submit",
            S.DOCS_READY,
            S.PROVIDER_PURPOSE_REVIEW,
            P.APPLICANT,
            _("Submit to the providers"),
            guard="submission",
        ),
        _collective(
            "approve_purpose",
            S.PROVIDER_PURPOSE_REVIEW,
            S.ITEM_SELECTION,
            _("The purpose is suitable"),
        ),
        _return(S.PROVIDER_PURPOSE_REVIEW, S.DOCS_READY, P.PROVIDER),
        _reject(S.PROVIDER_PURPOSE_REVIEW, P.PROVIDER),
        _collective(
            "approve_items",
            S.ITEM_SELECTION,
            S.RISK_REVIEW,
            _("Approve the items"),
            guard="items_decided",
        ),
        _return(S.ITEM_SELECTION, S.DOCS_READY, P.PROVIDER),
        _collective(
            "complete_risk_review",
            S.RISK_REVIEW,
            S.METHOD_LEVEL_DEFINED,
            _("Risk review done"),
            guard="provider_document:risk_report",
        ),
        _collective(
            "define_methods",
            S.METHOD_LEVEL_DEFINED,
            S.PROVIDER_DOCS,
            _("Methods and levels defined"),
            guard="provider_document:method_table",
        ),
        _collective(
            "confirm_provider_docs",
            S.PROVIDER_DOCS,
            S.COMBINATION_SUBMITTED,
            _("Consent and contract in place"),
            guard="provider_document:provision_contract",
        ),
        Action(
            "submit_combination",
            S.COMBINATION_SUBMITTED,
            S.COMBINATION_REVIEW,
            P.APPLICANT,
            _("Apply to the combination agency"),
        ),
        Action(
            "accept",
            S.COMBINATION_REVIEW,
            S.KEYGEN,
            P.AGENCY,
            _("Accept the combination"),
            reason=True,
            guard="combination_registered",
        ),
        _return(S.COMBINATION_REVIEW, S.DOCS_READY, P.AGENCY),
        _reject(S.COMBINATION_REVIEW, P.AGENCY),
        Action(
            "keys_received",
            S.KEYGEN,
            S.PSEUDONYMIZE_AND_ADEQUACY,
            P.SYSTEM,
            _("All combination keys received"),
            manual=False,
        ),
        _collective(
            "adequate",
            S.PSEUDONYMIZE_AND_ADEQUACY,
            S.SEND_TARGETS,
            _("Payload adequate"),
            guard="provider_document:adequacy_report",
        ),
        Action(
            "inadequate",
            S.PSEUDONYMIZE_AND_ADEQUACY,
            S.METHOD_LEVEL_DEFINED,
            P.PROVIDER,
            _("Inadequate: redefine methods and levels"),
            reason=True,
        ),
        Action(
            "reset_purpose",
            S.PSEUDONYMIZE_AND_ADEQUACY,
            S.DRAFT_PURPOSE,
            P.PROVIDER,
            _("Inadequate: the purpose must be set again"),
            reason=True,
            danger=True,
        ),
        Action(
            "payloads_received",
            S.SEND_TARGETS,
            S.COMBINE,
            P.SYSTEM,
            _("All payloads received"),
            manual=False,
        ),
        Action(
            "combined",
            S.COMBINE,
            S.COMBINED_CHECK,
            P.SYSTEM,
            _("Combined"),
            manual=False,
        ),
        Action(
            "use_in_room",
            S.COMBINED_CHECK,
            S.IN_USE,
            P.APPLICANT,
            _("Use in the closed room only"),
        ),
        Action(
            "request_processing",
            S.COMBINED_CHECK,
            S.ADDITIONAL_PROCESSING,
            P.APPLICANT,
            _("Ask for additional processing before export"),
        ),
        Action(
            "processed",
            S.ADDITIONAL_PROCESSING,
            S.EXPORT_SUBMITTED,
            P.SYSTEM,
            _("Additional processing done"),
            manual=False,
        ),
        Action(
            "submit_export",
            S.EXPORT_SUBMITTED,
            S.EXPORT_REVIEW,
            P.APPLICANT,
            _("Submit the export application"),
            guard="document:export_application",
        ),
        Action(
            "use_in_room",
            S.EXPORT_SUBMITTED,
            S.IN_USE,
            P.APPLICANT,
            _("Use in the closed room only"),
        ),
        Action(
            "recommend_export",
            S.EXPORT_REVIEW,
            S.EXPORT_DECISION,
            P.EXPORT_COMMITTEE,
            _("Recommend the export"),
            reason=True,
        ),
        Action(
            "supplement_export",
            S.EXPORT_REVIEW,
            S.ADDITIONAL_PROCESSING,
            P.EXPORT_COMMITTEE,
            _("Process further and apply again"),
            reason=True,
        ),
        Action(
            "refuse_export",
            S.EXPORT_REVIEW,
            S.IN_USE,
            P.EXPORT_COMMITTEE,
            _("Refuse the export (use in the room only)"),
            reason=True,
            danger=True,
        ),
        Action(
            "approve_export",
            S.EXPORT_DECISION,
            S.IN_USE,
            P.AGENCY,
            _("Approve the export"),
            reason=True,
        ),
        Action(
            "refuse_export",
            S.EXPORT_DECISION,
            S.IN_USE,
            P.AGENCY,
            _("Refuse the export (use in the room only)"),
            reason=True,
            danger=True,
        ),
        Action(
            "finish_use",
            S.IN_USE,
            S.SAFE_MANAGEMENT,
            P.APPLICANT,
            _("Use finished: report the safety measures"),
            guard="document:safety_measures",
        ),
        Action(
            "destroy",
            S.SAFE_MANAGEMENT,
            S.DESTROYED,
            P.AGENCY,
            _("Confirm destruction"),
            guard="destruction_certificate",
            danger=True,
        ),
        *_withdraw(
            (
                S.DRAFT_PURPOSE,
                S.EXPLORE_CATALOG,
                S.PLAN,
                S.PRECONSULT,
                S.DOCS_READY,
                S.PROVIDER_PURPOSE_REVIEW,
                S.ITEM_SELECTION,
                S.RISK_REVIEW,
                S.METHOD_LEVEL_DEFINED,
                S.PROVIDER_DOCS,
                S.COMBINATION_SUBMITTED,
                S.COMBINATION_REVIEW,
            )
        ),
    ),
)

WORKFLOWS: dict[str, Workflow] = {w.code: w for w in (PROVISION, COMBINATION)}


def mermaid(workflow: Workflow) -> str:
    """The state diagram of ``workflow`` in Mermaid, from its tables (for the docs; the labels
    in English, the source language, so that a change of translation leaves the docs alone)."""
    from django.utils import translation

    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    with translation.override("en"):
        for state in workflow.states:
            owner = workflow.owners.get(state)
            label = str(State(state).label)
            if owner:
                label += f" · {Party(owner).label}"
            lines.append(f"    {state} : {label}")
    for action in workflow.actions:
        lines.append(f"    {action.source} --> {action.target} : {action.code}")
    for state in sorted(workflow.terminal):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"
