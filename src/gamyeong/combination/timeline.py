"""The stage timeline of a combination page: seed stages 4-1 … 4-6, each with its steps, the
party of each step, its state and whether the current user may do it now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gamyeong.accounts.models import Organisation
from gamyeong.combination import access
from gamyeong.combination.models import Combination, CombinationProvider, Status, Step

Code = Step.Code
DONE, PENDING, FAILED, READY, WAITING, SKIPPED = (
    "done",
    "pending",
    "failed",
    "ready",
    "waiting",
    "skipped",
)
STATE_LABELS: dict[str, Promise] = {
    DONE: _("Done"),
    PENDING: _("In progress"),
    FAILED: _("Failed"),
    READY: _("Up next"),
    WAITING: _("Waiting"),
    SKIPPED: _("Not done"),
}
DONE_AT: dict[str, str] = {
    Code.SALT: Status.SALT_ISSUED,
    Code.LINK: Status.LINKED,
    Code.COMBINE: Status.COMBINED,
    Code.PROCESS: Status.PROCESSED,
}

STAGES: tuple[tuple[str, Promise, Promise], ...] = (
    (
        "4-1",
        _("Combination keys and match rate"),
        _(
            "The key-management agency issues a salt; each provider makes (combination key, "
            "serial) pairs and sends them; the agency checks the match rate and may run a mock "
            "combination."
        ),
    ),
    (
        "4-2",
        _("Pseudonymization of the payload"),
        _(
            "Each provider pseudonymizes the attributes it sends with its payload policy; "
            "identifiers never go into the payload."
        ),
    ),
    (
        "4-3",
        _("Sending to the agencies"),
        _(
            "The key-management agency makes the linking information for the combination agency "
            "(and, with extraction, returns each provider's matched serials); each provider sends "
            "its payload."
        ),
    ),
    (
        "4-4",
        _("Combination"),
        _(
            "The combination agency joins the payloads through the linking information, gives "
            "every record a new id and deletes the serials and the linking information."
        ),
    ),
    (
        "4-5",
        _("Check of the combined data"),
        _(
            "The identification risk of the combined data is reviewed before it is used in the "
            "closed room."
        ),
    ),
    (
        "4-6",
        _("Additional processing"),
        _("The combined data is processed further inside the closed room, as the policy says."),
    ),
)


@dataclass(frozen=True)
class Card:
    code: str
    label: Promise
    organisation: Organisation
    state: str
    step: Step | None  # the latest step of this code by this party
    actionable: bool  # the current user may ask for it now
    info_only: bool = False  # a view of another step's result (4-2, 4-5)

    @property
    def state_label(self) -> Promise:
        return STATE_LABELS[self.state]

    @property
    def wide(self) -> bool:
        """A step whose form needs the whole row (the risk review's columns, a policy)."""
        return self.code in (Code.COMBINE, Code.PROCESS)

    @property
    def form(self) -> str:
        """The template of the step's form (a plain button when it takes no parameters)."""
        with_form = (Code.MOCK, Code.LINK, Code.COMBINE, Code.PROCESS)
        return f"combination/forms/{self.code if self.code in with_form else 'plain'}.html"


@dataclass(frozen=True)
class Stage:
    number: str
    title: Promise
    description: Promise
    cards: list[Card]


class Timeline:
    def __init__(self, combination: Combination, user: Any) -> None:
        self.combination, self.user = combination, user
        self.parts = list(combination.parts.select_related("organisation", "dataset"))
        self.latest: dict[tuple[str, int], Step] = {}
        for step in combination.steps.order_by("requested_at", "pk"):
            self.latest[(step.code, step.organisation_id)] = step

    def _done(self, code: str, part: CombinationProvider | None) -> bool:
        c = self.combination
        if part is not None:
            return (part.keys_sent_at if code == Code.KEYS else part.payload_sent_at) is not None
        if code == Code.MATCH:
            return bool(c.match_report)
        if code == Code.MOCK:
            return bool(c.mock_report)
        return c.reached(DONE_AT[code])

    def _state(self, code: str, step: Step | None, part: CombinationProvider | None) -> str:
        if step is not None and step.pending:
            return PENDING
        if self._done(code, part):
            return DONE
        if code == Code.MOCK and self.combination.reached(Status.LINKED):
            return SKIPPED
        if step is not None and step.state == Step.State.FAILED:
            return FAILED
        return READY if self.combination.status in access.RULES[code].statuses else WAITING

    def card(
        self,
        code: str,
        label: Promise,
        organisation: Organisation,
        part: CombinationProvider | None = None,
        info_only: bool = False,
    ) -> Card:
        step = self.latest.get((code, organisation.pk))
        state = self._state(code, step, part)
        mine = access.organisation_id(self.user) == organisation.pk
        repeatable = code in (Code.MATCH, Code.MOCK, Code.PROCESS)
        actionable = (
            not info_only
            and mine
            and access.may_do(self.user, self.combination, code)
            and (state in (READY, FAILED) or (state == DONE and repeatable and self._open(code)))
        )
        return Card(code, label, organisation, state, step, actionable, info_only)

    def _open(self, code: str) -> bool:
        return self.combination.status in access.RULES[code].statuses

    def stages(self) -> list[Stage]:
        kma, agency = self.combination.key_agency, self.combination.agency
        cards = {
            "4-1": [
                self.card(Code.SALT, _("Issue the salt"), kma),
                *(self.provider_cards(Code.KEYS, _("Make and send combination keys"))),
                self.card(Code.MATCH, _("Check the match rate"), kma),
                self.card(Code.MOCK, _("Mock combination (optional)"), kma),
            ],
            "4-2": self.provider_cards(Code.KEYS, _("Pseudonymize the payload"), info_only=True),
            "4-3": [
                self.card(Code.LINK, _("Make the linking information"), kma),
                *(self.provider_cards(Code.PAYLOAD, _("Send the payload"))),
            ],
            "4-4": [self.card(Code.COMBINE, _("Combine"), agency)],
            "4-5": [
                self.card(
                    Code.COMBINE, _("Risk review of the combined data"), agency, info_only=True
                )
            ],
            "4-6": [self.card(Code.PROCESS, _("Additional processing"), agency)],
        }
        return [Stage(number, title, text, cards[number]) for number, title, text in STAGES]

    def provider_cards(self, code: str, label: Promise, info_only: bool = False) -> list[Card]:
        return [self.card(code, label, p.organisation, p, info_only) for p in self.parts]

    @property
    def pending(self) -> bool:
        return any(step.pending for step in self.latest.values())
