"""The two data-use procedures of the seed guide ("가명정보 활용(분석) 절차 안내"), as data.

A. Single-source provision: SSIS data used alone, after the responsible ministry division
   approves (MOHW statistics directive no. 7).
B. Combination of two or more datasets: the seed's table "가명정보 결합 및 반출 절차", six stages
   with sub-steps 1-1 … 6-2.

The seed's table names the actor only for stages 1 and 2 (결합정보 이용기관, 가명정보 제공기관).
The actors of stages 3 to 6 follow the division of duties of the Personal Information Protection
Commission's notice on combining pseudonymized information: the combination agency
(결합전문기관) reviews, joins and decides on export, the key-management agency (결합키관리기관)
turns combination keys into linking information, the providers make the keys and send the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Party(StrEnum):
    RESEARCHER = "researcher"
    USER_ORG = "user_org"
    PROVIDER = "provider"
    COMBINATION_AGENCY = "combination_agency"
    KEY_AGENCY = "key_agency"
    MINISTRY = "ministry"


PARTY_NAMES: dict[Party, Promise] = {
    Party.RESEARCHER: _("Pseudonymized-data user"),
    Party.USER_ORG: _("Combined-data user organisation"),
    Party.PROVIDER: _("Pseudonymized-data provider"),
    Party.COMBINATION_AGENCY: _("Combination agency"),
    Party.KEY_AGENCY: _("Key-management agency"),
    Party.MINISTRY: _("Ministry division in charge"),
}

# KRDS badge colour per party, so that each party reads the same on every page.
PARTY_BADGES: dict[Party, str] = {
    Party.RESEARCHER: "bg-light-primary",
    Party.USER_ORG: "bg-light-primary",
    Party.PROVIDER: "bg-light-success",
    Party.COMBINATION_AGENCY: "bg-light-point",
    Party.KEY_AGENCY: "bg-light-warning",
    Party.MINISTRY: "bg-light-secondary",
}


@dataclass(frozen=True)
class Actor:
    party: Party

    @property
    def name(self) -> Promise:
        return PARTY_NAMES[self.party]

    @property
    def badge(self) -> str:
        return PARTY_BADGES[self.party]


def _actors(*parties: Party) -> tuple[Actor, ...]:
    return tuple(Actor(party) for party in parties)


@dataclass(frozen=True)
class Step:
    number: str
    title: Promise
    actors: tuple[Actor, ...]
    note: Promise | str = ""


@dataclass(frozen=True)
class Stage:
    number: int
    title: Promise
    phase: Promise
    steps: tuple[Step, ...]

    @property
    def actors(self) -> tuple[Actor, ...]:
        """Every party that does one of the stage's steps, in order of first appearance."""
        seen: dict[Party, Actor] = {}
        for step in self.steps:
            for actor in step.actors:
                seen.setdefault(actor.party, actor)
        return tuple(seen.values())


USER = Party.USER_ORG
PROVIDER = Party.PROVIDER
COMBINER = Party.COMBINATION_AGENCY
KEYS = Party.KEY_AGENCY

PREPARATION = _("Preparation before the combination application")
EXECUTION = _("Combination and export")

COMBINATION_STAGES: tuple[Stage, ...] = (
    Stage(
        1,
        _("Preparing the combination of pseudonymized data"),
        PREPARATION,
        (
            Step("1-1", _("Set the purpose of the combination"), _actors(USER)),
            Step("1-2", _("Search for data that can be combined"), _actors(USER)),
            Step("1-3", _("Write a plan for the purpose of the combination"), _actors(USER)),
            Step("1-4", _("Consult the pseudonymized-data providers in advance"), _actors(USER)),
            Step("1-5", _("Consult the combination agency in advance"), _actors(USER)),
            Step(
                "1-6", _("The user organisation writes its combination application"), _actors(USER)
            ),
        ),
    ),
    Stage(
        2,
        _("Reviewing pseudonymization adequacy and identification risk"),
        PREPARATION,
        (
            Step("2-1", _("Review whether the processing purpose is suitable"), _actors(PROVIDER)),
            Step("2-2", _("Select the items to pseudonymize"), _actors(PROVIDER)),
            Step("2-3", _("Review the identification risk"), _actors(PROVIDER)),
            Step(
                "2-4",
                _("Define the pseudonymization methods and levels"),
                _actors(PROVIDER),
            ),
            Step("2-5", _("Consult in advance on the combination"), _actors(PROVIDER)),
            Step("2-6", _("The provider writes its combination application"), _actors(PROVIDER)),
        ),
    ),
    Stage(
        3,
        _("Combination application"),
        EXECUTION,
        (
            Step("3-1", _("Submit the combination application"), _actors(USER, PROVIDER)),
            Step(
                "3-2",
                _("Review the combination application"),
                _actors(COMBINER),
                _("keep the documents where needed"),
            ),
        ),
    ),
    Stage(
        4,
        _("Combination and additional processing"),
        EXECUTION,
        (
            Step("4-1", _("Generate the combination keys"), _actors(PROVIDER, KEYS)),
            Step("4-2", _("Pseudonymize and review adequacy"), _actors(PROVIDER)),
            Step("4-3", _("Send the data to be combined"), _actors(PROVIDER, KEYS)),
            Step("4-4", _("Combine the pseudonymized data"), _actors(COMBINER)),
            Step(
                "4-5",
                _("Check the combined data and decide whether it may be exported"),
                _actors(COMBINER),
            ),
            Step("4-6", _("Additional processing"), _actors(COMBINER)),
        ),
    ),
    Stage(
        5,
        _("Export application and use"),
        EXECUTION,
        (
            Step(
                "5-1",
                _("Submit the export application"),
                _actors(USER),
                _("keep the documents where needed"),
            ),
            Step(
                "5-2",
                _("Review the export application and consult on the export review"),
                _actors(COMBINER),
            ),
            Step("5-3", _("Export review and approval decision"), _actors(COMBINER)),
            Step("5-4", _("Use the exported data"), _actors(USER)),
        ),
    ),
    Stage(
        6,
        _("Safe management"),
        EXECUTION,
        (
            Step("6-1", _("Take the safety measures"), _actors(USER)),
            Step(
                "6-2",
                _("Destroy the related information once the purpose is achieved"),
                _actors(USER),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class ProvisionStep:
    title: Promise
    description: Promise
    actors: tuple[Actor, ...]


PROVISION_BASIS = _("MOHW statistics directive no. 7")

PROVISION_STEPS: tuple[ProvisionStep, ...] = (
    ProvisionStep(
        _("Application"),
        _(
            "The researcher states the purpose, the datasets and the items needed, after "
            "consulting the catalog."
        ),
        _actors(Party.RESEARCHER),
    ),
    ProvisionStep(
        _("Approval by the ministry division"),
        _(
            "The Ministry of Health and Welfare division in charge of each programme approves "
            "the use of its data."
        ),
        _actors(Party.MINISTRY),
    ),
    ProvisionStep(
        _("Pseudonymization"),
        _(
            "SSIS pseudonymizes the data item by item: direct identifiers are removed or "
            "replaced, quasi-identifiers are generalized."
        ),
        _actors(PROVIDER),
    ),
    ProvisionStep(
        _("Identification-risk and adequacy review"),
        _(
            "The result is checked for the risk of re-identification and for adequacy to the "
            "approved purpose before it is provided."
        ),
        _actors(PROVIDER),
    ),
    ProvisionStep(
        _("Use in the closed analysis room"),
        _(
            "The pseudonymized data is placed in the project's workspace in the closed "
            "analysis environment; it is analysed there and never downloaded."
        ),
        _actors(Party.RESEARCHER),
    ),
    ProvisionStep(
        _("Output review"),
        _(
            "Analysis results (statistical tables, graphs, model results) leave the room only "
            "after a disclosure check and approval."
        ),
        _actors(PROVIDER),
    ),
    ProvisionStep(
        _("Destruction"),
        _(
            "When the purpose is achieved or the period ends, the data and its copies are "
            "destroyed and the destruction is recorded."
        ),
        _actors(PROVIDER, Party.RESEARCHER),
    ),
)


def parties_in_order() -> tuple[Actor, ...]:
    """The four parties of the combination procedure, for the legend."""
    return _actors(USER, PROVIDER, COMBINER, KEYS)
